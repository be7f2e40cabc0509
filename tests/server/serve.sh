#!/bin/bash
# tests/server/serve.sh: `eseal serve` on 127.0.0.1 over HTTPS (a server certificate from the fixture's issuing CA),
# the SoftHSM token and the fixture TSA: seals PDF, XML and a binary file with curl (referees pdfsig, qpdf, xmlsec1,
# openssl cms), verifies over HTTP, refuses 400/401/403/413/422, answers 503 + Retry-After with the TSA down and no
# audit line claiming success, mutual TLS, the clients file, and SIGTERM finishing a request in progress.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
command -v curl >/dev/null || fail "curl is missing (scripts/install-deps.sh)"

source "$ESEAL_SRC/tests/server/lib.sh"
make_certs

# --- clients file: tokens printed once, only hashes stored, mode 0600 ----------------------------------------------
CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo --profile demo-bb --profile down \
	--profile slow
TOKEN=$(cat "$OUT")
[[ "$TOKEN" =~ ^eseal_[A-Za-z0-9_-]{43}$ ]] || fail "token looks wrong: $TOKEN"
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name other --profile demo-bb
TOKEN2=$(cat "$OUT")
[ "$(stat -c %a "$CLIENTS")" = 600 ] || fail "clients file mode $(stat -c %a "$CLIENTS"), want 600"
grep -qF "$TOKEN" "$CLIENTS" && fail "the clients file holds a token in clear"
assert_grep "^app:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1):demo,demo-bb,down,slow$" "$CLIENTS"
expect_exit 64 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo
assert_grep "exists already" "$ERR"
expect_exit 64 "$ESEAL" client add --clients-file "$CLIENTS" --name 'bad:name' --profile demo
expect_exit 64 "$ESEAL" client add --clients-file "$CLIENTS" --name x
ls "$D" | grep 'clients.tmp' >/dev/null && fail "a temporary clients file was left behind"
pass "client add: token once, SHA-256 stored, 0600, duplicates and bad names refused"

# --- configuration --------------------------------------------------------------------------------------------------
SLOW_TSA=$(start_tsa slow --delay 4)
mkdir work
config() { # FILE [extra [server] lines...]
	local f=$1
	shift
	{
		printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\ntrust = %s\n' \
			"$CLIENTS" "$D" "$ROOT"
		printf 'work-dir = %s/work\nmax-body = 1M\nretry-after = 17\n' "$D"
		printf '%s\n' "$@"
		echo
		sed -n '/^\[profile demo\]$/,/^$/p' "$ESEAL_CONFIG"
		sed -n '/^\[profile demo-bb\]$/,/^$/p' "$ESEAL_CONFIG"
		sed -n '/^\[profile demo\]$/,/^$/p' "$ESEAL_CONFIG" | sed 's/^\[profile demo\]$/[profile down]/; s|^tsa = .*|tsa = http://127.0.0.1:9/|'
		sed -n '/^\[profile demo\]$/,/^$/p' "$ESEAL_CONFIG" | sed "s/^\[profile demo\]$/[profile slow]/; s|^tsa = .*|tsa = $SLOW_TSA|"
	} >"$f"
}

config bad-listen.conf "listen = 0.0.0.0:8080"
expect_exit 78 "$ESEAL" serve --config bad-listen.conf
assert_grep "only served on loopback" "$ERR"
config bad-key.conf "max-bodyy = 1M"
expect_exit 78 "$ESEAL" serve --config bad-key.conf
assert_grep "unknown setting 'max-bodyy'" "$ERR"
pass "plain HTTP on a non-loopback address and unknown settings refused (78)"

config tls.conf "tls-cert = $D/server-chain.pem" "tls-key = $D/server.key" "max-per-client = 1"
start_server tls.conf A
URL=https://127.0.0.1:$PORT_A
CURL=(curl -sS --cacert "$ROOT" --max-time 60)

