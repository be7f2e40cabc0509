#!/usr/bin/env bash
# tests/bench/extend_bulk.sh: `eseal extend --level B-LTA` over N XAdES B-T invoices in one call, held against the
# loopback TSA's own rate measured in the same run, with the OCSP requests and CRL fetches the loopback servers logged.
#
#   extend_bulk.sh [--record]   N=1000 invoices, release build in build-bench; prints docs/s, the ratio to the TSA's
#                               rate, requests per certificate, peak RSS; --record appends the row to README.md
#   extend_bulk.sh --smoke      ctest (ESEAL_BIN, N=20): asserts only correctness: every JSON line, one OCSP request
#                               per certificate and one fetch per CRL for the whole batch, referees; never speed
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-bench}
ESEAL_JOBS=${ESEAL_JOBS:-} # eseal extend -j; empty = eseal's default (the number of cores)
MODE=bench
case "${1:-}" in
--record) MODE=record ;;
--smoke) MODE=smoke ;;
"") ;;
*) echo "usage: $0 [--record | --smoke]" >&2; exit 64 ;;
esac
if [ "$MODE" = smoke ]; then N=${N:-20}; else N=${N:-1000}; fi
source "$SRC/tests/bench/lib.sh"
[ "$MODE" = smoke ] || bench_wait_for_cleanup

WORK=$(mktemp -d /tmp/eseal-xbench.XXXXXX)
TE=$WORK/testenv
cleanup() {
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	[ "$MODE" = smoke ] || bench_cleaned
}
trap cleanup EXIT

if [ "$MODE" = smoke ]; then
	ESEAL=${ESEAL_BIN:?--smoke runs under ctest, which sets ESEAL_BIN}
else
	echo "== building release into $BUILD"
	cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_TESTS=ON >/dev/null
	nice -n 10 cmake --build "$BUILD" -j"$(nproc)" --target eseal_cli >/dev/null
	ESEAL=$BUILD/plugins/cli/eseal
fi

# A private fixture (its logs count only this run's requests); env.sh gives its variables and publish_crl.
echo "== starting demo PKI, SoftHSM token, loopback TSA, OCSP responder and CRL server"
"$SRC/tests/lib/testenv-up.sh" "$TE" >"$WORK/testenv.log" 2>&1 || { cat "$WORK/testenv.log"; exit 1; }
export ESEAL_TESTENV=$TE ESEAL_BIN=$ESEAL
unset SOFTHSM2_CONF
source "$SRC/tests/lib/env.sh"
trap '_eseal_cleanup; cleanup' EXIT
PY=/usr/bin/python3 # Debian's python3 (python3-lxml) for the XAdES readers of tests/xml

echo "== sealing $N UBL invoices at B-T in one call"
python3 "$SRC/tests/bench/make_docs.py" invoices "$N" "$WORK/in" >/dev/null
(cd "$WORK/in" && "$ESEAL" seal -p demo --json --out-dir "$WORK/bt" -- *.xml) >"$WORK/seal.json"
[ "$(grep -c '"status":"sealed"' "$WORK/seal.json")" = "$N" ] || fail "sealing at B-T: $(grep -m3 -v '"sealed"' "$WORK/seal.json")"
# Validation data must be issued after every seal's time-stamp: the root CA publishes its next CRL (the OCSP
# responder signs each answer when asked).
sleep 1
publish_crl root
(cd "$WORK/bt" && ls -- *.xml) >"$WORK/list"
sync

# requests since the log sizes taken before the extend: what the extend itself asked of the servers.
ocsp0=$(wc -l <"$TE/ocsp.log")
http0=$(wc -l <"$TE/tsa.log")
JOBS_NOTE=${ESEAL_JOBS:-default ($(nproc))}
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
echo "== eseal extend --level B-LTA, $N files in one call, -j $JOBS_NOTE (load average $LOAD0)"
t0=$(now)
(cd "$WORK/bt" && /usr/bin/time -f "%M" -o "$WORK/extend.rss" "$ESEAL" extend -p demo --level B-LTA \
	${ESEAL_JOBS:+-j "$ESEAL_JOBS"} --json --out-dir "$WORK/lta" --from "$WORK/list") >"$WORK/extend.json" \
	2>"$WORK/extend.err" || fail "eseal extend: $(head -c 1000 "$WORK/extend.err")"
