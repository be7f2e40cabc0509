#!/bin/bash
# tests/interop/pades_field_lock.sh: a later signer that locks the field of an earlier seal (/Ff 1, ReadOnly) and
# then signs: the earlier seal still passes, as pdfsig judges both signatures; the page renders the same. Siblings
# that still fail: the lock with no signature after the seal, the lock with another key of the field changed, other
# flags (Required, NoExport) set.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
LOCK="python3 $ESEAL_SRC/tests/interop/pades_field_lock.py"
PDF=$SAMPLES/documents/japanese.pdf

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" "$2"
}
renders_same() { # A B: Poppler draws page 1 of both alike
	pdftoppm -r 40 -f 1 -l 1 -png "$1" "$D/ra" && pdftoppm -r 40 -f 1 -l 1 -png "$2" "$D/rb"
	cmp -s "$D"/ra*.png "$D"/rb*.png || fail "Poppler draws $(basename "$2") differently from $(basename "$1")"
	rm -f "$D"/ra*.png "$D"/rb*.png
}

"$ESEAL" seal -p demo-bb --visible -o "$D/sealed.pdf" "$PDF"
NSS=$D/nss
dev_nss "$NSS"
$LOCK "$D/sealed.pdf" "$D/locked.pdf"
qpdf --check "$D/locked.pdf" >/dev/null 2>&1 || [ $? = 3 ] || fail "qpdf cannot read the locked file"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/locked.pdf" "$D/locked-signed.pdf" >/dev/null 2>&1
pdfsig -nocert "$D/locked-signed.pdf" >"$D/pdfsig.txt" 2>&1 || true
[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq 2 ] || fail "pdfsig: $(cat "$D/pdfsig.txt")"
renders_same "$D/sealed.pdf" "$D/locked-signed.pdf"
vjson 0 "$D/locked-signed.pdf"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "modified_after set"
pass "seal's field locked (/Ff 1) by a later signer: both TOTAL-PASSED, as pdfsig judges them; Poppler draws the same"

# Siblings.
vjson 1 "$D/locked.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing"
$LOCK "$D/sealed.pdf" "$D/required.pdf" 3
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/required.pdf" "$D/required-signed.pdf" >/dev/null 2>&1
vjson 1 "$D/required-signed.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing"
$LOCK "$D/sealed.pdf" "$D/renamed.pdf" 1 "/TU (Approved by the buyer)"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/renamed.pdf" "$D/renamed-signed.pdf" >/dev/null 2>&1
vjson 1 "$D/renamed-signed.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing"
expect_seal 1 TOTAL-PASSED None
pass "lock without a later signature, with other flags, with another key changed: modified"