# call NAME METHOD PATH [curl args...]: body in NAME.body, headers in NAME.hdr, status in $CODE
call() {
	local name=$1 method=$2 path=$3
	shift 3
	CODE=$("${CURL[@]}" -X "$method" -o "$name.body" -D "$name.hdr" -w '%{http_code}' "$@" "$URL$path") ||
		fail "curl $name failed"
}
AUTH=(-H "Authorization: Bearer $TOKEN")

call health GET /healthz
[ "$CODE" = 200 ] && grep -q '"alive"' health.body || fail "healthz: $CODE $(cat health.body)"
call ready GET /readyz
[ "$CODE" = 200 ] && grep -q '"ready"' ready.body || fail "readyz: $CODE $(cat ready.body)"
pass "healthz and readyz over HTTPS (server certificate from the demo CA)"

# --- sealing each format --------------------------------------------------------------------------------------------
cp "$SAMPLES/documents/report.pdf" in.pdf
cp "$SAMPLES/documents/invoice-ubl.xml" in.xml
head -c 50000 /dev/urandom >in.bin
call pdf POST '/v1/seal?profile=demo' "${AUTH[@]}" -H 'Content-Type: application/pdf' --data-binary @in.pdf
[ "$CODE" = 200 ] || fail "seal PDF: $CODE $(cat pdf.body)"
grep -qi '^content-type: application/pdf' pdf.hdr || fail "seal PDF: $(grep -i content-type pdf.hdr)"
cp pdf.body sealed.pdf
pdfsig_check sealed.pdf 1 whole
qpdf --check sealed.pdf >/dev/null || fail "qpdf --check rejects the sealed PDF"
call xml POST '/v1/seal?profile=demo-bb' "${AUTH[@]}" --data-binary @in.xml
[ "$CODE" = 200 ] || fail "seal XML: $CODE $(cat xml.body)"
grep -qi '^content-type: application/xml' xml.hdr || fail "seal XML: $(grep -i content-type xml.hdr)"
cp xml.body sealed.xml
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" sealed.xml >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the sealed XML"
call bin POST '/v1/seal?profile=demo' "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 200 ] || fail "seal binary: $CODE $(cat bin.body)"
grep -qi '^content-type: application/pkcs7-signature' bin.hdr || fail "seal binary: $(grep -i content-type bin.hdr)"
openssl cms -verify -cades -binary -inform DER -in bin.body -content in.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the .p7s"
call pdfcades POST '/v1/seal?profile=demo-bb&format=cades' "${AUTH[@]}" --data-binary @in.pdf
[ "$CODE" = 200 ] || fail "seal PDF as CAdES: $CODE $(cat pdfcades.body)"
openssl cms -verify -cades -binary -inform DER -in pdfcades.body -content in.pdf -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the .p7s of the PDF"
pass "PDF (pdfsig, qpdf), XML (xmlsec1), binary and format=cades (openssl cms) sealed over HTTPS"

# --- per-request settings over the profile: level, visible, reason; never the TSA or the key ------------------------
call opts POST '/v1/seal?profile=demo&level=B-B&visible&reason=Approved%20by%20the%20API' "${AUTH[@]}" \
	--data-binary @in.pdf
[ "$CODE" = 200 ] || fail "seal with settings: $CODE $(cat opts.body)"
cp opts.body opts.pdf
pdfsig_check opts.pdf 1 whole
qpdf --check opts.pdf >/dev/null || fail "qpdf --check rejects the PDF sealed with settings"
"$ESEAL" verify --json --trust "$ROOT" opts.pdf >opts.json || fail "eseal verify rejects opts.pdf"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["seals"][0]; assert s["level"] == "B-B" and s["timestamp_time"] is None, s' \
	opts.json || fail "level=B-B was not applied: $(cat opts.json)"
