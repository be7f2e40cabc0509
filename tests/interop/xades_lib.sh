# tests/interop/xades_lib.sh: XAdES made as other products make them: templates carrying each producer's URI forms
# and transforms, signed by xmlsec1 (a tool we did not write) with the fixture's development key, then refereed by
# `xmlsec1 --verify`. Sourced after tests/lib/env.sh and tests/verify/lib.sh.
#
#   xs_qp [SIGNED-SIGNATURE-EXTRA] [DATA-OBJECT-FORMATS] [UNSIGNED]  a xades:QualifyingProperties for the signature
#                         Id "sig": SigningTime, SigningCertificateV2 of the development certificate, the given
#                         DataObjectFormats (default: one for Reference "ref-doc"), the given UnsignedProperties
#   xs_invoice OUT URI TRANSFORMS [ROOT-ATTRIBUTES] [KEYINFO]  OUT.tmpl: an invoice <Invoice xmlns="urn:example:invoice">
#                         (a comment, Amount 1000, Payee) with an enveloped XAdES signature whose data Reference
#                         "ref-doc" has that URI and those ds:Transform elements; then xs_sign OUT.tmpl OUT
#   xs_sign TMPL OUT [xmlsec1 options]  xmlsec1 --sign with the development key and chain
#   xs_referee_ok FILE [options] / xs_referee_no FILE [options]  xmlsec1 --verify (trusting the demo root) accepts /
#                         rejects FILE
#   xs_eseal CODE FILE SEAL INDICATION COVERS [COVERAGE-REGEX]  `eseal verify --json` exits CODE and says that of seal
#                         SEAL (covers: True/False)
XS_DS='xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
XS_ENV='<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
XS_EXC='<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
XS_SHA256='<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
XS_SPID="http://uri.etsi.org/01903/v1.3.2#:SignedProperties"
XS_CERTDIG=$(openssl x509 -in "$PKI/dev-eseal.pem" -outform DER | openssl dgst -sha256 -binary | base64)
XS_LOG=$ESEAL_TMP_ROOT/xmlsec.log

xs_qp() {
	local dof=${2-'<xades:DataObjectFormat ObjectReference="#ref-doc"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat>'}
	printf '%s' "<xades:QualifyingProperties xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\" Target=\"#sig\"><xades:SignedProperties Id=\"sp\"><xades:SignedSignatureProperties><xades:SigningTime>$(date -u +%Y-%m-%dT%H:%M:%SZ)</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest>$XS_SHA256<ds:DigestValue>$XS_CERTDIG</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2>${1:-}</xades:SignedSignatureProperties>"
	[ -z "$dof" ] || printf '%s' "<xades:SignedDataObjectProperties>$dof</xades:SignedDataObjectProperties>"
	printf '%s' "</xades:SignedProperties>${3:-}</xades:QualifyingProperties>"
}

xs_signature() { # URI TRANSFORMS [KEYINFO]
	local ki=${3-'<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>'}
	printf '%s' "<ds:Signature $XS_DS Id=\"sig\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><ds:Reference Id=\"ref-doc\" URI=\"$1\"><ds:Transforms>$2</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference><ds:Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#sp\"><ds:Transforms>$XS_EXC</ds:Transforms>$XS_SHA256<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>$ki<ds:Object>$(xs_qp)</ds:Object></ds:Signature>"
}

xs_invoice() { # OUT URI TRANSFORMS [ROOT-ATTRIBUTES] [KEYINFO]
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<Invoice xmlns=\"urn:example:invoice\"${4:-}><!-- issued by the supplier's ERP --><Amount currency=\"JPY\">1000</Amount><Payee>Supplier KK</Payee>$(xs_signature "$2" "$3" "${5-<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>}")</Invoice>"
	} >"$1.tmpl"
	xs_sign "$1.tmpl" "$1"
}

xs_sign() { # TMPL OUT [xmlsec1 options]
	local tmpl=$1 out=$2
	shift 2
	xmlsec1 --sign --id-attr:Id "$XS_SPID" --id-attr:Id Invoice "$@" \
		--privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output "$out" "$tmpl" >"$XS_LOG" 2>&1 ||
		fail "xmlsec1 cannot sign $(basename "$tmpl"): $(tail -3 "$XS_LOG")"
}

xs_referee() {
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" --id-attr:Id "$XS_SPID" --id-attr:Id Invoice "$@" \
		>"$XS_LOG" 2>&1
}
xs_referee_ok() { xs_referee "$@" || fail "xmlsec1 --verify rejects $*: $(tail -3 "$XS_LOG")"; }
xs_referee_no() { ! xs_referee "$@" || fail "xmlsec1 --verify accepts $* (test set-up)"; }

xs_eseal() { # CODE FILE SEAL INDICATION COVERS [COVERAGE-REGEX]
	local code=$1 file=$2 n=$3 ind=$4 covers=$5 re=${6:-.} got
	verify_json "$code" "$file"
	got=$(jf "d['seals'][$n]['indication']")
	[ "$got" = "$ind" ] || fail "$(basename "$file") seal $n: $got, want $ind: $(head -c 1500 "$OUT")"
	got=$(jf "d['seals'][$n]['covers_whole_document']")
	[ "$got" = "$covers" ] || fail "$(basename "$file") seal $n: covers_whole_document $got, want $covers"
	got=$(jf "d['seals'][$n]['coverage']")
	grep -Eq -- "$re" <<<"$got" || fail "$(basename "$file") seal $n: coverage '$got' does not match '$re'"
}
