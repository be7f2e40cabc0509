#!/bin/bash
# tests/server/csc_oauth2.sh: OAuth2 client credentials on both sides of the CSC API v2: with curl as the
# specification's flow goes (info advertises oauth2client, oauth2/token gives a Bearer access token, which lists,
# authorizes and signs, checked by openssl pkeyutl; HTTP Basic client authentication too); a wrong secret, an
# unknown client, another grant, a JSON body refused as RFC 6749 says; an access token refused once it expires. Then
# `eseal seal` with csc-client-id + csc-client-secret-file (xmlsec1, pdfsig), a wrong secret (78, one line, no
# secret), the secret never in ps; a token renewed when it expires and when the service forgets it (401).
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"
make_certs

CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo-bb
install -m 600 "$OUT" secret
SECRET=$(cat secret)
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name other --profile demo-bb
install -m 600 "$OUT" secret-other
# conf FILE LIFETIME [TLS]: a service configuration whose access tokens live LIFETIME seconds.
conf() {
	{
		printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\n' "$CLIENTS" "$D"
		printf 'work-dir = %s\naccess-token-lifetime = %s\n' "$D" "$2"
		[ -z "${3:-}" ] || printf 'tls-cert = %s/server-chain.pem\ntls-key = %s/server.key\n' "$D" "$D"
		echo
		sed -n '/^\[profile demo-bb\]$/,/^$/p' "$ESEAL_CONFIG"
	} >"$1"
}
conf tls.conf 120 tls
start_server tls.conf S
URL=https://127.0.0.1:$PORT_S/csc/v2

# post NAME PATH [curl args...]: POSTs to URL/PATH; the answer in NAME.json, the status in $CODE.
post() {
	local name=$1 path=$2
	shift 2
	CODE=$(curl -sS --cacert "$ROOT" --max-time 60 -o "$name.json" -w '%{http_code}' "$@" "$URL/$path") ||
		fail "curl $path failed"
}
py() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1.json"; }

# --- the specification's flow, with curl ----------------------------------------------------------------------------
post info info -H 'Content-Type: application/json' -d '{}'
python3 -c '
import json, sys
r = json.load(open("info.json"))
assert "oauth2client" in r["authType"] and r["oauth2"] == sys.argv[1] and "oauth2/token" in r["methods"], r' "$URL" ||
	fail "info does not advertise oauth2client at $URL: $(cat info.json)"
# The secret goes in the form body, read from a file: never on a command line.
printf 'grant_type=client_credentials&client_id=app&client_secret=%s' "$SECRET" >form
post tok oauth2/token -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @form
[ "$CODE" = 200 ] || fail "oauth2/token: $CODE $(cat tok.json)"
[ "$(py tok 'r["token_type"] + " " + str(r["expires_in"])')" = "Bearer 120" ] || fail "oauth2/token: $(cat tok.json)"
AT=$(py tok 'r["access_token"]')
[ "${#AT}" -ge 40 ] && [ "$AT" != "$SECRET" ] || fail "the access token is not a new random token: $AT"
grep -qF -- "$AT" audit.log tls.conf "$CLIENTS" S.log && fail "the access token is stored in clear"
B=(-H "Authorization: Bearer $AT" -H 'Content-Type: application/json')
post list credentials/list "${B[@]}" -d '{}'
[ "$CODE" = 200 ] && [ "$(py list '",".join(r["credentialIDs"])')" = demo-bb ] ||
	fail "credentials/list with the access token: $CODE $(cat list.json)"
post cinfo credentials/info "${B[@]}" -d '{"credentialID":"demo-bb","certificates":"single"}'
py cinfo 'r["cert"]["certificates"][0]' | base64 -d | openssl x509 -inform DER -pubkey -noout >demo.pub ||
	fail "credentials/info with the access token: $(cat cinfo.json)"
printf 'a document %s' "$RANDOM" >doc
H=$(openssl dgst -sha256 -binary doc | base64)
post auth credentials/authorize "${B[@]}" -d '{"credentialID":"demo-bb","numSignatures":1}'
SAD=$(py auth 'r["SAD"]') || fail "credentials/authorize with the access token: $CODE $(cat auth.json)"
post sig signatures/signHash "${B[@]}" -d "{\"credentialID\":\"demo-bb\",\"SAD\":\"$SAD\",\"hashes\":[\"$H\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}"
[ "$CODE" = 200 ] || fail "signHash with the access token: $CODE $(cat sig.json)"
py sig 'r["signatures"][0]' | base64 -d >doc.sig
openssl dgst -sha256 -binary doc >doc.dgst
openssl pkeyutl -verify -pubin -inkey demo.pub -in doc.dgst -sigfile doc.sig -pkeyopt digest:sha256 >/dev/null ||
	fail "openssl pkeyutl rejects the signature made with the access token"
