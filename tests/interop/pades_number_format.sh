#!/bin/bash
# tests/interop/pades_number_format.sh: a later signer that rewrites a sealed page with its own number format
# (Poppler's pdfsig writes a MediaBox of 612.0 as 612 when it adds its signature) changes nothing a reader sees, so
# the first seal still passes, as pdfsig judges it. Siblings that still fail, each with what Poppler then shows:
# an integer a reader needs turned into a real or back (/Rotate 90.0 is ignored by Poppler, 90 is not), and a
# rectangle whose value changed.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
MAKE="python3 $ESEAL_SRC/tests/interop/pades_number_format.py"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" "$2"
}
pdfinfo_has() { # FILE REGEX: what Poppler reads of page 1
	pdfinfo "$1" >"$D/info.txt" 2>&1 || fail "pdfinfo cannot read $(basename "$1")"
	assert_grep "$2" "$D/info.txt"
}

# --- the producer's numbers rewritten by a later Poppler signature ---
$MAKE make "$D/reals.pdf" 0 "0 0 612.0 792.00"
"$ESEAL" seal -p demo-bb -o "$D/sealed.pdf" "$D/reals.pdf"
NSS=$D/nss
dev_nss "$NSS"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/sealed.pdf" "$D/poppler.pdf" >/dev/null 2>&1
# The sample is what we claim: the last revision's page says 612 where the sealed one said 612.0.
qpdf --show-object=3 "$D/sealed.pdf" | grep "/MediaBox \[ 0 0 612.0 792.00 \]" >/dev/null || fail "sealed page not as made"
qpdf --show-object=3 "$D/poppler.pdf" | grep "/MediaBox \[ 0 0 612 792 \]" >/dev/null || fail "pdfsig did not rewrite the page's numbers: $(qpdf --show-object=3 "$D/poppler.pdf")"
pdfsig -nocert "$D/poppler.pdf" >"$D/pdfsig.txt" 2>&1 || true
[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq 2 ] || fail "pdfsig: $(cat "$D/pdfsig.txt")"
vjson 0 "$D/poppler.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "modified_after set"
pass "612.0 rewritten as 612 by pdfsig's signature: the first seal TOTAL-PASSED, as pdfsig judges it"

# --- siblings that still fail ---
# /Rotate 90.0 (a real: Poppler ignores it) rewritten as 90: the page turns.
$MAKE make "$D/rot-real.pdf" 90.0 "0 0 612 792"
"$ESEAL" seal -p demo-bb -o "$D/rot-sealed.pdf" "$D/rot-real.pdf"
$MAKE rewrite "$D/rot-sealed.pdf" "$D/rot-turned.pdf" "/Rotate 90.0" "/Rotate 90"
pdfinfo_has "$D/rot-sealed.pdf" "Page rot: +0$"
pdfinfo_has "$D/rot-turned.pdf" "Page rot: +90$"
vjson 1 "$D/rot-turned.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: .*(/Rotate|/Page)"
# And the other way: an integer rotation rewritten as a real that Poppler ignores.
$MAKE make "$D/rot-int.pdf" 90 "0 0 612 792"
"$ESEAL" seal -p demo-bb -o "$D/rot-int-sealed.pdf" "$D/rot-int.pdf"
$MAKE rewrite "$D/rot-int-sealed.pdf" "$D/rot-unturned.pdf" "/Rotate 90" "/Rotate 90.0"
pdfinfo_has "$D/rot-int-sealed.pdf" "Page rot: +90$"
pdfinfo_has "$D/rot-unturned.pdf" "Page rot: +0$"
vjson 1 "$D/rot-unturned.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: .*(/Rotate|/Page)"
pass "/Rotate turned between integer and real (Poppler turns the page): modified"
# A rectangle's value changed, whatever its format.
$MAKE rewrite "$D/sealed.pdf" "$D/smaller.pdf" "612.0 792.00" "600 792"
pdfinfo_has "$D/smaller.pdf" "Page size: +600 x 792"
vjson 1 "$D/smaller.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: .*(/MediaBox|/Page)"
pass "a MediaBox of another size: modified"
