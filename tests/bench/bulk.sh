#!/usr/bin/env bash
# tests/bench/bulk.sh: the bulk benchmark: bulk sealing throughput held against this machine's own limits.
# Prints docs/s and ratios to the raw HSM signing rate measured in the same run; `--record` appends to README.md.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-bench}
JOBS=${JOBS:-$(nproc)}         # threads of the raw signing measurement: the machine's physical limit
ESEAL_JOBS=${ESEAL_JOBS:-}     # eseal seal -j; empty = eseal's default (the number of cores)
N_XML=${N_XML:-2000}
N_PDF=${N_PDF:-300}
N_REF=${N_REF:-40}            # documents for the one-process-per-document referees (pdfsig, xmlsec1)
N_CLASS=${N_CLASS:-1000}      # copies of each real-world PDF class (make_corpus.sh); 0 skips them
# The scanned class is 8 MB a copy: a tenth as many copies already make a batch of seconds. A batch must last long
# against the call's start-up (about 30 ms: libraries, token login, first document), or the start-up is measured.
N_SCANNED=${N_SCANNED:-$((N_CLASS >= 10 ? N_CLASS / 10 : N_CLASS))}
CLASSES="objstm classic linearized form scanned pages1k"
OUT_BASE=${BENCH_OUT:-}       # e.g. /dev/shm: outputs on tmpfs, to see what the per-document fsyncs cost
RECORD=0
[ "${1:-}" = "--record" ] && RECORD=1
# Every row needs documents of both kinds (the batches, the referees and the TSA's rate are measured on them).
for n in N_XML N_PDF N_REF $([ "$N_CLASS" = 0 ] || echo N_SCANNED); do
	[[ ${!n} =~ ^[1-9][0-9]*$ ]] || { echo "bulk.sh: $n must be a whole number of at least 1 (got '${!n}')" >&2; exit 64; }
done

source "$SRC/tests/bench/lib.sh"
bench_wait_for_cleanup

class_count() { [ "$1" = scanned ] && echo "$N_SCANNED" || echo "$N_CLASS"; }

WORK=$(mktemp -d /tmp/eseal-bench.XXXXXX)
TE=$WORK/testenv
cleanup() {
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	[ -z "$OUT_BASE" ] || rm -rf "$OUT_BASE"/eseal-bench-out-*
	bench_cleaned
}
trap cleanup EXIT

echo "== building release into $BUILD"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
ESEAL=$BUILD/plugins/cli/eseal
RATE_BIN=$BUILD/tests/bench/p11_sign_rate

echo "== starting demo PKI, SoftHSM token, loopback TSA"
"$SRC/tests/lib/testenv-up.sh" "$TE" >"$WORK/testenv.log" 2>&1 || { cat "$WORK/testenv.log"; exit 1; }
export SOFTHSM2_CONF=$TE/softhsm2.conf
CONF=$TE/eseal.conf

echo "== raw RSA-2048 C_Sign rate, $JOBS threads (the physical limit)"
RAW=$("$RATE_BIN" "$(cat "$TE/module")" eseal eseal "$TE/pin" "$JOBS" 5 | sed -n "s/.*rate=\([0-9.]*\).*/\1/p")
echo "raw signing rate: $RAW signatures/s"

echo "== generating inputs"
python3 "$SRC/tests/bench/make_docs.py" invoices "$N_XML" "$WORK/xml"
python3 "$SRC/tests/bench/make_docs.py" pdf 250000 "$WORK/base.pdf"
mkdir -p "$WORK/pdf"
for i in $(seq -w 1 "$N_PDF"); do cp "$WORK/base.pdf" "$WORK/pdf/doc-$i.pdf"; done
# Real-world classes made from a PDF manual Debian ships (make_corpus.sh says what to install when none is there).
if [ "$N_CLASS" -gt 0 ]; then
	"$SRC/tests/bench/make_corpus.sh" "$WORK/corpus" | sed 's/^/corpus: /'
	for c in $CLASSES; do
		mkdir -p "$WORK/class-$c"
		for i in $(seq -w 1 "$(class_count "$c")"); do cp "$WORK/corpus/$c.pdf" "$WORK/class-$c/$c-$i.pdf"; done
	done
fi
# A user's documents are on disk before the batch starts; without this the batch's first flush would also write
# back the inputs just generated (75 MB of PDFs), and be timed for it.
sync

