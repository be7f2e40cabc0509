#!/bin/bash
# tests/interop/xades_enveloping.sh: enveloping XAdES (the document's root is the ds:Signature, the signed data in a
# ds:Object): XML content, base64 content through the base64 transform, and a ds:Manifest (a Reference of Type
# ...#Manifest) whose References name two ds:Objects. Signed by xmlsec1 from templates, refereed by xmlsec1 --verify
# (which also reports the manifest's References). Coverage names the ds:Object content; the manifest's References
# are checked as XAdES verifiers check them (XML-DSig core validation, xmlsec1's "OK", does not). Siblings that still
# fail: edited object content, an element slipped into the base64 text, a forged unsigned ds:Object, the signature
# pasted into a forged invoice, a manifest entry whose digest no longer matches.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
NSDS="http://www.w3.org/2000/09/xmldsig#"
IDS=(--id-attr:Id "$NSDS:Object" --id-attr:Id "$NSDS:Manifest")
INVOICE='<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">1000</Amount><Payee>Supplier KK</Payee></Invoice>'
printf '%%PDF-1.4 a small attachment, amount 1000\n' >att.bin
B64=$(base64 -w 64 att.bin)

mk() { # OUT REFERENCE-ATTRIBUTES TRANSFORMS OBJECTS
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<ds:Signature $XS_DS Id=\"sig\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><ds:Reference Id=\"ref-doc\" $2><ds:Transforms>$3</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#sp\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>$4<ds:Object>$(xs_qp)</ds:Object></ds:Signature>"
	} >"$1.tmpl"
	xs_sign "$1.tmpl" "$1" "${IDS[@]}"
}

# --- XML content in a ds:Object ---
mk xml.xml 'URI="#data"' "$XS_EXC" "<ds:Object Id=\"data\">$INVOICE</ds:Object>"
xs_referee_ok "${IDS[@]}" xml.xml
xs_eseal 0 xml.xml 0 TOTAL-PASSED True '^an enveloping signature: the content of ds:Object Id "data"$'
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "xml: level $(jf "d['seals'][0]['level']")"
sed 's/>1000</>9000</' xml.xml >xml-amount.xml
xs_referee_no "${IDS[@]}" xml-amount.xml
verify_json 1 xml-amount.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch"
# A forged ds:Object beside the signed one (xmlsec1: valid, it is not referenced).
sed "s|<ds:Object Id=\"data\">|<ds:Object>${INVOICE/1000/9000}</ds:Object>&|" xml.xml >xml-forged.xml
xs_referee_ok "${IDS[@]}" xml-forged.xml
xs_eseal 1 xml-forged.xml 0 TOTAL-FAILED False
errors_match 0 'unsigned content: element <Invoice> .* in a ds:Object of the signature'
# The enveloping signature pasted into a forged invoice: it signs nothing of that document.
perl -0777 -pe 's|^(<\?xml[^>]*>\s*)(<ds:Signature .*</ds:Signature>)|$1<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">9000</Amount>$2</Invoice>|s' \
	xml.xml >xml-pasted.xml
grep -q '9000' xml-pasted.xml || fail "test set-up: not pasted"
xs_referee_ok "${IDS[@]}" xml-pasted.xml
xs_eseal 1 xml-pasted.xml 0 TOTAL-FAILED False
errors_match 0 'no Reference covers the whole document'
pass "enveloping XML content: TOTAL-PASSED B-B, coverage names the ds:Object; edited, forged Object, pasted: TOTAL-FAILED"

# --- base64 content through the base64 transform ---
mk b64.xml 'URI="#bin"' '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#base64"/>' \
	"<ds:Object Id=\"bin\" MimeType=\"application/pdf\" Encoding=\"http://www.w3.org/2000/09/xmldsig#base64\">$B64</ds:Object>"
