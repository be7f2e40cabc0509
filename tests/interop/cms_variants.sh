#!/bin/bash
# tests/interop/cms_variants.sh: CAdES as other producers make them, faithfully reproduced from `openssl cms -sign
# -cades` by tests/interop/cms_variants.py (re-signed with the signer's key where the producer signs), judged first
# by the referee `openssl cms -verify`, then by `eseal verify`; each relaxation with the sibling attack that still
# fails.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
VARIANT="python3 $ESEAL_SRC/tests/interop/cms_variants.py"
SIGNER=$PKI/dev-eseal.pem
printf 'site report 2026-12: roof complete\n' >"$D/report.txt"
openssl cms -sign -cades -binary -outform DER -in "$D/report.txt" -signer "$SIGNER" -inkey "$DEV_KEY" -certfile "$CA" \
	-md sha256 -out "$D/base.p7s"

# referee OK|FAIL [-cades] FILE: what openssl cms -verify says of FILE over report.txt.
referee() {
	local want=$1 file=${*: -1} rc=0
	set -- "${@:2:$#-2}"
	openssl cms -verify "$@" -binary -inform DER -in "$file" -content "$D/report.txt" -CAfile "$ROOT" -purpose any \
		-out /dev/null >"$D/referee.txt" 2>&1 || rc=$?
	if [ "$want" = OK ]; then
		[ $rc -eq 0 ] || fail "referee openssl cms -verify $* rejects $(basename "$file"): $(tail -2 "$D/referee.txt")"
	else
		[ $rc -ne 0 ] || fail "referee openssl cms -verify $* accepts $(basename "$file")"
	fi
}
warned() { # REGEX: a warning of seal 0 matches
	local w
	w=$(jf "'\n'.join(d['seals'][0]['warnings'])")
	grep -Eq -- "$1" <<<"$w" || fail "no warning matching '$1': $(head -c 1500 "$OUT")"
}
no_warning() { # REGEX
	local w
	w=$(jf "'\n'.join(d['seals'][0]['warnings'])")
	! grep -Eq -- "$1" <<<"$w" || fail "unexpected warning matching '$1': $w"
}

# The rewriter changes nothing it is not asked to: the same ESS entry, re-signed, gives back the same bytes.
$VARIANT ess "$D/base.p7s" "$D/same.p7s" "$DEV_KEY" "$SIGNER"
cmp -s "$D/base.p7s" "$D/same.p7s" || fail "cms_variants.py does not round-trip openssl's CMS"

# --- signing-certificate-v2 naming the chain too (RFC 5035 5.4: the first ESSCertIDv2 is the signer's) ---
$VARIANT ess "$D/base.p7s" "$D/ess-chain.p7s" "$DEV_KEY" "$SIGNER" "$CA" "$ROOT"
referee OK "$D/ess-chain.p7s"
referee OK -cades "$D/ess-chain.p7s"
verify_json 0 "$D/ess-chain.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "ESS with the chain: level $(jf "d['seals'][0]['level']")"
no_warning "signing-certificate"
pass "signing-certificate-v2 listing signer, CA and root: TOTAL-PASSED B-B (openssl -cades agrees)"

# The signer listed twice (OpenSSL's own -cades check insists on a chain order and refuses it; the signature and
# the first entry are right, and RFC 5035 does not forbid a repeat).
$VARIANT ess "$D/base.p7s" "$D/ess-twice.p7s" "$DEV_KEY" "$SIGNER" "$SIGNER"
referee OK "$D/ess-twice.p7s"
referee FAIL -cades "$D/ess-twice.p7s"
verify_json 0 "$D/ess-twice.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
pass "signing-certificate-v2 naming the signer twice: TOTAL-PASSED"

# A chain certificate the seal does not carry (nor the trust anchors): accepted, with a warning.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/stray.key" -subj "/CN=Stray CA" -days 2 -out "$D/stray.pem" \
	2>/dev/null
