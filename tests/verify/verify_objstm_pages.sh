#!/bin/bash
# tests/verify/verify_objstm_pages.sh: a seal over a PDF whose page tree, pages and annotations sit in an object
# stream, or outside any in a classic file, which the verifier reads with its own lexer (pdf/pdf_verify_pages.c)
# instead of having QPDF parse them: the seal's page and rectangle against the media box the pages inherit (QPDF's
# view of the widget as referee), a page and an annotation giving a key twice still warned of, and a signature
# widget only a page names still looked at.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
GEN="python3 $ESEAL_SRC/tests/verify/pdf_objstm_pages.py"

# Both layouts: the lexer reads an object stream's data, or the file where a cross-reference table entry says.
for layout in objstm classic; do
	L=$D/$layout
	mkdir -p "$L"
	for m in clean dup widget signed; do
		$GEN $m "$L/$m.pdf" $layout
		qpdf --check "$L/$m.pdf" >/dev/null 2>&1 || [ $? = 3 ] || fail "qpdf cannot read $layout $m.pdf"
		"$ESEAL" seal -p demo-bb --visible -o "$L/$m-sealed.pdf" "$L/$m.pdf"
		[ $m = signed ] || pdfsig_all_valid "$L/$m-sealed.pdf" 1 whole
	done

	# The seal's page and rectangle, from the lower left corner of the media box the page inherits from the tree's
	# root (100 200 695 1042), as QPDF sees the widget.
	verify_json 0 "$L/clean-sealed.pdf"
	expect_seal 0 TOTAL-PASSED None
	ref=$(qpdf --json=2 --json-key=acroform "$L/clean-sealed.pdf" | python3 -c '
import json, subprocess, sys
f = json.load(sys.stdin)["acroform"]["fields"][0]
obj = subprocess.run(["qpdf", "--show-object=" + f["annotation"]["object"].split()[0], sys.argv[1]],
                     capture_output=True, text=True).stdout
r = [float(v) for v in obj.split("/Rect [")[1].split("]")[0].split()]
x0, x1, y0, y1 = min(r[0], r[2]), max(r[0], r[2]), min(r[1], r[3]), max(r[1], r[3])
print(f["pageposfrom1"], [x0 - 100, y0 - 200, x1 - 100, y1 - 200])' "$L/clean-sealed.pdf")
	got="$(jf "d['seals'][0]['page']") $(jf "d['seals'][0]['rect']")"
	[ "$got" = "$ref" ] || fail "$layout: seal page and rectangle: $got, QPDF: $ref"
	[ "$(jf "len([w for w in d['seals'][0]['warnings'] if 'twice' in w])")" = 0 ] ||
		fail "$layout: a key given twice in clean.pdf"
	pass "$layout: the seal's page and rectangle as QPDF places the widget, from the inherited media box"

	verify_json 0 "$L/dup-sealed.pdf"
	expect_seal 0 TOTAL-PASSED None
	w=$(jf "'\n'.join(d['seals'][0]['warnings'])")
	grep -q "page (object 4 0.*gives /Tabs twice" <<<"$w" || fail "$layout: no warning for the page's /Tabs: $w"
	grep -q "page (object 7 0.*gives /Border twice" <<<"$w" ||
		fail "$layout: no warning for the annotation's /Border: $w"
	pass "$layout: a page and a link annotation giving a key twice: warned of"

	verify_json 0 "$L/widget-sealed.pdf"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "len(d['seals'])")" = 1 ] || fail "$layout: an unsigned widget reported as a seal"
	# (looked at: a signature field only a page names is listed, unsigned, in the file's notes)
	pass "$layout: an unsigned signature widget only a page names: looked at, not a seal"

	# A signed one is a signature a reader shows (Poppler lists it): verified, and failed, not passed over.
	pdfsig "$L/signed-sealed.pdf" >"$L/pdfsig.out" 2>&1 || true
	grep -q "^Signature #2:" "$L/pdfsig.out" || fail "$layout: pdfsig does not list the orphan signature"
	verify_json 1 "$L/signed-sealed.pdf"
	[ "$(jf "len(d['seals'])")" = 2 ] || fail "$layout: the orphan signature widget was not looked at"
	[ "$(jf "d['seals'][1]['id'] + ' ' + d['seals'][1]['indication']")" = "orphan TOTAL-FAILED" ] ||
		fail "$layout: the orphan signature: $(jf "d['seals'][1]")"
	pass "$layout: a signature widget only a page names: verified (failed) as Poppler lists it"
done