t1=$(now)
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
RATE_ext=$(rate "$N" "$t0" "$t1")
RSS=$(($(cat "$WORK/extend.rss") / 1024))
tail -n +"$((ocsp0 + 1))" "$TE/ocsp.log" >"$WORK/ocsp.log"
tail -n +"$((http0 + 1))" "$TE/tsa.log" >"$WORK/http.log"
echo "extend: $N docs in $(secs "$t0" "$t1") s = $RATE_ext docs/s, peak RSS $RSS MB"

# Every input accounted for by exactly one JSON line: extended to B-LTA, output present.
$PY - "$WORK/extend.json" "$WORK/list" "$WORK/lta" <<'PY' || fail "the JSON lines do not account for every file"
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
names = open(sys.argv[2]).read().split()
bad = [l for l in lines if l["status"] != "sealed" or l["level"] != "B-LTA" or not os.path.isfile(l["output"])]
inputs = sorted(os.path.basename(l["input"]) for l in lines)
if bad or inputs != sorted(names):
    print("%d lines for %d files, %d not extended to B-LTA: %s" % (len(lines), len(names), len(bad), bad[:3]))
    sys.exit(1)
print("JSON: %d lines, one per file, all sealed at B-LTA" % len(lines))
PY

# What the servers were asked during the extend. The OCSP responder logs one line per certificate asked about
# (serial, issuer key hash); the TSA's HTTP server also serves the CRLs.
OCSP_REQ=$(grep -c '"POST ' "$WORK/ocsp.log" || true)
OCSP_CERTS=$(sed -n 's/.*OCSP request serial \([0-9a-f]*\) issuer-key \([0-9a-f]*\).*/\1 \2/p' "$WORK/ocsp.log" | sort -u | wc -l)
CRL_FETCH=$(grep -c '"GET /[^ ]*\.crl ' "$WORK/http.log" || true)
CRL_URLS=$(grep -o '"GET /[^ ]*\.crl ' "$WORK/http.log" | sort -u | wc -l || true)
TSA_REQ=$(grep -c '"POST / ' "$WORK/http.log" || true)
# Which certificates: serials named by the fixture's certificate files.
for f in "$PKI"/*.pem; do
	case $(basename "$f") in *chain* | trust.pem) continue ;; esac
	s=$(openssl x509 -in "$f" -noout -serial 2>/dev/null | sed 's/^serial=//' | tr A-F a-f | sed 's/^\(00\)*//') || continue
	[ -n "$s" ] && echo "$s $(basename "$f" .pem)"
done | sort -u -k1,1 >"$WORK/serials"
echo "OCSP requests: $OCSP_REQ for $OCSP_CERTS certificates:"
sed -n 's/.*OCSP request serial \([0-9a-f]*\) .*/\1/p' "$WORK/ocsp.log" | sed 's/^\(00\)*//' | sort | uniq -c |
	while read -r count serial; do
		echo "  $count x $(awk -v s="$serial" '$1 == s {print $2; exit}' "$WORK/serials") (serial $serial)"
	done
echo "CRL fetches: $CRL_FETCH of $CRL_URLS CRLs: $(grep -o '"GET /[^ ]*\.crl ' "$WORK/http.log" | sort | uniq -c | tr -s ' \n' ' ')"
echo "TSA requests: $TSA_REQ (one archive time-stamp per file: $N)"
[ "$TSA_REQ" = "$N" ] || fail "the TSA was asked $TSA_REQ times for $N files"
# The expectation: one request per certificate and one fetch per CRL for the whole batch, not per document.
[ "$OCSP_CERTS" -ge 2 ] || fail "OCSP asked about $OCSP_CERTS certificates; the e-Seal's and the TSA's expected"
[ "$CRL_URLS" -ge 1 ] || fail "no CRL fetched; the issuing CA's status comes from the root's CRL"
if [ "$OCSP_REQ" != "$OCSP_CERTS" ] || [ "$CRL_FETCH" != "$CRL_URLS" ]; then
	echo "FINDING: revocation data fetched more than once per certificate"
	[ "$MODE" != smoke ] || fail "$OCSP_REQ OCSP requests for $OCSP_CERTS certificates, $CRL_FETCH fetches of $CRL_URLS CRLs"