$VARIANT ess "$D/base.p7s" "$D/ess-stray.p7s" "$DEV_KEY" "$SIGNER" "$D/stray.pem"
referee OK "$D/ess-stray.p7s"
verify_json 0 "$D/ess-stray.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
warned "names 1 certificate\(s\) neither the seal nor the trust anchors hold"
pass "signing-certificate-v2 naming a certificate not carried: TOTAL-PASSED with a warning"

# Siblings: the CA first and the signer second (the attribute binds the signature to the CA's certificate; the
# signature itself is good, so only the ESS check can catch it).
$VARIANT ess "$D/base.p7s" "$D/ess-ca-first.p7s" "$DEV_KEY" "$CA" "$SIGNER"
referee OK "$D/ess-ca-first.p7s"
referee FAIL -cades "$D/ess-ca-first.p7s"
verify_json 2 "$D/ess-ca-first.p7s" --data "$D/report.txt"
expect_seal 0 INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND "first entry .* names another certificate"
# An entry whose issuerSerial is not that of the certificate its hash names.
$VARIANT ess "$D/base.p7s" "$D/ess-bad-serial.p7s" "$DEV_KEY" "$SIGNER" "$CA:serial-of=$ROOT"
referee FAIL -cades "$D/ess-bad-serial.p7s"
verify_json 2 "$D/ess-bad-serial.p7s" --data "$D/report.txt"
expect_seal 0 INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND "entry 2 .* another issuer and serial number"
# The signer's hash with the CA's issuerSerial in the first entry.
$VARIANT ess "$D/base.p7s" "$D/ess-signer-serial.p7s" "$DEV_KEY" "$SIGNER:serial-of=$CA"
referee FAIL -cades "$D/ess-signer-serial.p7s"
verify_json 2 "$D/ess-signer-serial.p7s" --data "$D/report.txt"
expect_seal 0 INDETERMINATE NO_SIGNING_CERTIFICATE_FOUND "another issuer and serial number"
pass "siblings: CA listed first, an issuerSerial contradicting its hash: INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND"

# --- signed attributes as the producer wrote them, not re-encoded ---
# referee_raw OK|FAIL FILE: openssl dgst checks the signature over the signed attributes exactly as FILE carries them.
referee_raw() {
	local rc=0
	$VARIANT tbs "$2" "$D/tbs.der" "$D/sig.bin"
	openssl x509 -in "$SIGNER" -pubkey -noout >"$D/signer-pub.pem"
	openssl dgst -sha256 -verify "$D/signer-pub.pem" -signature "$D/sig.bin" "$D/tbs.der" >/dev/null 2>&1 || rc=$?
	[ "$1" = OK ] && [ $rc -ne 0 ] &&
		fail "referee openssl dgst: the signature of $(basename "$2") is not over its signed attributes"
	[ "$1" = FAIL ] && [ $rc -eq 0 ] && fail "referee openssl dgst: $(basename "$2") still verifies"
	return 0
}
# Not in DER order (a producer that writes the SET OF in its own order signs that order).
$VARIANT unsorted "$D/base.p7s" "$D/unsorted.p7s" "$DEV_KEY"
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import cms_variants as c
a = c.Cms(open(sys.argv[2], "rb").read()).attrs(); sys.exit(a == sorted(a))' \
	"$ESEAL_SRC/tests/interop" "$D/unsorted.p7s" ||
	fail "the unsorted sample is in DER order"
