#!/bin/bash
# tests/server/csc.sh: the CSC API v2 of `eseal serve` over HTTPS with curl, as the specification's flow goes: info,
# credentials/list, credentials/info, credentials/authorize, signatures/signHash with several hashes; every returned
# signature is checked by `openssl pkeyutl -verify` against the certificate credentials/info returned (RSA and ECDSA);
# a used-up or foreign SAD, another client's credential and a missing token are refused; signHash is audited.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"
make_certs

CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo --profile demo-ec
TOKEN=$(cat "$OUT")
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name other --profile demo-bb
TOKEN2=$(cat "$OUT")
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\n' "$CLIENTS" "$D"
	printf 'tls-cert = %s/server-chain.pem\ntls-key = %s/server.key\nwork-dir = %s\n\n' "$D" "$D" "$D"
	sed -n '/^\[profile demo\]$/,/^$/p; /^\[profile demo-bb\]$/,/^$/p; /^\[profile demo-ec\]$/,/^$/p' "$ESEAL_CONFIG"
} >csc.conf
start_server csc.conf S
URL=https://127.0.0.1:$PORT_S/csc/v2

# csc NAME METHOD JSON [TOKEN]: POSTs JSON to METHOD; the answer in NAME.json, the status in $CODE.
csc() {
	local auth=()
	[ -z "${4:-}" ] || auth=(-H "Authorization: Bearer $4")
	CODE=$(curl -sS --cacert "$ROOT" --max-time 60 -o "$1.json" -w '%{http_code}' "${auth[@]}" \
		-H 'Content-Type: application/json' --data-binary "$3" "$URL/$2") || fail "curl $2 failed"
}
# jq-like: py NAME EXPRESSION prints EXPRESSION evaluated on NAME.json as r.
py() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1.json"; }

csc info info '{}'
[ "$CODE" = 200 ] || fail "info: $CODE $(cat info.json)"
[ "$(py info 'r["specs"]')" = 2.0.0.2 ] || fail "info specs: $(cat info.json)"
py info '"signatures/signHash" in r["methods"] and "credentials/authorize" in r["methods"] and "1.2.840.113549.1.1.1" in r["signAlgorithms"]["algos"]' |
	grep -qx True || fail "info: $(cat info.json)"
pass "info: specs 2.0.0.2, methods, signAlgorithms"

csc list credentials/list '{"credentialInfo": true, "certificates": "chain", "certInfo": true, "authInfo": true}' "$TOKEN"
[ "$CODE" = 200 ] || fail "credentials/list: $CODE $(cat list.json)"
[ "$(py list '",".join(r["credentialIDs"])')" = demo,demo-ec ] || fail "credentials/list: $(cat list.json)"
[ "$(py list 'len(r["credentialInfos"][0]["cert"]["certificates"])')" = 2 ] || fail "chain: $(cat list.json)"
[ "$(py list 'r["credentialInfos"][1]["key"]["curve"]')" = 1.2.840.10045.3.1.7 ] || fail "EC curve: $(cat list.json)"
csc list2 credentials/list '{}' "$TOKEN2"
[ "$(py list2 '",".join(r["credentialIDs"]) + str("credentialInfos" in r)')" = demo-bbFalse ] ||
	fail "credentials/list of another client: $(cat list2.json)"
csc list3 credentials/list '{"onlyValid": true}' "$TOKEN"
[ "$(py list3 '",".join(r["credentialIDs"]) + str(r["onlyValid"])')" = demo,demo-ecTrue ] ||
	fail "credentials/list onlyValid: $(cat list3.json)"
pass "credentials/list: one credential per profile of the client, chain, EC curve OID"

