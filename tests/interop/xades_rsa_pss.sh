#!/bin/bash
# tests/interop/xades_rsa_pss.sh: XAdES with an RSA-PSS SignatureMethod (RFC 6931: sha256-rsa-MGF1, and rsa-pss with
# pss:RSAPSSParams), which xmlsec1 1.2.37 cannot verify. Samples: xmlsec1 signs the template (References digested),
# the SignatureMethod is then set to PSS and lxml's exclusive C14N of SignedInfo is signed by `openssl dgst` with the
# PSS options; the referee is `openssl dgst -verify` with the same options over that SignedInfo. Siblings that still
# fail: one byte of the SignatureValue changed, a salt length or MGF1 hash other than the declared one (SignedInfo
# bytes unchanged: only the parameters differ), an edited amount.
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

# --- eseal's own PSS seal (sealed with --sig-scheme pss) now verifies with eseal ---
cat >doc.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">1000</Amount></Invoice>
XML
expect_exit 0 "$ESEAL" seal --profile demo-bb --placement enveloped --sig-scheme pss -o own.xml doc.xml
grep -q "$PSS#sha256-rsa-MGF1" own.xml || fail "eseal's PSS seal does not name sha256-rsa-MGF1"
xs_eseal 0 own.xml 0 TOTAL-PASSED True
pass "eseal's own sha256-rsa-MGF1 seal: TOTAL-PASSED"
