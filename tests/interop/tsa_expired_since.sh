#!/bin/bash
# tests/interop/tsa_expired_since.sh: time-stamps and OCSP responses whose TSA or responder certificate has expired
# since they were made, judged with the real clock moved on (faketime) as past validation judges them (ETSI EN 319
# 102-1: the certificate at the time the token speaks for, its expiry weighed against proofs of existence), not voided
# by today's date; and the siblings made after the certificate expired still prove nothing. Referees: `openssl ts
# -verify` (refuses the token at the later clock, accepts it with -attime), `openssl ocsp -respin`, pdfsig, qpdf.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
command -v faketime >/dev/null || fail "faketime is needed (Debian package faketime)"
D=$(tmpdir)
# The real clock moved on: OFFSET for faketime (libfaketime preloaded behind the sanitizer runtime of a dev build).
later() {
	local off=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f "$off" "$@"
}

demo_tsa_cert "One-year TSA" 1 "$D/tsa1.key" "$D/tsa1.pem"
demo_tsa_cert "Long TSA" 4 "$D/tsa4.key" "$D/tsa4.pem"
TSA1=$(start_tsa ok --signer "$D/tsa1.pem" "$D/tsa1.key")
TSA4=$(start_tsa ok --signer "$D/tsa4.pem" "$D/tsa4.key")

# --- B-T by the one-year TSA, extended today to B-LTA by the four-year TSA.
cp "$SAMPLES/documents/report.pdf" "$D/report.pdf"
printf 'bill of quantities, lot 9\n' >"$D/boq.txt"
"$ESEAL" seal -p demo --tsa "$TSA1" -o "$D/bt.pdf" "$D/report.pdf"
"$ESEAL" seal -p demo --tsa "$TSA1" --format cades -o "$D/boq.txt.p7s" "$D/boq.txt"
publish_crl root
mkdir "$D/lta"
cp "$D/boq.txt" "$D/lta/"
for f in bt.pdf boq.txt.p7s; do
	"$ESEAL" extend -p demo --level B-LTA --tsa "$TSA4" -o "$D/lta/$f" "$D/$f"
done
qpdf --check "$D/lta/bt.pdf" >/dev/null || fail "qpdf --check"
NOW=$(date -u +%s) # after every certificate and token made above
TODAY=$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ)
pdfsig_lta "$D/lta/bt.pdf" 1 1

# Referee: OpenSSL judges the signature time-stamp's TSA certificate at its clock: valid today, expired 400 days on,
# valid again when asked about the time it was made (-attime).
python3 "$ESEAL_SRC/tests/lib/cms_tst.py" "$D/lta/boq.txt.p7s" --signature "$D/sig.bin" --token "$D/tst.der"
ts_verify() {
	"$@" openssl ts -verify -data "$D/sig.bin" -in "$D/tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" \
		>"$D/ts.txt" 2>&1
}
ts_verify || fail "openssl ts -verify rejects the one-year TSA's token today: $(cat "$D/ts.txt")"
ts_verify later +400d && fail "openssl ts -verify accepts the token 400 days on: the TSA certificate has expired"
assert_grep "certificate has expired" "$D/ts.txt"
later +400d openssl ts -verify -attime "$NOW" -data "$D/sig.bin" -in "$D/tst.der" -token_in -CAfile "$ROOT" \
	-untrusted "$CA" >"$D/ts.txt" 2>&1 || fail "openssl ts -verify -attime today rejects the token: $(cat "$D/ts.txt")"
pass "referee openssl ts: the one-year TSA's token verifies today and -attime today, not at the clock 400 days on"

# 400 days on the one-year TSA has expired; the archive time-stamp, made while it was valid, proves its token.
for f in bt.pdf boq.txt.p7s; do
	OUT=$D/out.json ERR=$D/err.txt
	expect_exit 0 later +400d "$ESEAL" verify --json --trust "$ROOT" --trust "$D/tsa4.pem" --offline "$D/lta/$f"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f 400 days on: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][0]['timestamp_time'] is not None")" = True ] || fail "$f: no signature time-stamp time"
	# Validated at today's time with the clock 400 days on: the same verdict as today.
	expect_exit 0 later +400d "$ESEAL" verify --json --trust "$ROOT" --trust "$D/tsa4.pem" --offline --at "$TODAY" \
		"$D/lta/$f"
	expect_seal 0 TOTAL-PASSED None
done
pass "400 days on, the one-year TSA expired: B-LTA TOTAL-PASSED (now and --at today), its token still proves its time"

# 760 days on the e-Seal certificate, the fixture's two-year TSA and OCSP responder have expired too: the responses
# in the DSS were signed while the responder was valid, and the archive time-stamp proves they existed then.
for f in bt.pdf boq.txt.p7s; do
	OUT=$D/out.json ERR=$D/err.txt
	expect_exit 0 later +760d "$ESEAL" verify --json --trust "$ROOT" --trust "$D/tsa4.pem" --offline "$D/lta/$f"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f 760 days on: $(head -c 1500 "$OUT")"
