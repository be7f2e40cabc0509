#!/bin/bash
# tests/xml/xml_verify_unsigned.sh: what a seal's References leave unsigned cannot carry forged business data. Each
# attack (tests/verify/xml_attack.py) keeps the signature valid, as xmlsec1 --verify shows, and puts a forged
# PayableAmount and payee account where a reader finds them: the UBL signature container moved out of
# ext:UBLExtensions, forged elements inside the container, inside the signature's ds:Object, KeyInfo or unsigned
# properties (UBL, FatturaPA, generic), prefixes bound to the signature namespaces, an XPath-filtered Reference to
# signature content, a covered amount split by a comment, a CDATA section or the signature itself. `eseal verify` must give TOTAL-FAILED naming the unsigned content. Edits of covered content
# still break the digest; comments, processing instructions and whitespace in the container are harmless; genuine
# seals (ours, a second UBL seal beside the first, xmlsec1's UBL-style signature) pass.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"

D=$(tmpdir)
cd "$D"
ATTACK="python3 $ESEAL_SRC/tests/verify/xml_attack.py"
XMLSEC=(xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA"
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties")
referee_ok() { "${XMLSEC[@]}" "$@" >"$D/xmlsec.log" 2>&1 || fail "xmlsec1 rejects $*: $(tail -3 "$D/xmlsec.log")"; }
referee_no() { ! "${XMLSEC[@]}" "$@" >"$D/xmlsec.log" 2>&1 || fail "xmlsec1 accepts $* (test set-up)"; }
# reader_sees FILE XPATH VALUE: what an XPath reader of the business document takes (the first match) is VALUE.
reader_sees() {
	local got
	got=$(xmllint --xpath "$2" "$1" 2>/dev/null) || true
	[ "$got" = "$3" ] || fail "$(basename "$1"): a reader's $2 gives '$got', want '$3' (test set-up)"
}
PAYABLE='string((//*[local-name()="PayableAmount"])[1])'
PAYEE='string((//*[local-name()="PayeeFinancialAccount"]/*[local-name()="ID"])[1])'

"$ESEAL" seal -p demo --placement ubl -o ubl.xml "$SAMPLES/documents/invoice-ubl.xml"
"$ESEAL" seal -p demo --placement fatturapa -o fattura.xml "$SAMPLES/documents/fattura.xml"
"$ESEAL" seal -p demo -o generic.xml "$SAMPLES/documents/generic-ns.xml"
for f in ubl fattura generic; do
	referee_ok "$f.xml"
	verify_json 0 "$f.xml"
	expect_seal 0 TOTAL-PASSED None
done
reader_sees ubl.xml "$PAYABLE" 1320000
pass "positive controls: our UBL, FatturaPA and generic seals pass (xmlsec1 agrees)"

# attack MODE IN NAME WHAT: the attack keeps the signature valid for xmlsec1 but fails ours, naming WHAT.
attack() {
	local mode=$1 in=$2 out=$3 what=$4
	$ATTACK "$mode" "$in" "$out"
	referee_ok "$out"
	verify_json 1 "$out"
	expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "$what"
	[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "$out: covers_whole_document"
}
CONTAINER="in the UBL signature container sig:UBLDocumentSignatures, which the UBL Reference leaves unsigned"
for m in ubl-move-after ubl-move-end; do
	attack "$m" ubl.xml "$m.xml" "not where UBL 2.1 puts it.*container sig:UBLDocumentSignatures \(line [0-9]+\) unsigned"
	reader_sees "$m.xml" "$PAYEE" ATTACKER-0000666
done
reader_sees ubl-move-after.xml "$PAYABLE" 9900000
pass "UBL container moved after ext:UBLExtensions or to the end, with a forged PayableAmount and payee account: TOTAL-FAILED"

for m in ubl-in-container ubl-in-info; do
	attack "$m" ubl.xml "$m.xml" "element <cac:LegalMonetaryTotal> \(namespace [^)]*CommonAggregateComponents-2, line [0-9]+\) $CONTAINER"
	reader_sees "$m.xml" "$PAYABLE" 9900000
	reader_sees "$m.xml" "$PAYEE" ATTACKER-0000666
done
# The same elements with prefixes bound to the signature namespaces: a reader matching prefixes sees cac:/cbc:.
attack ubl-ns-trick ubl.xml ns-trick.xml "element <cac:LegalMonetaryTotal> \(namespace [^)]*SignatureAggregateComponents-2"
attack ubl-attr-info ubl.xml attr-info.xml "attribute <f:PayableAmount> \(namespace urn:example:forged"
pass "forged elements inside sig:UBLDocumentSignatures / sac:SignatureInformation (also prefix-disguised), a foreign attribute: TOTAL-FAILED"

# Inside the signature itself: an extra ds:Object (elements or bare text), KeyInfo, the unsigned properties.
attack object ubl.xml ubl-object.xml "element <cac:LegalMonetaryTotal> .* in a ds:Object of the signature"
attack object generic.xml generic-object.xml "element <cac:LegalMonetaryTotal> .* in a ds:Object of the signature"
attack object fattura.xml fattura-object.xml "element <FatturaElettronicaBody> \(namespace no namespace, line [0-9]+\) in a ds:Object"
# A FatturaPA may carry several invoices (FatturaElettronicaBody): a viewer shows the forged one as one of them.
reader_sees fattura-object.xml 'count(//FatturaElettronicaBody)' 2
attack object-text fattura.xml fattura-text.xml "text inside <Object> \(line [0-9]+\) in a ds:Object"
attack keyinfo fattura.xml fattura-keyinfo.xml "element <cac:LegalMonetaryTotal> .* in the signature's ds:KeyInfo"
attack unsigned-props ubl.xml ubl-props.xml "element <cac:LegalMonetaryTotal> .* in the signature's xades:QualifyingProperties"
pass "forged content in an extra ds:Object (UBL, generic, FatturaPA invoice body, bare text), KeyInfo, UnsignedProperties: TOTAL-FAILED"

# Covered text split so that canonical XML still joins it while a reader of the first text node (lxml's .text, a DOM
# firstChild) sees another amount: a comment (C14N drops it), a CDATA section (C14N writes it as text), the enveloped
# signature itself moved into the text (the transform removes it wherever it is).
FIRST_TEXT='string((//*[local-name()="PayableAmount" or local-name()="ImportoTotaleDocumento"])[1]/text()[1])'
for f in fattura ubl; do
	for m in comment-split cdata-split; do
		$ATTACK "$m" "$f.xml" "$f-$m.xml"
		referee_ok "$f-$m.xml"
		verify_json 1 "$f-$m.xml"
		expect_seal 0 TOTAL-FAILED FORMAT_FAILURE \
			"a (comment|CDATA section) splits the text of <(ImportoTotaleDocumento|cbc:PayableAmount)> \(line [0-9]+\)"
	done
	reader_sees "$f-comment-split.xml" "$FIRST_TEXT" "$([ $f = ubl ] && echo 13 || echo 12)"
done
attack split-text fattura.xml fattura-split.xml "the ds:Signature stands inside the text of <ImportoTotaleDocumento>"
reader_sees fattura-split.xml "$FIRST_TEXT" 12
attack split-text generic.xml generic-split.xml "the ds:Signature stands inside the text of <title>"
# The sealer refuses a document that would verify so, with the same reason.
sed 's|<ImportoTotaleDocumento>1220.00<|<ImportoTotaleDocumento>12<!-- -->20.00<|' "$SAMPLES/documents/fattura.xml" \
	>split-input.xml
expect_exit 65 "$ESEAL" seal -p demo-bb --placement fatturapa -o split-sealed.xml split-input.xml
assert_grep "^eseal: split-input.xml: a comment splits the text of <ImportoTotaleDocumento> \(line [0-9]+\): the seal covers the joined text" "$ERR"
assert_no_file split-sealed.xml
pass "text split by a comment, a CDATA section or the moved signature (reader sees 12 of 1220.00): TOTAL-FAILED; not sealed"

# A second, forged ds:Signature in the container: the genuine seal still passes, the forged one fails naming its
# unsigned content, and the document as a whole is not TOTAL-PASSED.
$ATTACK ubl-second-sig ubl.xml second-sig.xml
referee_ok second-sig.xml
verify_json 1 second-sig.xml
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-FAILED FORMAT_FAILURE "element <cac:LegalMonetaryTotal> .* in a ds:Object of the signature"
[ "$(jf "d['indication']")" = TOTAL-FAILED ] || fail "second signature: overall $(jf "d['indication']")"
pass "a forged second ds:Signature in the UBL container: TOTAL-FAILED for the document"

# Covered content stays covered: an element in ext:ExtensionContent or ext:UBLExtension, an attribute on a covered
# element break the digest (xmlsec1 agrees).
for m in ubl-in-content ubl-in-extension ubl-attr-covered; do
	$ATTACK "$m" ubl.xml "$m.xml"
	referee_no "$m.xml"
	verify_json 1 "$m.xml"
	expect_seal 0 TOTAL-FAILED HASH_FAILURE "changed after sealing"
done
pass "forged element in ext:ExtensionContent / ext:UBLExtension, attribute on a covered element: TOTAL-FAILED/HASH_FAILURE"

# Not over-broad: a comment, a processing instruction and whitespace in the container carry no content.
$ATTACK ubl-harmless ubl.xml harmless.xml
grep -q "<!-- a comment -->" harmless.xml || fail "test set-up: no comment added"
referee_ok harmless.xml
verify_json 0 harmless.xml
expect_seal 0 TOTAL-PASSED None
# A second UBL seal joins the first one's container, and both pass (xmlsec1 checks each by its Id).
"$ESEAL" seal -p demo-bb --placement ubl --allow-signed -o ubl2.xml ubl.xml
[ "$(grep -c "<sac:SignatureInformation" ubl2.xml)" = 2 ] || fail "second UBL seal: not a second SignatureInformation"
[ "$(grep -c "<sig:UBLDocumentSignatures" ubl2.xml)" = 1 ] || fail "second UBL seal: not in the first one's container"
verify_json 0 ubl2.xml
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
for id in $(grep -o '<ds:Signature [^>]*Id="[^"]*"' ubl2.xml | sed 's/.*Id="//;s/"$//'); do
	referee_ok --id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" --node-id "$id" ubl2.xml
done
pass "comments, PIs and whitespace in the container: TOTAL-PASSED; two UBL seals in one container both pass"

# Another tool's UBL signature (xmlsec1, plain XML-DSig with UBL's XPath) passes; with the same XPath on a Reference
# to a ds:Object in the container, that Reference digests nothing: xmlsec1 accepts the Object's text edited.
ubl_tmpl() { # OUT EXTRA-REFERENCE
	local xp='<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:sig="urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2">count(ancestor-or-self::sig:UBLDocumentSignatures | here()/ancestor::sig:UBLDocumentSignatures[1]) &gt; count(ancestor-or-self::sig:UBLDocumentSignatures)</ds:XPath></ds:Transform>'
	local tail='<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>'
	local extra=""
	[ "$2" = xpath ] && extra="<ds:Reference URI=\"#terms\"><ds:Transforms>$xp$tail"
	[ "$2" = plain ] && extra="<ds:Reference URI=\"#terms\"><ds:Transforms>$tail"
	cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"><ext:UBLExtension><ext:ExtensionContent><sig:UBLDocumentSignatures xmlns:sig="urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"><sac:SignatureInformation xmlns:sac="urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms>$xp$tail$extra</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object Id="terms"><cbc:Note>Payment terms: 30 days to account JP-0001</cbc:Note></ds:Object></ds:Signature></sac:SignatureInformation></sig:UBLDocumentSignatures></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions><cbc:ID>INV-1</cbc:ID><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="JPY">1000</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>
XML
	xmlsec1 --sign --id-attr:Id Object --privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output "${1%.tmpl}" "$1" \
		>"$D/xmlsec.log" 2>&1 || fail "xmlsec1 cannot sign $1: $(cat "$D/xmlsec.log")"
}
ubl_tmpl xs-plain.xml.tmpl plain
referee_ok --id-attr:Id Object xs-plain.xml
verify_json 0 xs-plain.xml
expect_seal 0 TOTAL-PASSED None
# Its ds:Object is unsigned without the second Reference: the same signature minus that Object's Reference fails.
ubl_tmpl xs-bare.xml.tmpl none
referee_ok xs-bare.xml
verify_json 1 xs-bare.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "element <cbc:Note> .* in a ds:Object of the signature"
ubl_tmpl xs-xpath.xml.tmpl xpath
sed 's/30 days to account JP-0001/today, to account ATTACKER-0000666/' xs-xpath.xml >xs-xpath-edit.xml
referee_ok --id-attr:Id Object xs-xpath-edit.xml
verify_json 1 xs-xpath-edit.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "Reference #terms uses transform .*xpath.* that can leave content unsigned"
pass "xmlsec1's UBL-style signature with a signed Object passes; an unsigned Object, or UBL's XPath on a Reference to it: TOTAL-FAILED"
