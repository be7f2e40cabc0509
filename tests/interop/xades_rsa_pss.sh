#!/bin/bash
# tests/interop/xades_rsa_pss.sh: XAdES with an RSA-PSS SignatureMethod (RFC 6931: sha256-rsa-MGF1, and rsa-pss with
# pss:RSAPSSParams), which xmlsec1 1.2.37 cannot verify. Samples: xmlsec1 signs the template (References digested),
# the SignatureMethod is then set to PSS and lxml's exclusive C14N of SignedInfo is signed by `openssl dgst` with the
# PSS options; the referee is `openssl dgst -verify` with the same options over that SignedInfo. Siblings that still
# fail: one byte of the SignatureValue changed, a salt length or MGF1 hash other than the declared one (SignedInfo
# bytes unchanged: only the parameters differ), an edited amount. rsa-pss with RSAPSSParams omitted or empty takes
# RFC 6931's defaults (SHA-256, MGF1 SHA-256, salt 32, as the JDK reads and writes them); signed with RFC 4055's ASN.1
# defaults (SHA-1, salt 20) instead, it fails.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
PY=/usr/bin/python3 # Debian's python3 (python3-lxml)
CHECK="$PY $ESEAL_SRC/tests/xml/xades_check.py"
PSS=http://www.w3.org/2007/05/xmldsig-more
openssl x509 -in "$PKI/dev-eseal.pem" -pubkey -noout >pub.pem
xs_invoice base.xml "" "$XS_ENV$XS_EXC"

# pss_sign OUT METHOD-ELEMENT OPENSSL-DGST-OPTIONS...: base.xml with that SignatureMethod, SignedInfo signed anew.
pss_sign() {
	local out=$1 method=$2
	shift 2
	$PY - base.xml "$out.unsigned" "$method" <<'EOF'
import re, sys
data = open(sys.argv[1], encoding="utf-8").read()
data, n = re.subn(r'<ds:SignatureMethod Algorithm="[^"]*"/>', lambda m: sys.argv[3], data, count=1)
assert n == 1
open(sys.argv[2], "w", encoding="utf-8").write(data)
EOF
	$CHECK signedinfo "$out.unsigned" "$out.si" "$out.old-sv" sig
	openssl dgst "$@" -sign "$DEV_KEY" -out "$out.sv" "$out.si" || fail "openssl cannot sign $out"
	$PY - "$out.unsigned" "$out" "$out.sv" <<'EOF'
import base64, re, sys
data = open(sys.argv[1], encoding="utf-8").read()
sv = base64.b64encode(open(sys.argv[3], "rb").read()).decode()
data, n = re.subn(r"(<ds:SignatureValue>)[^<]*(<)", lambda m: m.group(1) + sv + m.group(2), data, count=1)
assert n == 1
open(sys.argv[2], "w", encoding="utf-8").write(data)
EOF
}
# referee OK|NO FILE OPTIONS...: openssl dgst -verify over FILE's SignedInfo (lxml exc-c14n) accepts / rejects.
referee() {
	local want=$1 file=$2
	shift 2
	$CHECK signedinfo "$file" "$file.vsi" "$file.vsv" sig
	if openssl dgst "$@" -verify pub.pem -signature "$file.vsv" "$file.vsi" >"$file.log" 2>&1; then
		[ "$want" = OK ] || fail "openssl dgst accepts $file (test set-up)"
	else
		[ "$want" = NO ] || fail "openssl dgst rejects $file: $(cat "$file.log")"
	fi
}

# --- sha256-rsa-MGF1 (RFC 6931 2.3.10: MGF1 with SHA-256, salt 32) ---
pss_sign mgf1.xml "<ds:SignatureMethod Algorithm=\"$PSS#sha256-rsa-MGF1\"/>" \
	-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
referee OK mgf1.xml -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
xs_referee_no mgf1.xml # xmlsec1 1.2.37 does not know the method
xs_eseal 0 mgf1.xml 0 TOTAL-PASSED True '^the whole document$'
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "mgf1: level $(jf "d['seals'][0]['level']")"
pass "sha256-rsa-MGF1: TOTAL-PASSED B-B (openssl dgst -verify with PSS: valid)"

