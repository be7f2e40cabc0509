#!/bin/bash
# tests/interop/xades_partial_coverage.sh: XAdES signing part of a document, as other products make it: a Reference
# by Id to an element that is not the root (the signature beside it, or enveloped in it), two unrelated elements
# sharing an Id no Reference names, and URI="#". xmlsec1 --verify is the referee. The part is reported as such
# (TOTAL-PASSED, covers_whole_document false, the element named in coverage and in the text report). Siblings that
# still fail: the signed element moved under a forged one of its name, its signature moved out of it, a copy of it
# elsewhere, a second element with the referenced Id (signature wrapping), an edited covered amount; an edited
# uncovered part still passes, reported as not covered.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
IDS=(--id-attr:Id InvoiceBody)
BODY='<InvoiceBody Id="invoice-body"><Amount currency="JPY">1000</Amount><Payee>Supplier KK</Payee></InvoiceBody>'
HEADER='<Header>routed by the supplier ERP</Header>'
COVERED='^only element <InvoiceBody> Id "invoice-body" \(/Invoice/InvoiceBody, line [0-9]+\) of the document; the rest of it is not covered by this seal$'

mk() { # OUT DOCUMENT-CONTENT-WITH-@SIG@ URI TRANSFORMS
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<Invoice xmlns=\"urn:example:invoice\">${2/@SIG@/$(xs_signature "$3" "$4")}</Invoice>"
	} >"$1.tmpl"
	xs_sign "$1.tmpl" "$1" "${IDS[@]}"
}

# --- the signature beside the signed element (detached in the document) ---
mk sibling.xml "$HEADER$BODY@SIG@" "#invoice-body" "$XS_EXC"
xs_referee_ok "${IDS[@]}" sibling.xml
xs_eseal 0 sibling.xml 0 TOTAL-PASSED False "$COVERED"
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "sibling: level $(jf "d['seals'][0]['level']")"
[ "$(jf "d['seals'][0]['errors']")" = "[]" ] || fail "sibling: errors $(jf "d['seals'][0]['errors']")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" sibling.xml
grep -q 'covers whole document: no; only element <InvoiceBody> Id "invoice-body"' "$OUT" ||
	fail "text report does not say only InvoiceBody is covered: $(cat "$OUT")"
pass "Reference #invoice-body to a child element: TOTAL-PASSED B-B, covers_whole_document false, the element named (xmlsec1: valid)"

# The uncovered header edited: xmlsec1 and we still accept, and the report says it is not covered.
sed 's/routed by the supplier ERP/PAY TO ATTACKER-0666/' sibling.xml >header-edit.xml
xs_referee_ok "${IDS[@]}" header-edit.xml
xs_eseal 0 header-edit.xml 0 TOTAL-PASSED False "$COVERED"
# The covered amount edited: the digest breaks.
sed 's/>1000</>9000</' sibling.xml >amount-edit.xml
xs_referee_no "${IDS[@]}" amount-edit.xml
verify_json 1 amount-edit.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch"
pass "uncovered header edited: still TOTAL-PASSED, not covered; covered amount edited: HASH_FAILURE"

# Wrapping: the signed element moved into a hiding place, a forged one of its name in its stead (xmlsec1: valid).
sed "s|$BODY|<InvoiceBody><Amount currency=\"JPY\">9000</Amount><Payee>Attacker</Payee></InvoiceBody><Hidden>$BODY</Hidden>|" \
	sibling.xml >moved.xml
grep -q "<Hidden>" moved.xml || fail "test set-up: wrapping not applied"
xs_referee_ok "${IDS[@]}" moved.xml
xs_eseal 1 moved.xml 0 TOTAL-FAILED False
errors_match 0 'another <InvoiceBody> \(line [0-9]+\) that it does not cover .*signature wrapping'
# ... under a forged root of its name (the classic XSW of a root Reference, now a child).
perl -0777 -pe 's|<Invoice xmlns="urn:example:invoice">(.*)</Invoice>|<InvoiceBody xmlns="urn:example:invoice"><Amount currency="JPY">9000</Amount><Invoice>$1</Invoice></InvoiceBody>|s' \
	sibling.xml >moved-root.xml
grep -q "^<InvoiceBody" moved-root.xml || fail "test set-up: wrapping not applied"
xs_referee_ok "${IDS[@]}" moved-root.xml
xs_eseal 1 moved-root.xml 0 TOTAL-FAILED False
errors_match 0 'another <InvoiceBody> \(line [0-9]+, the root\)'
# A copy (no Id) with another amount beside the signed one.
sed "s|$BODY|<InvoiceBody><Amount currency=\"JPY\">9000</Amount></InvoiceBody>$BODY|" sibling.xml >copy.xml
xs_referee_ok "${IDS[@]}" copy.xml
xs_eseal 1 copy.xml 0 TOTAL-FAILED False
errors_match 0 'signature wrapping'
# A second element carrying the referenced Id.
sed "s|$HEADER|<Note Id=\"invoice-body\"><Amount currency=\"JPY\">9000</Amount></Note>|" sibling.xml >dup-id.xml
verify_json 1 dup-id.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE 'Id "invoice-body" is used by two elements'
pass "signed element moved under a forged one, a copy beside it, its Id twice: TOTAL-FAILED (signature wrapping)"

