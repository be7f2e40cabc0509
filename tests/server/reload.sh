#!/bin/bash
# tests/server/reload.sh: `eseal serve` rereads its clients file on SIGHUP: a client added since is served (its seal
# refereed by xmlsec1), one removed is refused (401), with its OAuth2 access tokens; a file naming a profile the
# service did not open at start is not taken (the old clients keep working, the new one is refused, the log says why).
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"

CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo-bb
APP=$(cat "$OUT")
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\nwork-dir = %s\n\n' \
		"$CLIENTS" "$D" "$D"
	sed -n '/^\[profile demo-bb\]$/,/^$/p; /^\[profile demo\]$/,/^$/p' "$ESEAL_CONFIG"
} >serve.conf
start_server serve.conf S
URL=http://127.0.0.1:$PORT_S
cp "$SAMPLES/documents/invoice-ubl.xml" in.xml

# seal NAME TOKEN: POSTs in.xml to /v1/seal?profile=demo-bb; the answer in NAME.out, the status in $CODE.
seal() {
	CODE=$(curl -sS -o "$1.out" -w '%{http_code}' -H "Authorization: Bearer $2" --data-binary @in.xml \
		"$URL/v1/seal?profile=demo-bb") || fail "curl failed"
}
# hup N: sends SIGHUP and waits for the Nth "SIGHUP:" line of the log.
hup() {
	kill -HUP "$PID_S"
	for i in $(seq 100); do
		[ "$(grep -c 'SIGHUP:' S.log)" -ge "$1" ] && return
		sleep 0.1
	done
	fail "no SIGHUP line in the log: $(cat S.log)"
}

seal a1 "$APP"
[ "$CODE" = 200 ] || fail "app before any reload: $CODE $(cat a1.out)"
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name late --profile demo-bb
LATE=$(cat "$OUT")
grep -q 'send eseal serve SIGHUP' "$ERR" || fail "client add does not say how to use the new client: $(cat "$ERR")"
seal l1 "$LATE"
[ "$CODE" = 401 ] || fail "a client added but not reloaded: $CODE"
# An access token of app, taken before app is removed.
printf 'grant_type=client_credentials&client_id=app&client_secret=%s' "$APP" >form
AT=$(curl -sS -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @form "$URL/csc/v2/oauth2/token" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || fail "no access token for app"
hup 1
grep -q 'SIGHUP: .*clients reloaded (2 clients)\|SIGHUP: .* reloaded (2 clients)' S.log || fail "reload log: $(cat S.log)"
seal l2 "$LATE"
[ "$CODE" = 200 ] || fail "the client added, after SIGHUP: $CODE $(cat l2.out)"
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" l2.out >/dev/null 2>&1 ||
	fail "xmlsec1 rejects the seal of the client added by SIGHUP"
grep -q '"client":"late".*"result":"ok"' audit.log || fail "the new client's seal is not audited"
seal a2 "$APP"
[ "$CODE" = 200 ] || fail "app, still listed, after SIGHUP: $CODE"
pass "a client added and SIGHUP: served (xmlsec1, audited); before SIGHUP: 401; the others unchanged"

grep -v '^app:' "$CLIENTS" >clients.new && mv clients.new "$CLIENTS"
hup 2
seal a3 "$APP"
[ "$CODE" = 401 ] || fail "a removed client after SIGHUP: $CODE"
CODE=$(curl -sS -o at.out -w '%{http_code}' -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' -d '{}' \
	"$URL/csc/v2/credentials/list")
[ "$CODE" = 401 ] || fail "the removed client's access token after SIGHUP: $CODE $(cat at.out)"
seal l3 "$LATE"
[ "$CODE" = 200 ] || fail "the remaining client after the second SIGHUP: $CODE"
pass "a client removed and SIGHUP: its token and its OAuth2 access token refused (401)"

# A profile the service did not open at start: the file is not taken, the old list stays.
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name wider --profile demo
WIDER=$(cat "$OUT")
hup 3
grep -q 'SIGHUP: .*client wider names profile demo, which this service did not open at start' S.log ||
	fail "no explanation for the refused reload: $(cat S.log)"
seal w1 "$WIDER"
[ "$CODE" = 401 ] || fail "a client of a refused reload: $CODE"
seal l4 "$LATE"
[ "$CODE" = 200 ] || fail "the old clients after a refused reload: $CODE"
kill -0 "$PID_S" || fail "the service died on SIGHUP"
pass "a clients file naming a profile not opened at start: not taken, the log says why, the old clients served"