grep -aq '/Reason (Approved by the API)' opts.pdf || fail "reason= was not applied"
call badlevel POST '/v1/seal?profile=demo&level=B-Q' "${AUTH[@]}" --data-binary @in.pdf
[ "$CODE" = 400 ] && grep -q '"class":"usage"' badlevel.body && grep -q 'level' badlevel.body ||
	fail "level=B-Q: $CODE $(cat badlevel.body)"
call tsaparam POST '/v1/seal?profile=demo&tsa=http://127.0.0.1:9/' "${AUTH[@]}" --data-binary @in.pdf
[ "$CODE" = 400 ] || fail "tsa= must not be settable by a client: $CODE"
call vparam POST '/v1/verify?format=pdf' "${AUTH[@]}" --data-binary @sealed.pdf
[ "$CODE" = 400 ] || fail "verify with a parameter: $CODE"
pass "level=B-B, visible and reason applied per request (pdfsig, qpdf, eseal verify); bad level and tsa= 400"

# --- verify ---------------------------------------------------------------------------------------------------------
call v POST /v1/verify "${AUTH[@]}" --data-binary @sealed.pdf
[ "$CODE" = 200 ] || fail "verify: $CODE $(cat v.body)"
python3 - v.body <<'EOF' || fail "verify JSON: $(cat v.body)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["indication"] == "TOTAL-PASSED", r
assert r["file"] == "document", r
assert len(r["seals"]) == 1 and r["seals"][0]["format"] == "PAdES", r
EOF
"$ESEAL" verify --json --trust "$ROOT" sealed.pdf >cli.json || fail "eseal verify rejects sealed.pdf"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); a.pop("file"); b.pop("file"); a.pop("validation_time"); b.pop("validation_time"); assert a == b, (a, b)' \
	v.body cli.json || fail "the service's report differs from eseal verify --json"
call vbad POST /v1/verify "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 422 ] || fail "verify garbage: $CODE $(cat vbad.body)"
pass "verify: the JSON of eseal verify --json; a file without seals 422"

# --- refusals -------------------------------------------------------------------------------------------------------
err_class() { python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["class"], e["retry"], e["exit_code"])' "$1"; }
call noauth POST '/v1/seal?profile=demo' --data-binary @in.bin
[ "$CODE" = 401 ] && grep -qi '^www-authenticate: Bearer' noauth.hdr || fail "no token: $CODE"
call wrong POST '/v1/seal?profile=demo' -H "Authorization: Bearer ${TOKEN%?}x" --data-binary @in.bin
[ "$CODE" = 401 ] || fail "wrong token: $CODE"
[ "$(err_class wrong.body)" = "unauthorized False 77" ] || fail "401 body: $(cat wrong.body)"
call forbidden POST '/v1/seal?profile=demo' -H "Authorization: Bearer $TOKEN2" --data-binary @in.bin
[ "$CODE" = 403 ] || fail "forbidden profile: $CODE $(cat forbidden.body)"
call unknown POST '/v1/seal?profile=nonesuch' "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 403 ] || fail "unknown profile: $CODE"
head -c 1100000 /dev/urandom >big.bin
call big POST '/v1/seal?profile=demo' "${AUTH[@]}" --data-binary @big.bin
[ "$CODE" = 413 ] || fail "body over max-body: $CODE $(cat big.body)"
call big401 POST '/v1/seal?profile=demo' --data-binary @big.bin
[ "$CODE" = 401 ] || fail "no token and a body over max-body: $CODE"
call bigchunked POST '/v1/seal?profile=demo' "${AUTH[@]}" -H 'Transfer-Encoding: chunked' --data-binary @big.bin
[ "$CODE" = 413 ] || fail "chunked body over max-body: $CODE $(cat bigchunked.body)"
printf 'not a pdf at all' >garbage.bin
call garbage POST '/v1/seal?profile=demo&format=pdf' "${AUTH[@]}" --data-binary @garbage.bin
[ "$CODE" = 422 ] || fail "garbage as PDF: $CODE $(cat garbage.body)"
[ "$(err_class garbage.body)" = "input False 65" ] || fail "422 body: $(cat garbage.body)"
grep -q "$D/work" garbage.body && fail "the error names the server's work directory: $(cat garbage.body)"
call badparam POST '/v1/seal?profile=demo&levl=B-B' "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 400 ] || fail "unknown parameter: $CODE"
call empty POST '/v1/seal?profile=demo' "${AUTH[@]}" --data-binary ''
[ "$CODE" = 400 ] || fail "empty body: $CODE"
pass "401 (no/wrong token), 403 (profile not allowed), 413 (Content-Length and chunked), 422, 400"