referee OK -cades "$D/unsorted.p7s"
referee_raw OK "$D/unsorted.p7s"
verify_json 0 "$D/unsorted.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
pass "signed attributes in the producer's order, not DER's: TOTAL-PASSED (openssl cms agrees)"
# A length in two bytes where DER takes one (BER): OpenSSL's CMS re-encodes the attributes before it verifies, so
# `openssl cms -verify` refuses what the signer signed; the signature over the received bytes is good.
$VARIANT long-length "$D/base.p7s" "$D/long-length.p7s" "$DEV_KEY"
referee FAIL "$D/long-length.p7s"
referee_raw OK "$D/long-length.p7s"
verify_json 0 "$D/long-length.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
pass "a signed attribute with a non-minimal length: TOTAL-PASSED over the received bytes (openssl dgst agrees)"
# Siblings: one byte of signingTime changed in each, the signature kept.
for v in unsorted long-length; do
	$VARIANT flip-time "$D/$v.p7s" "$D/$v-flipped.p7s"
	cmp -s "$D/$v.p7s" "$D/$v-flipped.p7s" && fail "flip-time changed nothing"
	referee FAIL "$D/$v-flipped.p7s"
	referee_raw FAIL "$D/$v-flipped.p7s"
	verify_json 1 "$D/$v-flipped.p7s" --data "$D/report.txt"
	expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "signature value does not verify"
done
pass "siblings: one byte of a signed attribute changed: TOTAL-FAILED/SIG_CRYPTO_FAILURE"

# --- a time-stamp token whose certificates hold an attribute certificate (a national TSA's role certificate) ---
"$ESEAL" seal -p demo --format cades -o "$D/bt.p7s" "$D/report.txt"
$VARIANT tst-attrcert "$D/bt.p7s" "$D/tst-attrcert.p7s"
$VARIANT token "$D/tst-attrcert.p7s" "$D/tst-attrcert.tsr"
openssl cms -cmsout -print -inform DER -in "$D/tst-attrcert.tsr" >"$D/token.txt" 2>&1
assert_grep "d.v2AttrCert" "$D/token.txt"
# openssl cms reads CertificateChoices and verifies the token; openssl ts (PKCS#7) cannot read it at all.
openssl cms -verify -inform DER -in "$D/tst-attrcert.tsr" -CAfile "$ROOT" -purpose any -out /dev/null \
	>"$D/referee.txt" 2>&1 || fail "referee openssl cms rejects the token: $(tail -2 "$D/referee.txt")"
referee OK -cades "$D/tst-attrcert.p7s"
verify_json 0 "$D/tst-attrcert.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "attribute certificate in the token: level not B-T"
warned "signature time-stamp: certificates that are not X.509 certificates \(attribute certificates\) in the token are \
ignored"
pass "a time-stamp token carrying an attribute certificate: TOTAL-PASSED B-T with a warning (openssl cms agrees)"
# Sibling: the same without the TSA's certificate: the token's signer cannot be found.
$VARIANT tst-attrcert-no-tsa "$D/bt.p7s" "$D/tst-no-tsa.p7s"
$VARIANT token "$D/tst-no-tsa.p7s" "$D/tst-no-tsa.tsr"
openssl cms -verify -inform DER -in "$D/tst-no-tsa.tsr" -CAfile "$ROOT" -purpose any -out /dev/null \
	>"$D/referee.txt" 2>&1 && fail "referee openssl cms accepts a token without its signer's certificate"
assert_grep "signer certificate not found" "$D/referee.txt"
verify_json 1 "$D/tst-no-tsa.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "signature time-stamp invalid: .*signer certificate not found"
pass "sibling: the token without its TSA certificate: TOTAL-FAILED (openssl cms: signer certificate not found)"

# --- a signature-time-stamp attribute whose value wraps the token in an OCTET STRING ---
# Not a time-stamp (RFC 5126 / EN 319 122-1 want the ContentInfo itself): ignored with a warning, the seal judged
# without it. The referee reads the unsigned attribute's value as an OCTET STRING and the signature as valid.
$VARIANT tst-octet "$D/bt.p7s" "$D/tst-octet.p7s"
openssl cms -cmsout -print -inform DER -in "$D/tst-octet.p7s" >"$D/octet.txt" 2>&1
assert_grep "id-smime-aa-timeStampToken" "$D/octet.txt"
grep -A4 "id-smime-aa-timeStampToken" "$D/octet.txt" | grep "OCTET STRING" >/dev/null ||
	fail "the sample's token is not wrapped"
