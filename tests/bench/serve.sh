#!/usr/bin/env bash
# tests/bench/serve.sh: `eseal serve` throughput over HTTP (keep-alive, CONC concurrent wrk connections) for a small
# XML and a 250 KB PDF, against the token's raw C_Sign rate and `eseal seal -j` in the same run; CSC signHash rate;
# bulk sealing through a csc: key with the hashes of concurrent documents batched into signHash calls, and without.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ESEAL_BENCH_BUILD:-$SRC/build-bench}
JOBS=${JOBS:-$(nproc)} # threads of the raw signing measurement
CONC=${CONC:-4}        # wrk connections (concurrent clients, each keep-alive)
CSC_JOBS=${CSC_JOBS:-8} # eseal seal -j through the csc: key
DUR=${DUR:-10}         # seconds per wrk run
N_XML=${N_XML:-1000}
N_PDF=${N_PDF:-150}

source "$SRC/tests/bench/lib.sh"
bench_wait_for_cleanup
command -v wrk >/dev/null || { echo "wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/eseal-bench.XXXXXX)
TE=$WORK/testenv
SERVE_PID=
cleanup() {
	[ -z "$SERVE_PID" ] || kill -TERM "$SERVE_PID" 2>/dev/null || true
	"$SRC/tests/lib/testenv-down.sh" "$TE" >/dev/null 2>&1 || true
	rm -rf "$WORK"
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
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

echo "== raw RSA-2048 C_Sign rate, $JOBS threads"
RAW=$("$RATE_BIN" "$(cat "$TE/module")" eseal eseal "$TE/pin" "$JOBS" 5 | sed -n "s/.*rate=\([0-9.]*\).*/\1/p")
echo "raw signing rate: $RAW signatures/s"

echo "== inputs: $N_XML invoices, $N_PDF copies of a 250 KB PDF"
python3 "$SRC/tests/bench/make_docs.py" invoices "$N_XML" "$WORK/xml"
python3 "$SRC/tests/bench/make_docs.py" pdf 250000 "$WORK/base.pdf"
mkdir -p "$WORK/pdf"
for i in $(seq -w 1 "$N_PDF"); do cp "$WORK/base.pdf" "$WORK/pdf/doc-$i.pdf"; done
sync

# seal_batch NAME INDIR COUNT: `eseal seal` (default -j) over INDIR at B-B; every JSON line checked; docs/s.
seal_batch() {
	local name=$1 indir=$2 count=$3 t0 t1 sealed
	t0=$(now)
	(cd "$indir" && "$ESEAL" seal --config "$CONF" --profile demo-bb --json --out-dir "$WORK/out-$name" -- *) \
		>"$WORK/$name.json"
	t1=$(now)
	sealed=$(grep -c '"status":"sealed"' "$WORK/$name.json" || true)
	[ "$sealed" = "$count" ] || { echo "FAIL: $name: $sealed of $count sealed"; exit 1; }
	rate "$count" "$t0" "$t1"
}
echo "== eseal seal (default -j)"
SEAL_xml=$(seal_batch xml "$WORK/xml" "$N_XML")
SEAL_pdf=$(seal_batch pdf "$WORK/pdf" "$N_PDF")
echo "eseal seal: XAdES B-B $SEAL_xml docs/s, PAdES B-B $SEAL_pdf docs/s"

echo "== eseal serve (plain HTTP on 127.0.0.1, one process)"
TOKEN=$("$ESEAL" client add --clients-file "$WORK/clients" --name bench --profile demo-bb)
mkdir -p "$WORK/serve-work"
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s/clients\naudit-log = %s/audit.log\n' "$WORK" "$WORK"
	printf 'work-dir = %s/serve-work\nmax-body = 10M\nmax-per-client = %d\nmax-connections = %d\n\n' "$WORK" \
		$((CONC * 2)) $((CONC * 2 + 8))
	sed -n '/^\[profile demo-bb\]$/,/^$/p' "$CONF"
} >"$WORK/serve.conf"
"$ESEAL" serve --config "$WORK/serve.conf" </dev/null >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
PORT=
for i in $(seq 100); do
	PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { echo "FAIL: eseal serve did not start: $(cat "$WORK/serve.log")"; exit 1; }
URL=http://127.0.0.1:$PORT

# The referees, once per format, on answers of the same service.
curl -sS --fail -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/xml/inv-000000.xml" \
	-o "$WORK/one.xml" "$URL/v1/seal?profile=demo-bb"
xmlsec1 --verify --trusted-pem "$TE/pki/root.pem" --untrusted-pem "$TE/pki/ca.pem" --id-attr:Id SignedProperties \
	"$WORK/one.xml" >/dev/null 2>&1 || { echo "FAIL: xmlsec1 --verify of a served seal"; exit 1; }
curl -sS --fail -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/base.pdf" -o "$WORK/one.pdf" \
	"$URL/v1/seal?profile=demo-bb"
pdfsig "$WORK/one.pdf" | grep >/dev/null "Signature is Valid" || { echo "FAIL: pdfsig of a served seal"; exit 1; }

# wrk_seal NAME FILE: CONC keep-alive connections POSTing FILE for DUR s; every answer must be 200; answers/s.
wrk_seal() {
	local name=$1 file=$2 ok0 ok1 n
	cat >"$WORK/$name.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
local f = io.open("$file", "rb")
wrk.body = f:read("*a")
f:close()
EOF
	ok0=$(grep -c '"result":"ok"' "$WORK/audit.log" || true)
	wrk -t2 -c"$CONC" -d"${DUR}s" --timeout 30s -s "$WORK/$name.lua" "$URL/v1/seal?profile=demo-bb" >"$WORK/$name.wrk"
	ok1=$(grep -c '"result":"ok"' "$WORK/audit.log" || true)
	if grep -q 'Non-2xx\|Socket errors' "$WORK/$name.wrk"; then
		echo "FAIL: $name: $(cat "$WORK/$name.wrk")" >&2
		exit 1
	fi
	n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$WORK/$name.wrk")
	[ $((ok1 - ok0)) -ge "$n" ] || { echo "FAIL: $name: $n answers, $((ok1 - ok0)) audited" >&2; exit 1; }
	sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$WORK/$name.wrk"
}
echo "== wrk: $CONC connections, keep-alive, ${DUR}s each"
HTTP_xml=$(wrk_seal xml "$WORK/xml/inv-000000.xml")
HTTP_pdf=$(wrk_seal pdf "$WORK/base.pdf")
echo "HTTP: XAdES B-B $HTTP_xml docs/s, PAdES B-B $HTTP_pdf docs/s"

# wrk_csc K: signHash with K SHA-256 digests per call; each wrk thread authorizes (1000 signatures per SAD) when its
# SAD runs short. Prints signatures/s.
wrk_csc() {
	local k=$1 hashes
	hashes=$(for i in $(seq "$k"); do printf '"%s",' "$(openssl rand 32 | base64)"; done)
	cat >"$WORK/csc$k.lua" <<EOF
local token, k = "Bearer $TOKEN", $k
local hashes = '[${hashes%,}]'
local headers = {["Authorization"] = token, ["Content-Type"] = "application/json"}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sad, left, signed, calls, auths, bad = nil, 0, 0, 0, 0, 0 end
function request()
	if sad == nil or left < k then
		left = 0
		return wrk.format("POST", "/csc/v2/credentials/authorize", headers,
			'{"credentialID":"demo-bb","numSignatures":1000}')
	end
	left = left - k
	return wrk.format("POST", "/csc/v2/signatures/signHash", headers,
		'{"credentialID":"demo-bb","SAD":"' .. sad .. '","hashes":' .. hashes ..
		',"hashAlgorithmOID":"2.16.840.1.101.3.4.2.1","signAlgo":"1.2.840.113549.1.1.1"}')
end
function response(status, headers, body)
	local s = body:match('"SAD"%s*:%s*"([^"]+)"')
	if status == 200 and s then
		sad, left, auths = s, 1000, auths + 1
	elseif status == 200 and body:find('"signatures"') then
		signed, calls = signed + k, calls + 1
	else
		bad = bad + 1
		sad = nil
	end
end
function done(summary, latency, requests)
	local signed, calls, auths, bad = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		signed, calls = signed + t:get("signed"), calls + t:get("calls")
		auths, bad = auths + t:get("auths"), bad + t:get("bad")
	end
	io.write(string.format("csc signed=%d calls=%d auths=%d bad=%d seconds=%.3f\n", signed, calls, auths, bad,
		summary.duration / 1e6))
end
EOF
	wrk -t2 -c"$CONC" -d"${DUR}s" --timeout 30s -s "$WORK/csc$k.lua" "$URL/" >"$WORK/csc$k.wrk"
	# A SAD used up by two connections of a thread at once is refused and fetched again: a few refusals are expected.
	python3 - "$WORK/csc$k.wrk" <<'EOF'
import re, sys
m = dict(re.findall(r"(\w+)=([0-9.]+)", re.search(r"^csc .*$", open(sys.argv[1]).read(), re.M).group(0)))
signed, calls, bad, secs = int(m["signed"]), int(m["calls"]), int(m["bad"]), float(m["seconds"])
assert calls > 0 and bad <= max(8, calls // 100), m
print("%.1f %.1f %d" % (signed / secs, calls / secs, bad))
EOF
}
echo "== CSC signHash: 1 and 32 digests per call"
read -r CSC1_SIG CSC1_CALLS CSC1_BAD < <(wrk_csc 1)
read -r CSC32_SIG CSC32_CALLS CSC32_BAD < <(wrk_csc 32)
echo "signHash x1: $CSC1_SIG signatures/s ($CSC1_CALLS calls/s, $CSC1_BAD refused); x32: $CSC32_SIG signatures/s ($CSC32_CALLS calls/s, $CSC32_BAD refused)"

# csc_bulk NAME BATCH: `eseal seal -j CSC_JOBS` of the XML set through a csc: key on this service (csc-batch = BATCH);
# every JSON line checked; prints docs/s and the signHash calls the audit log gained.
printf '%s\n' "$TOKEN" >"$WORK/token"
chmod 600 "$WORK/token"
csc_bulk() {
	local name=$1 batch=$2 t0 t1 sealed c0 c1
	printf '[profile csc]\nkey = csc:%s/csc/v2?credential=demo-bb\ncsc-token-file = %s/token\nlevel = B-B\ncsc-batch = %s\n' \
		"$URL" "$WORK" "$batch" >"$WORK/$name.conf"
	c0=$(grep -c '"event":"signHash"' "$WORK/audit.log" || true)
	t0=$(now)
	(cd "$WORK/xml" && "$ESEAL" seal --config "$WORK/$name.conf" --profile csc -j "$CSC_JOBS" --json \
		--out-dir "$WORK/out-$name" -- *) >"$WORK/$name.json"
	t1=$(now)
	c1=$(grep -c '"event":"signHash"' "$WORK/audit.log" || true)
	sealed=$(grep -c '"status":"sealed"' "$WORK/$name.json" || true)
	[ "$sealed" = "$N_XML" ] || { echo "FAIL: $name: $sealed of $N_XML sealed" >&2; exit 1; }
	echo "$(rate "$N_XML" "$t0" "$t1") $((c1 - c0))"
}
echo "== eseal seal -j $CSC_JOBS through csc: ($N_XML invoices), batched and csc-batch = 1"
read -r CSCB_RATE CSCB_CALLS < <(csc_bulk cscb 32)
read -r CSC1B_RATE CSC1B_CALLS < <(csc_bulk csc1 1)
f=$(find "$WORK/out-cscb" -name '*.xml' -print -quit)
xmlsec1 --verify --trusted-pem "$TE/pki/root.pem" --untrusted-pem "$TE/pki/ca.pem" --id-attr:Id SignedProperties \
	"$f" >/dev/null 2>&1 || { echo "FAIL: xmlsec1 --verify of a seal made through csc:"; exit 1; }
echo "csc: bulk: batched $CSCB_RATE docs/s ($CSCB_CALLS signHash calls), csc-batch = 1 $CSC1B_RATE docs/s ($CSC1B_CALLS calls)"
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

echo
echo "| date | machine (load before / after) | raw sign/s ($JOBS thr) | wrk conns | XAdES B-B HTTP docs/s (/ raw, / seal -j) | PAdES B-B 250 KB HTTP docs/s (/ raw, / seal -j) | seal -j XAdES / PAdES docs/s | signHash x1 sig/s (/ raw) | signHash x32 sig/s (/ raw) | seal -j $CSC_JOBS via csc: batched docs/s (/ raw; calls) | via csc: csc-batch = 1 docs/s (/ raw; calls) |"
echo "| $(date -u +%Y-%m-%d) | $(nproc) cores, SoftHSM $(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null) (load $LOAD_BEFORE / $LOAD_AFTER) | $RAW | $CONC | $HTTP_xml ($(ratio "$HTTP_xml" "$RAW"), $(ratio "$HTTP_xml" "$SEAL_xml")) | $HTTP_pdf ($(ratio "$HTTP_pdf" "$RAW"), $(ratio "$HTTP_pdf" "$SEAL_pdf")) | $SEAL_xml / $SEAL_pdf | $CSC1_SIG ($(ratio "$CSC1_SIG" "$RAW")) | $CSC32_SIG ($(ratio "$CSC32_SIG" "$RAW")) | $CSCB_RATE ($(ratio "$CSCB_RATE" "$RAW"); $CSCB_CALLS) | $CSC1B_RATE ($(ratio "$CSC1B_RATE" "$RAW"); $CSC1B_CALLS) |"
