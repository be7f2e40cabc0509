#!/usr/bin/env bash
# tests/bench/verify_bulk.sh: bulk verification of N XAdES B-T invoices (one issuer), online revocation against the
# loopback OCSP responder and CRL server: one verifier with the revocation cache (`eseal verify` and verify_rate),
# the same library path without it (verify_rate --no-cache), one `eseal verify` process per file, and one
# `xmlsec1 --verify` process per file (signature only: xmlsec1 checks no revocation). Prints times, never asserts.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-bench}
N=${N:-200}

WORK=$(mktemp -d /tmp/eseal-vbench.XXXXXX)
TE=$WORK/testenv
cleanup() {
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building release into $BUILD"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target eseal_cli verify_rate >/dev/null
ESEAL=$BUILD/plugins/cli/eseal
RATE_BIN=$BUILD/tests/bench/verify_rate

echo "== starting demo PKI, SoftHSM token, loopback TSA and OCSP responder"
"$SRC/tests/lib/testenv-up.sh" "$TE" >"$WORK/testenv.log" 2>&1 || { cat "$WORK/testenv.log"; exit 1; }
export SOFTHSM2_CONF=$TE/softhsm2.conf
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
ROOT=$TE/pki/root.pem

echo "== sealing $N invoices (XAdES B-T)"
python3 "$SRC/tests/bench/make_docs.py" invoices "$N" "$WORK/in" >/dev/null
(cd "$WORK/in" && "$ESEAL" seal --config "$TE/eseal.conf" --profile demo --json --out-dir "$WORK/xml" -- *.xml) \
	>"$WORK/seal.json"
[ "$(grep -c '"status":"sealed"' "$WORK/seal.json")" = "$N" ] || { echo "FAIL: sealing"; exit 1; }
FILES=("$WORK"/xml/*.xml)
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$TE/pki/ca.pem" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "${FILES[0]}" >/dev/null 2>&1 ||
	{ echo "FAIL: xmlsec1 --verify ${FILES[0]}"; exit 1; }

now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$@"; }
# requests SINCE_OCSP SINCE_CRL: "OCSP requests / CRL fetches" the loopback servers logged since those line counts.
lines() { wc -l <"$1"; }
requests() {
	echo "$(tail -n +"$(($1 + 1))" "$TE/ocsp.log" | grep -c '"POST ' || true) / $(tail -n +"$(($2 + 1))" "$TE/tsa.log" |
		grep -c '"GET /[a-z]*\.crl' || true)"
}
# run NAME CMD...: times CMD, prints seconds and the OCSP/CRL requests it caused; result in T_NAME and R_NAME.
run() {
	local name=$1 o c t0 t1 rq
	shift
	o=$(lines "$TE/ocsp.log")
	c=$(lines "$TE/tsa.log")
	t0=$(now)
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || { echo "FAIL: $name: $(head -c 500 "$WORK/$name.err")"; exit 1; }
	t1=$(now)
	rq=$(requests "$o" "$c")
	echo "$name: $N files in $(secs "$t0" "$t1") s, OCSP requests / CRL fetches: $rq"
	eval "T_$name=$(secs "$t0" "$t1"); R_$name='$rq'"
}
per_file_eseal() {
	local f
	for f in "${FILES[@]}"; do "$ESEAL" verify --trust "$ROOT" "$f" >/dev/null; done
}
per_file_xmlsec1() {
	local f
	for f in "${FILES[@]}"; do
		xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$TE/pki/ca.pem" \
			--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$f" >/dev/null 2>&1
	done
}

echo "== verifying (online revocation: signer and TSA chains)"
run cli "$ESEAL" verify --json --trust "$ROOT" "${FILES[@]}"
passed=$(python3 -c 'import json, sys; print(sum(json.loads(l)["indication"] == "TOTAL-PASSED" for l in open(sys.argv[1])))' \
	"$WORK/cli.out")
[ "$passed" = "$N" ] || { echo "FAIL: $passed of $N TOTAL-PASSED"; exit 1; }
run lib_cache "$RATE_BIN" "$ROOT" "${FILES[@]}"
run lib_nocache "$RATE_BIN" --no-cache "$ROOT" "${FILES[@]}"
run per_file per_file_eseal
run xmlsec1 per_file_xmlsec1

echo
echo "| date | machine | N | eseal verify, 1 call (cache) | library, cache | library, no cache | eseal verify 1/proc | xmlsec1 --verify 1/proc (no revocation) |"
echo "|---|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $(nproc) cores | $N | $T_cli s ($R_cli) | $T_lib_cache s ($R_lib_cache) | $T_lib_nocache s ($R_lib_nocache) | $T_per_file s ($R_per_file) | $T_xmlsec1 s |"
