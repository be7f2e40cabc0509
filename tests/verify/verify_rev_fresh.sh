#!/bin/bash
# tests/verify/verify_rev_fresh.sh: revocation data carried in a PDF's DSS counts only when fresh (ETSI EN 319 102-1):
# issued at or after the seal's proof of existence (its time-stamp's genTime), or else still valid at the validation
# time. Offline, an OCSP response past its nextUpdate in a B-B seal, or a CRL that expired before the B-T seal was
# made, leave the status unknown (INDETERMINATE/TRY_LATER naming the stale data), where they used to give TOTAL-PASSED;
# a CRL issued after the time-stamp still serves a validation after its nextUpdate, but not for a B-B seal.
# Stale data is made by OpenSSL itself under faketime (responder and CA clocks set back). Referees: `openssl ocsp
# -respin` says "status expired" / accepts the fresh response, `openssl crl -text` and `openssl verify -crl_check`
# show the CRL's dates (expired, not yet valid).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
PDF=$SAMPLES/documents/japanese.pdf
LTA="python3 $ESEAL_SRC/tests/verify/pdf_lta.py"
command -v faketime >/dev/null || fail "faketime is needed (Debian package faketime)"
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

"$ESEAL" seal -p demo-bb -o "$D/bb.pdf" "$PDF"
"$ESEAL" seal -p demo -o "$D/bt.pdf" "$PDF"

# --- OCSP responses for the e-Seal certificate, from the CA database by `openssl ocsp` as responder: one made with
# its clock two hours back and valid 114 minutes (so it expired 6 minutes ago: past the 5-minute leeway), one now.
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -no_nonce -reqout "$D/req.der"
ocsp_reply() { # OUT [faketime offset] ; valid for $NMIN minutes from its (faked) time
	local out=$1
	shift
	"$@" openssl ocsp -index "$PKI/ca/index.txt" -CA "$CA" -rsigner "$PKI/ocsp.pem" -rkey "$PKI/ocsp.key" \
		-reqin "$D/req.der" -respout "$out" -nmin "$NMIN" >/dev/null 2>&1 || fail "openssl ocsp could not answer"
}
NMIN=114 ocsp_reply "$D/ocsp-stale.der" faketime -f -2h
NMIN=60 ocsp_reply "$D/ocsp-fresh.der"
# Referee: OpenSSL's own check of the responses' validity period.
openssl ocsp -respin "$D/ocsp-stale.der" -issuer "$CA" -cert "$PKI/eseal.pem" -CAfile "$ROOT" >"$D/stale.txt" 2>&1 || true
assert_grep "^good$" "$D/stale.txt"
assert_grep "status expired" "$D/stale.txt"
openssl ocsp -respin "$D/ocsp-fresh.der" -issuer "$CA" -cert "$PKI/eseal.pem" -CAfile "$ROOT" >"$D/fresh.txt" 2>&1 ||
	fail "referee rejects the fresh response: $(cat "$D/fresh.txt")"
grep -q "Status times invalid" "$D/fresh.txt" && fail "referee: the fresh response should be in its validity period"
pass "referee openssl ocsp: the 2-hours-old response (nextUpdate 6 min ago) is expired, the new one is valid"

# --- B-B seal with the stale response in its DSS: nothing proves the seal existed while the response was fresh
$LTA dss "$D/bb.pdf" "$D/bb-ocsp-stale.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --ocsp "$D/ocsp-stale.der"
verify_json 2 "$D/bb-ocsp-stale.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER \
	"signing certificate unknown: offline, and the revocation data the file carries for it is not usable: the OCSP response carried in the file is not fresh \\(issued .*, next update .*\\): not valid at the validation time"
# Online the responder is asked instead, and answers good.
verify_json 0 "$D/bb-ocsp-stale.pdf"
expect_seal 0 TOTAL-PASSED None
$LTA dss "$D/bb.pdf" "$D/bb-ocsp-fresh.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --ocsp "$D/ocsp-fresh.der"
verify_json 0 "$D/bb-ocsp-fresh.pdf" --offline
expect_seal 0 TOTAL-PASSED None
pass "B-B, --offline: an expired carried OCSP response is ignored (INDETERMINATE/TRY_LATER); online or fresh: PASSED"