referee OK -cades "$D/tst-octet.p7s"
verify_json 0 "$D/tst-octet.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "wrapped token: level $(jf "d['seals'][0]['level']"), want B-B"
[ "$(jf "d['seals'][0]['timestamp_time']")" = None ] || fail "a wrapped token gave a time-stamp time"
warned "signature-time-stamp attribute whose value is not a time-stamp token \(OCTET STRING\) is ignored"
# Beside a proper token: B-T from that one.
$VARIANT tst-octet-plus "$D/bt.p7s" "$D/tst-octet-plus.p7s"
verify_json 0 "$D/tst-octet-plus.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "wrapped + proper token: level $(jf "d['seals'][0]['level']")"
warned "is not a time-stamp token"
pass "a token wrapped in an OCTET STRING: ignored with a warning (B-B alone, B-T beside a proper token)"
# Sibling: beside the wrapped one, a proper token over another signature still fails the seal.
printf 'another document\n' >"$D/other.txt"
"$ESEAL" seal -p demo --format cades -o "$D/other.p7s" "$D/other.txt"
"$ESEAL_BUILD/tests/verify/cms_tst_swap" "$D/bt.p7s" "$D/other.p7s" "$D/swapped.p7s"
$VARIANT tst-octet-plus "$D/swapped.p7s" "$D/tst-octet-swapped.p7s"
verify_json 1 "$D/tst-octet-swapped.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "time-stamp"
pass "sibling: a wrapped token beside a token over another signature: TOTAL-FAILED/HASH_FAILURE"

# --- enveloping CAdES of a PDF (the Italian .pdf.p7m): the PDF's "%PDF-" lies within the first KiB ---
openssl cms -sign -cades -nodetach -binary -outform DER -in "$SAMPLES/documents/report.pdf" -signer "$SIGNER" \
	-inkey "$DEV_KEY" -certfile "$CA" -md sha256 -out "$D/report.pdf.p7m"
head -c 1024 "$D/report.pdf.p7m" | grep -a "%PDF-" >/dev/null || fail "the sample does not show %PDF- in its first KiB"
openssl cms -verify -binary -inform DER -in "$D/report.pdf.p7m" -CAfile "$ROOT" -purpose any -out "$D/extracted.pdf" \
	>"$D/referee.txt" 2>&1 || fail "referee openssl cms rejects the .pdf.p7m: $(tail -2 "$D/referee.txt")"
cmp -s "$D/extracted.pdf" "$SAMPLES/documents/report.pdf" || fail "the .pdf.p7m does not envelop the PDF"
qpdf_ok "$D/extracted.pdf"
verify_json 0 "$D/report.pdf.p7m"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['format']")" = CAdES ] || fail ".pdf.p7m read as $(jf "d['seals'][0]['format']")"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = True ] || fail ".pdf.p7m: covers_whole_document"
warned "encapsulates its content"
pass "enveloping CAdES of a PDF (.pdf.p7m): CAdES, TOTAL-PASSED (openssl cms agrees)"
# The same in base64 without PEM armour, as many .p7m are sent.
openssl base64 -in "$D/report.pdf.p7m" -out "$D/report-b64.pdf.p7m"
openssl base64 -d -in "$D/report-b64.pdf.p7m" | openssl cms -verify -binary -inform DER -CAfile "$ROOT" -purpose any \
	-out /dev/null >"$D/referee.txt" 2>&1 || fail "referee openssl cms rejects the base64 .pdf.p7m"
