#!/bin/bash
# tests/server/readyz.sh: GET /readyz says whether the key can sign now, not only that it was logged in once: the
# token is reached through the fault shim (tests/cms/p11_fault.c), which answers C_GetSessionInfo with
# CKR_DEVICE_REMOVED while a file exists (the HSM gone under the running service): /readyz turns 503 with
# Retry-After and class hsm, /healthz stays 200, and /readyz is 200 again once the HSM is back.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"
P11FAULT=$ESEAL_BUILD/tests/cms/libp11fault.so
[ -f "$P11FAULT" ] || fail "the PKCS#11 fault shim $P11FAULT is not built"
export ESEAL_FAULT_REAL=$MODULE ESEAL_FAULT_GONE=$D/gone

expect_exit 0 "$ESEAL" client add --clients-file "$D/clients" --name app --profile demo-bb
TOKEN=$(cat "$OUT")
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s/clients\naudit-log = %s/audit.log\nwork-dir = %s\n\n' \
		"$D" "$D" "$D"
	sed -n '/^\[profile demo-bb\]$/,/^$/p' "$ESEAL_CONFIG" | sed "s|module-path=[^&;]*|module-path=$P11FAULT|"
} >serve.conf
grep -q "module-path=$P11FAULT" serve.conf || fail "the profile does not go through the shim: $(cat serve.conf)"
start_server serve.conf S
URL=http://127.0.0.1:$PORT_S

# get NAME PATH: GET URL/PATH; the body in NAME.json, the status in $CODE, the headers in NAME.h.
get() { CODE=$(curl -sS -D "$1.h" -o "$1.json" -w '%{http_code}' "$URL/$2") || fail "curl $2 failed"; }
# ready_is CODE NAME: polls /readyz until it answers CODE (the answer is cached for 2 s), at most 10 s.
ready_is() {
	for i in $(seq 50); do
		get "$2" readyz
		[ "$CODE" = "$1" ] && return
		sleep 0.2
	done
	fail "/readyz answers $CODE, not $1: $(cat "$2.json")"
}

ready_is 200 r1
grep -q '"status":"ready"' r1.json || fail "/readyz: $(cat r1.json)"
touch gone
ready_is 503 r2
grep -q '"class":"hsm"' r2.json && grep -q 'does not answer: CKR_DEVICE_REMOVED' r2.json ||
	fail "/readyz with the HSM gone: $(cat r2.json)"
grep -qi '^Retry-After: ' r2.h || fail "/readyz 503 without Retry-After: $(cat r2.h)"
get h1 healthz
[ "$CODE" = 200 ] || fail "/healthz with the HSM gone: $CODE"
pass "the HSM gone under the service: /readyz 503 (class hsm, CKR_DEVICE_REMOVED, Retry-After), /healthz 200"

rm gone
ready_is 200 r3
CODE=$(curl -sS -o s.out -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	--data-binary @"$SAMPLES/documents/invoice-ubl.xml" "$URL/v1/seal?profile=demo-bb")
[ "$CODE" = 200 ] || fail "sealing after the HSM came back: $CODE $(cat s.out)"
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" s.out >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the seal made after the HSM came back"
pass "the HSM back: /readyz 200 again, a seal (xmlsec1)"
