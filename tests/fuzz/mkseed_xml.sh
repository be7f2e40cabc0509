#!/bin/bash
# tests/fuzz/mkseed_xml.sh DIR: the XML seed corpus of the fuzz stage: the sample documents and two signatures made
# by xmlsec1 with a throw-away key (an enveloped invoice, and one with UBL 2.1's signature container and XPath), each
# checked by xmlsec1 --verify. Exits non-zero, saying why, if any seed cannot be made: a signed seed lost silently
# would leave the fuzzer outside the signature checks while the stage still passes.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$1
mkdir -p "$OUT"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

cp "$SRC"/samples/documents/*.xml "$OUT/"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -days 30 \
	-subj "/C=JP/O=Fuzz Org/organizationIdentifier=NTRJP-0000000000000/CN=Fuzz Seal" \
	-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature,nonRepudiation" \
	>"$W/openssl.log" 2>&1 || { echo "mkseed_xml: openssl cannot make the seed key: $(tail -3 "$W/openssl.log")" >&2; exit 1; }

DS='http://www.w3.org/2000/09/xmldsig#'
SIG_NS=urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2
SIGNED_INFO_HEAD="<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><ds:Reference URI=\"\"><ds:Transforms>"
SIGNED_INFO_TAIL="<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>"

cat >"$W/enveloped.xml" <<XML
<?xml version="1.0"?>
<Invoice xmlns="urn:example:invoice" Id="inv"><Amount>1</Amount><ds:Signature xmlns:ds="$DS">${SIGNED_INFO_HEAD}<ds:Transform Algorithm="${DS}enveloped-signature"/>${SIGNED_INFO_TAIL}</ds:Signature></Invoice>
XML
cat >"$W/ubl.xml" <<XML
<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"><ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"><ext:UBLExtension><ext:ExtensionContent><sig:UBLDocumentSignatures xmlns:sig="$SIG_NS"><sac:SignatureInformation xmlns:sac="urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"><cbc:ID>urn:oasis:names:specification:ubl:signature:1</cbc:ID><ds:Signature xmlns:ds="$DS">${SIGNED_INFO_HEAD}<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:sig="$SIG_NS">count(ancestor-or-self::sig:UBLDocumentSignatures | here()/ancestor::sig:UBLDocumentSignatures[1]) &gt; count(ancestor-or-self::sig:UBLDocumentSignatures)</ds:XPath></ds:Transform>${SIGNED_INFO_TAIL}</ds:Signature></sac:SignatureInformation></sig:UBLDocumentSignatures></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions><cbc:ID>INV-1</cbc:ID><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="JPY">1000</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>
XML
for t in enveloped ubl; do
	xmlsec1 --sign --privkey-pem "$W/k.pem,$W/c.pem" --output "$OUT/xmlsec-$t.xml" "$W/$t.xml" >"$W/xmlsec.log" 2>&1 ||
		{ echo "mkseed_xml: xmlsec1 cannot sign the $t seed: $(tail -3 "$W/xmlsec.log")" >&2; exit 1; }
	xmlsec1 --verify --trusted-pem "$W/c.pem" "$OUT/xmlsec-$t.xml" >"$W/xmlsec.log" 2>&1 ||
		{ echo "mkseed_xml: the signed $t seed does not verify: $(tail -3 "$W/xmlsec.log")" >&2; exit 1; }
done