# --- CRLs of the issuing CA (gencrl: lib.sh)
gencrl "$D" "$D/crl-stale.der" 1 faketime -f -2h # thisUpdate 2 h ago, nextUpdate 1 h ago
gencrl "$D" "$D/crl-later.der" 1 faketime -f +1h # thisUpdate in 1 h (after the seals' time-stamps), nextUpdate in 2 h
crl_time() { date -u -d "$(openssl crl -inform DER -in "$1" -noout "-$2" | cut -d= -f2)" +%s; }
[ "$(crl_time "$D/crl-stale.der" nextupdate)" -lt $((now - 3000)) ] ||
	fail "referee openssl crl: the stale CRL's nextUpdate is not in the past: $(openssl crl -inform DER -in "$D/crl-stale.der" -noout -nextupdate)"
[ "$(crl_time "$D/crl-later.der" lastupdate)" -gt $((now + 3000)) ] || fail "the later CRL's thisUpdate is not ahead"
openssl verify -crl_check -CAfile "$ROOT" -untrusted "$CA" -CRLfile "$D/crl-stale.der.pem" "$PKI/eseal.pem" \
	>"$D/v.txt" 2>&1 && fail "referee openssl verify accepts the stale CRL: $(cat "$D/v.txt")"
assert_grep "CRL has expired" "$D/v.txt"
pass "referee openssl crl/verify: the stale CRL expired an hour ago; the other is issued an hour ahead"

# --- B-T seal with the stale CRL (issued before its time-stamp, expired now) in its DSS: neither the signer's nor
# the TSA's status is known offline; online the responder decides.
$LTA dss "$D/bt.pdf" "$D/bt-crl-stale.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$D/crl-stale.der"
verify_json 2 "$D/bt-crl-stale.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER \
	"the CRL carried in the file is not fresh \\(issued .*\\): issued before the time-stamp .* and not valid at the validation time"
errors_match 0 "revocation status of its TSA certificate .*eseal Demo TSA.* unknown: .*CRL carried in the file is not fresh"
verify_json 0 "$D/bt-crl-stale.pdf"
expect_seal 0 TOTAL-PASSED None
# The fixture's CRL (issued at set-up, valid 30 days) still serves while it is valid.
$LTA dss "$D/bt.pdf" "$D/bt-crl.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$CRL"
verify_json 0 "$D/bt-crl.pdf" --offline
expect_seal 0 TOTAL-PASSED None
pass "B-T, --offline: a CRL that expired before validation and predates the time-stamp is ignored; a valid one serves"

# --- proof of existence: a CRL issued after the time-stamp shows the status after the seal existed, so it serves a
# validation after its nextUpdate (B-LT is for that); for a B-B seal nothing says it was made before the CRL.
at=@$((now + 3 * 3600))
$LTA dss "$D/bt.pdf" "$D/bt-crl-later.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$D/crl-later.der" \
	$(lt_fresh "$D" root-only)
verify_json 0 "$D/bt-crl-later.pdf" --offline --at "$at"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "B-T + DSS: level $(jf "d['seals'][0]['level']"), want B-LT"
$LTA dss "$D/bb.pdf" "$D/bb-crl-later.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$D/crl-later.der"
verify_json 2 "$D/bb-crl-later.pdf" --offline --at "$at"
expect_seal 0 INDETERMINATE TRY_LATER \
	"CRL carried in the file is not fresh .*not valid at the validation time $(iso $((now + 3 * 3600))) and no time-stamp"
# Validated before it was issued, a CRL cannot speak for that time.
verify_json 2 "$D/bt-crl-later.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER "CRL carried in the file is not fresh .*: issued after the validation time"
pass "a CRL issued after the time-stamp serves a validation 3 h later (after its nextUpdate); not for B-B, not before it was issued"
