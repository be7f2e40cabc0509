#!/usr/bin/env bash
# tests/bench/pdf_big.sh: the large-PDF benchmark (not a ctest): seals a ~250 MB PDF B-B and holds the time against
# `sha256sum` of the same file (target <= 2x) and the peak memory against 64 MB; then `eseal verify` of it before and
# after a one-object incremental update (peak memory <= 64 MB) against pdfsig; then the same verifications on each
# real-world class (make_corpus.sh), whose cost must follow the update, not the file. `--record` appends to README.md.
#   MB=250 PAGES=50 RUNS=3 CLASS_RUNS=10 tests/bench/pdf_big.sh [--record]
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-pdf-bench}
MB=${MB:-250}
PAGES=${PAGES:-50}
RUNS=${RUNS:-3}
CLASS_RUNS=${CLASS_RUNS:-10}
CLASSES="objstm classic linearized form scanned pages1k"
RECORD=0
[ "${1:-}" = "--record" ] && RECORD=1

source "$SRC/tests/bench/lib.sh"

# On disk, not tmpfs: the seal's fsync must cost what it costs in production.
WORK=$(mktemp -d /var/tmp/eseal-pdfbench.XXXXXX)
TE=$WORK/testenv
cleanup() {
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building release into $BUILD"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target eseal_cli >/dev/null
ESEAL=$BUILD/plugins/cli/eseal

echo "== starting demo PKI and SoftHSM token"
"$SRC/tests/lib/testenv-up.sh" "$TE" >"$WORK/testenv.log" 2>&1 || { cat "$WORK/testenv.log"; exit 1; }
export SOFTHSM2_CONF=$TE/softhsm2.conf
CONF=$TE/eseal.conf

echo "== writing a ${MB} MB PDF ($PAGES pages of uncompressed drawings)"
python3 "$SRC/tests/bench/make_big_pdf.py" "$WORK/big.pdf" "$MB" "$PAGES"
SIZE=$(stat -c %s "$WORK/big.pdf")
cat "$WORK/big.pdf" >/dev/null # both contenders start from a warm page cache

best() { sort -g | head -1; }
elapsed() { # elapsed seconds of "cmd..." per /usr/bin/time -v, max RSS (kB) into $WORK/rss
	/usr/bin/time -v "$@" 2>"$WORK/time.log" >/dev/null
	awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log" >"$WORK/rss"
	awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' \
		"$WORK/time.log"
}

echo "== sha256sum, best of $RUNS"
SHA=$(for i in $(seq "$RUNS"); do elapsed sha256sum "$WORK/big.pdf"; done | best)

echo "== eseal seal (B-B, RSA-2048 in SoftHSM), best of $RUNS"
RSS_MAX=0
SEAL=$(for i in $(seq "$RUNS"); do
	rm -f "$WORK/sealed.pdf"
	elapsed "$ESEAL" seal --config "$CONF" --profile demo-bb -o "$WORK/sealed.pdf" "$WORK/big.pdf"
	rss=$(cat "$WORK/rss")
	# (an if, not [ ] &&: a false test as the loop's last command failed the pipeline, and set -e ended the run)
	if [ "$rss" -gt "$(cat "$WORK/rss.max" 2>/dev/null || echo 0)" ]; then echo "$rss" >"$WORK/rss.max"; fi
done | best)
RSS_MAX=$(cat "$WORK/rss.max")
pdfsig "$WORK/sealed.pdf" 2>/dev/null | grep -c "Signature is Valid" >/dev/null || { echo "sealed file does not verify" >&2; exit 1; }

# Verification of the sealed file, and of the same file after one more incremental update (a new /Info): the memory
# must follow what the update changed, not the file (target <= 64 MB), against pdfsig on the same files.
python3 "$SRC/tests/bench/append_update.py" "$WORK/sealed.pdf" "$WORK/updated.pdf"
cat "$WORK/updated.pdf" >/dev/null
verify_best() { # FILE: best time of RUNS; the largest peak RSS (kB) into $WORK/vrss.FILE
	local f=$1 i t out=$WORK/vrss.$(basename "$1")
	echo 0 >"$out"
	for i in $(seq "$RUNS"); do
		t=$(elapsed "$ESEAL" verify --offline -t "$TE/pki/root.pem" "$f" || true)
		if [ "$(cat "$WORK/rss")" -gt "$(cat "$out")" ]; then cat "$WORK/rss" >"$out"; fi
		echo "$t"
	done | best
}
# (exit 2: revocation unknown offline; the JSON says whether the update was a permitted change)
"$ESEAL" verify --offline --json -t "$TE/pki/root.pem" "$WORK/updated.pdf" >"$WORK/updated.json" || true
grep -q '"modified_after": false' "$WORK/updated.json" ||
	{ echo "the update after sealing was not judged a permitted change: $(head -c 600 "$WORK/updated.json")" >&2; exit 1; }
V_SEALED=$(verify_best "$WORK/sealed.pdf")
V_UPDATED=$(verify_best "$WORK/updated.pdf")
VR_SEALED=$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1024))" "$(cat "$WORK/vrss.sealed.pdf")")
VR_UPDATED=$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1024))" "$(cat "$WORK/vrss.updated.pdf")")
P_UPDATED=$(for i in $(seq "$RUNS"); do elapsed pdfsig -nocert "$WORK/updated.pdf" || true; done | best)