# --- TSA down: 503 + Retry-After, audited as a failure ---------------------------------------------------------------
printf 'tsa down %s' "$RANDOM$RANDOM" >down.bin
call down POST '/v1/seal?profile=down' "${AUTH[@]}" --data-binary @down.bin
[ "$CODE" = 503 ] || fail "TSA down: $CODE $(cat down.body)"
grep -qi '^retry-after: 17' down.hdr || fail "TSA down: no Retry-After: 17 in $(cat down.hdr)"
[ "$(err_class down.body)" = "tsa True 69" ] || fail "503 body: $(cat down.body)"
DOWN_SHA=$(sha256sum down.bin | cut -d' ' -f1)
grep -F "\"document_sha256\":\"$DOWN_SHA\"" audit.log | grep '"result":"tsa"' >/dev/null || fail "no tsa failure audited"
grep -F "\"document_sha256\":\"$DOWN_SHA\"" audit.log | grep '"result":"ok"' >/dev/null && fail "a failed seal audited as ok"
pass "TSA down: 503, Retry-After, error class tsa, audited as a failure only"

# --- audit log accounts for every 200 -------------------------------------------------------------------------------
python3 - audit.log in.pdf pdf.body in.xml xml.body in.bin bin.body in.pdf pdfcades.body in.pdf opts.body <<'EOF' ||
	fail "audit log: $(cat audit.log)"
import hashlib, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ok = [l for l in lines if l["result"] == "ok"]
assert len(ok) == 5, ok
h = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
pairs = {(l["document_sha256"], l["output_sha256"]) for l in ok}
args = sys.argv[2:]
for i in range(0, len(args), 2):
    assert (h(args[i]), h(args[i + 1])) in pairs, args[i + 1]
assert all(l["client"] == "app" for l in ok)
assert {l["profile"] for l in ok} == {"demo", "demo-bb"}
assert sorted(l["level"] for l in ok) == ["B-B", "B-B", "B-B", "B-T", "B-T"], ok
EOF
[ "$(stat -c %a audit.log)" = 600 ] || fail "audit log mode $(stat -c %a audit.log)"
[ -z "$(ls work)" ] || fail "uploads left in the work directory: $(ls work)"
pass "audit log: one ok line per 200 with document and output SHA-256; work directory empty"

# --- per-client concurrency, then SIGTERM with a request in progress ------------------------------------------------
"${CURL[@]}" -o slow.body -w '%{http_code}' "${AUTH[@]}" --data-binary @in.bin "$URL/v1/seal?profile=slow" \
	>slow.code 2>slow.err &
SLOW=$!
for i in $(seq 50); do
	[ -n "$(ls work)" ] && break
	sleep 0.1
done
call busy POST '/v1/seal?profile=demo-bb' "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 429 ] && grep -qi '^retry-after:' busy.hdr || fail "second request of a client at max-per-client 1: $CODE"
kill -TERM "$PID_A"
sleep 0.5
curl -sS --cacert "$ROOT" --max-time 5 -o /dev/null "$URL/healthz" 2>/dev/null &&
	fail "a new connection was accepted after SIGTERM"