xs_referee_ok "${IDS[@]}" b64.xml
xs_eseal 0 b64.xml 0 TOTAL-PASSED True '^an enveloping signature: the content of ds:Object Id "bin" \(base64-decoded\)$'
# The decoded bytes are what the digest names (referee: openssl over the decoded attachment).
want=$(openssl dgst -sha256 -binary att.bin | base64)
grep -q "<ds:DigestValue>$want</ds:DigestValue>" b64.xml || fail "the Reference digest is not that of the decoded attachment"
python3 - b64.xml b64-edit.xml <<'EOF'
import base64, re, sys
data = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'(<ds:Object Id="bin"[^>]*>)([^<]*)(<)', data)
raw = base64.b64decode(m.group(2)).replace(b"1000", b"9000")
data = data[:m.start(2)] + base64.b64encode(raw).decode() + data[m.end(2):]
open(sys.argv[2], "w", encoding="utf-8").write(data)
EOF
xs_referee_no "${IDS[@]}" b64-edit.xml
verify_json 1 b64-edit.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch"
sed 's|<ds:Object Id="bin"\([^>]*\)>|&<Amount xmlns="urn:example:invoice"/>|' b64.xml >b64-element.xml
verify_json 1 b64-element.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE 'decodes base64 text, but element <Amount>'
pass "enveloping base64 content: TOTAL-PASSED, decoded bytes covered; edited bytes, an element in the text: TOTAL-FAILED"

# --- a ds:Manifest naming two ds:Objects (XML and base64) ---
MANIFEST="<ds:Object><ds:Manifest Id=\"man\"><ds:Reference URI=\"#a\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference URI=\"#b\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#base64\"/></ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference></ds:Manifest></ds:Object><ds:Object Id=\"a\">$INVOICE</ds:Object><ds:Object Id=\"b\">$B64</ds:Object>"
mk manifest.xml 'URI="#man" Type="http://www.w3.org/2000/09/xmldsig#Manifest"' "$XS_EXC" "$MANIFEST"
xs_referee_ok "${IDS[@]}" manifest.xml
grep -q "Manifests References (ok/all): 2/2" "$XS_LOG" || fail "xmlsec1 does not verify both manifest References: $(tail -3 "$XS_LOG")"
xs_eseal 0 manifest.xml 0 TOTAL-PASSED True \
	'^an enveloping signature: its ds:Manifest; through ds:Manifest Id "man" \(digests checked\): ds:Object Id "a", ds:Object Id "b"$'
# An edited object named only by the manifest: XML-DSig core validation (xmlsec1) still says OK, the manifest
# Reference fails; we fail the seal, and it is not reported as covered.
sed 's/>1000</>9000</' manifest.xml >manifest-edit.xml
xs_referee_ok "${IDS[@]}" manifest-edit.xml
grep -q "Manifests References (ok/all): 1/2" "$XS_LOG" || fail "xmlsec1 does not see the manifest mismatch: $(tail -3 "$XS_LOG")"
xs_eseal 1 manifest-edit.xml 0 TOTAL-FAILED False \
	'^an enveloping signature: its ds:Manifest; through ds:Manifest Id "man" \(digests checked\): ds:Object Id "b"$'
expect_seal 0 TOTAL-FAILED HASH_FAILURE 'ds:Manifest Id "man": Reference #a digest mismatch'
pass "ds:Manifest: TOTAL-PASSED, both entries checked and named (xmlsec1: 2/2); an edited entry: HASH_FAILURE, left out of the coverage (xmlsec1: OK, manifest 1/2)"

# A manifest entry we cannot check (an XPath transform, here leaving the amount out: xmlsec1 accepts the edited
# amount, manifest 2/2): what it names is not signed, and a ds:Object holding it is unsigned content.
XPATH_OUT="<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>not(ancestor-or-self::*[local-name()='Amount'])</ds:XPath></ds:Transform>"
mk manifest-xpath.xml 'URI="#man" Type="http://www.w3.org/2000/09/xmldsig#Manifest"' "$XS_EXC" "${MANIFEST/<ds:Transforms>$XS_EXC/<ds:Transforms>$XPATH_OUT$XS_EXC}"
sed 's/>1000</>9000</' manifest-xpath.xml >manifest-xpath-edit.xml
xs_referee_ok "${IDS[@]}" manifest-xpath-edit.xml
grep -q "Manifests References (ok/all): 2/2" "$XS_LOG" || fail "xmlsec1 sees the XPath-hidden amount: $(tail -3 "$XS_LOG")"
xs_eseal 1 manifest-xpath-edit.xml 0 TOTAL-FAILED False
errors_match 0 'unsigned content: element <Invoice> .* in a ds:Object of the signature'
pass "a manifest entry that cannot be checked (XPath): what it names is unsigned content, TOTAL-FAILED"
