#!/bin/bash
# tests/verify/verify_sigdup.sh: keys given twice in what says which signature a revision carries and what it covers
# (signature dictionary, its field, widget and appearance, /AcroForm, /Perms, the catalog), written by a signer after
# a genuine eseal seal (pdf_sigdup.py, the fixture's key): the signature fails naming the dictionary and the key,
# INDETERMINATE/FORMAT_FAILURE (TOTAL-FAILED for /ByteRange and /Contents: signature wrapping; a second /Contents,
# the one QPDF reads, fails the gap check first), and the eseal seal
# before it is modified. What readers take, as found here: QPDF and eseal's lexer the last value; Poppler 22 the last
# of a dictionary under 32 entries (then pdfsig agrees with QPDF), and of a larger one, which it sorts, the first:
# there pdfsig lists one signature where QPDF sees two, reports "Digest Mismatch" for a signature that verifies over
# the /ByteRange QPDF reads, and pdftoppm does not draw the widget QPDF's appearance draws.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
DUP="python3 $ESEAL_SRC/tests/verify/pdf_sigdup.py"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$DEV_CHAIN" "$2"
}
pdfsig_count() { pdfsig -nocert "$1" 2>/dev/null | grep -c "^Signature #" || true; }
pdfsig_last() { pdfsig -nocert "$1" 2>/dev/null | sed -n 's/.*Signature Validation: //p' | tail -1; }

"$ESEAL" seal -p demo-bb --visible -o "$D/sealed.pdf" "$SAMPLES/documents/report.pdf"
vjson 0 "$D/sealed.pdf"
expect_seal 0 TOTAL-PASSED None
# The same signer with no key given twice: both pass (the check finds nothing in a genuine seal's revision).
python3 "$ESEAL_SRC/tests/interop/pdf_sign.py" "$D/sealed.pdf" "$D/clean.pdf" ETSI.CAdES.detached "$DEV_KEY" "$DEV_CHAIN"
vjson 0 "$D/clean.pdf"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(pdfsig_count "$D/clean.pdf")" = 2 ] || fail "pdfsig does not list two signatures in clean.pdf"
pass "eseal seal, then a signature with no key given twice: both TOTAL-PASSED"

# mode, the seal's expected verdict, and the reason naming the dictionary and the key
while read -r mode ind sub re; do
	for pad in "" pad; do
		f=$D/$mode$pad.pdf
		$DUP "$mode" "$D/sealed.pdf" "$f" "$DEV_KEY" "$DEV_CHAIN" $pad
		qpdf --check "$f" >"$D/qpdf.txt" 2>&1 || [ $? = 3 ] || fail "qpdf cannot read $f"
		grep -q "dictionary has duplicated key" "$D/qpdf.txt" || fail "qpdf sees no duplicated key in $f"
		vjson 1 "$f"
		expect_seal 1 "$ind" "$sub" "$re"
		# the seal before it: an update holding an object QPDF reads only by guessing
		expect_seal 0 TOTAL-FAILED None "modified after sealing: .*given twice"
	done
