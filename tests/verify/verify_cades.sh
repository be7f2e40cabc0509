#!/bin/bash
# tests/verify/verify_cades.sh: `eseal verify` on detached CAdES: our .p7s (B-B, B-T, EC) and `openssl cms -sign
# -cades` pass (openssl cms -verify referees them); changed data, missing data, a time-stamp over another signature,
# an untrusted root and a revoked certificate are reported; --data and the "file beside it" rule.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
SWAP=$ESEAL_BUILD/tests/verify/cms_tst_swap
printf 'site report 2026-11: concrete pour complete\n' >"$D/report.txt"
printf 'another document\n' >"$D/other.txt"

"$ESEAL" seal -p demo --format cades -o "$D/report.txt.p7s" "$D/report.txt"
"$ESEAL" seal -p demo-bb --format cades -o "$D/bb.p7s" "$D/report.txt"
"$ESEAL" seal -p demo-ec --format cades -o "$D/ec.p7s" "$D/report.txt"
"$ESEAL" seal -p demo --format cades -o "$D/other.txt.p7s" "$D/other.txt"
openssl cms -verify -cades -binary -inform DER -in "$D/report.txt.p7s" -content "$D/report.txt" -CAfile "$ROOT" \
	-purpose any -out /dev/null 2>/dev/null || fail "referee openssl cms rejects our .p7s"

verify_json 0 "$D/report.txt.p7s"   # data found beside it
expect_fields
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['format']")" = CAdES ] || fail format
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "level B-T"
verify_json 0 "$D/bb.p7s" --data "$D/report.txt"
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "level B-B"
verify_json 0 "$D/ec.p7s" --data "$D/report.txt"
pass "own CAdES B-T (data beside), B-B and EC (--data): TOTAL-PASSED"

openssl cms -sign -cades -binary -outform DER -in "$D/report.txt" -signer "$PKI/dev-eseal.pem" -inkey "$DEV_KEY" \
	-certfile "$CA" -md sha256 -out "$D/openssl.p7s"
openssl cms -verify -cades -binary -inform DER -in "$D/openssl.p7s" -content "$D/report.txt" -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "referee"
verify_json 0 "$D/openssl.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "openssl -cades is B-B"
pass "openssl cms -sign -cades: TOTAL-PASSED"

verify_json 1 "$D/report.txt.p7s" --data "$D/other.txt"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "changed after sealing"
pass "changed data: TOTAL-FAILED/HASH_FAILURE"

verify_json 2 "$D/bb.p7s"
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "the data file must be given"
# The report speaks of the library; the command line names its flag.
assert_grep "bb.p7s: give the signed data with --data FILE" "$ERR"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "no data file: covers_whole_document must be false"
pass "no data file: INDETERMINATE/SIGNED_DATA_NOT_FOUND"

"$SWAP" "$D/report.txt.p7s" "$D/other.txt.p7s" "$D/swapped.p7s"
verify_json 1 "$D/swapped.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "time-stamp"
pass "time-stamp over a different signature: TOTAL-FAILED/HASH_FAILURE"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/o.key" -subj "/CN=Other Root" -days 2 -out "$D/other-root.pem" \
	2>/dev/null
expect_exit 2 "$ESEAL" verify --json --trust "$D/other-root.pem" "$D/report.txt.p7s"
expect_seal 0 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND
pass "untrusted root: INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"

"$ESEAL" seal -p demo --format cades --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked.p7s" \
	"$D/report.txt"
verify_json 1 "$D/revoked.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-FAILED REVOKED "revoked"
pass "revoked certificate: TOTAL-FAILED/REVOKED"

# Several files: the exit status is the worst; one JSON object per file.
cp "$D/report.txt" "$D/r2.txt"
cp "$D/swapped.p7s" "$D/r2.txt.p7s"
expect_exit 1 "$ESEAL" verify --json --trust "$ROOT" "$D/report.txt.p7s" "$D/r2.txt.p7s" "$D/bb.p7s"
[ "$(wc -l <"$OUT")" = 3 ] || fail "one JSON line per file"
expect_exit 2 "$ESEAL" verify --json --trust "$ROOT" "$D/report.txt.p7s" "$D/bb.p7s"
pass "several files: worst exit status, one JSON object each"
