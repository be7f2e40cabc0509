#!/bin/bash
# tests/verify/verify_tsa_revocation.sh: the revocation of time-stamp authorities: B-T seals (PAdES, XAdES, CAdES) and a
# PAdES document time-stamp made by a TSA whose certificate (pki/tsa-revoked.pem) was revoked before the tokens'
# genTime do not get their time proven (INDETERMINATE/REVOKED_NO_POE naming the TSA and the revocation time), online
# (loopback OCSP) and --offline from a CRL carried in the PDF; the good TSA still passes. Referees: `openssl ocsp`
# says the TSA is revoked, `openssl ts -verify` still accepts the tokens (it is revocation we reject, not crypto).
# Also: a CA certificate naming no OCSP/CRL location is reported as not checkable; and a token whose genTime precedes
# its TSA certificate's notBefore (a TSA with its clock two days behind, under faketime) proves no time:
# INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND, level B-B (referee: openssl ts -verify accepts it now, not -attime genTime).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
PDF=$SAMPLES/documents/japanese.pdf
XML=$SAMPLES/documents/generic-ns.xml
SIGPY="python3 $ESEAL_SRC/tests/pdf/pdf_sig.py"
CMS_TST="python3 $ESEAL_LIB_DIR/cms_tst.py"
LTA="python3 $ESEAL_SRC/tests/verify/pdf_lta.py"
REV_TSA=$PKI/tsa-revoked.pem
printf 'site report 2026-11: revoked TSA case\n' >"$D/report.txt"

# --- referee: the OCSP responder (openssl ocsp over the CA database) says the second TSA is revoked, the first good
openssl ocsp -issuer "$CA" -cert "$REV_TSA" -url "$OCSP_URL" -CAfile "$ROOT" -timeout 5 >"$D/ocsp.txt" 2>&1 ||
	fail "openssl ocsp query failed: $(cat "$D/ocsp.txt")"
assert_grep "tsa-revoked.pem: revoked" "$D/ocsp.txt"
assert_grep "Reason: superseded" "$D/ocsp.txt"
rev_day=$(sed -n 's/^[[:space:]]*Revocation Time: //p' "$D/ocsp.txt")
[ -n "$rev_day" ] || fail "no revocation time in the OCSP answer: $(cat "$D/ocsp.txt")"
rev_iso=$(date -u -d "$rev_day" +%Y-%m-%dT%H:%M:%SZ)
[ "$(date -u -d "$rev_day" +%s)" -lt "$(date -u +%s)" ] || fail "the TSA must be revoked in the past ($rev_iso)"
openssl ocsp -issuer "$CA" -cert "$PKI/tsa.pem" -url "$OCSP_URL" -CAfile "$ROOT" -timeout 5 >"$D/ocsp-good.txt" 2>&1 ||
	true
assert_grep "tsa.pem: good" "$D/ocsp-good.txt"
pass "referee openssl ocsp: tsa-revoked.pem revoked on $rev_iso (superseded), tsa.pem good"

# --- seals: the same profile, once with the revoked TSA (a private TSA server) and once with the good one. The sealer
# refuses a revoked TSA (tests/timestamp/tsa_revocation.sh); the seals a verifier must judge are made as a sealer
# without that check (tsa-revocation = off, or another tool) would make them.
REV_URL=$(start_tsa revoked)
demo_profile "$D/off.conf" off tsa-revocation=off
expect_exit 78 "$ESEAL" seal -p demo --tsa "$REV_URL" -o "$D/rev.pdf" "$PDF"
assert_no_file "$D/rev.pdf"
"$ESEAL" seal --config "$D/off.conf" -p off --tsa "$REV_URL" -o "$D/rev.pdf" "$PDF"
"$ESEAL" seal --config "$D/off.conf" -p off --tsa "$REV_URL" -o "$D/rev.xml" "$XML"
"$ESEAL" seal --config "$D/off.conf" -p off --tsa "$REV_URL" --format cades -o "$D/rev.p7s" "$D/report.txt"
"$ESEAL" seal -p demo -o "$D/good.pdf" "$PDF"
"$ESEAL" seal -p demo -o "$D/good.xml" "$XML"
"$ESEAL" seal -p demo --format cades -o "$D/good.p7s" "$D/report.txt"