fi

echo "== referees on samples"
for i in 0 $((N / 2)) $((N - 1)); do
	f=$WORK/lta/$(printf "inv-%06d.xml" "$i")
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$f" >"$WORK/xmlsec.log" 2>&1 &&
		grep -q "^OK" "$WORK/xmlsec.log" || fail "xmlsec1 --verify $f: $(cat "$WORK/xmlsec.log")"
	$PY "$SRC/tests/xml/xades_check.py" extract "$f" qp "$WORK/qp.xml"
	xmllint --noout --nonet --schema "$SHARED/xsd/XAdES01903v141-201601.xsd" "$WORK/qp.xml" 2>"$WORK/xsd.log" ||
		fail "$f: QualifyingProperties fail the XAdES 1.4.1/1.3.2 schemas: $(cat "$WORK/xsd.log")"
	# The archive time-stamp, by openssl over the input lxml recomputes from EN 319 132-1.
	hex=$($PY "$SRC/tests/xml/xades_ltv_check.py" ats "$f" "$WORK/ats.der") || fail "$f: no archive time-stamp"
	openssl ts -verify -digest "$hex" -in "$WORK/ats.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
		>"$WORK/ts.log" 2>&1 || fail "$f: openssl ts -verify of the archive time-stamp: $(cat "$WORK/ts.log")"
	"$ESEAL" verify --json --offline --trust "$ROOT" "$f" >"$WORK/verify.json" ||
		fail "$f: eseal verify --offline: $(head -c 800 "$WORK/verify.json")"
	$PY -c 'import json, sys; d = json.load(open(sys.argv[1]))["seals"][0]
sys.exit(0 if (d["level"], d["indication"]) == ("B-LTA", "TOTAL-PASSED") else 1)' "$WORK/verify.json" ||
		fail "$f: not an offline TOTAL-PASSED B-LTA: $(head -c 800 "$WORK/verify.json")"
done
echo "samples: xmlsec1 OK, XAdES 1.4.1 schema, archive time-stamp verified by openssl ts, eseal verify --offline B-LTA"

# The TSA's own rate after the extend, with as many requests in flight as eseal kept (--tsa-inflight default).
INFLIGHT=$((4 * ${ESEAL_JOBS:-$(nproc)}))
echo "== the loopback TSA's own rate: $N requests by curl, $INFLIGHT in flight"
RATE_tsa=$(tsa_rate "$TE" "$WORK" "$N" "$INFLIGHT")
echo "loopback TSA: $RATE_tsa tokens/s; extend to B-LTA (one archive time-stamp per file) is $(ratio "$RATE_ext" "$RATE_tsa") of it"
[ "$MODE" != smoke ] || { pass "extend of $N B-T invoices to B-LTA: $OCSP_REQ OCSP requests ($OCSP_CERTS certificates), $CRL_FETCH CRL fetch(es), $TSA_REQ archive time-stamps, samples verified"; exit 0; }

HEADER="| date | machine (load average before / after) | N | extend B-LTA docs/s | loopback TSA tokens/s (ratio) | OCSP requests / certificates | CRL fetches / CRLs | peak RSS MB |"
ROW="| $(date -u +%Y-%m-%d) | $(nproc) cores, eseal -j $JOBS_NOTE, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), outputs on $(df --output=fstype "$WORK" | tail -1) (load $LOAD0 / $LOAD1) | $N | $RATE_ext | $RATE_tsa ($(ratio "$RATE_ext" "$RATE_tsa")) | $OCSP_REQ / $OCSP_CERTS | $CRL_FETCH / $CRL_URLS | $RSS |"
echo
echo "$HEADER"
echo "$ROW"
if [ "$MODE" = record ]; then
	# The row goes at the end of the "Bulk extension" table.
	python3 - "$SRC/tests/bench/README.md" "$ROW" <<'PY'
import sys
path, row = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("## Bulk extension"))
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
last = max(i for i in range(start, end) if lines[i].startswith("|"))
lines.insert(last + 1, row)
open(path, "w").write("\n".join(lines))
PY
	echo "recorded in tests/bench/README.md"
fi