# The real-world classes: each sealed, then given the same one-object update. ms_best CMD...: the best wall time of
# CLASS_RUNS runs in ms; the largest peak RSS (kB) into $WORK/crss.
ms_best() {
	local i t0 t1 best=
	echo 0 >"$WORK/crss"
	for i in $(seq "$CLASS_RUNS"); do
		t0=$(now)
		/usr/bin/time -f "%M" -o "$WORK/crss.1" "$@" >/dev/null 2>&1 || true
		t1=$(now)
		# (time writes "Command exited with non-zero status 2" first: eseal verify --offline exits 2)
		if [ "$(tail -1 "$WORK/crss.1")" -gt "$(cat "$WORK/crss")" ]; then tail -1 "$WORK/crss.1" >"$WORK/crss"; fi
		best=$(python3 -c "import sys; a = (float(sys.argv[2]) - float(sys.argv[1])) * 1000
print('%.1f' % (a if sys.argv[3] == '' else min(a, float(sys.argv[3]))))" "$t0" "$t1" "$best")
	done
	echo "$best"
}
echo "== the real-world classes: verification of each sealed, and after a one-object update, best of $CLASS_RUNS"
"$SRC/tests/bench/make_corpus.sh" "$WORK/corpus" >/dev/null
CLASS_TABLE="| class | verify sealed ms | verify updated ms | updated peak RSS MB | pdfsig -nocert updated ms |
|---|---|---|---|---|"
for c in $CLASSES; do
	"$ESEAL" seal --config "$CONF" --profile demo-bb -o "$WORK/$c.sealed.pdf" "$WORK/corpus/$c.pdf" >/dev/null
	python3 "$SRC/tests/bench/append_update.py" "$WORK/$c.sealed.pdf" "$WORK/$c.updated.pdf"
	"$ESEAL" verify --offline --json -t "$TE/pki/root.pem" "$WORK/$c.updated.pdf" >"$WORK/$c.json" || true
	grep -q '"modified_after": false' "$WORK/$c.json" ||
		{ echo "$c: the update after sealing was not judged a permitted change: $(head -c 600 "$WORK/$c.json")" >&2; exit 1; }
	vs=$(ms_best "$ESEAL" verify --offline -t "$TE/pki/root.pem" "$WORK/$c.sealed.pdf")
	vu=$(ms_best "$ESEAL" verify --offline -t "$TE/pki/root.pem" "$WORK/$c.updated.pdf")
	ru=$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1024))" "$(cat "$WORK/crss")")
	pu=$(ms_best pdfsig -nocert "$WORK/$c.updated.pdf")
	CLASS_TABLE="$CLASS_TABLE
| $c | $vs | $vu | $ru | $pu |"
done

RATIO=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$SEAL" "$SHA")
RSS_MB=$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1024))" "$RSS_MAX")
VERDICT=ok
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.0 and float(sys.argv[2]) < 64 else 1)" "$RATIO" "$RSS_MB" ||
	VERDICT="MISSED (target <= 2x and < 64 MB)"
echo
echo "file:            $SIZE bytes"
echo "sha256sum:       ${SHA}s"
echo "eseal seal B-B:  ${SEAL}s"
echo "time ratio:      ${RATIO}x sha256sum (target <= 2x)"
echo "peak RSS:        ${RSS_MB} MB (target < 64 MB)"
echo "verdict:         $VERDICT"
echo "verify sealed:   ${V_SEALED}s, peak RSS ${VR_SEALED} MB"
echo "verify updated:  ${V_UPDATED}s, peak RSS ${VR_UPDATED} MB (target <= 64 MB); pdfsig -nocert ${P_UPDATED}s"
echo
echo "$CLASS_TABLE"

if [ "$RECORD" = 1 ]; then
	README=$SRC/tests/bench/README.md
	grep -q "^## PDF 250 MB" "$README" 2>/dev/null || printf '\n## PDF 250 MB\nRecorded by `tests/bench/pdf_big.sh --record` (limits: <= 2x sha256sum, < 64 MB).\n' >>"$README"
	{
		echo
		echo "### $(date -u +%Y-%m-%d) $(nproc) cores, $(uname -r)"
		echo "- file: $SIZE bytes ($PAGES pages), best of $RUNS runs, warm page cache, output on $(df --output=fstype "$WORK" | tail -1)"
		echo "- sha256sum: ${SHA}s; eseal seal B-B: ${SEAL}s; ratio ${RATIO}x (target <= 2x)"
		echo "- peak RSS of eseal: ${RSS_MB} MB (target < 64 MB); verdict: $VERDICT"
		echo "- eseal verify --offline: sealed ${V_SEALED}s / ${VR_SEALED} MB; after a one-object update ${V_UPDATED}s / ${VR_UPDATED} MB (target <= 64 MB); pdfsig -nocert of the updated file ${P_UPDATED}s"
		echo "- the real-world classes (\`make_corpus.sh\`), one process per verification, best of $CLASS_RUNS:"
		echo
		echo "$CLASS_TABLE"
	} >>"$README"
	echo "recorded in tests/bench/README.md"
fi