grep -q '"event":"signHash","client":"app"' audit.log || fail "the signHash is not audited under client app"
# HTTP Basic client authentication (RFC 6749 section 2.3.1), the credentials from a curl config file.
printf 'user = "app:%s"\n' "$SECRET" >basic.curlrc
post tok2 oauth2/token -K basic.curlrc -H 'Content-Type: application/x-www-form-urlencoded' \
	-d 'grant_type=client_credentials'
[ "$CODE" = 200 ] && [ "$(py tok2 'r["token_type"]')" = Bearer ] || fail "oauth2/token with Basic: $CODE $(cat tok2.json)"
pass "curl: info advertises oauth2client; oauth2/token (form body, and Basic) gives a Bearer token that lists, authorizes and signs (pkeyutl)"

# --- refusals (RFC 6749 section 5.2) --------------------------------------------------------------------------------
# refused_token NAME CODE ERROR BODY [curl args]
refused_token() {
	local name=$1 code=$2 error=$3 body=$4
	shift 4
	printf '%s' "$body" >form
	post "$name" oauth2/token -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @form "$@"
	[ "$CODE" = "$code" ] && [ "$(py "$name" 'r["error"]')" = "$error" ] ||
		fail "oauth2/token $name: $CODE $(cat "$name.json") (expected $code $error)"
	! grep -q access_token "$name.json" || fail "oauth2/token $name gave a token"
}
refused_token wrong 401 invalid_client "grant_type=client_credentials&client_id=app&client_secret=${SECRET}x"
refused_token foreign 401 invalid_client "grant_type=client_credentials&client_id=app&client_secret=$(cat secret-other)"
refused_token unknown 401 invalid_client "grant_type=client_credentials&client_id=nobody&client_secret=$SECRET"
refused_token nosecret 401 invalid_client "grant_type=client_credentials&client_id=app"
refused_token grant 400 unsupported_grant_type "grant_type=password&client_id=app&client_secret=$SECRET"
refused_token twice 400 invalid_request "grant_type=client_credentials&client_id=app&client_id=app&client_secret=$SECRET"
printf '{"grant_type":"client_credentials","client_id":"app","client_secret":"%s"}' "$SECRET" >form.json
post json oauth2/token -H 'Content-Type: application/json' --data-binary @form.json
[ "$CODE" = 400 ] || fail "oauth2/token with a JSON body: $CODE"
post bad credentials/list -H "Authorization: Bearer eseal_at_${AT#eseal_at_}x" -H 'Content-Type: application/json' -d '{}'
[ "$CODE" = 401 ] || fail "a made-up access token: $CODE"
grep -qF -- "$SECRET" S.log audit.log && fail "the secret is in the service's log"
pass "wrong or foreign secret, unknown client, no secret: 401 invalid_client; other grant, doubled parameter, JSON: 400; a made-up access token: 401"

# --- eseal seal with client credentials -----------------------------------------------------------------------------
cat >client.conf <<CONF
[profile remote]
key = csc:$URL?credential=demo-bb
csc-client-id = app
csc-client-secret-file = $D/secret
csc-ca = $ROOT
level = B-B
CONF
cp "$SAMPLES/documents/invoice-ubl.xml" in.xml
cp "$SAMPLES/documents/report.pdf" in.pdf
expect_exit 0 "$ESEAL" seal --config client.conf -p remote -o sealed.xml in.xml
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" sealed.xml >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the XML sealed with client credentials"
expect_exit 0 "$ESEAL" seal --config client.conf -p remote -o sealed.pdf in.pdf
pdfsig_check sealed.pdf 1 whole
# From the command line, the secret still from a file; watched through ps.
printf '[profile bare]\nlevel = B-B\n' >bare.conf
"$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo-bb" --csc-client-id app \
	--csc-client-secret-file secret --csc-ca "$ROOT" -o cli.xml in.xml >cli.out 2>cli.err &
P=$!
while kill -0 "$P" 2>/dev/null; do
	ps -eo args >ps.txt
	grep -qFf secret ps.txt && fail "the secret is visible in ps"
done
wait "$P" || fail "seal with --csc-client-id failed: $(cat cli.err)"
pass "eseal seal with csc-client-id + csc-client-secret-file: XML (xmlsec1), PDF (pdfsig); the secret never in ps"

