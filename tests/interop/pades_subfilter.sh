#!/bin/bash
# tests/interop/pades_subfilter.sh: /SubFilter names other products write for a CAdES detached signature:
# PBAD.PAdES (ICP-Brasil) is verified as ETSI.CAdES.detached, with a warning naming it. Poppler does not validate
# that name ("unknown"), so the referee is openssl cms -verify over the /ByteRange bytes. Siblings that still fail:
# a byte of the signed range changed under that name, and a name nobody defines. adbe.pkcs7.sha1 (the CMS signs the
# SHA-1 digest of the bytes): verified, pdfsig agrees the bytes are the signed ones, and reported INDETERMINATE /
# CRYPTO_CONSTRAINTS_FAILURE since SHA-1 proves no more that they are; a changed byte fails for both.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
SIGN="python3 $ESEAL_SRC/tests/interop/pdf_sign.py"
PDF=$SAMPLES/documents/report.pdf

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$DEV_CHAIN" "$2"
}
# openssl_verifies FILE: openssl cms -verify accepts the first signature's CMS over the bytes its /ByteRange names.
openssl_verifies() {
	python3 - "$1" "$D/signed.bin" "$D/sig.der" <<'PY'
import re, sys
pdf = open(sys.argv[1], "rb").read()
a, b, c, d = map(int, re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", pdf).groups())
open(sys.argv[2], "wb").write(pdf[a:a + b] + pdf[c:c + d])
raw = bytes.fromhex(pdf[a + b + 1:c - 1].decode())  # the DER, then zero padding
n = raw[1]
end = 2 + (n & 0x7f) + int.from_bytes(raw[2:2 + (n & 0x7f)], "big") if n & 0x80 else 2 + n
open(sys.argv[3], "wb").write(raw[:end])
PY
	# (every certificate of $DEV_CHAIN an anchor, as eseal's --trust makes them)
	openssl cms -verify -binary -inform DER -in "$D/sig.der" -content "$D/signed.bin" -CAfile "$DEV_CHAIN" \
		-partial_chain -purpose any -out /dev/null 2>"$D/openssl.txt"
}

$SIGN "$PDF" "$D/pbad.pdf" PBAD.PAdES "$DEV_KEY" "$DEV_CHAIN"
qpdf --check "$D/pbad.pdf" >/dev/null 2>&1 || [ $? = 3 ] || fail "qpdf cannot read the sample"
openssl_verifies "$D/pbad.pdf" || fail "openssl cms -verify rejects the sample: $(cat "$D/openssl.txt")"
assert_grep "Signature Type: unknown" <(pdfsig -nocert "$D/pbad.pdf" 2>&1)
vjson 0 "$D/pbad.pdf"
expect_seal 0 TOTAL-PASSED None
jf "'\n'.join(d['seals'][0]['warnings'])" | grep "PBAD.PAdES (ICP-Brasil): verified as ETSI.CAdES.detached" >/dev/null ||
	fail "no warning naming the SubFilter: $(head -c 800 "$OUT")"
pass "PBAD.PAdES: TOTAL-PASSED with a warning; openssl cms agrees"

# A byte of the signed range changed (the signature's own /M): openssl and eseal both refuse it.
sed 's|/M (D:20261201000000Z)|/M (D:20251201000000Z)|' "$D/pbad.pdf" >"$D/pbad-changed.pdf"
cmp -s "$D/pbad.pdf" "$D/pbad-changed.pdf" && fail "the sample was not changed"
openssl_verifies "$D/pbad-changed.pdf" && fail "openssl accepts the changed bytes"
vjson 1 "$D/pbad-changed.pdf"
expect_seal 0 TOTAL-FAILED HASH_FAILURE
# A name nobody defines stays unsupported, though the CMS itself verifies.
$SIGN "$PDF" "$D/unknown.pdf" x.unknown.detached "$DEV_KEY" "$DEV_CHAIN"
openssl_verifies "$D/unknown.pdf" || fail "openssl cms -verify rejects the unknown-name sample: $(cat "$D/openssl.txt")"
vjson 1 "$D/unknown.pdf"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "unsupported /SubFilter /x.unknown.detached"
pass "under that name a changed byte fails (HASH_FAILURE); an undefined name stays unsupported"

# adbe.pkcs7.sha1: the signature holds (pdfsig: valid); SHA-1 is why it is not TOTAL-PASSED.
$SIGN "$PDF" "$D/sha1.pdf" adbe.pkcs7.sha1 "$DEV_KEY" "$DEV_CHAIN"
pdfsig -nocert "$D/sha1.pdf" >"$D/pdfsig.txt" 2>&1 || true
assert_grep "Signature Type: adbe.pkcs7.sha1" "$D/pdfsig.txt"
assert_grep "Signature is Valid" "$D/pdfsig.txt"
vjson 2 "$D/sha1.pdf"
expect_seal 0 INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE "adbe.pkcs7.sha1: the document is signed through its SHA-1 digest"
jf "'\n'.join(d['seals'][0]['errors'])" | grep -E "changed|does not (verify|match)|FORMAT" >/dev/null &&
	fail "the SHA-1 signature itself was not verified: $(head -c 800 "$OUT")"
sed 's|/M (D:20261201000000Z)|/M (D:20251201000000Z)|' "$D/sha1.pdf" >"$D/sha1-changed.pdf"
assert_grep "Digest Mismatch" <(pdfsig -nocert "$D/sha1-changed.pdf" 2>&1 || true)
vjson 1 "$D/sha1-changed.pdf"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "the signed SHA-1 digest is not the digest of the bytes"
pass "adbe.pkcs7.sha1: verified, INDETERMINATE for SHA-1 (pdfsig: valid); a changed byte: HASH_FAILURE (pdfsig: mismatch)"
