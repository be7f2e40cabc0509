#!/bin/bash
# tests/verify/verify_objstm_fields.sh: a seal over a form whose catalog, /AcroForm and fields sit in an object stream
# (or outside any, in a classic file), which the verifier reads with its own lexer (pdf/pdf_verify_fields.c) instead
# of having QPDF parse them: every signature Poppler lists is verified, under the name Poppler gives it (a UTF-16
# name, a surrogate pair, a kid inheriting /FT, a /FT written with a #-escape, an escaped literal name that only
# QPDF reads), and a form's unsigned signature fields add none.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
GEN="python3 $ESEAL_SRC/tests/verify/pdf_objstm_fields.py"

for layout in objstm classic; do
	for m in names escaped; do
		f=$D/$m-$layout
		$GEN $m "$f.pdf" $layout
		qpdf_ok "$f.pdf"
		"$ESEAL" seal -p demo-bb -o "$f-sealed.pdf" "$f.pdf"
		qpdf_ok "$f-sealed.pdf"
		# Poppler's list: the two signatures the form carries (their values do not verify), then the seal.
		pdfsig -nocert "$f-sealed.pdf" >"$f.pdfsig" 2>&1 || true
		ref=$(sed -n 's/^  - Signature Field Name: //p' "$f.pdfsig" | paste -sd '|')
		case $m in
		names) want='日本.kid1|😀|eSeal1' ;;
		escaped) want='日本.kid1|smile)|eSeal1' ;;
		esac
		[ "$ref" = "$want" ] || fail "$layout $m: pdfsig lists $ref, the test expects $want"
		grep -q "Signature is Valid" "$f.pdfsig" || fail "$layout $m: pdfsig finds the seal invalid"

		verify_json 1 "$f-sealed.pdf"
		got=$(jf "'|'.join(s['id'] for s in d['seals'])")
		[ "$got" = "$ref" ] || fail "$layout $m: eseal verifies $got, Poppler lists $ref"
		expect_seal 0 TOTAL-FAILED FORMAT_FAILURE
		expect_seal 1 TOTAL-FAILED FORMAT_FAILURE
		[ "$(jf "d['seals'][2]['indication']")" != TOTAL-FAILED ] || fail "$layout $m: the seal failed: $(head -c 1500 "$OUT")"
		[ "$(jf "d['seals'][2]['covers_whole_document']")" = True ] || fail "$layout $m: the seal does not cover the file"
		pass "$layout $m: every signature Poppler lists, under its name"
	done
done

# A damaged entry: object 3 (the /AcroForm) starts "2 0 obj". QPDF, reading object 3, rebuilds its table from the
# headers, where the later "2 0 obj" is object 2 and object 3 is gone; Poppler rebuilds it the same way and finds no
# page tree and no signature. Our lexer, reading the chain, would find the pages and their two signature widgets: the
# verifier lists what QPDF lists, none.
f=$D/damaged
$GEN names "$f.pdf" classic
python3 - "$f.pdf" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
assert b.count(b"\n3 0 obj\n<< /Fields") == 1
open(p, "wb").write(b.replace(b"\n3 0 obj\n<< /Fields", b"\n2 0 obj\n<< /Fields"))
PY
pdfsig -nocert "$f.pdf" >"$f.pdfsig" 2>&1 || true
grep -q "does not contain any signatures" "$f.pdfsig" || fail "damaged: pdfsig lists $(cat "$f.pdfsig")"
# What a reader shows: Poppler renders no page at all (its rebuilt tree has none), so no widget either.
pdftoppm -r 10 "$f.pdf" "$f-page" >/dev/null 2>&1 || true
! ls "$f-page"* >/dev/null 2>&1 || fail "damaged: Poppler renders pages: $(ls "$f-page"*)"
pdftoppm -r 10 "$D/names-classic.pdf" "$f-clean" >/dev/null 2>&1 && ls "$f-clean"* >/dev/null 2>&1 ||
	fail "the undamaged file renders no page: the check above proves nothing"
expect_exit 65 "$ESEAL" verify --offline --json -t "$PKI/root.pem" "$f.pdf"
assert_grep "no signature or document time-stamp found" "$OUT"
pass "a damaged entry: no signature listed, as Poppler lists none and renders no page"