# run_batch NAME PROFILE INDIR COUNT: seals INDIR with -j JOBS, checks every JSON line, prints docs/s and peak RSS.
run_batch() {
	local name=$1 profile=$2 indir=$3 count=$4 out=${OUT_BASE:-$WORK}/eseal-bench-out-$1 t0 t1 sealed rss
	rm -rf "$out"
	t0=$(now)
	(cd "$indir" && /usr/bin/time -f "%M" -o "$WORK/$name.rss" "$ESEAL" seal --config "$CONF" --profile "$profile" \
		${ESEAL_JOBS:+-j "$ESEAL_JOBS"} --json --out-dir "$out" -- *) >"$WORK/$name.json"
	t1=$(now)
	sealed=$(grep -c '"status":"sealed"' "$WORK/$name.json" || true)
	if [ "$sealed" != "$count" ] || [ "$(wc -l <"$WORK/$name.json")" != "$count" ]; then
		echo "FAIL: $name: $sealed of $count sealed ($(wc -l <"$WORK/$name.json") JSON lines)"
		grep -m3 failed "$WORK/$name.json" || true
		exit 1
	fi
	rss=$(($(cat "$WORK/$name.rss") / 1024))
	local r
	r=$(rate "$count" "$t0" "$t1")
	echo "$name: $count docs in $(python3 -c "print('%.2f' % ($t1 - $t0))") s = $r docs/s, ratio to raw signing $(ratio "$r" "$RAW"), peak RSS ${rss} MB"
	eval "RATE_$name=$r; RSS_$name=$rss"
}