# Referee: the tokens are cryptographically fine and chain to the root (openssl ts -verify does no revocation check),
# and they really come from the revoked TSA.
$CMS_TST "$D/rev.p7s" --signature "$D/c-sig.bin" --token "$D/c-tst.der" || fail "no token in rev.p7s"
$SIGPY "$D/rev.pdf" --cms "$D/p-cms.der" 2>"$D/sigpy" || fail "pdf_sig.py: $(cat "$D/sigpy")"
$CMS_TST "$D/p-cms.der" --signature "$D/p-sig.bin" --token "$D/p-tst.der" || fail "no token in rev.pdf"
for t in c p; do
	openssl ts -verify -data "$D/$t-sig.bin" -in "$D/$t-tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" \
		>"$D/ts.txt" 2>&1 || fail "referee openssl ts -verify rejects the $t token: $(cat "$D/ts.txt")"
	openssl ts -reply -in "$D/$t-tst.der" -token_in -text >"$D/tst.txt" 2>/dev/null
	assert_grep "CN ?= ?eseal Demo Revoked TSA" "$D/tst.txt"
done
pass "referee openssl ts -verify: the revoked TSA's tokens (CAdES, PAdES) verify cryptographically"

# --- eseal verify: the time is not proven; the message names the TSA certificate and its revocation time
# data_opt FILE: VA = the options naming the detached data of a .p7s (none for PDF and XML)
data_opt() { VA=(); [[ $1 != *.p7s ]] || VA=(--data "$D/report.txt"); }
for f in rev.pdf rev.xml rev.p7s; do
	data_opt "$f"
	verify_json 2 "$D/$f" "${VA[@]}"
	expect_seal 0 INDETERMINATE REVOKED_NO_POE \
		"signature time-stamp not trusted: its TSA certificate .*CN=eseal Demo Revoked TSA.* revoked on $rev_iso \\(OCSP, superseded\\), before the time-stamp's genTime"
	[ "$(jf "d['seals'][0]['timestamp_time']")" = None ] || fail "$f: a voided time-stamp must not give a time"
	[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "$f: level $(jf "d['seals'][0]['level']"), want B-B"
	[ "$(jf "len(d['seals'][0]['errors'])")" = 1 ] || fail "$f: only the TSA is wrong: $(head -c 1500 "$OUT")"
done
expect_exit 2 "$ESEAL" verify --trust "$ROOT" "$D/rev.pdf"
assert_grep "INDETERMINATE / REVOKED_NO_POE" "$OUT"
assert_grep "error: signature time-stamp not trusted: .*eseal Demo Revoked TSA" "$OUT"
assert_grep "time-stamp: -" "$OUT"
pass "revoked TSA (PAdES, XAdES, CAdES): INDETERMINATE/REVOKED_NO_POE, exit 2, no time-stamp time, level B-B"

for f in good.pdf good.xml good.p7s; do
	data_opt "$f"
	verify_json 0 "$D/$f" "${VA[@]}"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "$f: level"
	[ "$(jf "d['seals'][0]['timestamp_time'] is not None")" = True ] || fail "$f: time-stamp time"
	[ "$(jf "any('TSA' in w for w in d['seals'][0]['warnings'])")" = False ] || fail "$f: TSA warning: $(cat "$OUT")"
done
pass "control: the good TSA's seals stay TOTAL-PASSED B-T with their time"

# --- offline: only what the file carries. A DSS with the CA's CRL (which lists the revoked TSA) decides.
$LTA dss "$D/rev.pdf" "$D/rev-lt.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$CRL"
verify_json 2 "$D/rev-lt.pdf" --offline
expect_seal 0 INDETERMINATE REVOKED_NO_POE "eseal Demo Revoked TSA.* revoked on $rev_iso \\(CRL carried in the file"
$LTA dss "$D/good.pdf" "$D/good-lt.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$CRL" $(lt_fresh "$D")
verify_json 0 "$D/good-lt.pdf" --offline
expect_seal 0 TOTAL-PASSED None
# Without revocation data for the TSA (an OCSP answer for the signer only) the TSA's status is unknown.
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$D/signer-ocsp.der" -noverify \
	>/dev/null 2>&1
$LTA dss "$D/good.pdf" "$D/good-lt-ocsp.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --ocsp "$D/signer-ocsp.der"
verify_json 2 "$D/good-lt-ocsp.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER "signature time-stamp: revocation status of its TSA certificate .*eseal Demo TSA.* unknown: offline"
[ "$(jf "len(d['seals'][0]['errors'])")" = 1 ] || fail "only the TSA's status is unknown: $(head -c 1500 "$OUT")"
verify_json 0 "$D/good-lt-ocsp.pdf"
pass "--offline: a carried CRL voids the revoked TSA, passes the good one; no data for the TSA: INDETERMINATE/TRY_LATER"

# --- PAdES document time-stamp (B-LTA) by the revoked TSA: that time-stamp fails, the seal stays B-LT
$LTA dts "$D/good-lt.pdf" "$D/rev-lta.pdf" --tsa "$REV_URL"
qpdf --check "$D/rev-lta.pdf" >/dev/null || fail "qpdf rejects the B-LTA file"
verify_json 2 "$D/rev-lta.pdf"
[ "$(jf "d['seals'][1]['type']")" = document-timestamp ] || fail "document time-stamp seal expected"
expect_seal 1 INDETERMINATE REVOKED_NO_POE "document time-stamp not trusted: .*eseal Demo Revoked TSA.* revoked on $rev_iso"
[ "$(jf "d['seals'][1]['timestamp_time']")" = None ] || fail "voided document time-stamp must not give a time"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "a voided document time-stamp must not make B-LTA"
$LTA dts "$D/good-lt.pdf" "$D/good-lta.pdf" --tsa "$TSA_URL"
verify_json 0 "$D/good-lta.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "control: B-LTA with the good TSA"
pass "document time-stamp by the revoked TSA: INDETERMINATE/REVOKED_NO_POE, no B-LTA; good TSA gives B-LTA"

# --- a CA certificate that names no OCSP responder or CRL: said to be not checkable, not silently fine
P=$D/pki2
mkdir "$P"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/root.key" -subj "/CN=Bare Root" -days 30 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out "$P/root.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$P/ca.key" -subj "/CN=Bare Issuing CA" -out "$P/ca.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$P/ca.ext"
openssl x509 -req -in "$P/ca.csr" -CA "$P/root.pem" -CAkey "$P/root.key" -CAcreateserial -days 30 \
	-extfile "$P/ca.ext" -out "$P/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$P/ee.key" -subj "/O=Bare Org/CN=Bare Seal" -out "$P/ee.csr" \
	2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$P/ee.ext"
openssl x509 -req -in "$P/ee.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 30 -extfile "$P/ee.ext" \
	-out "$P/ee.pem" 2>/dev/null
openssl cms -sign -cades -binary -outform DER -in "$D/report.txt" -signer "$P/ee.pem" -inkey "$P/ee.key" \
	-certfile "$P/ca.pem" -md sha256 -out "$D/bare.p7s"
expect_exit 0 "$ESEAL" verify --json --trust "$P/root.pem" --data "$D/report.txt" "$D/bare.p7s"
[ "$(jf "any('CA certificate CN=Bare Issuing CA names no OCSP responder or CRL: its revocation was not checkable' in w for w in d['seals'][0]['warnings'])")" = True ] ||
	fail "no 'not checkable' warning for the bare CA: $(cat "$OUT")"
pass "a CA naming no OCSP/CRL location: warning that its revocation was not checkable"

# --- a token from before its TSA certificate was valid: the fixture's TSA (notBefore one day ago) behind a server
# whose clock is two days back. The sealer accepts the reply (the chain is valid now); the verifier must not.
command -v faketime >/dev/null || fail "faketime is needed (Debian package faketime)"
faketime -f -2d setsid python3 "$ESEAL_LIB_DIR/tsa_server.py" --dir "$TE" --mode ok --port-file "$D/old-tsa.port" \
	--pid-file "$ESEAL_TMP_ROOT/old-tsa.pid" </dev/null >"$D/old-tsa.log" 2>&1 &
for i in $(seq 100); do
	[ -s "$D/old-tsa.port" ] && break
	sleep 0.05
done
[ -s "$D/old-tsa.port" ] || fail "TSA under faketime did not start: $(cat "$D/old-tsa.log")"
OLD_URL=http://127.0.0.1:$(cat "$D/old-tsa.port")/
"$ESEAL" seal -p demo --tsa "$OLD_URL" -o "$D/old.pdf" "$PDF"
"$ESEAL" seal -p demo --tsa "$OLD_URL" -o "$D/old.xml" "$XML"
"$ESEAL" seal -p demo --tsa "$OLD_URL" --format cades -o "$D/old.p7s" "$D/report.txt"
$CMS_TST "$D/old.p7s" --signature "$D/o-sig.bin" --token "$D/o-tst.der" || fail "no token in old.p7s"
openssl ts -reply -in "$D/o-tst.der" -token_in -text >"$D/o-tst.txt" 2>/dev/null
gen_s=$(date -u -d "$(sed -n 's/^Time stamp: //p' "$D/o-tst.txt")" +%s)
nb_s=$(date -u -d "$(openssl x509 -in "$PKI/tsa.pem" -noout -startdate | cut -d= -f2)" +%s)
[ "$gen_s" -lt "$nb_s" ] || fail "referee: genTime $gen_s is not before the TSA certificate's notBefore $nb_s"
openssl ts -verify -data "$D/o-sig.bin" -in "$D/o-tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" >"$D/ts.txt" 2>&1 ||
	fail "referee openssl ts -verify (now) rejects the token: $(cat "$D/ts.txt")"
openssl ts -verify -data "$D/o-sig.bin" -in "$D/o-tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" -attime "$gen_s" \
	>"$D/ts-at.txt" 2>&1 && fail "referee openssl ts -verify -attime genTime accepts the token"
assert_grep "certificate is not yet valid" "$D/ts-at.txt"
pass "referee openssl ts: genTime $(date -u -d "@$gen_s" +%FT%TZ) precedes the TSA's notBefore; valid now, not at genTime"
for f in old.pdf old.xml old.p7s; do
	data_opt "$f"
	verify_json 2 "$D/$f" "${VA[@]}"
	expect_seal 0 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND \
		"signature time-stamp: no chain for the TSA certificate at the token's genTime .*certificate is not yet valid"
	[ "$(jf "d['seals'][0]['timestamp_time']")" = None ] || fail "$f: the time-stamp must not give a time"
	[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "$f: level $(jf "d['seals'][0]['level']"), want B-B"
done
# The same TSA as a PAdES document time-stamp: no time, no B-LTA.
$LTA dts "$D/good-lt.pdf" "$D/old-lta.pdf" --tsa "$OLD_URL"
verify_json 2 "$D/old-lta.pdf"
expect_seal 1 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND "document time-stamp: no chain for the TSA certificate at the token's genTime"
[ "$(jf "d['seals'][1]['timestamp_time']")" = None ] || fail "document time-stamp before notBefore must not give a time"
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "a document time-stamp without a chain at genTime must not make B-LTA"
pass "genTime before the TSA certificate's notBefore (PAdES, XAdES, CAdES, document time-stamp): INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND, no time"
