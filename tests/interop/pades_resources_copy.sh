#!/bin/bash
# tests/interop/pades_resources_copy.sh: a page whose /Resources a later product rewrites as an identical copy under
# a new object number (its fonts copied too), then signs with pdfsig: the seal still passes, as pdfsig judges both
# signatures, and Poppler draws the page the same. Sibling that still fails: a copy whose font is another one (the
# reader sees other glyphs).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
UPD="python3 $ESEAL_SRC/tests/interop/pades_updates.py"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" --trust "$DEV_CHAIN" "$2"
}
pdfsig_valid() { # FILE N: pdfsig finds N signatures, all valid
	pdfsig -nocert "$1" >"$D/pdfsig.txt" 2>&1 || true
	[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq "$2" ] || fail "pdfsig on $(basename "$1"): $(cat "$D/pdfsig.txt")"
}
renders_same() { # A B: Poppler draws page 1 of both alike
	pdftoppm -r 40 -f 1 -l 1 -singlefile "$1" "$D/ra" && pdftoppm -r 40 -f 1 -l 1 -singlefile "$2" "$D/rb"
	cmp -s "$D/ra.ppm" "$D/rb.ppm" || fail "Poppler draws $(basename "$2") differently from $(basename "$1")"
}
NSS=$D/nss
dev_nss "$NSS"

$UPD make "$D/doc.pdf" indirect-resources
"$ESEAL" seal -p demo-bb -o "$D/sealed.pdf" "$D/doc.pdf"
$UPD resources-copy "$D/sealed.pdf" "$D/copied.pdf"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/copied.pdf" "$D/copied-signed.pdf" >/dev/null 2>&1 ||
	fail "pdfsig cannot sign copied.pdf"
qpdf_ok "$D/copied-signed.pdf"
pdfsig_valid "$D/copied-signed.pdf" 2
qpdf --show-object=3 "$D/copied-signed.pdf" | grep -E "/Resources ([0-57-9]|[0-9]{2,}) 0 R" >/dev/null ||
	fail "the page does not name the copy: $(qpdf --show-object=3 "$D/copied-signed.pdf")"
renders_same "$D/sealed.pdf" "$D/copied-signed.pdf"
vjson 0 "$D/copied-signed.pdf"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "modified_after set"
jf "'\n'.join(d['seals'][0]['warnings'])" | grep "page resources rewritten as an identical copy" >/dev/null ||
	fail "no warning naming the copy: $(head -c 1500 "$OUT")"
pass "page /Resources renumbered as an identical copy: both TOTAL-PASSED, as pdfsig judges; Poppler draws the same"

# Sibling: the copy's font is Courier.
$UPD resources-copy "$D/sealed.pdf" "$D/courier.pdf" Courier
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/courier.pdf" "$D/courier-signed.pdf" >/dev/null 2>&1 ||
	fail "pdfsig cannot sign courier.pdf"
pdfsig_valid "$D/courier-signed.pdf" 2
renders_differ "$D/sealed.pdf" "$D/courier-signed.pdf"
pdffonts "$D/courier-signed.pdf" | grep Courier >/dev/null || fail "Poppler does not use the copy's font"
vjson 1 "$D/courier-signed.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: page 1 /Resources changed"
expect_seal 1 TOTAL-PASSED None
pass "a copy with another font: TOTAL-FAILED, modified (Poppler draws other glyphs)"