# credential_cert NAME ID: credentials/info's certificate as PEM in ID.pem (and checks it is the token's certificate).
credential_cert() {
	csc "$1" credentials/info "{\"credentialID\": \"$2\", \"certInfo\": true, \"authInfo\": true}" "$TOKEN"
	[ "$CODE" = 200 ] || fail "credentials/info $2: $CODE $(cat "$1.json")"
	[ "$(py "$1" 'r["key"]["status"] + r["cert"]["status"] + r["auth"]["mode"]')" = enabledvalidimplicit ] ||
		fail "credentials/info $2: $(cat "$1.json")"
	py "$1" 'r["cert"]["certificates"][0]' | base64 -d | openssl x509 -inform DER -out "$2.pem" ||
		fail "credentials/info $2: no certificate"
	openssl x509 -in "$2.pem" -pubkey -noout >"$2.pub"
	openssl verify -CAfile "$ROOT" -untrusted "$CA" -purpose any "$2.pem" >/dev/null ||
		fail "the certificate of $2 does not chain to the demo root"
	[ "$(py "$1" 'r["cert"]["serialNumber"]')" = "$(openssl x509 -in "$2.pem" -noout -serial | cut -d= -f2)" ] ||
		fail "credentials/info $2: serialNumber"
}
credential_cert rsa demo
credential_cert ec demo-ec
openssl x509 -in demo.pem -noout -pubkey | cmp -s - <(openssl x509 -in "$PKI/eseal.pem" -noout -pubkey) ||
	fail "credential demo is not the fixture's eseal certificate"
pass "credentials/info: the token's certificates, status, serial, implicit authorization"

# sign_and_check ID SIGNALGO HASHOID DIGEST: authorize 3 signatures, signHash 3 digests, pkeyutl verifies each.
sign_and_check() {
	local id=$1 algo=$2 oid=$3 dg=$4 i hashes=
	for i in 1 2 3; do
		printf 'document %s %s %s' "$id" "$i" "$RANDOM" >"doc$i"
		openssl dgst "-$dg" -binary "doc$i" >"doc$i.$dg"
		hashes="$hashes${hashes:+, }\"$(base64 -w0 "doc$i.$dg")\""
	done
	csc auth credentials/authorize "{\"credentialID\": \"$id\", \"numSignatures\": 3}" "$TOKEN"
	[ "$CODE" = 200 ] || fail "authorize $id: $CODE $(cat auth.json)"
	SAD=$(py auth 'r["SAD"]')
	[ "$(py auth 'r["expiresIn"] > 0')" = True ] || fail "authorize: $(cat auth.json)"
	csc sig signatures/signHash "{\"credentialID\": \"$id\", \"SAD\": \"$SAD\", \"hashes\": [$hashes],
		\"hashAlgorithmOID\": \"$oid\", \"signAlgo\": \"$algo\"}" "$TOKEN"
	[ "$CODE" = 200 ] || fail "signHash $id: $CODE $(cat sig.json)"
	[ "$(py sig 'len(r["signatures"])')" = 3 ] || fail "signHash $id: $(cat sig.json)"
	for i in 1 2 3; do
		py sig "r['signatures'][$((i - 1))]" | base64 -d >"sig$i"
		openssl pkeyutl -verify -pubin -inkey "$id.pub" -in "doc$i.$dg" -sigfile "sig$i" -pkeyopt "digest:$dg" \
			>/dev/null || fail "openssl pkeyutl rejects signature $i of $id ($algo)"
	done
	# The signatures are in the order of the hashes: the first does not verify the second.
	openssl pkeyutl -verify -pubin -inkey "$id.pub" -in "doc2.$dg" -sigfile sig1 -pkeyopt "digest:$dg" \
		>/dev/null 2>&1 && fail "signature 1 verifies digest 2"
	# Used up: the SAD allowed three signatures.
	csc again signatures/signHash "{\"credentialID\": \"$id\", \"SAD\": \"$SAD\", \"hashes\": [$hashes],
		\"hashAlgorithmOID\": \"$oid\", \"signAlgo\": \"$algo\"}" "$TOKEN"
	[ "$CODE" = 400 ] && [ "$(py again 'r["error"]')" = invalid_request ] || fail "a used-up SAD: $CODE"
	return 0
}
sign_and_check demo 1.2.840.113549.1.1.1 2.16.840.1.101.3.4.2.1 sha256
sign_and_check demo 1.2.840.113549.1.1.12 2.16.840.1.101.3.4.2.2 sha384
sign_and_check demo-ec 1.2.840.10045.4.3.2 2.16.840.1.101.3.4.2.1 sha256
pass "authorize + signHash (3 hashes): RSA PKCS#1 sha256 and sha384, ECDSA P-256; openssl pkeyutl verifies each"

