#!/bin/bash
# tests/server/csc_signer.sh: `eseal seal` with a remote e-Seal (csc: key) served by a real `eseal serve` over HTTPS on
# loopback: PDF (pdfsig, qpdf), XML (xmlsec1) and CAdES (openssl cms), RSA and ECDSA, a batch; a missing or wrong
# token and a foreign credential give 78 with one line that never shows the token; a service that is down, busy
# (503, 429) or answers garbage gives 69, one whose signature does not verify 78 (tests/server/csc_misbehaving.py);
# the token never appears in ps, in output or in the logs.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"
make_certs

CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo --profile demo-ec
install -m 600 "$OUT" token
TOKEN=$(cat token)
[ "${#TOKEN}" -ge 20 ] || fail "client add printed no token"
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name other --profile demo-bb
install -m 600 "$OUT" token-other
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\n' "$CLIENTS" "$D"
	printf 'tls-cert = %s/server-chain.pem\ntls-key = %s/server.key\nwork-dir = %s\n\n' "$D" "$D" "$D"
	sed -n '/^\[profile demo\]$/,/^$/p; /^\[profile demo-bb\]$/,/^$/p; /^\[profile demo-ec\]$/,/^$/p' "$ESEAL_CONFIG"
} >serve.conf
start_server serve.conf S
URL="https://127.0.0.1:$PORT_S/csc/v2"

# The client's profiles: the key is the service's credential; no PIN, no token, no module on this side.
TSA=$(sed -n '/^\[profile demo\]$/,/^$/s/^tsa = //p' "$ESEAL_CONFIG")
cat >client.conf <<CONF
[profile remote]
key = csc:$URL?credential=demo
csc-token-file = $D/token
csc-ca = $ROOT
tsa = $TSA
tsa-ca = $ROOT
level = B-T

[profile remote-ec]
key = csc:$URL?credential=demo-ec
csc-token-file = $D/token
csc-ca = $ROOT
level = B-B
CONF
SEAL=("$ESEAL" seal --config client.conf)

# --- each format, RSA (B-T) -----------------------------------------------------------------------------------------
cp "$SAMPLES/documents/report.pdf" in.pdf
cp "$SAMPLES/documents/invoice-ubl.xml" in.xml
head -c 30000 /dev/urandom >in.bin
expect_exit 0 "${SEAL[@]}" -p remote -o sealed.pdf in.pdf
pdfsig_check sealed.pdf 1 whole
qpdf --check sealed.pdf >/dev/null || fail "qpdf --check rejects the PDF sealed through csc:"
expect_exit 0 "${SEAL[@]}" -p remote -o sealed.xml in.xml
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" sealed.xml >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the XML sealed through csc:"
expect_exit 0 "${SEAL[@]}" -p remote --format cades -o sealed.p7s in.bin
openssl cms -verify -cades -binary -inform DER -in sealed.p7s -content in.bin -CAfile "$ROOT" -purpose any \
	-signer signer.pem -out /dev/null 2>/dev/null || fail "openssl cms rejects the .p7s sealed through csc:"
# The seal's certificate is the service's key's (the fixture's eseal certificate), not anything of the client's.
openssl cms -cmsout -print -inform DER -in sealed.p7s | grep 'signatureTimeStampToken\|id-smime-aa-timeStampToken' >/dev/null ||
	fail "the .p7s has no signature time-stamp (profile remote is B-T)"
openssl x509 -in signer.pem -noout -pubkey |
	cmp -s - <(openssl x509 -in "$PKI/eseal.pem" -noout -pubkey) || fail "the .p7s is not sealed by the service's key"
[ "$(grep -c '"event":"signHash".*"client":"app".*"result":"ok"' audit.log)" -ge 3 ] ||
	fail "the service's audit log does not show the three signHash calls: $(cat audit.log)"
pass "PDF (pdfsig, qpdf), XML (xmlsec1), CAdES (openssl cms) sealed at B-T with csc: (RSA), audited by the service"

