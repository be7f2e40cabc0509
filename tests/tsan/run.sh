#!/bin/bash
# tests/tsan/run.sh: the ThreadSanitizer stage of CI: bulk sealing is the one multi-threaded part (worker threads, the
# output committer, the PKCS#11 session pool, the TSA connection pool), so a TSan build of `eseal` seals batches
# (XAdES B-B, PAdES B-T against the loopback TSA, mixed CAdES, a SIGINT midway), and the unit tests of the shared
# objects (output group, revocation cache) run from threads. Any TSan report fails the stage.
#   tests/tsan/run.sh        (build in <src>/build-tsan, or $ESEAL_TSAN_BUILD)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
TB=${ESEAL_TSAN_BUILD:-$SRC/build-tsan}
W=$(mktemp -d /tmp/eseal-tsan.XXXXXX)
cleanup() {
	bash "$SRC/tests/lib/testenv-down.sh" "$W/te" >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() {
	echo "tsan: FAIL: $*" >&2
	exit 1
}

mkdir -p "$TB"
cmake -S "$SRC" -B "$TB" -DCMAKE_BUILD_TYPE=Debug -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON \
	-DCMAKE_C_FLAGS="-fsanitize=thread -O1 -g" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >"$TB.cmake.log" 2>&1 ||
	{ cat "$TB.cmake.log" >&2; fail "configure"; }
cmake --build "$TB" -j"${ESEAL_JOBS:-2}" --target eseal_cli unit_output test_verify_revcache test_batch_caches >"$TB.build.log" 2>&1 ||
	{ tail -40 "$TB.build.log" >&2; fail "build"; }
ESEAL=$TB/plugins/cli/eseal

# The unit tests that drive shared objects from several threads: the output group, the revocation cache, the
# verifier's chain and certificate caches.
for t in tests/unit/unit_output tests/verify/test_verify_revcache tests/verify/test_batch_caches; do
	TSAN_OPTIONS="exitcode=66 halt_on_error=0" "$TB/$t" >"$TB.unit.log" 2>&1 || { cat "$TB.unit.log" >&2; fail "$t"; }
	grep -q "WARNING: ThreadSanitizer" "$TB.unit.log" && { cat "$TB.unit.log" >&2; fail "$t: ThreadSanitizer report"; }
	echo "tsan: $(basename "$t"): passed, no report"
done

bash "$SRC/tests/lib/testenv-up.sh" "$W/te" >"$W/testenv.log" 2>&1 || { cat "$W/testenv.log" >&2; fail "fixture"; }
export SOFTHSM2_CONF=$W/te/softhsm2.conf ESEAL_CONFIG=$W/te/eseal.conf
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
# A report fails the run (exit 66 unless the batch failed otherwise); the log must also be free of them.
export TSAN_OPTIONS="exitcode=66 halt_on_error=0 second_deadlock_stack=1"
PKI=$W/te/pki

python3 "$SRC/tests/bench/make_docs.py" invoices 300 "$W/xml" >/dev/null
mkdir -p "$W/pdf" "$W/mix"
for i in 1 2 3 4 5 6 7 8; do cp "$SRC/samples/documents/report.pdf" "$W/pdf/r$i.pdf"; done
cp "$W"/xml/inv-00000*.xml "$W/mix/"
cp "$SRC/samples/documents/site-plan.png" "$W/mix/"
head -c 4000 /dev/urandom >"$W/mix/drawing.dwg"

# batch NAME WANT_EXIT WANT_SEALED DIR -- eseal seal args: runs a batch, checks exit, sealed count, no TSan report.
batch() {
	local name=$1 want=$2 sealed=$3 dir=$4 rc=0 n
	shift 5
	(cd "$dir" && "$ESEAL" seal "$@" --json --out-dir "$W/out-$name" -- *) >"$W/$name.json" 2>"$W/$name.err" || rc=$?
	if grep -q "WARNING: ThreadSanitizer" "$W/$name.err"; then
		cat "$W/$name.err" >&2
		fail "$name: ThreadSanitizer report"
	fi
	[ "$rc" -eq "$want" ] || { cat "$W/$name.err" >&2; fail "$name: exit $rc, want $want"; }
	n=$(grep -c '"status":"sealed"' "$W/$name.json" || true)
	[ "$n" -eq "$sealed" ] || fail "$name: $n sealed, want $sealed"
	echo "tsan: $name: exit $rc, $n sealed, no report"
}

batch xades 0 300 "$W/xml" -- --profile demo-bb -j 4
xmlsec1 --verify --trusted-pem "$PKI/root.pem" --untrusted-pem "$PKI/ca.pem" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$W/out-xades/inv-000123.xml" >/dev/null 2>&1 ||
	fail "xmlsec1 rejects a batch output"
batch pades-bt 0 8 "$W/pdf" -- --profile demo -j 3
pdfsig -nocert "$W/out-pades-bt/r5.pdf" 2>&1 | awk -v n=1 -v cover=whole -f "$SRC/tests/lib/pdfsig_check.awk" ||
	fail "pdfsig rejects a B-T output"
batch mixed 0 12 "$W/mix" -- --profile demo -j 4
openssl cms -verify -cades -binary -inform DER -in "$W/out-mixed/drawing.dwg.p7s" -content "$W/mix/drawing.dwg" \
	-CAfile "$PKI/root.pem" -purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify rejects a CAdES output"

# eseal verify -j: files verified by several threads against one verifier (its anchors, revocation cache, TSA
# checks), reports handed to the main thread in file order. Three rounds: the threads first touching the shared
# anchors at the same moment is what a race needs (OpenSSL's lazy certificate caches raced in one run of two).
for round in 1 2 3; do
	rc=0
	(cd "$W/out-pades-bt" && "$ESEAL" verify --trust "$PKI/root.pem" -j 4 --json -- *.pdf) >"$W/verify.json" \
		2>"$W/verify.err" || rc=$?
	grep -q "WARNING: ThreadSanitizer" "$W/verify.err" &&
		{ cat "$W/verify.err" >&2; fail "verify -j 4, round $round: ThreadSanitizer report"; }
	[ "$rc" -eq 0 ] || { cat "$W/verify.err" >&2; fail "verify -j 4, round $round: exit $rc, want 0"; }
	[ "$(jq -r .file "$W/verify.json" | tr '\n' ' ')" = "r1.pdf r2.pdf r3.pdf r4.pdf r5.pdf r6.pdf r7.pdf r8.pdf " ] ||
		fail "verify -j 4: reports not in file order: $(jq -r .file "$W/verify.json")"
done
echo "tsan: verify -j 4 over 8 PDFs, 3 rounds: all TOTAL-PASSED in file order, no report"

# SIGINT midway: the cancel flag crosses from the signal handler to every worker.
(cd "$W/xml" && exec "$ESEAL" seal --profile demo-bb -j 4 --json --out-dir "$W/out-int" -- *) >"$W/int.json" \
	2>"$W/int.err" &
pid=$!
for _ in $(seq 300); do
	[ "$(ls "$W/out-int" 2>/dev/null | wc -l)" -ge 20 ] && break
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
grep -q "WARNING: ThreadSanitizer" "$W/int.err" && { cat "$W/int.err" >&2; fail "SIGINT: ThreadSanitizer report"; }
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc, want 130 (if the batch ended before the signal, make it larger)"
[ "$(wc -l <"$W/int.json")" -eq 300 ] || fail "SIGINT: every document needs a JSON line"
echo "tsan: SIGINT after $(ls "$W/out-int" | wc -l) of 300: exit 130, no report"
