#!/bin/bash
# tests/xml/xml_seal.sh: XAdES B-B and B-T seals of every XML sample in each placement, through the CLI with the
# SoftHSM key and the loopback TSA. Referees: xmlsec1 --verify, xmllint against the XML-DSig and XAdES schemas,
# lxml's exclusive C14N (content unchanged, time-stamp imprint), openssl ts -verify.
source "$ESEAL_SRC/tests/lib/env.sh"

PY=/usr/bin/python3 # Debian's python3 (python3-lxml), not whatever python3 comes first in PATH
CHECK="$PY $ESEAL_SRC/tests/xml/xades_check.py"
XSD=$SHARED/xsd
DOCS=$SAMPLES/documents
D=$(tmpdir)

# xmlsec1_verify FILE [xmlsec1 options]: the independent XML-DSig referee (references, signature, chain to root).
xmlsec1_verify() {
	local f=$1
	shift
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$@" "$f" >"$D/xmlsec.log" 2>&1
}

# referees OUT IN PLACEMENT CERT SCHEME N_REFS LEVEL [SIG_ID]
referees() {
	local out=$1 in=$2 placement=$3 cert=$4 scheme=$5 nrefs=$6 level=$7 sid=${8:-} hex
	local node=()
	[ -n "$sid" ] && node=(--node-id "$sid")
	xmlsec1_verify "$out" "${node[@]}" || fail "xmlsec1 --verify rejects $out: $(cat "$D/xmlsec.log")"
	grep -q "^OK" "$D/xmlsec.log" || fail "xmlsec1 did not say OK for $out"
	$CHECK extract "$out" qp "$D/qp.xml" $sid
	$CHECK extract "$out" signature "$D/sig.xml" $sid
	xmllint --noout --nonet --schema "$XSD/XAdES01903v132-201601.xsd" "$D/qp.xml" 2>"$D/xsd.log" ||
		fail "QualifyingProperties of $out fails the XAdES schema: $(cat "$D/xsd.log")"
	xmllint --noout --nonet --schema "$XSD/xmldsig-core-schema.xsd" "$D/sig.xml" 2>"$D/xsd.log" ||
		fail "ds:Signature of $out fails the XML-DSig schema: $(cat "$D/xsd.log")"
	if [ "$placement" != detached ]; then
		$CHECK unchanged "$in" "$out" "$placement" $sid >/dev/null || fail "$out: content outside the seal changed"
	fi
	$CHECK structure "$out" "$cert" "$scheme" "$nrefs" $sid >/dev/null || fail "$out: XAdES structure"
	if [ "$level" = B-T ]; then
		hex=$($CHECK timestamp "$out" "$D/tok.der" $sid) || fail "$out: no time-stamp"
		openssl ts -verify -digest "$hex" -in "$D/tok.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
			>"$D/ts.log" 2>&1 || fail "$out: time-stamp imprint is not SHA-256(exc-c14n(SignatureValue)): $(cat "$D/ts.log")"
	else
		! grep -q "SignatureTimeStamp" "$out" || fail "$out: B-B seal carries a time-stamp"
	fi
}

seal() { # seal PROFILE PLACEMENT IN OUT [extra CLI args]
	local profile=$1 placement=$2 in=$3 out=$4
	shift 4
	expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile "$profile" --placement "$placement" "$@" -o "$out" "$in"
	assert_file "$out"
}