# One SignatureValue byte changed (a base64 character in the middle).
$PY - mgf1.xml mgf1-sv.xml <<'EOF'
import re, sys
data = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<ds:SignatureValue>([^<]*)<", data)
i = m.start(1) + 100
data = data[:i] + ("A" if data[i] != "A" else "B") + data[i + 1:]
open(sys.argv[2], "w", encoding="utf-8").write(data)
EOF
referee NO mgf1-sv.xml -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
verify_json 1 mgf1-sv.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify with the signing certificate's key \(RSA-PSS \(SHA256, MGF1 SHA256, salt 32\)\)"
# Signed with salt 20 under a method that means salt 32 (SignedInfo unchanged): the parameters differ.
pss_sign mgf1-salt.xml "<ds:SignatureMethod Algorithm=\"$PSS#sha256-rsa-MGF1\"/>" \
	-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20
referee NO mgf1-salt.xml -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
verify_json 1 mgf1-salt.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify"
# The covered amount edited.
sed 's/>1000</>9000</' mgf1.xml >mgf1-amount.xml
verify_json 1 mgf1-amount.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch"
pass "sha256-rsa-MGF1: a changed SignatureValue byte, salt 20 for 32: SIG_CRYPTO_FAILURE; an edited amount: HASH_FAILURE"

# --- rsa-pss with pss:RSAPSSParams (RFC 6931 2.3.11): SHA-512, MGF1 with SHA-256, salt 20 ---
PARAMS="<ds:SignatureMethod Algorithm=\"$PSS#rsa-pss\"><pss:RSAPSSParams xmlns:pss=\"$PSS#\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha512\"/><pss:MaskGenerationFunction Algorithm=\"$PSS#MGF1\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/></pss:MaskGenerationFunction><pss:SaltLength>20</pss:SaltLength><pss:TrailerField>1</pss:TrailerField></pss:RSAPSSParams></ds:SignatureMethod>"
OPTS=(-sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256 -sigopt rsa_pss_saltlen:20)
pss_sign params.xml "$PARAMS" "${OPTS[@]}"
referee OK params.xml "${OPTS[@]}"
xs_eseal 0 params.xml 0 TOTAL-PASSED True '^the whole document$'
pass "rsa-pss with RSAPSSParams (SHA-512, MGF1 SHA-256, salt 20): TOTAL-PASSED (openssl dgst: valid)"
# The same parameters' SignedInfo signed with MGF1 SHA-512, or salt 64: the declared parameters do not verify it.
pss_sign params-mgf.xml "$PARAMS" -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha512 -sigopt rsa_pss_saltlen:20
referee NO params-mgf.xml "${OPTS[@]}"
verify_json 1 params-mgf.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "RSA-PSS \(SHA512, MGF1 SHA256, salt 20\)"
pss_sign params-salt.xml "$PARAMS" -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256 -sigopt rsa_pss_saltlen:64
referee NO params-salt.xml "${OPTS[@]}"
verify_json 1 params-salt.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify"
# Signed with SHA-256 where the parameters say SHA-512.
pss_sign params-hash.xml "$PARAMS" -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256 -sigopt rsa_pss_saltlen:20
referee NO params-hash.xml "${OPTS[@]}"
verify_json 1 params-hash.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify"
# A trailer field other than 1 is not supported: refused, not guessed.
pss_sign params-trailer.xml "${PARAMS/<pss:TrailerField>1</<pss:TrailerField>2<}" "${OPTS[@]}"
verify_json 1 params-trailer.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "pss:TrailerField other than 1"
pass "rsa-pss: MGF1 hash, salt or hash other than declared: SIG_CRYPTO_FAILURE; TrailerField 2: FORMAT_FAILURE"

