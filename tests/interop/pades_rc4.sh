#!/bin/bash
# tests/interop/pades_rc4.sh: signatures in RC4-encrypted PDFs (qpdf --encrypt, R2 40-bit and R3 128-bit). The
# signature value is never encrypted; a producer that leaves out the optional /Type /Sig makes QPDF and Poppler 22
# decrypt it anyway (pdfsig: "Unknown Validation Failure"), where eseal reported signature wrapping: eseal now reads
# the value from the file's bytes, and openssl cms -verify over the /ByteRange bytes is the referee. With /Type /Sig,
# and Poppler's own signatures (RC4 and AES-128), all agree. Siblings that still fail: the gap no longer the value of
# the signature dictionary (redefined in an update), a dictionary giving /Contents twice, one encrypted byte changed.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
RC4="python3 $ESEAL_SRC/tests/interop/pades_rc4.py"
PDF=$SAMPLES/documents/report.pdf

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$DEV_CHAIN" "$2"
}
# openssl_verifies FILE: openssl cms -verify accepts the signature's CMS, as the /ByteRange gap holds it, over the
# bytes the /ByteRange names.
openssl_verifies() {
	python3 - "$1" "$D/signed.bin" "$D/sig.der" <<'PY'
import re, sys
pdf = open(sys.argv[1], "rb").read()
a, b, c, d = map(int, re.findall(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", pdf)[-1])
open(sys.argv[2], "wb").write(pdf[a:a + b] + pdf[c:c + d])
raw = bytes.fromhex(pdf[a + b + 1:c - 1].decode())  # the DER, then zero padding
n = raw[1]
end = 2 + (n & 0x7f) + int.from_bytes(raw[2:2 + (n & 0x7f)], "big") if n & 0x80 else 2 + n
open(sys.argv[3], "wb").write(raw[:end])
PY
	openssl cms -verify -binary -inform DER -in "$D/sig.der" -content "$D/signed.bin" -CAfile "$DEV_CHAIN" \
		-partial_chain -purpose any -out /dev/null 2>"$D/openssl.txt"
}
pdfsig_says() { pdfsig -nocert "$1" 2>/dev/null | sed -n 's/.*Signature Validation: //p'; }
encrypted_warning() {
	grep -q "the PDF is encrypted" <<<"$(jf "'\n'.join(d['seals'][0]['warnings'])")" || fail "no warning about encryption"
}

qpdf --allow-weak-crypto --encrypt "" owner 40 -- "$PDF" "$D/rc4-40.pdf"
qpdf --allow-weak-crypto --encrypt "" owner 128 --use-aes=n -- "$PDF" "$D/rc4-128.pdf"
qpdf --encrypt "" owner 128 --use-aes=y -- "$PDF" "$D/aes-128.pdf"
for bits in 40 128; do
	enc=$(qpdf --show-encryption "$D/rc4-$bits.pdf")
	grep -q "R = $((bits == 40 ? 2 : 3))" <<<"$enc" || fail "rc4-$bits: not R2/R3: $enc"
	for variant in type notype; do
		f=$D/rc4-$bits-$variant.pdf
		$RC4 sign "$D/rc4-$bits.pdf" "$f" "$DEV_KEY" "$DEV_CHAIN" $variant
		qpdf --check "$f" >/dev/null || fail "qpdf --check refuses $f"
		openssl_verifies "$f" || fail "openssl cms -verify refuses $f: $(cat "$D/openssl.txt")"
		grep -q "Riverside bridge retrofit" <(pdftotext "$f" -) || fail "Poppler does not show the text of $f"
		if [ $variant = type ]; then
			[ "$(pdfsig_says "$f")" = "Signature is Valid." ] || fail "pdfsig: $(pdfsig_says "$f")"
		else
			# Poppler decrypts the value of a dictionary without /Type /Sig, and fails on what it gets
			grep -aq "/Type /Sig" "$f" && fail "the notype sample says /Type /Sig"
			[ "$(pdfsig_says "$f")" = "Unknown Validation Failure." ] || fail "pdfsig: $(pdfsig_says "$f")"
		fi
		vjson 0 "$f"
		expect_seal 0 TOTAL-PASSED None
		encrypted_warning
	done
done
pass "RC4 40 and 128 (R2, R3), signature dictionary with and without /Type /Sig: TOTAL-PASSED (openssl agrees)"

# Poppler's own signatures of RC4 and AES-128 files: pdfsig and eseal agree.
NSS=$D/nss
dev_nss "$NSS"
for f in rc4-40 rc4-128 aes-128; do
	pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/$f.pdf" "$D/$f-poppler.pdf" >/dev/null 2>&1
	[ "$(pdfsig_says "$D/$f-poppler.pdf")" = "Signature is Valid." ] || fail "pdfsig ($f): $(pdfsig_says "$D/$f-poppler.pdf")"
	vjson 0 "$D/$f-poppler.pdf"
	expect_seal 0 TOTAL-PASSED None
done
pass "pdfsig's signatures of RC4 and AES-128 files: TOTAL-PASSED, as pdfsig judges them"

# Siblings. The signature dictionary redefined with its value after the gap: what the gap holds is no signature
# dictionary's value any more (qpdf reads the file; pdfsig fails it).
f=$D/rc4-40-notype.pdf
$RC4 moved "$f" "$D/moved.pdf"
qpdf --check "$D/moved.pdf" >/dev/null || fail "qpdf --check refuses the moved sample"
[ "$(pdfsig_says "$D/moved.pdf")" != "Signature is Valid." ] || fail "pdfsig accepts the moved sample"
vjson 1 "$D/moved.pdf"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "the /ByteRange gap is not the /Contents of the signature dictionary"
# A first /Contents before the one the gap holds: readers that keep the first and those that keep the last disagree.
$RC4 sign "$D/rc4-40.pdf" "$D/twice.pdf" "$DEV_KEY" "$DEV_CHAIN" twice
vjson 1 "$D/twice.pdf"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "gives /Contents 2 times"
pass "the gap no longer the signature dictionary's value, /Contents given twice: TOTAL-FAILED, signature wrapping"
# One encrypted byte of the signed range (the signature's /M): HASH_FAILURE (pdfsig: digest mismatch with /Type).
for variant in type notype; do
	$RC4 flip "$D/rc4-128-$variant.pdf" "$D/flip-$variant.pdf"
	cmp -s "$D/rc4-128-$variant.pdf" "$D/flip-$variant.pdf" && fail "nothing flipped"
	openssl_verifies "$D/flip-$variant.pdf" && fail "openssl accepts the flipped byte"
	vjson 1 "$D/flip-$variant.pdf"
	expect_seal 0 TOTAL-FAILED HASH_FAILURE
done
[ "$(pdfsig_says "$D/flip-type.pdf")" = "Digest Mismatch." ] || fail "pdfsig (flip): $(pdfsig_says "$D/flip-type.pdf")"
pass "one encrypted byte changed: HASH_FAILURE (openssl and pdfsig agree)"