for level in B-B B-T; do
	profile=demo
	[ $level = B-B ] && profile=demo-bb
	for spec in invoice-ubl.xml:ubl fattura.xml:fatturapa INDEX_C.XML:enveloped generic-ns.xml:enveloped; do
		doc=${spec%%:*}
		placement=${spec##*:}
		before=$(sha256sum <"$DOCS/$doc")
		out=$D/$level-$placement-$doc
		seal $profile "$placement" "$DOCS/$doc" "$out"
		[ "$(sha256sum <"$DOCS/$doc")" = "$before" ] || fail "$doc: input was modified"
		referees "$out" "$DOCS/$doc" "$placement" "$PKI/eseal.pem" rsa 1 $level
		pass "$level $placement $doc: xmlsec1, XSDs, canonical content, structure$([ $level = B-T ] && echo ', ts imprint')"
	done
done

# The Shift_JIS index file stays Shift_JIS, with its declaration and DOCTYPE, and its text intact.
sj=$D/B-T-enveloped-INDEX_C.XML
head -1 "$sj" | grep >/dev/null '^<?xml version="1.0" encoding="Shift_JIS"?>' || fail "INDEX_C.XML lost its Shift_JIS declaration"
grep -q '^<!DOCTYPE constdata SYSTEM "INDE_C05.DTD">' "$sj" || fail "INDEX_C.XML lost its DOCTYPE"
! iconv -f UTF-8 -t UTF-8 "$sj" >/dev/null 2>&1 || fail "INDEX_C.XML output is UTF-8, not Shift_JIS"
iconv -f SHIFT_JIS -t UTF-8 "$sj" >"$D/sj-utf8.xml" || fail "INDEX_C.XML output is not valid Shift_JIS"
grep -q '<工事名称>市道１２号線道路改良工事</工事名称>' "$D/sj-utf8.xml" || fail "INDEX_C.XML text changed"
file "$sj" | grep -v >/dev/null "UTF-8" || fail "file(1) sees UTF-8"
pass "Shift_JIS stays Shift_JIS (declaration, DOCTYPE, text)"

# UTF-16 (with BOM) stays UTF-16; a UTF-8 BOM is kept; a document without XML declaration gets none.
sed 's/encoding="UTF-8"/encoding="UTF-16"/' "$DOCS/generic-ns.xml" | iconv -f UTF-8 -t UTF-16 >"$D/u16.xml"
seal demo-bb enveloped "$D/u16.xml" "$D/u16-sealed.xml"
referees "$D/u16-sealed.xml" "$D/u16.xml" enveloped "$PKI/eseal.pem" rsa 1 B-B
file "$D/u16-sealed.xml" | grep >/dev/null "UTF-16" || fail "UTF-16 document not written as UTF-16: $(file "$D/u16-sealed.xml")"
printf '\xEF\xBB\xBF<?xml version="1.0" encoding="UTF-8"?>\n<a>bom \xC3\xBC</a>\n' >"$D/bom.xml"
seal demo-bb enveloped "$D/bom.xml" "$D/bom-sealed.xml"
referees "$D/bom-sealed.xml" "$D/bom.xml" enveloped "$PKI/eseal.pem" rsa 1 B-B
[ "$(head -c 3 "$D/bom-sealed.xml" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "UTF-8 BOM lost"
printf '<a xmlns="urn:x">no declaration</a>' >"$D/nodecl.xml"
seal demo-bb enveloped "$D/nodecl.xml" "$D/nodecl-sealed.xml"
referees "$D/nodecl-sealed.xml" "$D/nodecl.xml" enveloped "$PKI/eseal.pem" rsa 1 B-B
[ "$(head -c 2 "$D/nodecl-sealed.xml")" = "<a" ] || fail "an XML declaration was added"
pass "UTF-16, UTF-8 BOM and no declaration kept as they were"

# UBL: the extension block and the body's cac:Signature reference each other.
u=$D/B-T-ubl-invoice-ubl.xml
$PY - "$u" <<'PYEOF' || fail "UBL signature block"
import sys
from lxml import etree
ns = {"ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
      "sig": "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2",
      "sac": "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2",
      "sbc": "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}
r = etree.parse(sys.argv[1]).getroot()
first = [c for c in r if isinstance(c.tag, str)][0]
assert first.tag == "{%s}UBLExtensions" % ns["ext"], "UBLExtensions is not the root's first child"
e = first.find("ext:UBLExtension", ns)
assert e.findtext("ext:ExtensionURI", namespaces=ns) == "urn:oasis:names:specification:ubl:dsig:enveloped:xades"
info = e.find("ext:ExtensionContent/sig:UBLDocumentSignatures/sac:SignatureInformation", ns)
assert info.find("ds:Signature", ns) is not None, "ds:Signature not in sac:SignatureInformation"
ref = info.findtext("sbc:ReferencedSignatureID", namespaces=ns)
body = r.find("cac:Signature", ns)
assert body.findtext("cbc:ID", namespaces=ns) == ref, "ReferencedSignatureID does not name the body's cac:Signature"
assert info.findtext("cbc:ID", namespaces=ns), "SignatureInformation without cbc:ID"
PYEOF
grep -q 'here()/ancestor::sig:UBLDocumentSignatures' "$u" || fail "UBL data Reference does not use the UBL DSig XPath"
pass "UBL extension block, cac:Signature and the UBL DSig XPath transform"

# UBL with an existing ext:UBLExtensions (another extension kept first), comments and PIs in the body and 40 lines:
# the digest computed over xmlsec's node sets must equal what xmlsec1 gets from the UBL DSig XPath itself.
$PY - "$DOCS/invoice-ubl.xml" "$D/ubl-rich.xml" <<'PYEOF'
import sys
src = open(sys.argv[1], encoding="utf-8").read()
start = src.index("  <cac:InvoiceLine>")
end = src.index("</cac:InvoiceLine>") + len("</cac:InvoiceLine>\n")
line = src[start:end]
lines = "".join(line.replace("<cbc:ID>1</cbc:ID>", "<cbc:ID>%d</cbc:ID><!-- line %d -->" % (i, i), 1) for i in range(1, 41))
head = src[:start].replace("  <cbc:CustomizationID>",
    '  <ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">'
    "<ext:UBLExtension><ext:ExtensionURI>urn:example:other</ext:ExtensionURI><ext:ExtensionContent>"
    "<x:Other xmlns:x='urn:example:x'>kept</x:Other></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n"
    "  <?erp-export batch=\"7\"?>\n  <cbc:CustomizationID>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(head + lines + src[end:])
PYEOF
seal demo-bb ubl "$D/ubl-rich.xml" "$D/ubl-rich-sealed.xml"
referees "$D/ubl-rich-sealed.xml" "$D/ubl-rich.xml" ubl "$PKI/eseal.pem" rsa 1 B-B
[ "$(grep -o '<ext:UBLExtension>' "$D/ubl-rich-sealed.xml" | wc -l)" = 2 ] || fail "existing UBL extension not kept"
grep -q '<ext:ExtensionURI>urn:example:other</ext:ExtensionURI>' "$D/ubl-rich-sealed.xml" || fail "other extension lost"
pass "UBL with an existing extension, comments and PIs: xmlsec1 agrees with the UBL DSig XPath digest"

# FatturaPA: enveloped, last child of p:FatturaElettronica, rsa-sha256 with the ds prefix.
f=$D/B-B-fatturapa-fattura.xml
grep -q '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' "$f" || fail "FatturaPA not rsa-sha256"
tail -c 80 "$f" | grep >/dev/null '</ds:Signature></p:FatturaElettronica>' || fail "FatturaPA signature is not the root's last child"
pass "FatturaPA enveloped form"

# ECDSA key (P-256): ecdsa-sha256 with the raw r||s value XML-DSig wants.
seal demo-ec enveloped "$DOCS/generic-ns.xml" "$D/ec.xml"
referees "$D/ec.xml" "$DOCS/generic-ns.xml" enveloped "$PKI/eseal-ec.pem" ecdsa 1 B-T
pass "ECDSA P-256 B-T"

# RSA-PSS: xmlsec1 1.2.37 has no sha256-rsa-MGF1, so openssl checks the signature over lxml's exc-c14n of
# SignedInfo (salt = digest length), and xmlsec1 checks the References of a copy relabelled rsa-sha256.
seal demo-bb enveloped "$DOCS/generic-ns.xml" "$D/pss.xml" --sig-scheme pss
grep -q '<ds:SignatureMethod Algorithm="http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"/>' "$D/pss.xml" ||
	fail "PSS seal does not name sha256-rsa-MGF1"
$CHECK signedinfo "$D/pss.xml" "$D/pss-si.bin" "$D/pss-sv.bin"
openssl x509 -in "$PKI/eseal.pem" -noout -pubkey >"$D/pub.pem"
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -verify "$D/pub.pem" \
	-signature "$D/pss-sv.bin" "$D/pss-si.bin" >"$D/pss.log" 2>&1 || fail "RSA-PSS SignatureValue: $(cat "$D/pss.log")"
sed 's#http://www.w3.org/2007/05/xmldsig-more\#sha256-rsa-MGF1#http://www.w3.org/2001/04/xmldsig-more\#rsa-sha256#' \
	"$D/pss.xml" >"$D/pss-relabelled.xml"
xmlsec1_verify "$D/pss-relabelled.xml" || true
grep -q "SignedInfo References (ok/all): 2/2" "$D/xmlsec.log" || fail "PSS seal References: $(cat "$D/xmlsec.log")"
$CHECK unchanged "$DOCS/generic-ns.xml" "$D/pss.xml" enveloped >/dev/null || fail "PSS: content changed"
pass "RSA-PSS (sha256-rsa-MGF1): signature checked by openssl, References by xmlsec1"

# Negative controls: the referees do notice a change.
sed 's/Inspection &amp; delivery report/Inspection \&amp; delivery rep0rt/' "$D/B-B-enveloped-generic-ns.xml" >"$D/tampered.xml"
! cmp -s "$D/tampered.xml" "$D/B-B-enveloped-generic-ns.xml" || fail "tampering did not change the file"
! xmlsec1_verify "$D/tampered.xml" || fail "xmlsec1 accepts a tampered document"
sed 's#<cbc:PayableAmount currencyID="JPY">1320000#<cbc:PayableAmount currencyID="JPY">1320001#' "$u" >"$D/tampered-ubl.xml"
! xmlsec1_verify "$D/tampered-ubl.xml" || fail "xmlsec1 accepts a tampered UBL invoice"
pass "tampered documents are rejected by xmlsec1"

# Detached over a binary drawing plus the index file, by relative URI. xmlsec1 1.2.37 resolves relative URIs
# against its working directory, not the signature's: it verifies from the signature's directory.
mkdir -p "$D/delivery/DRAWINGF"
head -c 300000 /dev/urandom >"$D/delivery/DRAWINGF/D0001.dwg"
cp "$DOCS/INDEX_C.XML" "$D/delivery/"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo --placement detached -o "$D/delivery/SIGN.XML" \
	"$D/delivery/DRAWINGF/D0001.dwg" "$D/delivery/INDEX_C.XML"
grep -q 'URI="DRAWINGF/D0001.dwg"' "$D/delivery/SIGN.XML" || fail "detached Reference URI is not relative"
grep -q '<xades:MimeType>image/vnd.dwg</xades:MimeType>' "$D/delivery/SIGN.XML" || fail "no MimeType for the .dwg"
(cd "$D/delivery" && referees "$D/delivery/SIGN.XML" "" detached "$PKI/eseal.pem" rsa 2 B-T)
want=$(openssl dgst -sha256 -binary "$D/delivery/DRAWINGF/D0001.dwg" | base64)
grep -q "$want" "$D/delivery/SIGN.XML" || fail "detached DigestValue is not SHA-256 of the raw file"
# Signature in a sibling directory: the URIs climb out of it.
mkdir -p "$D/sigs"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --placement detached --format xml -o "$D/sigs/s.xml" \
	"$D/delivery/DRAWINGF/D0001.dwg"
grep -q 'URI="../delivery/DRAWINGF/D0001.dwg"' "$D/sigs/s.xml" || fail "detached URI across directories"
(cd "$D/sigs" && referees "$D/sigs/s.xml" "" detached "$PKI/eseal.pem" rsa 1 B-B)
printf 'x' >>"$D/delivery/DRAWINGF/D0001.dwg"
! (cd "$D/delivery" && xmlsec1_verify "$D/delivery/SIGN.XML") || fail "xmlsec1 accepts a detached seal over a changed drawing"
pass "detached XAdES over a binary drawing and INDEX_C.XML (relative URIs, changed file rejected)"

# A document that already holds a signature: refused with a hint, no output; accepted when explicitly allowed.
signed=$D/B-B-enveloped-generic-ns.xml
expect_exit 65 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb -o "$D/twice.xml" "$signed"
assert_grep "already holds a ds:Signature" "$ERR"
assert_grep "placement detached" "$ERR"
assert_no_file "$D/twice.xml"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --allow-signed -o "$D/twice.xml" "$signed"
sid=$($CHECK sigid "$D/twice.xml")
first=$($CHECK sigid "$signed")
[ "$sid" != "$first" ] || fail "second seal reused the first seal's Id"
[ "$(grep -o '<ds:Signature ' "$D/twice.xml" | wc -l)" = 2 ] || fail "expected two signatures"
xmlsec1_verify "$D/twice.xml" --node-id "$sid" || fail "second seal does not verify: $(cat "$D/xmlsec.log")"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --placement detached -o "$D/det-of-signed.xml" "$signed"
(cd "$D" && referees "$D/det-of-signed.xml" "" detached "$PKI/eseal.pem" rsa 1 B-B)
xmlsec1_verify "$signed" || fail "the first seal must still verify"
pass "already-signed document: refused, allowed with --allow-signed, detached leaves it intact"

# Batch: several XML documents sealed by parallel workers (per-thread libxml2/xmlsec state), each verifies.
mkdir -p "$D/batch-in" "$D/batch-out"
for i in 1 2 3 4 5 6; do cp "$DOCS/generic-ns.xml" "$D/batch-in/doc$i.xml"; done
cp "$DOCS/INDEX_C.XML" "$D/batch-in/INDEX_C.XML"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo -j 2 --out-dir "$D/batch-out" "$D"/batch-in/*.xml \
	"$D/batch-in/INDEX_C.XML"
n=0
while IFS= read -r -d '' f; do
	xmlsec1_verify "$f" || fail "batch output $f: $(cat "$D/xmlsec.log")"
	n=$((n + 1))
done < <(find "$D/batch-out" -type f -print0)
[ "$n" = 7 ] || fail "batch wrote $n outputs, expected 7"
pass "batch of 7 XML documents with 2 workers: all verify"