# --- rsa-pss with its parameters left at their defaults: pss:RSAPSSParams omitted, or empty ---
# RFC 6931 2.3.10 gives the XML defaults: SHA-256, MGF1 with the DigestMethod's hash, salt its length (32), trailer 1;
# the Java XML signature API (JDK DOMRSAPSSSignatureMethod) reads them so and, signing with them, writes no
# RSAPSSParams at all. RFC 4055's defaults (SHA-1, MGF1 SHA-1, salt 20) are those of the ASN.1 RSASSA-PSS-params of
# CMS and X.509, not of the XML: a signature made with them under an XML method without parameters does not verify.
DEFAULTS=(-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256 -sigopt rsa_pss_saltlen:32)
for form in omitted empty; do
	if [ $form = omitted ]; then
		method="<ds:SignatureMethod Algorithm=\"$PSS#rsa-pss\"/>"
	else
		method="<ds:SignatureMethod Algorithm=\"$PSS#rsa-pss\"><pss:RSAPSSParams xmlns:pss=\"$PSS#\"/></ds:SignatureMethod>"
	fi
	pss_sign default-$form.xml "$method" "${DEFAULTS[@]}"
	referee OK default-$form.xml "${DEFAULTS[@]}"
	xs_eseal 0 default-$form.xml 0 TOTAL-PASSED True '^the whole document$'
	# Signed as if RFC 4055's ASN.1 defaults applied (openssl with those: valid; with RFC 6931's: invalid).
	pss_sign default-$form-sha1.xml "$method" -sha1 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 \
		-sigopt rsa_pss_saltlen:20
	referee OK default-$form-sha1.xml -sha1 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -sigopt rsa_pss_saltlen:20
	referee NO default-$form-sha1.xml "${DEFAULTS[@]}"
	verify_json 1 default-$form-sha1.xml
	expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "does not verify with the signing certificate's key \(RSA-PSS \(SHA256, MGF1 SHA256, salt 32\)\)"
done
pass "rsa-pss, RSAPSSParams omitted or empty: RFC 6931's defaults (SHA-256, MGF1 SHA-256, salt 32) verify; RFC 4055's (SHA-1, salt 20) assumed: SIG_CRYPTO_FAILURE naming the defaults applied"
# Only DigestMethod SHA-512 given: MGF1 and the salt follow it (SHA-512, 64). Signed with SHA-256's MGF1 and salt
# (the defaults of an empty RSAPSSParams wrongly kept once the hash is named): SIG_CRYPTO_FAILURE.
ONLY512="<ds:SignatureMethod Algorithm=\"$PSS#rsa-pss\"><pss:RSAPSSParams xmlns:pss=\"$PSS#\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha512\"/></pss:RSAPSSParams></ds:SignatureMethod>"
OPTS512=(-sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha512 -sigopt rsa_pss_saltlen:64)
pss_sign only512.xml "$ONLY512" "${OPTS512[@]}"
referee OK only512.xml "${OPTS512[@]}"
xs_eseal 0 only512.xml 0 TOTAL-PASSED True '^the whole document$'
pss_sign only512-wrong.xml "$ONLY512" -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256 -sigopt rsa_pss_saltlen:32
referee NO only512-wrong.xml "${OPTS512[@]}"
verify_json 1 only512-wrong.xml
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "RSA-PSS \(SHA512, MGF1 SHA512, salt 64\)"
pass "rsa-pss naming SHA-512 alone: MGF1 SHA-512 and salt 64 verify; MGF1 SHA-256 and salt 32 assumed: SIG_CRYPTO_FAILURE"

# --- eseal's own PSS seal (sealed with --sig-scheme pss) now verifies with eseal ---
cat >doc.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">1000</Amount></Invoice>
XML
expect_exit 0 "$ESEAL" seal --profile demo-bb --placement enveloped --sig-scheme pss -o own.xml doc.xml
grep -q "$PSS#sha256-rsa-MGF1" own.xml || fail "eseal's PSS seal does not name sha256-rsa-MGF1"
xs_eseal 0 own.xml 0 TOTAL-PASSED True
pass "eseal's own sha256-rsa-MGF1 seal: TOTAL-PASSED"