wait "$SLOW" || fail "the request in progress failed at SIGTERM: $(cat slow.err)"
[ "$(cat slow.code)" = 200 ] || fail "the request in progress got $(cat slow.code): $(cat slow.body)"
openssl cms -verify -cades -binary -inform DER -in slow.body -content in.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "the seal finished during shutdown does not verify"
rc=0
wait "$PID_A" || rc=$?
[ "$rc" = 0 ] || fail "eseal serve exited $rc after SIGTERM: $(cat A.log)"
pass "429 over max-per-client; SIGTERM: new connections refused, the request in progress answered 200, exit 0"

# --- mutual TLS -----------------------------------------------------------------------------------------------------
cp server.key open.key
chmod 644 open.key
config mtls.conf "tls-cert = $D/server-chain.pem" "tls-key = $D/open.key" "tls-client-ca = $CHAIN"
start_server mtls.conf B
assert_grep "warning: .*open.key: the TLS key is readable by others \(mode 644" B.log
grep -q warning A.log && fail "a warning for a 0600 key: $(cat A.log)"
URL=https://127.0.0.1:$PORT_B
call nocert POST '/v1/seal?profile=demo-bb' "${AUTH[@]}" --data-binary @in.bin
[ "$CODE" = 401 ] || fail "mutual TLS without a client certificate: $CODE"
assert_grep "client certificate" nocert.body
call foreign POST '/v1/seal?profile=demo-bb' "${AUTH[@]}" --cert foreign.pem --key foreign.key --data-binary @in.bin
[ "$CODE" = 401 ] || fail "mutual TLS with a foreign certificate: $CODE"
call withcert POST '/v1/seal?profile=demo-bb' "${AUTH[@]}" --cert client.pem --key client.key --data-binary @in.bin
[ "$CODE" = 200 ] || fail "mutual TLS with the client certificate: $CODE $(cat withcert.body)"
openssl cms -verify -cades -binary -inform DER -in withcert.body -content in.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the .p7s sealed over mutual TLS"
kill -TERM "$PID_B"
wait "$PID_B" || fail "eseal serve (mutual TLS) did not exit 0"
pass "mutual TLS: no certificate or a foreign one 401, the client CA's certificate sealed"

# --- plain HTTP on loopback -----------------------------------------------------------------------------------------
config plain.conf "max-body = 200M"
start_server plain.conf C
code=$(curl -sS -o plain.body -w '%{http_code}' "${AUTH[@]}" --data-binary @in.bin \
	"http://127.0.0.1:$PORT_C/v1/seal?profile=demo-bb") || fail "plain HTTP seal failed"
[ "$code" = 200 ] || fail "plain HTTP seal: $code $(cat plain.body)"
# A 100 MiB body goes to disk chunk by chunk: the service's peak memory grows by far less than the body.
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PID_C/status"; }
head -c 104857600 /dev/urandom >huge.bin
before=$(hwm)
code=$(curl -sS -o huge.p7s -w '%{http_code}' "${AUTH[@]}" --data-binary @huge.bin \
	"http://127.0.0.1:$PORT_C/v1/seal?profile=demo-bb") || fail "seal of 100 MiB failed"
[ "$code" = 200 ] || fail "seal of 100 MiB: $code $(head -c 500 huge.p7s)"
after=$(hwm)
[ $((after - before)) -lt 49152 ] || fail "peak memory grew by $(((after - before) / 1024)) MiB for a 100 MiB body"
openssl cms -verify -cades -binary -inform DER -in huge.p7s -content huge.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the .p7s of the 100 MiB file"
rm -f huge.bin
kill -TERM "$PID_C"
wait "$PID_C" || fail "eseal serve (plain) did not exit 0"
grep -q "$TOKEN" ./*.log audit.log && fail "a token appears in a log"
pass "plain HTTP on 127.0.0.1; a 100 MiB body streamed (peak memory $((before / 1024)) -> $((after / 1024)) MiB); no token in any log"
