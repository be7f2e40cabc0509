#!/bin/bash
# tests/cli/extend_time_travel.sh: long-term seals verified offline three years on (--at), when the e-Seal
# certificate and the fixture's TSA certificate (two years) have expired: a B-T seal no longer passes; a B-LTA seal
# whose archive time-stamp came from that TSA does not either (INDETERMINATE/OUT_OF_BOUNDS_NO_POE, "should have been
# extended before", renew_by = that TSA certificate's expiry); renewed with `eseal extend` by a TSA whose certificate
# lives four years, it passes again, renew_by moved on. PDF and CAdES. Referees: pdfsig, qpdf --check, openssl ts
# -verify over the newest document time-stamp, openssl cms -verify -cades.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
AT=$(date -u -d '+3 years' +%Y-%m-%d)
TSA_END=$(date -u -d "$(openssl x509 -in "$PKI/tsa.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)

# A TSA certificate of the demo CA valid four years (the CA's database records it, so its OCSP responder knows it).
demo_tsa_cert "Long TSA" 4 "$D/tsa4.key" "$D/tsa4.pem"
TSA4=$(start_tsa ok --signer "$D/tsa4.pem" "$D/tsa4.key")
TSA4_END=$(date -u -d "$(openssl x509 -in "$D/tsa4.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)

cp "$SAMPLES/documents/report.pdf" "$D/report.pdf"
printf 'bill of quantities, lot 7\n' >"$D/boq.txt"
"$ESEAL" seal -p demo -o "$D/bt.pdf" "$D/report.pdf"
"$ESEAL" seal -p demo --format cades -o "$D/boq.txt.p7s" "$D/boq.txt"
publish_crl root

# Three years on, a B-T seal proves nothing offline: no validation data, and its time-stamp's TSA has expired.
verify_json 2 "$D/bt.pdf" --offline --at "$AT"
verify_json 2 "$D/boq.txt.p7s" --offline --at "$AT"
pass "B-T three years on, offline: INDETERMINATE"

# Each generation in its own directory, the CAdES data file beside its .p7s (where extend and verify look for it).
mkdir "$D/lta" "$D/renewed"
cp "$D/boq.txt" "$D/lta/"
cp "$D/boq.txt" "$D/renewed/"
for f in bt.pdf boq.txt.p7s; do
	"$ESEAL" extend -p demo --level B-LTA -o "$D/lta/$f" "$D/$f"
	verify_json 0 "$D/lta/$f" --offline
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f: B-LTA today: $(head -c 800 "$OUT")"
	[ "$(jf "d['seals'][0]['renew_by']")" = "$TSA_END" ] || fail "$f: renew_by $(jf "d['seals'][0]['renew_by']") is not $TSA_END"
	verify_json 2 "$D/lta/$f" --offline --at "$AT"
	expect_seal 0 INDETERMINATE OUT_OF_BOUNDS_NO_POE "should have been extended \\(eseal extend\\) before"
done
pass "B-LTA by a TSA whose certificate expires in two years: passes today, three years on INDETERMINATE, renew_by said so"

publish_crl root
for f in bt.pdf boq.txt.p7s; do
	"$ESEAL" extend -p demo --level B-LTA --tsa "$TSA4" -o "$D/renewed/$f" "$D/lta/$f"
	# Offline, nothing can say the newest time-stamp's TSA was not revoked since: it is trusted directly, as an EU
	# trusted list lists TSA units (without that, the document time-stamp is INDETERMINATE/TRY_LATER offline).
	verify_json 0 "$D/renewed/$f" --offline --at "$AT" --trust "$D/tsa4.pem"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f renewed: $(head -c 800 "$OUT")"
	[ "$(jf "d['seals'][0]['renew_by']")" = "$TSA4_END" ] || fail "$f: renew_by $(jf "d['seals'][0]['renew_by']") is not $TSA4_END"
	[ "$(jf "d['seals'][0]['best_signature_time'] == d['seals'][0]['timestamp_time']")" = True ] ||
		fail "$f: the best signature time is the signature time-stamp's: $(head -c 800 "$OUT")"
done
qpdf --check "$D/renewed/bt.pdf" >/dev/null || fail "qpdf --check"
pdfsig_lta "$D/renewed/bt.pdf" 1 2
openssl cms -verify -cades -binary -inform DER -in "$D/renewed/boq.txt.p7s" -content "$D/boq.txt" -CAfile "$ROOT" \
	-purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify -cades rejects the renewed .p7s"
pass "renewed by the four-year TSA: TOTAL-PASSED B-LTA three years on, renew_by its expiry; pdfsig, qpdf, openssl cms agree"