echo "== eseal seal ${ESEAL_JOBS:+-j $ESEAL_JOBS}${ESEAL_JOBS:-(default threads: $(nproc))}"
run_batch xades_bb demo-bb "$WORK/xml" "$N_XML"
run_batch pades_bb demo-bb "$WORK/pdf" "$N_PDF"
run_batch pades_bt demo "$WORK/pdf" "$N_PDF"
if [ "$N_CLASS" -gt 0 ]; then
	# The raw rate again right before the classes: this VM's rate drifts within minutes, and each class is read
	# against the nearer measurement.
	RAW_CLASSES=$("$RATE_BIN" "$(cat "$TE/module")" eseal eseal "$TE/pin" "$JOBS" 5 | sed -n "s/.*rate=\([0-9.]*\).*/\1/p")
	echo "raw signing rate before the classes: $RAW_CLASSES signatures/s"
	# What one call costs before its documents, read against a batch's length: best of 3 seals of one document.
	STARTUP_MS=
	for i in 1 2 3; do
		t0=$(now)
		"$ESEAL" seal --config "$CONF" --profile demo-bb --force -o "$WORK/startup.pdf" "$WORK/corpus/objstm.pdf" >/dev/null
		t1=$(now)
		ms=$(python3 -c "print(round(($t1 - $t0) * 1000))")
		[ -n "$STARTUP_MS" ] && [ "$STARTUP_MS" -le "$ms" ] || STARTUP_MS=$ms
	done
	echo "one call sealing one objstm document: $STARTUP_MS ms"
	for c in $CLASSES; do
		run_batch "pades_$c" demo-bb "$WORK/class-$c" "$(class_count "$c")"
		# (the first output by a glob: `ls | head -1` dies of SIGPIPE under pipefail once the folder is large)
		outs=("${OUT_BASE:-$WORK}/eseal-bench-out-pades_$c"/*)
		f=${outs[0]}
		pdfsig "$f" | grep >/dev/null "Signature is Valid" || { echo "FAIL: pdfsig $f"; exit 1; }
		qpdf --check "$f" >/dev/null || { echo "FAIL: qpdf --check $f"; exit 1; }
	done
fi

# The loopback TSA, not eseal, may be what bounds B-T: its own rate with as many requests in flight as eseal keeps.
INFLIGHT=$((4 * ${ESEAL_JOBS:-$(nproc)}))
echo "== the loopback TSA's own rate: $N_PDF requests by curl, $INFLIGHT in flight"
RATE_tsa=$(tsa_rate "$TE" "$WORK" "$N_PDF" "$INFLIGHT")
echo "loopback TSA: $RATE_tsa tokens/s; PAdES B-T is $(ratio "$RATE_pades_bt" "$RATE_tsa") of it"

echo "== referees on samples of the outputs"
for f in inv-000000.xml inv-000777.xml; do
	[ -f "${OUT_BASE:-$WORK}/eseal-bench-out-xades_bb/$f" ] || continue
	xmlsec1 --verify --trusted-pem "$TE/pki/root.pem" --untrusted-pem "$TE/pki/ca.pem" \
		--id-attr:Id SignedProperties "${OUT_BASE:-$WORK}/eseal-bench-out-xades_bb/$f" >/dev/null 2>&1 || { echo "FAIL: xmlsec1 --verify $f"; exit 1; }
done
for f in "doc-$(printf %0${#N_PDF}d 1).pdf" "doc-$(printf %0${#N_PDF}d "$N_PDF").pdf"; do
	pdfsig "${OUT_BASE:-$WORK}/eseal-bench-out-pades_bt/$f" | grep >/dev/null "Signature is Valid" || { echo "FAIL: pdfsig $f"; exit 1; }
done
echo "samples verify with xmlsec1 and pdfsig"

echo "== one process per document: xmlsec1 --sign and pdfsig -add-signature ($N_REF docs each)"
openssl pkcs12 -export -inkey "$TE/pki/dev-eseal.key" -in "$TE/pki/dev-chain.pem" -name bench -passout pass: \
	-out "$WORK/dev.p12" 2>/dev/null
mkdir -p "$WORK/nss"
certutil -N -d "sql:$WORK/nss" --empty-password
pk12util -i "$WORK/dev.p12" -d "sql:$WORK/nss" -W "" >/dev/null
mkdir -p "$WORK/ref-pdf" "$WORK/ref-xml"
t0=$(now)
for i in $(seq 1 "$N_REF"); do
	pdfsig -add-signature -nssdir "sql:$WORK/nss" -nick bench "$WORK/pdf/doc-$(printf %0${#N_PDF}d "$i").pdf" \
		"$WORK/ref-pdf/$i.pdf" >/dev/null 2>&1
done
t1=$(now)
RATE_pdfsig=$(rate "$N_REF" "$t0" "$t1")
# xmlsec1 signs a template: the invoice with an empty enveloped ds:Signature appended.
for i in $(seq 0 $((N_REF - 1))); do
	f=$(printf "inv-%06d.xml" "$i")
	sed 's#</Invoice>#<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig\#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n\#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more\#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig\#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc\#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></Invoice>#' \
		"$WORK/xml/$f" >"$WORK/ref-xml/tmpl-$f"
done
t0=$(now)
for i in $(seq 0 $((N_REF - 1))); do
	f=$(printf "inv-%06d.xml" "$i")
	xmlsec1 --sign --privkey-pem "$TE/pki/dev-eseal.key,$TE/pki/dev-chain.pem" --output "$WORK/ref-xml/$f" \
		"$WORK/ref-xml/tmpl-$f" 2>/dev/null
done
t1=$(now)
RATE_xmlsec1=$(rate "$N_REF" "$t0" "$t1")
echo "pdfsig -add-signature: $RATE_pdfsig docs/s; xmlsec1 --sign: $RATE_xmlsec1 docs/s"

SUMMARY=$(cat <<EOT
| $(date -u +%Y-%m-%d) | $(nproc) cores, eseal -j ${ESEAL_JOBS:-default}, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), SoftHSM $(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null), outputs on $(df --output=fstype "${OUT_BASE:-$WORK}" | tail -1) | $JOBS | $RAW | $RATE_xades_bb ($(ratio "$RATE_xades_bb" "$RAW")) | $RATE_pades_bb ($(ratio "$RATE_pades_bb" "$RAW")) | $RATE_pades_bt ($(ratio "$RATE_pades_bt" "$RAW")) | $RATE_tsa ($(ratio "$RATE_pades_bt" "$RATE_tsa")) | $RATE_xmlsec1 | $RATE_pdfsig | $RSS_xades_bb / $RSS_pades_bb / $RSS_pades_bt |
EOT
)
echo
echo "| date | machine | raw threads | raw sign/s | XAdES B-B docs/s (ratio) | PAdES B-B 250 KB (ratio) | PAdES B-T 250 KB (ratio) | loopback TSA tokens/s (B-T / TSA) | xmlsec1 1/proc | pdfsig 1/proc | peak RSS MB (xades/pades/pades-bt) |"
echo "$SUMMARY"
CLASS_ROW=
if [ "$N_CLASS" -gt 0 ]; then
	CLASS_ROW="| $(date -u +%Y-%m-%d) | $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), one call of one document $STARTUP_MS ms | $JOBS | $RAW_CLASSES | $N_CLASS (scanned $N_SCANNED) |"
	for c in $CLASSES; do
		r=$(eval echo "\$RATE_pades_$c")
		CLASS_ROW="$CLASS_ROW $r ($(ratio "$r" "$RAW_CLASSES")) |"
	done
	echo
	echo "| date | machine | raw threads | raw sign/s | N | objstm | classic | linearized | form | scanned | pages1k |"
	echo "$CLASS_ROW"
fi
if [ "$RECORD" = 1 ]; then
	# The rows go at the end of their tables, wherever those sections are in the file.
	bench_record_row "$SRC/tests/bench/README.md" "Bulk sealing" "$SUMMARY"
	[ -z "$CLASS_ROW" ] || bench_record_row "$SRC/tests/bench/README.md" "Real-world PDF classes" "$CLASS_ROW"
	echo "recorded in tests/bench/README.md"
fi
