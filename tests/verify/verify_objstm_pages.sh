#!/bin/bash
# tests/verify/verify_objstm_pages.sh: a seal over a PDF whose page tree, pages and annotations sit in an object
# stream, which the verifier reads with its own lexer (pdf/pdf_verify_pages.c) instead of having QPDF parse it: the
# seal's page and rectangle against the media box the pages inherit (QPDF's view of the widget as referee), a page
# and an annotation giving a key twice still warned of, and a signature widget only a page names still looked at.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
GEN="python3 $ESEAL_SRC/tests/verify/pdf_objstm_pages.py"

for m in clean dup widget; do
	$GEN $m "$D/$m.pdf"
	qpdf --check "$D/$m.pdf" >/dev/null 2>&1 || [ $? = 3 ] || fail "qpdf cannot read $m.pdf"
	"$ESEAL" seal -p demo-bb --visible -o "$D/$m-sealed.pdf" "$D/$m.pdf"
	pdfsig_all_valid "$D/$m-sealed.pdf" 1 whole
done

# The seal's page and rectangle, from the lower left corner of the media box the page inherits from the tree's root
# (100 200 695 1042, in the object stream), as QPDF sees the widget.
verify_json 0 "$D/clean-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
ref=$(qpdf --json=2 --json-key=acroform "$D/clean-sealed.pdf" | python3 -c '
import json, subprocess, sys
f = json.load(sys.stdin)["acroform"]["fields"][0]
obj = subprocess.run(["qpdf", "--show-object=" + f["annotation"]["object"].split()[0], sys.argv[1]],
                     capture_output=True, text=True).stdout
r = [float(v) for v in obj.split("/Rect [")[1].split("]")[0].split()]
x0, x1, y0, y1 = min(r[0], r[2]), max(r[0], r[2]), min(r[1], r[3]), max(r[1], r[3])
print(f["pageposfrom1"], [x0 - 100, y0 - 200, x1 - 100, y1 - 200])' "$D/clean-sealed.pdf")
got="$(jf "d['seals'][0]['page']") $(jf "d['seals'][0]['rect']")"
[ "$got" = "$ref" ] || fail "seal page and rectangle: $got, QPDF: $ref"
[ "$(jf "len([w for w in d['seals'][0]['warnings'] if 'twice' in w])")" = 0 ] || fail "a key given twice in clean.pdf"
pass "pages in an object stream: the seal's page and rectangle as QPDF places the widget, from the inherited media box"

verify_json 0 "$D/dup-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
w=$(jf "'\n'.join(d['seals'][0]['warnings'])")
grep -q "page (object 4 0.*gives /Tabs twice" <<<"$w" || fail "no warning for the page's /Tabs: $w"
grep -q "page (object 7 0.*gives /Border twice" <<<"$w" || fail "no warning for the annotation's /Border: $w"
pass "a page and a link annotation in an object stream giving a key twice: warned of"

verify_json 0 "$D/widget-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "len(d['seals'])")" = 1 ] || fail "an unsigned widget reported as a seal"
pass "an unsigned signature widget only a page in an object stream names: looked at, not a seal"