# --- ECDSA, from the command line (--key, --csc-token-file, --csc-ca over a profile without them) --------------------
printf '[profile bare]\nlevel = B-B\n' >bare.conf
expect_exit 0 "$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo-ec" --csc-token-file token \
	--csc-ca "$ROOT" -o ec.xml in.xml
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" ec.xml >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the ECDSA XML sealed through csc:"
grep -q 'ecdsa-sha256' ec.xml || fail "the XML sealed with credential demo-ec is not ECDSA"
expect_exit 0 "${SEAL[@]}" -p remote-ec -o ec.pdf in.pdf
pdfsig_check ec.pdf 1 whole
expect_exit 0 "${SEAL[@]}" -p remote-ec --format cades -o ec.p7s in.bin
openssl cms -verify -cades -binary -inform DER -in ec.p7s -content in.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the ECDSA .p7s sealed through csc:"
pass "ECDSA credential from --key/--csc-token-file/--csc-ca: XML (xmlsec1), PDF (pdfsig), CAdES (openssl cms)"

# --- a batch, watched through ps: the token is never in any process's argv ----------------------------------------
mkdir -p many out
for i in $(seq 24); do printf '<doc n="%s">%s</doc>\n' "$i" "$RANDOM" >"many/d$i.xml"; done
"${SEAL[@]}" -p remote-ec -j 4 --out-dir out many/*.xml >batch.out 2>batch.err &
BATCH=$!
seen=0
while kill -0 "$BATCH" 2>/dev/null; do
	ps -eo args >ps.txt
	grep -qF -- "$TOKEN" ps.txt && fail "the token is visible in ps"
	grep -q 'csc-token\|client.conf' ps.txt && seen=1
done
wait "$BATCH" || fail "the batch through csc: failed: $(cat batch.err)"
[ "$seen" = 1 ] || echo "note: the batch ended before ps saw it" >&2
[ "$(ls out/many/*.xml 2>/dev/null | wc -l)" = 24 ] || [ "$(find out -name '*.xml' | wc -l)" = 24 ] ||
	fail "the batch wrote $(find out -name '*.xml' | wc -l) of 24 outputs"
f=$(find out -name 'd7.xml' | head -1)
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$f" >/dev/null 2>&1 ||
	fail "xmlsec1 rejects a document of the csc: batch"
pass "a batch of 24 (-j 4) through one csc: signer; the token never in ps"

# --- refusals: configuration (78), one line, no token, no output ----------------------------------------------------
# refused NAME CODE REGEX cmd...: exit CODE, one line on stderr matching REGEX, no output file, no token anywhere.
refused() {
	local name=$1 code=$2 re=$3
	shift 3
	expect_exit "$code" "$@"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "$name: not one line: $(cat "$ERR")"
	grep -Eq -- "$re" "$ERR" || fail "$name: '$re' not in: $(cat "$ERR")"
	! grep -qF -- "$TOKEN" "$ERR" "$OUT" || fail "$name: the token is in the message"
	! grep -qF -- "$(cat token-other)" "$ERR" "$OUT" || fail "$name: the other token is in the message"
	[ -z "$(find . -maxdepth 1 -name "refused.*")" ] || fail "$name: an output was written"
	echo "  $name: $(cat "$ERR")"
}
R=(--config bare.conf -p bare --csc-ca "$ROOT")
refused "no token file" 78 'csc-token-file' "$ESEAL" seal "${R[@]}" --key "csc:$URL?credential=demo" \
	-o refused.xml in.xml
refused "missing token file" 78 'nonexistent' "$ESEAL" seal "${R[@]}" --key "csc:$URL?credential=demo" \
	--csc-token-file "$D/nonexistent" -o refused.xml in.xml
openssl rand -hex 24 >wrong-token
chmod 600 wrong-token
refused "wrong token" 78 'refused the client \(HTTP 401' "$ESEAL" seal "${R[@]}" --key "csc:$URL?credential=demo" \
	--csc-token-file wrong-token -o refused.xml in.xml
! grep -qF -- "$(cat wrong-token)" "$ERR" || fail "the wrong token is in the message"
refused "another client's credential" 78 'credentials/info.*credentialID' "$ESEAL" seal "${R[@]}" \
	--key "csc:$URL?credential=demo" --csc-token-file token-other -o refused.xml in.xml
refused "unknown credential" 78 'credentials/info' "$ESEAL" seal "${R[@]}" --key "csc:$URL?credential=nothing" \
	--csc-token-file token -o refused.xml in.xml
refused "plain http off loopback" 78 'https' "$ESEAL" seal "${R[@]}" \
	--key "csc:http://192.0.2.1:8080/csc/v2?credential=demo" --csc-token-file token -o refused.xml in.xml
refused "no credential" 78 'credential=ID' "$ESEAL" seal "${R[@]}" --key "csc:$URL" --csc-token-file token \
	-o refused.xml in.xml
# Without --csc-ca the system's anchors do not know the demo root: the service's certificate is refused.
refused "untrusted TLS server" 78 'TLS' "$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo" \
	--csc-token-file token -o refused.xml in.xml
pass "no/missing/wrong token, a foreign or unknown credential, plain http, no credential, untrusted TLS: 78, one line"

# --- a service that misbehaves: busy or garbage is 69 (retry later); a signature that does not verify is 78 --------
# misbehaving MODE: starts tests/server/csc_misbehaving.py in MODE; its csc: key in $MKEY.
misbehaving() {
	local d
	d=$(mktemp -d "$D/mis.XXXXXX")
	setsid python3 "$ESEAL_SRC/tests/server/csc_misbehaving.py" "$1" "$PKI/eseal.pem" "$d/port" </dev/null \
		>"$d/log" 2>&1 &
	echo "$!" >"$ESEAL_TMP_ROOT/mis-$1.pid"
	for i in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ] || fail "csc_misbehaving.py $1 did not start: $(cat "$d/log")"
	MKEY="csc:http://127.0.0.1:$(cat "$d/port")/csc/v2?credential=x"
}
M=(--config bare.conf -p bare --csc-token-file token -o refused.xml in.xml)
misbehaving info503
refused "HTTP 503" 69 'HTTP status 503: HSM busy \(retry later\)' "$ESEAL" seal --key "$MKEY" "${M[@]}"
misbehaving sign429
refused "HTTP 429 at signHash" 69 'signatures/signHash: HTTP status 429' "$ESEAL" seal --key "$MKEY" "${M[@]}"
misbehaving garbage
refused "not JSON" 69 'not a JSON object' "$ESEAL" seal --key "$MKEY" "${M[@]}"
misbehaving huge
refused "answer over 1 MiB" 69 'larger than' "$ESEAL" seal --key "$MKEY" "${M[@]}"
misbehaving badsig
refused "a signature that does not verify" 78 'does not verify' "$ESEAL" seal --key "$MKEY" "${M[@]}"
pass "service busy (503, 429), not JSON, over 1 MiB: 69; a signature the certificate does not verify: 78, no output"

# --- the service down: 69 (retry later) ------------------------------------------------------------------------------
kill -TERM "$PID_S"
for i in $(seq 100); do kill -0 "$PID_S" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PID_S" 2>/dev/null && fail "eseal serve did not stop"
refused "service down" 69 'unreachable.*retry later' "$ESEAL" seal --config client.conf -p remote -o refused.pdf \
	in.pdf
refused "service down (EC)" 69 'credentials/info: unreachable' "$ESEAL" seal --config client.conf -p remote-ec \
	-o refused.xml in.xml
pass "the service down: 69, retry later"

# --- the token is nowhere it should not be --------------------------------------------------------------------------
for f in S.log S.out audit.log batch.out batch.err "$OUT" "$ERR"; do
	! grep -qF -- "$TOKEN" "$f" || fail "the token is in $f"
done
pass "the token appears in no output and no log"