# --- refusals -------------------------------------------------------------------------------------------------------
H=$(base64 -w0 doc1.sha256)
csc auth credentials/authorize '{"credentialID": "demo", "numSignatures": 1}' "$TOKEN"
SAD=$(py auth 'r["SAD"]')
csc noauth signatures/signHash "{\"credentialID\": \"demo\", \"SAD\": \"$SAD\", \"hashes\": [\"$H\"], \"signAlgo\": \"1.2.840.113549.1.1.11\"}"
[ "$CODE" = 401 ] && [ "$(py noauth 'r["error"]')" = invalid_token ] || fail "signHash without a token: $CODE"
csc foreign signatures/signHash "{\"credentialID\": \"demo\", \"SAD\": \"$SAD\", \"hashes\": [\"$H\"], \"signAlgo\": \"1.2.840.113549.1.1.11\"}" "$TOKEN2"
[ "$CODE" = 400 ] || fail "another client's credential: $CODE $(cat foreign.json)"
csc short signatures/signHash "{\"credentialID\": \"demo\", \"SAD\": \"$SAD\", \"hashes\": [\"AAAA\"], \"signAlgo\": \"1.2.840.113549.1.1.11\"}" "$TOKEN"
[ "$CODE" = 400 ] || fail "a hash of the wrong length: $CODE $(cat short.json)"
csc ecalgo signatures/signHash "{\"credentialID\": \"demo\", \"SAD\": \"$SAD\", \"hashes\": [\"$H\"], \"signAlgo\": \"1.2.840.10045.4.3.2\"}" "$TOKEN"
[ "$CODE" = 400 ] || fail "an ECDSA signAlgo for an RSA key: $CODE $(cat ecalgo.json)"
csc bad credentials/info '{"credentialID": 5}' "$TOKEN"
[ "$CODE" = 400 ] || fail "credentialID not a string: $CODE"
csc garbage credentials/list 'not json' "$TOKEN"
[ "$CODE" = 400 ] || fail "a body that is not JSON: $CODE"
# The SAD survived the refusals above (they failed before it was used): it still signs once.
csc last signatures/signHash "{\"credentialID\": \"demo\", \"SAD\": \"$SAD\", \"hashes\": [\"$H\"], \"signAlgo\": \"1.2.840.113549.1.1.11\"}" "$TOKEN"
[ "$CODE" = 200 ] || fail "signHash with signAlgo sha256WithRSAEncryption: $CODE $(cat last.json)"
pass "401 without token, 400 for another client's credential, a bad hash, a foreign algorithm, bad JSON"

# --- audit: one signHash line per call with its digests -------------------------------------------------------------
python3 - audit.log "$(xxd -p -c 64 doc1.sha256)" <<'EOF' || fail "audit log: $(cat audit.log)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
calls = [l for l in lines if l["event"] == "signHash" and l["result"] == "ok"]
assert len(calls) == 4, calls
assert all(len(l["hashes"]) == 3 for l in calls[:3]), calls
assert calls[3]["hashes"] == [sys.argv[2]] and calls[3]["profile"] == "demo" and calls[3]["client"] == "app", calls[3]
assert {l["hash_algorithm"] for l in calls} == {"sha256", "sha384"}
EOF
kill -TERM "$PID_S"
wait "$PID_S" || fail "eseal serve did not exit 0"
pass "audit: every signHash call with its client, credential, digest algorithm and digests"
