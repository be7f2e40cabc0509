#!/bin/bash
# tests/xml/xml_extend.sh: XAdES B-T seals (CLI, demo profile; a UBL invoice, a plain XML, a Shift_JIS file) raised
# to B-LT, to B-LTA, and renewed at B-LTA, through `eseal extend`, and the refusals (unsealed, broken, B-B, revoked
# signer, responders down, TSA down). Referees: xmlsec1 --verify, xmllint with the ETSI XAdES
# 1.3.2/1.4.1 schemas, openssl ocsp / crl over every carried value, openssl ts -verify of each archive time-stamp
# against its input recomputed with lxml from EN 319 132-1 5.5.2.2 (tests/xml/xades_ltv_check.py), and
# `eseal verify --offline`: B-T (also with empty CertificateValues and RevocationValues) stays below B-LT; an edited
# OCSP value under an archive time-stamp fails; a business element slipped into the new unsigned properties fails
# as unsigned content.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"

PY=/usr/bin/python3
CHECK="$PY $ESEAL_SRC/tests/xml/xades_check.py"
LTV="$PY $ESEAL_SRC/tests/xml/xades_ltv_check.py"
XSD=$SHARED/xsd
DOCS=$SAMPLES/documents
D=$(tmpdir)

extend() { # LEVEL IN OUT [eseal extend options]: the demo profile's TSA and trust anchors
	local level=$1 in=$2 out=$3
	shift 3
	"$ESEAL" extend --config "$ESEAL_CONFIG" -p demo --level "$level" "$@" "$in" -o "$out"
}

xmlsec1_verify() {
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$1" >"$D/xmlsec.log" 2>&1 &&
		grep -q "^OK" "$D/xmlsec.log" || fail "xmlsec1 --verify rejects $1: $(cat "$D/xmlsec.log")"
}

# genTime of a DER token as seconds since the epoch (openssl's own reading).
gen_time() {
	date -u -d "$(openssl ts -reply -token_in -in "$1" -text | sed -n 's/^Time stamp: //p')" +%s
}

# referees OUT IN PLACEMENT: everything an independent tool can say about an extended seal.
referees() {
	local out=$1 in=$2 placement=$3 dir st_gen f produced n=0
	xmlsec1_verify "$out"
	$CHECK extract "$out" qp "$D/qp.xml"
	xmllint --noout --nonet --schema "$XSD/XAdES01903v141-201601.xsd" "$D/qp.xml" 2>"$D/xsd.log" ||
		fail "QualifyingProperties of $out fails the XAdES 1.4.1/1.3.2 schemas: $(cat "$D/xsd.log")"
	$CHECK extract "$out" signature "$D/sig.xml"
	xmllint --noout --nonet --schema "$XSD/xmldsig-core-schema.xsd" "$D/sig.xml" 2>"$D/xsd.log" ||
		fail "ds:Signature of $out fails the XML-DSig schema: $(cat "$D/xsd.log")"
	$CHECK unchanged "$in" "$out" "$placement" >/dev/null || fail "$out: content outside the seal changed"
	[ "$(head -1 "$out" | sed -n 's/.*encoding="\([^"]*\)".*/\1/p')" = "$(head -1 "$in" | sed -n 's/.*encoding="\([^"]*\)".*/\1/p')" ] ||
		fail "$out: the declared encoding changed"
	# each OCSP response: good, produced after the signature time-stamp; each CRL readable
	$CHECK timestamp "$out" "$D/st.der" >/dev/null
	st_gen=$(gen_time "$D/st.der")
	dir=$D/values
	rm -rf "$dir" && mkdir "$dir"
	$LTV values "$out" "$dir" >"$D/values.txt" || fail "$out: validation data"
	for f in "$dir"/ocsp-*.der; do
		[ -e "$f" ] || continue
		openssl ocsp -respin "$f" -resp_text -noverify >"$D/ocsp.txt" 2>&1 || fail "$f: openssl ocsp: $(cat "$D/ocsp.txt")"
		grep -q "Cert Status: good" "$D/ocsp.txt" || fail "$out: an OCSP response does not say good: $(cat "$D/ocsp.txt")"
		grep -q "OCSP Response Status: successful" "$D/ocsp.txt" || fail "$out: unsuccessful OCSP response"
		produced=$(date -u -d "$(sed -n 's/^ *Produced At: //p' "$D/ocsp.txt")" +%s)
		[ "$produced" -ge "$st_gen" ] || fail "$out: OCSP response produced before the signature time-stamp ($produced < $st_gen)"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "$out: $n OCSP responses, want the seal's and the TSA's chains: $(cat "$D/values.txt")"
	[ -e "$dir/crl-0.der" ] || fail "$out: no CRL (the issuing CA has only its root's CRL): $(cat "$D/values.txt")"
	for f in "$dir"/crl-*.der; do
		openssl crl -inform DER -in "$f" -noout 2>"$D/crl.log" || fail "$f: openssl crl: $(cat "$D/crl.log")"
	done
	for f in "$dir"/cert-*.der; do
		openssl x509 -inform DER -in "$f" -noout 2>"$D/x509.log" || fail "$f: openssl x509: $(cat "$D/x509.log")"
	done
}

