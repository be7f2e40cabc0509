#!/bin/bash
# tests/interop/xades_certificate_values.sh: a signing certificate carried only in xades:CertificateValues, with a
# ds:KeyInfo holding only a KeyValue (as some producers write it): xmlsec1 --verify checks it with the KeyValue; we
# find the certificate by the signed SigningCertificateV2 digest. Siblings that still fail: a SigningCertificateV2
# naming a certificate carried nowhere (INDETERMINATE / NO_SIGNING_CERTIFICATE_FOUND); a signature made with another
# key (its KeyValue, which xmlsec1 accepts) naming the genuine certificate (TOTAL-FAILED / SIG_CRYPTO_FAILURE).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
CERT_B64=$(openssl x509 -in "$PKI/dev-eseal.pem" -outform DER | base64 -w0)
CA_B64=$(openssl x509 -in "$CA" -outform DER | base64 -w0)
# The chain in CertificateValues, the signing certificate last (its place is not fixed).
UNSIGNED="<xades:UnsignedProperties><xades:UnsignedSignatureProperties><xades:CertificateValues><xades:EncapsulatedX509Certificate>$CA_B64</xades:EncapsulatedX509Certificate><xades:EncapsulatedX509Certificate>$CERT_B64</xades:EncapsulatedX509Certificate></xades:CertificateValues></xades:UnsignedSignatureProperties></xades:UnsignedProperties>"
mk() { # OUT CERT-DIGEST
	local qp
	qp=$(XS_CERTDIG=$2 xs_qp "" '<xades:DataObjectFormat ObjectReference="#ref-doc"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat>' "$UNSIGNED")
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<Invoice xmlns=\"urn:example:invoice\"><Amount currency=\"JPY\">1000</Amount><ds:Signature $XS_DS Id=\"sig\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><ds:Reference Id=\"ref-doc\" URI=\"\"><ds:Transforms>$XS_ENV$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#sp\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:KeyValue/></ds:KeyInfo><ds:Object>$qp</ds:Object></ds:Signature></Invoice>"
	} >"$1.tmpl"
	xs_sign "$1.tmpl" "$1"
}
mk keyvalue.xml "$XS_CERTDIG"
grep -q "<ds:X509Certificate" keyvalue.xml && fail "test set-up: KeyInfo carries the certificate"
grep -q "<ds:Modulus>" keyvalue.xml || fail "test set-up: no KeyValue"
xmlsec1 --verify --id-attr:Id "$XS_SPID" keyvalue.xml >"$XS_LOG" 2>&1 || fail "xmlsec1 rejects keyvalue.xml: $(tail -3 "$XS_LOG")"
xs_eseal 0 keyvalue.xml 0 TOTAL-PASSED True '^the whole document$'
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "level $(jf "d['seals'][0]['level']")"
[ "$(jf "d['seals'][0]['organization_identifier']")" = NTRJP-1234567890123 ] || fail "signer not identified"
pass "signing certificate only in CertificateValues, KeyInfo a bare KeyValue: TOTAL-PASSED B-B (xmlsec1: valid)"

# A SigningCertificateV2 naming a certificate carried nowhere: no certificate, whatever the KeyValue says.
mk nowhere.xml "$(openssl x509 -in "$CA" -outform DER | openssl dgst -sha256 -binary | openssl dgst -sha256 -binary | base64)"
xmlsec1 --verify --id-attr:Id "$XS_SPID" nowhere.xml >"$XS_LOG" 2>&1 || fail "xmlsec1 rejects nowhere.xml"
verify_json 2 nowhere.xml
expect_seal 0 INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND "names no certificate of ds:KeyInfo, xades:CertificateValues or the trust anchors"
pass "a SigningCertificateV2 naming no carried certificate: INDETERMINATE / NO_SIGNING_CERTIFICATE_FOUND"

# The attack this opens: a signature made with another key (its KeyValue, which xmlsec1 trusts) claiming the genuine
# certificate by its digest. The certificate's key decides: TOTAL-FAILED / SIG_CRYPTO_FAILURE.
openssl genrsa -out other.key 2048 2>/dev/null
cp keyvalue.xml.tmpl forged.xml.tmpl
xmlsec1 --sign --id-attr:Id "$XS_SPID" --privkey-pem other.key --output forged.xml forged.xml.tmpl >"$XS_LOG" 2>&1 ||
	fail "xmlsec1 cannot sign forged.xml: $(tail -3 "$XS_LOG")"
xmlsec1 --verify --id-attr:Id "$XS_SPID" forged.xml >"$XS_LOG" 2>&1 || fail "xmlsec1 rejects forged.xml (test set-up)"
verify_json 1 forged.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify with the signing certificate's key"
pass "another key's signature claiming the genuine certificate from CertificateValues: TOTAL-FAILED / SIG_CRYPTO_FAILURE"