# --- the signature enveloped in the signed element ---
mk enveloped.xml "$HEADER${BODY/<\/InvoiceBody>/@SIG@</InvoiceBody>}" "#invoice-body" "$XS_ENV$XS_EXC"
xs_referee_ok "${IDS[@]}" enveloped.xml
xs_eseal 0 enveloped.xml 0 TOTAL-PASSED False "$COVERED"
# The signature moved out of the element it was enveloped in (xmlsec1: valid, the transform is then a no-op), the
# element then moved under a forged one: the enveloped-signature transform says where the signature stood.
perl -0777 -pe 's|(<InvoiceBody Id="invoice-body">.*?)(<ds:Signature .*</ds:Signature>)</InvoiceBody>|<InvoiceBody><Amount currency="JPY">9000</Amount></InvoiceBody><Hidden>$1</InvoiceBody></Hidden>$2|s' \
	enveloped.xml >enveloped-moved.xml
grep -q "<Hidden>" enveloped-moved.xml || fail "test set-up: move not applied"
xs_referee_ok "${IDS[@]}" enveloped-moved.xml
xs_eseal 1 enveloped-moved.xml 0 TOTAL-FAILED False
errors_match 0 'enveloped-signature transform, yet the signature is not inside it: the signed element was moved'
pass "signature enveloped in a child element: TOTAL-PASSED, partial; moved out of it: TOTAL-FAILED"

# --- two unrelated elements sharing an Id that no Reference names (xmlsec1 registers only the ones it is told) ---
xs_invoice base.xml "" "$XS_ENV$XS_EXC"
sed 's|<Payee>Supplier KK</Payee>|<Line Id="L1"><Item>tea</Item></Line><Attachment Id="L1">leaflet</Attachment>&|' \
	base.xml.tmpl >shared.tmpl
xs_sign shared.tmpl shared.xml
xs_referee_ok shared.xml
xs_eseal 0 shared.xml 0 TOTAL-PASSED True '^the whole document$'
# The same shared Id named by the Reference is ambiguous: wrapping.
sed 's|<Payee>Supplier KK</Payee>|<Line Id="L1"><Amount currency="JPY">1000</Amount></Line><Attachment Id="L1">9000</Attachment>&|' \
	base.xml.tmpl | sed 's|URI=""|URI="#L1"|; s|<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>||' >ambiguous.tmpl
xs_sign ambiguous.tmpl ambiguous.xml --id-attr:Id Line
xs_referee_ok --id-attr:Id Line ambiguous.xml
verify_json 1 ambiguous.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE 'Reference #L1: Id "L1" is used by two elements'
pass "two unrelated elements sharing an unreferenced Id: TOTAL-PASSED (xmlsec1: valid); a Reference to it: TOTAL-FAILED"

# --- URI="#": no form of XML-DSig; xmlsec1 cannot dereference it (xpointer(id(''))), neither do we ---
sed 's|URI=""|URI="#"|' shared.xml >empty-fragment.xml
xs_referee_no empty-fragment.xml
grep -q "xpointer(id(''))" "$XS_LOG" || fail "xmlsec1 refuses URI=# for another reason: $(tail -3 "$XS_LOG")"
verify_json 2 empty-fragment.xml
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND 'Reference URI="#": an empty fragment names nothing'
[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "URI=#: covers_whole_document"
pass "URI=\"#\": INDETERMINATE / SIGNED_DATA_NOT_FOUND naming the form (xmlsec1 cannot dereference it either)"

# --- a Reference to one of several <Line> elements beside a whole-document Reference: the whole is covered, the
# other <Line> is no wrapping (it is covered too) ---
DOFS='<xades:DataObjectFormat ObjectReference="#ref-doc"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat><xades:DataObjectFormat ObjectReference="#ref-line"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat>'
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<Invoice xmlns=\"urn:example:invoice\"><Line Id=\"line-1\"><Amount currency=\"JPY\">1000</Amount></Line><Line><Amount currency=\"JPY\">20</Amount></Line><ds:Signature $XS_DS Id=\"sig\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><ds:Reference Id=\"ref-doc\" URI=\"\"><ds:Transforms>$XS_ENV$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference Id=\"ref-line\" URI=\"#line-1\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#sp\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object>$(xs_qp "" "$DOFS")</ds:Object></ds:Signature></Invoice>"
} >lines.xml.tmpl
xs_sign lines.xml.tmpl lines.xml --id-attr:Id Line
xs_referee_ok --id-attr:Id Line lines.xml
xs_eseal 0 lines.xml 0 TOTAL-PASSED True '^the whole document$'
pass "a Reference to one of several <Line> beside a whole-document Reference: TOTAL-PASSED, the whole document"