done
[ "$(date -u -d "$(openssl x509 -in "$PKI/ocsp.pem" -noout -enddate | cut -d= -f2)" +%s)" -lt $((NOW + 760 * 86400)) ] ||
	fail "the fixture's OCSP responder certificate outlives the 760 days: the case proves nothing"
pass "760 days on, the OCSP responder expired too: B-LTA TOTAL-PASSED"

# --- Sibling: a token made by a TSA whose certificate had expired ten days before proves no time.
demo_tsa_cert "Expired TSA" "-400 days..-10 days" "$D/tsa-x.key" "$D/tsa-x.pem"
TSAX=$(start_tsa ok --signer "$D/tsa-x.pem" "$D/tsa-x.key")
"$ESEAL" seal -p demo-bb --format cades -o "$D/bb.p7s" "$D/boq.txt"
python3 "$ESEAL_SRC/tests/lib/cms_tst.py" "$D/bb.p7s" --signature "$D/bb-sig.bin" 2>/dev/null || [ $? = 2 ]
openssl ts -query -data "$D/bb-sig.bin" -sha256 -cert -out "$D/q.tsq" 2>/dev/null
curl -sf --data-binary @"$D/q.tsq" -H 'Content-Type: application/timestamp-query' "$TSAX" -o "$D/r.tsr" ||
	fail "the expired TSA did not answer"
openssl ts -reply -in "$D/r.tsr" -token_out -out "$D/x-tst.der" 2>/dev/null
mkdir "$D/x"
python3 "$ESEAL_SRC/tests/cms/cms_add_tst.py" "$D/bb.p7s" "$D/x-tst.der" "$D/x/boq.txt.p7s"
cp "$D/boq.txt" "$D/x/"
openssl ts -verify -data "$D/bb-sig.bin" -in "$D/x-tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" \
	>"$D/ts.txt" 2>&1 && fail "openssl ts -verify accepts a token made after its TSA certificate expired"
assert_grep "certificate has expired" "$D/ts.txt"
verify_json 2 "$D/x/boq.txt.p7s" --offline
[ "$(jf "d['seals'][0]['level']")" != B-T ] || fail "a token of an expired TSA made the seal B-T: $(head -c 1500 "$OUT")"
errors_match 0 "no chain for the TSA certificate at the token's genTime .*certificate has expired"
OUT=$D/out.json ERR=$D/err.txt
expect_exit 2 later +400d "$ESEAL" verify --json --trust "$ROOT" --offline --at "$TODAY" "$D/x/boq.txt.p7s"
errors_match 0 "no chain for the TSA certificate at the token's genTime .*certificate has expired"
pass "a token made after its TSA certificate expired: no B-T, the reason named (openssl ts agrees), also --at"

# --- Sibling: an OCSP response made by a responder whose certificate had expired ten days before is not used.
demo_ocsp_cert "Expired OCSP Responder" "-400 days..-10 days" "$D/ocsp-x.key" "$D/ocsp-x.pem"
"$ESEAL" seal -p demo-bb -o "$D/bb.pdf" "$D/report.pdf"
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -no_nonce -reqout "$D/req.der"
ocsp_reply() { # SIGNER KEY OUT
	openssl ocsp -index "$PKI/ca/index.txt" -CA "$CA" -rsigner "$1" -rkey "$2" -reqin "$D/req.der" -respout "$3" \
		-nmin 60 >/dev/null 2>&1 || fail "openssl ocsp could not answer"
}
ocsp_reply "$D/ocsp-x.pem" "$D/ocsp-x.key" "$D/ocsp-x.der"
ocsp_reply "$PKI/ocsp.pem" "$PKI/ocsp.key" "$D/ocsp-ok.der"
openssl ocsp -respin "$D/ocsp-x.der" -issuer "$CA" -cert "$PKI/eseal.pem" -CAfile "$ROOT" -verify_other "$CA" \
	>"$D/o.txt" 2>&1 && fail "openssl ocsp accepts the expired responder's answer: $(cat "$D/o.txt")"
assert_grep "certificate has expired" "$D/o.txt"
LTA="python3 $ESEAL_SRC/tests/verify/pdf_lta.py"
$LTA dss "$D/bb.pdf" "$D/bb-ocsp-x.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --cert "$D/ocsp-x.pem" --ocsp "$D/ocsp-x.der"
$LTA dss "$D/bb.pdf" "$D/bb-ocsp-ok.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --ocsp "$D/ocsp-ok.der"
verify_json 2 "$D/bb-ocsp-x.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER "OCSP responder certificate not valid when the response was produced .*expired"
verify_json 0 "$D/bb-ocsp-ok.pdf" --offline
expect_seal 0 TOTAL-PASSED None
pdftotext "$D/bb-ocsp-x.pdf" - | grep . >/dev/null || fail "Poppler renders no text of the file"
pass "an OCSP response by a responder expired when it answered is not used (openssl ocsp agrees); the valid one is"