printf '%sx\n' "$SECRET" >wrong-secret
chmod 600 wrong-secret
expect_exit 78 "$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo-bb" --csc-client-id app \
	--csc-client-secret-file wrong-secret --csc-ca "$ROOT" -o refused.xml in.xml
[ "$(wc -l <"$ERR")" = 1 ] && grep -q 'oauth2/token: the service refused the client credentials (HTTP 401' "$ERR" ||
	fail "a wrong secret: $(cat "$ERR")"
! grep -qF -- "$SECRET" "$ERR" "$OUT" || fail "the secret is in the message"
[ ! -e refused.xml ] || fail "a wrong secret wrote an output"
echo "  wrong secret: $(cat "$ERR")"
expect_exit 78 "$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo-bb" --csc-client-id app \
	--csc-ca "$ROOT" -o refused.xml in.xml
grep -q 'need both csc-client-id and csc-client-secret-file' "$ERR" || fail "a client id alone: $(cat "$ERR")"
expect_exit 78 "$ESEAL" seal --config bare.conf -p bare --key "csc:$URL?credential=demo-bb" --csc-client-id app \
	--csc-client-secret-file secret --csc-token-file secret --csc-ca "$ROOT" -o refused.xml in.xml
grep -q 'either a token file or client credentials' "$ERR" || fail "token file and client id: $(cat "$ERR")"
pass "a wrong secret: 78, one line naming oauth2/token and HTTP 401, no secret, no output; half or doubled credentials: 78"

# --- expiry and renewal: a token about to expire is replaced; one the service forgot (401) is replaced and the call
# repeated. A service whose access tokens live 4 s, over plain HTTP on loopback. ---------------------------------------
conf plain.conf 4
start_server plain.conf P
printf 'grant_type=client_credentials&client_id=app&client_secret=%s' "$SECRET" >form
CODE=$(curl -sS -o short.json -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary @form "http://127.0.0.1:$PORT_P/csc/v2/oauth2/token")
[ "$CODE" = 200 ] && [ "$(py short 'r["expires_in"]')" = 4 ] || fail "oauth2/token (4 s): $CODE $(cat short.json)"
sleep 5
CODE=$(curl -sS -o expired.json -w '%{http_code}' -H "Authorization: Bearer $(py short 'r["access_token"]')" \
	-H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$PORT_P/csc/v2/credentials/list")
[ "$CODE" = 401 ] || fail "an expired access token: $CODE $(cat expired.json)"
pass "an access token past its expires_in: 401"
mkdir -p many
for i in $(seq 30); do printf '<doc n="%s">%s</doc>\n' "$i" "$RANDOM" >"many/d$i.xml"; done
setsid python3 "$ESEAL_SRC/tests/server/csc_forgetful.py" "$PORT_P" 6 relay.port relay.log </dev/null >relay.out 2>&1 &
echo "$!" >"$ESEAL_TMP_ROOT/relay.pid"
for i in $(seq 100); do
	[ -s relay.port ] && break
	sleep 0.05
done
[ -s relay.port ] || fail "csc_forgetful.py did not start: $(cat relay.out)"
cat >relay.conf <<CONF
[profile relay]
key = csc:http://127.0.0.1:$(cat relay.port)/csc/v2?credential=demo-bb
csc-client-id = app
csc-client-secret-file = $D/secret
level = B-B
CONF
start=$(date +%s)
expect_exit 0 timeout 150 "$ESEAL" seal --config relay.conf -p relay -j 1 --out-dir out many/*.xml
took=$(($(date +%s) - start))
[ "$(find out -name '*.xml' | wc -l)" = 30 ] || fail "the renewal batch wrote $(find out -name '*.xml' | wc -l) of 30"
for f in $(find out -name '*.xml' | head -5); do
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" "$f" >/dev/null 2>&1 || fail "xmlsec1 rejects $f"
done
grants=$(grep -c '^/csc/v2/oauth2/token 200' relay.log)
forgotten=$(grep -c ' 401$' relay.log)
[ "$forgotten" = 1 ] || fail "the relay refused $forgotten requests (expected the forgotten token once): $(sort relay.log | uniq -c)"
# One token at the start, one after the 401, and one more each time a token came within 1 s of its 4 s.
[ "$grants" -ge 2 ] || fail "$grants access tokens fetched in a ${took}s batch"
[ "$took" -lt 5 ] || [ "$grants" -ge 3 ] || fail "$grants access tokens in ${took}s with 4 s tokens: none renewed before expiry"
pass "30 documents in ${took}s with 4 s access tokens: $grants tokens fetched, the forgotten one (401) replaced and the call repeated"