verify_json 0 "$D/report-b64.pdf.p7m"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['format']")" = CAdES ] || fail "base64 .pdf.p7m read as $(jf "d['seals'][0]['format']")"
warned "the CMS is base64-encoded"
pass "the .pdf.p7m in base64: CAdES, TOTAL-PASSED with a warning"
# Siblings: one byte of the enveloped PDF changed; and a PAdES seal is still read as a PDF.
python3 - "$D/report.pdf.p7m" "$D/changed.pdf.p7m" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(b"%PDF-") + 200
b[i] ^= 0x01
open(sys.argv[2], "wb").write(b)
PY
openssl cms -verify -binary -inform DER -in "$D/changed.pdf.p7m" -CAfile "$ROOT" -purpose any -out /dev/null \
	>/dev/null 2>&1 && fail "referee openssl cms accepts the changed .pdf.p7m"
verify_json 1 "$D/changed.pdf.p7m"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "changed after sealing"
openssl base64 -in "$D/changed.pdf.p7m" -out "$D/changed-b64.pdf.p7m"
verify_json 1 "$D/changed-b64.pdf.p7m"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "changed after sealing"
# Text that starts like base64 but is no CMS is still no document.
printf 'MIT License\n\nCopyright (c) 2026\n' >"$D/LICENSE"
expect_exit 65 "$ESEAL" verify --json --trust "$ROOT" "$D/LICENSE"
"$ESEAL" seal -p demo-bb -o "$D/sealed.pdf" "$SAMPLES/documents/report.pdf"
verify_json 0 "$D/sealed.pdf"
[ "$(jf "d['seals'][0]['format']")" = PAdES ] || fail "a PAdES seal read as $(jf "d['seals'][0]['format']")"
pass "siblings: a changed byte of the enveloped PDF (DER or base64): TOTAL-FAILED/HASH_FAILURE; text starting MI: 65;" \
	"a sealed PDF still PAdES"

# --- RSA-PSS whose hash (SHA-512) is not the digestAlgorithm (SHA-256) ---
# OpenSSL's CMS insists they match ("digest does not match"); the signature itself verifies with openssl dgst
# under the parameters the SignerInfo names.
$VARIANT pss "$D/base.p7s" "$D/pss.p7s" "$DEV_KEY"
referee FAIL "$D/pss.p7s"
assert_grep "digest does not match" "$D/referee.txt"
# referee_pss OK|FAIL FILE
referee_pss() {
	local rc=0
	$VARIANT tbs "$2" "$D/tbs.der" "$D/sig.bin"
	openssl x509 -in "$SIGNER" -pubkey -noout >"$D/signer-pub.pem"
	openssl dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:64 -sigopt rsa_mgf1_md:sha512 \
		-verify "$D/signer-pub.pem" -signature "$D/sig.bin" "$D/tbs.der" >/dev/null 2>&1 || rc=$?
	[ "$1" = OK ] && [ $rc -ne 0 ] && fail "referee openssl dgst (PSS) rejects $(basename "$2")"
	[ "$1" = FAIL ] && [ $rc -eq 0 ] && fail "referee openssl dgst (PSS) accepts $(basename "$2")"
	return 0
}
referee_pss OK "$D/pss.p7s"
verify_json 0 "$D/pss.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-PASSED None
pass "RSA-PSS with SHA-512 over a SHA-256 digest: TOTAL-PASSED (openssl dgst with the PSS parameters agrees)"
$VARIANT flip-time "$D/pss.p7s" "$D/pss-flipped.p7s"
referee_pss FAIL "$D/pss-flipped.p7s"
verify_json 1 "$D/pss-flipped.p7s" --data "$D/report.txt"
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "signature value does not verify"
pass "sibling: the PSS seal with one signed byte changed: TOTAL-FAILED/SIG_CRYPTO_FAILURE"

# --- BSI plain ECDSA (ecdsa-plain-SHA256, TR-03111: the value is r||s) ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/ecroot.key" \
	-subj "/CN=Plain ECDSA Test Root" -days 30 -addext basicConstraints=critical,CA:true \
	-addext keyUsage=critical,keyCertSign,cRLSign -out "$D/ecroot.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/ecleaf.key" \
	-subj "/O=Muster GmbH/CN=Muster GmbH Siegel" -out "$D/ecleaf.csr" 2>/dev/null
printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$D/ecleaf.ext"
openssl x509 -req -in "$D/ecleaf.csr" -CA "$D/ecroot.pem" -CAkey "$D/ecroot.key" -CAcreateserial -days 30 \
	-extfile "$D/ecleaf.ext" -out "$D/ecleaf.pem" 2>/dev/null
openssl cms -sign -cades -binary -outform DER -in "$D/report.txt" -signer "$D/ecleaf.pem" -inkey "$D/ecleaf.key" \
	-md sha256 -out "$D/ec-der.p7s"
$VARIANT plain-ecdsa "$D/ec-der.p7s" "$D/ec-plain.p7s" "$D/ecleaf.key"
openssl cms -cmsout -print -inform DER -in "$D/ec-plain.p7s" | grep "0.4.0.127.0.7.1.1.4.1.3" >/dev/null ||
	fail "the sample's signatureAlgorithm is not ecdsa-plain-SHA256"
# Referee: r||s turned into an Ecdsa-Sig-Value by openssl asn1parse -genconf, then openssl dgst.
# referee_plain OK|FAIL FILE
referee_plain() {
	local rc=0 hex
	$VARIANT tbs "$2" "$D/tbs.der" "$D/sig.bin"
	hex=$(od -An -v -tx1 "$D/sig.bin" | tr -d ' \n')
	[ ${#hex} -eq 128 ] || fail "plain ECDSA value of $(basename "$2") is not 64 bytes"
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${hex:0:64}" "${hex:64}" >"$D/sig.cnf"
	openssl asn1parse -genconf "$D/sig.cnf" -out "$D/sig.der" >/dev/null
	openssl x509 -in "$D/ecleaf.pem" -pubkey -noout >"$D/ec-pub.pem"
	openssl dgst -sha256 -verify "$D/ec-pub.pem" -signature "$D/sig.der" "$D/tbs.der" >/dev/null 2>&1 || rc=$?
	[ "$1" = OK ] && [ $rc -ne 0 ] && fail "referee openssl dgst rejects the plain ECDSA of $(basename "$2")"
	[ "$1" = FAIL ] && [ $rc -eq 0 ] && fail "referee openssl dgst accepts the plain ECDSA of $(basename "$2")"
	return 0
}
referee_plain OK "$D/ec-plain.p7s"
expect_exit 0 "$ESEAL" verify --json --trust "$D/ecroot.pem" --data "$D/report.txt" "$D/ec-der.p7s"
want="$(jf "d['seals'][0]['indication']") $(jf "d['seals'][0]['sub_indication']") $(jf "d['seals'][0]['level']")"
[ "$want" = "TOTAL-PASSED None B-B" ] || fail "the DER ECDSA original: $want"
expect_exit 0 "$ESEAL" verify --json --trust "$D/ecroot.pem" --data "$D/report.txt" "$D/ec-plain.p7s"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "plain ECDSA: level $(jf "d['seals'][0]['level']")"
pass "BSI ecdsa-plain-SHA256: TOTAL-PASSED as the DER-encoded original (openssl dgst on r||s agrees)"
$VARIANT flip-time "$D/ec-plain.p7s" "$D/ec-plain-flipped.p7s"
referee_plain FAIL "$D/ec-plain-flipped.p7s"
expect_exit 1 "$ESEAL" verify --json --trust "$D/ecroot.pem" --data "$D/report.txt" "$D/ec-plain-flipped.p7s"
expect_seal 0 TOTAL-FAILED SIG_CRYPTO_FAILURE "signature value does not verify"
pass "sibling: the plain ECDSA seal with one signed byte changed: TOTAL-FAILED/SIG_CRYPTO_FAILURE"