done <<'EOF'
sig-subfilter INDETERMINATE FORMAT_FAILURE signature dictionary \(object [0-9]+ 0.*gives /SubFilter twice
sig-m INDETERMINATE FORMAT_FAILURE signature dictionary \(object [0-9]+ 0.*gives /M twice
sig-byterange TOTAL-FAILED FORMAT_FAILURE signature dictionary .*gives /ByteRange twice.*signature wrapping
sig-contents TOTAL-FAILED FORMAT_FAILURE (gives /Contents twice|not exactly the /Contents hex string).*signature wrapping
sig-reference INDETERMINATE FORMAT_FAILURE signature dictionary .*gives /P twice
sig-longkey INDETERMINATE FORMAT_FAILURE signature dictionary \(object [0-9]+ 0.*gives /LLLLLLLL.* twice
field-ft INDETERMINATE FORMAT_FAILURE signature field or widget \(object [0-9]+ 0.*gives /FT twice
field-rect INDETERMINATE FORMAT_FAILURE signature field or widget .*gives /Rect twice
field-ap INDETERMINATE FORMAT_FAILURE appearance stream of the signature's widget .*gives /BBox twice
acroform-fields INDETERMINATE FORMAT_FAILURE /AcroForm dictionary .*gives /Fields twice
acroform-sigflags INDETERMINATE FORMAT_FAILURE /AcroForm dictionary .*gives /SigFlags twice
perms-docmdp INDETERMINATE FORMAT_FAILURE /Perms dictionary .*gives /DocMDP twice
perms-ur3 INDETERMINATE FORMAT_FAILURE /Perms dictionary \(or a signature it names\) \(object [0-9]+ 0.*gives /M twice
catalog-acroform INDETERMINATE FORMAT_FAILURE catalog \(object [0-9]+ 0.*gives /AcroForm twice
trailer-root INDETERMINATE FORMAT_FAILURE trailer \(trailer.*gives /Root twice
EOF
pass "a key given twice in the signature dictionary, field, widget, appearance, /AcroForm, /Perms, catalog: fails naming it"

# The trailers before the signature's own are read too (QPDF warns of each while it opens the file): /Root given
# twice in the eseal seal's trailer (which breaks that seal) fails the signature made after it, naming the key.
$DUP older-trailer "$D/sealed.pdf" "$D/older-trailer.pdf" "$DEV_KEY" "$DEV_CHAIN"
assert_grep "duplicated key /Root" <(qpdf --check "$D/older-trailer.pdf" 2>&1 || true)
vjson 1 "$D/older-trailer.pdf"
expect_seal 1 INDETERMINATE FORMAT_FAILURE "trailer \(trailer.*gives /Root twice"
pass "a trailer before the signature's own giving /Root twice: fails naming it"

# What Poppler reads. A small dictionary: the last value, as QPDF (pdfsig: the signature with the forged /ByteRange
# first is valid, two signatures listed with /FT /Tx first).
[ "$(pdfsig_last "$D/sig-byterange.pdf")" = "Signature is Valid." ] ||
	fail "pdfsig on sig-byterange.pdf: $(pdfsig_last "$D/sig-byterange.pdf")"
[ "$(pdfsig_count "$D/field-ft.pdf")" = 2 ] || fail "pdfsig does not list two signatures in field-ft.pdf"
# A dictionary of 32 entries or more: the first, the forged one. pdfsig checks the forged /ByteRange, does not see
# the field whose /FT /Tx comes first, and pdftoppm draws nothing for an appearance whose /BBox is [0 0 0 0] first.
[ "$(pdfsig_last "$D/sig-byterangepad.pdf")" = "Digest Mismatch." ] ||
	fail "pdfsig on sig-byterangepad.pdf: $(pdfsig_last "$D/sig-byterangepad.pdf")"
[ "$(pdfsig_count "$D/field-ftpad.pdf")" = 1 ] || fail "pdfsig lists $(pdfsig_count "$D/field-ftpad.pdf") signatures in field-ftpad.pdf"
renders_differ "$D/field-ap.pdf" "$D/field-appad.pdf"
pass "Poppler reads the last value of a small dictionary and the forged first one of a large one (pdfsig, pdftoppm)"

# Not the signature's: a text field beside it giving /TU twice is a warning.
$DUP other-field "$D/sealed.pdf" "$D/other.pdf" "$DEV_KEY" "$DEV_CHAIN"
vjson 1 "$D/other.pdf"
expect_seal 1 TOTAL-PASSED None
grep -q "form field (object [0-9]* 0.*gives /TU twice" <<<"$(jf "'\n'.join(d['seals'][1]['warnings'])")" ||
	fail "no warning naming the other field: $(head -c 1500 "$OUT")"
expect_seal 0 TOTAL-FAILED None "given twice"
# An update with no signature giving the eseal seal's own field /FT twice: the seal is modified.
$DUP after-field "$D/sealed.pdf" "$D/after.pdf" "$DEV_KEY" "$DEV_CHAIN"
vjson 1 "$D/after.pdf"
expect_seal 0 TOTAL-FAILED None "key /FT given twice"
pass "another field giving a key twice: a warning; the seal's field redefined with /FT twice after it: modified"