# ats_ok OUT INDEX: archive time-stamp INDEX: openssl reads it and verifies it over the input lxml recomputes.
ats_ok() {
	local hex
	hex=$($LTV ats "$1" "$D/ats.der" "$2") || fail "$1: archive time-stamp $2"
	openssl ts -reply -token_in -in "$D/ats.der" -text >"$D/ats.txt" 2>&1 || fail "$1: openssl cannot read the archive time-stamp"
	openssl ts -verify -digest "$hex" -in "$D/ats.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
		>"$D/ts.log" 2>&1 || fail "$1: archive time-stamp $2 does not cover the EN 319 132-1 input: $(cat "$D/ts.log")"
}

level_is() { # WANT: the first seal's level in $OUT
	[ "$(jf "d['seals'][0]['level']")" = "$1" ] || fail "level $(jf "d['seals'][0]['level']"), want $1: $(head -c 1500 "$OUT")"
}

for spec in invoice-ubl.xml:ubl generic-ns.xml:enveloped INDEX_C.XML:enveloped; do
	doc=${spec%%:*}
	placement=${spec##*:}
	bt=$D/bt-$doc
	expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo --placement "$placement" -o "$bt" "$DOCS/$doc"

	# A B-T seal carries no validation data: offline it cannot reach B-LT.
	expect_exit 2 "$ESEAL" verify --json --offline --trust "$ROOT" "$bt"
	level_is B-T

	# Empty CertificateValues and RevocationValues carry nothing: still B-T.
	$LTV empty "$bt" "$D/empty-$doc" || fail "empty"
	expect_exit 2 "$ESEAL" verify --json --offline --trust "$ROOT" "$D/empty-$doc"
	level_is B-T

	# The issuing CA's only revocation source is the root's CRL: validation data must be issued after the seal.
	sleep 1
	publish_crl root

	lt=$D/lt-$doc
	before=$(sha256sum <"$bt")
	expect_exit 0 extend B-LT "$bt" "$lt"
	[ "$(sha256sum <"$bt")" = "$before" ] || fail "$doc: the input was modified"
	referees "$lt" "$DOCS/$doc" "$placement"
	grep -q "ats=0" "$D/values.txt" || fail "$lt: B-LT carries an archive time-stamp"
	verify_json 0 "$lt" --offline
	expect_seal 0 TOTAL-PASSED None
	level_is B-LT
	pass "$placement $doc: B-T -> B-LT: xmlsec1, XSDs, content, OCSP good after the time-stamp, offline TOTAL-PASSED B-LT"

	lta=$D/lta-$doc
	expect_exit 0 extend B-LTA "$lt" "$lta"
	referees "$lta" "$DOCS/$doc" "$placement"
	grep -q "ats=1" "$D/values.txt" || fail "$lta: $(cat "$D/values.txt")"
	ats_ok "$lta" 0
	verify_json 0 "$lta" --offline
	expect_seal 0 TOTAL-PASSED None
	level_is B-LTA
	pass "$placement $doc: B-LT -> B-LTA: openssl ts -verify over the recomputed input, offline TOTAL-PASSED B-LTA"

	lta2=$D/lta2-$doc
	sleep 1
	publish_crl root # the renewal's data must be issued after the first archive time-stamp
	expect_exit 0 extend B-LTA "$lta" "$lta2"
	referees "$lta2" "$DOCS/$doc" "$placement"
	grep -q "tsvd=2 ats=2" "$D/values.txt" || fail "$lta2: renewal: $(cat "$D/values.txt")"
	ats_ok "$lta2" 0
	ats_ok "$lta2" 1
	verify_json 0 "$lta2" --offline
	expect_seal 0 TOTAL-PASSED None
	level_is B-LTA
	pass "$placement $doc: B-LTA renewed: the first TSA's data, then a second archive time-stamp; both verify"

	# B-T straight to B-LTA.
	expect_exit 0 extend B-LTA "$bt" "$D/direct-$doc"
	referees "$D/direct-$doc" "$DOCS/$doc" "$placement"
	ats_ok "$D/direct-$doc" 0
	verify_json 0 "$D/direct-$doc" --offline
	level_is B-LTA
	pass "$placement $doc: B-T -> B-LTA in one call"

	# An OCSP value covered by the archive time-stamp edited: the signature itself still verifies (xmlsec1), the
	# archive time-stamp no longer does.
	$LTV tamper "$lta" "$D/tampered-$doc" || fail "tamper"
	xmlsec1_verify "$D/tampered-$doc"
	verify_json 1 "$D/tampered-$doc" --offline
	expect_seal 0 TOTAL-FAILED HASH_FAILURE "archive time-stamp"
	pass "$placement $doc: an edited EncapsulatedOCSPValue under the archive time-stamp: TOTAL-FAILED/HASH_FAILURE"

	# Validation data appended after an archive time-stamp is carried (B-LT) but not covered: not B-LTA.
	hex=$($LTV graft "$bt" "$lt" "$D/graft-$doc") || fail "graft"
	openssl ts -query -digest "$hex" -sha256 -cert -out "$D/graft.tsq" 2>/dev/null || fail "openssl ts -query"
	$PY "$ESEAL_SRC/tests/lib/http_post.py" "$TSA_URL" application/timestamp-query "$D/graft.tsq" "$D/graft.tsr" ||
		fail "the TSA did not answer"
	openssl ts -reply -in "$D/graft.tsr" -token_out -out "$D/graft.der" 2>/dev/null || fail "openssl ts -token_out"
	$LTV settoken "$D/graft-$doc" "$D/graft.der"
	ats_ok "$D/graft-$doc" 0
	verify_json 0 "$D/graft-$doc" --offline
	level_is B-LT
	grep -q "does not cover the validation data" "$OUT" || fail "no reason given for B-LT: $(head -c 1500 "$OUT")"
	pass "$placement $doc: validation data after the archive time-stamp: B-LT, not B-LTA"

	# The new unsigned properties are the signature's own vocabulary; business data slipped into them is not.
	$LTV inject "$lt" "$D/injected-$doc" || fail "inject"
	xmlsec1_verify "$D/injected-$doc"
	verify_json 1 "$D/injected-$doc" --offline
	expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "unsigned content.*PayableAmount"
	pass "$placement $doc: a business element inside xadesv141:TimeStampValidationData: TOTAL-FAILED (unsigned content)"
done

# --- refusals: exit class, one line naming the file, no output, input untouched ---
refused() { # CODE REGEX IN [LEVEL [eseal extend options]]
	local code=$1 re=$2 in=$3 level=${4:-B-LT} out=$D/refused.xml before
	shift 3
	[ $# -gt 0 ] && shift
	before=$(sha256sum <"$in")
	expect_exit "$code" extend "$level" "$in" "$out" "$@"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "$in: not one line: $(cat "$ERR")"
	grep -Eq -- "$re" "$ERR" || fail "$in: message does not match '$re': $(cat "$ERR")"
	grep -qF -- "$in" "$ERR" || fail "$in: the message does not name the file: $(cat "$ERR")"
	assert_no_file "$out"
	[ "$(sha256sum <"$in")" = "$before" ] || fail "$in: the input was modified"
}

iconv -f SHIFT_JIS -t UTF-8 "$D/lta2-INDEX_C.XML" | grep '<工事名称>市道１２号線道路改良工事</工事名称>' >/dev/null ||
	fail "INDEX_C.XML: text changed or no longer Shift_JIS"
! iconv -f UTF-8 -t UTF-8 "$D/lta2-INDEX_C.XML" >/dev/null 2>&1 || fail "INDEX_C.XML written as UTF-8"
pass "Shift_JIS document: still Shift_JIS after B-LT, B-LTA and renewal"

refused 65 "no seal" "$DOCS/generic-ns.xml"
pass "unsealed XML: exit 65, no output"

sed 's/<cbc:PayableAmount currencyID="\([A-Z]*\)">[0-9.]*</<cbc:PayableAmount currencyID="\1">1.00</' \
	"$D/bt-invoice-ubl.xml" >"$D/broken.xml"
cmp -s "$D/broken.xml" "$D/bt-invoice-ubl.xml" && fail "the broken copy is unchanged"
refused 65 "does not verify.*TOTAL-FAILED" "$D/broken.xml" B-LTA
pass "broken seal (amount changed): exit 65 naming TOTAL-FAILED, no output"

expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --placement enveloped -o "$D/bb.xml" "$DOCS/generic-ns.xml"
refused 65 "needs a signature time-stamp \(B-T\) first" "$D/bb.xml"
pass "B-B seal: exit 65 (needs a signature time-stamp first), no output"

expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" \
	--placement enveloped -o "$D/revoked.xml" "$DOCS/generic-ns.xml"
refused 65 "revoked" "$D/revoked.xml" B-LTA
pass "revoked signer: exit 65 naming the revocation, no output"

dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
refused 69 "127.0.0.1:$dead" "$D/lt-generic-ns.xml" B-LTA --tsa "http://127.0.0.1:$dead/"
pass "TSA down at B-LTA: exit 69 (retry later), one line, no output"

# Responders down: no network at all (a private network namespace without loopback).
before=$(sha256sum <"$D/bt-generic-ns.xml")
expect_exit 69 unshare -rn "$ESEAL" extend --config "$ESEAL_CONFIG" -p demo --level B-LT "$D/bt-generic-ns.xml" \
	-o "$D/down.xml"
[ "$(wc -l <"$ERR")" = 1 ] || fail "responders down: not one line: $(cat "$ERR")"
grep -qF "$D/bt-generic-ns.xml" "$ERR" || fail "responders down: the message does not name the file: $(cat "$ERR")"
assert_no_file "$D/down.xml"
[ "$(sha256sum <"$D/bt-generic-ns.xml")" = "$before" ] || fail "responders down: the input was modified"
pass "responders down: exit 69 (retry later), one line, no output"
