#!/usr/bin/env bash
# tests/bench/verify_pdf.sh: PAdES verification per file on the realistic corpus (make_corpus.sh): N sealed copies
# of each class, verified offline by one `eseal verify` call over all of them, and by one `eseal verify` process per
# file alternating file by file with `pdfsig` one process per file (the referee; tests/bench/alternate.py). The eseal
# timed is the installed one. Prints ms per file and ratios, never asserts.
#   N=20 tests/bench/verify_pdf.sh [--record]
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-bench}
N=${N:-20}
RECORD=0
[ "${1:-}" = "--record" ] && RECORD=1
CLASSES="objstm classic linearized form scanned pages1k"

source "$SRC/tests/bench/lib.sh"
WORK=$(mktemp -d /tmp/eseal-vpdf.XXXXXX)
TE=$WORK/testenv
cleanup() {
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
command -v pdfsig >/dev/null || { echo "verify_pdf.sh: needs pdfsig (apt-get install poppler-utils)" >&2; exit 1; }

echo "== building release into $BUILD"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
# Timed as installed, as a user runs it: a program in a build folder carries the build RPATH (the build's lib folder
# and, CMake's padding for the install-time rewrite, the current directory), searched for each of its libraries.
cmake --install "$BUILD" --prefix "$WORK/inst" >"$WORK/install.log" 2>&1 || { tail -3 "$WORK/install.log"; exit 1; }
ESEAL=$WORK/inst/bin/eseal

echo "== starting demo PKI and SoftHSM token"
"$SRC/tests/lib/testenv-up.sh" "$TE" >"$WORK/testenv.log" 2>&1 || { cat "$WORK/testenv.log"; exit 1; }
export SOFTHSM2_CONF=$TE/softhsm2.conf

echo "== corpus and $N sealed copies per class (B-B)"
"$SRC/tests/bench/make_corpus.sh" "$WORK/corpus" >/dev/null
for c in $CLASSES; do
	mkdir -p "$WORK/in-$c"
	for i in $(seq -w 1 "$N"); do cp "$WORK/corpus/$c.pdf" "$WORK/in-$c/$c-$i.pdf"; done
	(cd "$WORK/in-$c" && "$ESEAL" seal --config "$TE/eseal.conf" --profile demo-bb --json --out-dir "$WORK/sealed" -- *) \
		>"$WORK/seal-$c.json"
	[ "$(grep -c '"status":"sealed"' "$WORK/seal-$c.json")" = "$N" ] || { echo "FAIL: sealing $c"; exit 1; }
done
sync

# ms_per_file N T0 T1
ms() { python3 -c "import sys; print('%.1f' % ((float(sys.argv[3]) - float(sys.argv[2])) * 1000 / float(sys.argv[1])))" "$@"; }
ROWS=
printf '%-11s %12s %12s %12s %12s %11s %7s %11s %11s\n' class "1 call ms/f" "-j$(nproc) ms/f" "1/proc ms/f" \
	"pdfsig ms/f" "proc/pdfsig" "(CPU)" "pdfsig/call" "pdfsig/-j$(nproc)"
for c in $CLASSES; do
	files=("$WORK"/sealed/"$c"-*.pdf)
	# Every file must verify as sealed and intact for both (revocation is unknown offline: the exit code says so).
	t0=$(now)
	"$ESEAL" verify --offline --json -t "$TE/pki/root.pem" "${files[@]}" >"$WORK/v-$c.json" || true
	t1=$(now)
	[ "$(grep -c '"covers_whole_document": true' "$WORK/v-$c.json")" = "$N" ] ||
		{ echo "FAIL: eseal verify $c: not every file reported as covered whole"; exit 1; }
	one=$(ms "$N" "$t0" "$t1")
	# The same call verifying as many files at once as the machine has cores (-j): same reports, in file order.
	t0=$(now)
	"$ESEAL" verify --offline --json -j "$(nproc)" -t "$TE/pki/root.pem" "${files[@]}" >"$WORK/vj-$c.json" || true
	t1=$(now)
	cmp -s <(sed 's/"validation_time": "[^"]*"//' "$WORK/v-$c.json") \
		<(sed 's/"validation_time": "[^"]*"//' "$WORK/vj-$c.json") ||
		{ echo "FAIL: eseal verify -j $c: other reports than -j 1"; exit 1; }
	onej=$(ms "$N" "$t0" "$t1")
	pdfsig -nocert "${files[0]}" >"$WORK/pdfsig.out" 2>&1 || true
	grep -q "Signature is Valid" "$WORK/pdfsig.out" || { echo "FAIL: pdfsig $c"; exit 1; }
	# One process per file, eseal and pdfsig alternating file by file: wall and CPU ms per file of each.
	read -r proc proc_cpu ref ref_cpu < <(python3 "$SRC/tests/bench/alternate.py" "${files[@]}" -- \
		"$ESEAL verify --offline -t $TE/pki/root.pem {}" "pdfsig -nocert {}")
	printf '%-11s %12s %12s %12s %12s %11s %7s %11s %11s\n' "$c" "$one" "$onej" "$proc" "$ref" \
		"$(ratio "$proc" "$ref")" "$(ratio "$proc_cpu" "$ref_cpu")" "$(ratio "$ref" "$one")" "$(ratio "$ref" "$onej")"
	ROWS="$ROWS $one ($onej) / $(printf %.1f "$proc") / $(printf %.1f "$ref") |"
done
ROW="| $(date -u +%Y-%m-%d) | $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) | $N |$ROWS"
echo
echo "$ROW"
if [ "$RECORD" = 1 ]; then
	bench_record_row "$SRC/tests/bench/README.md" "PDF verification per file" "$ROW"
	echo "recorded in tests/bench/README.md"
fi
