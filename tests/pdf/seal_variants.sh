#!/bin/bash
# tests/pdf/seal_variants.sh: every PDF file class the sealer must handle is sealed B-T (and B-B) through the CLI and
# judged by pdfsig, qpdf --check, openssl cms / ts; earlier signatures (Poppler's and our own) must stay valid.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
cp "$REPORT" "$D/classic.pdf"
cp "$SAMPLES/documents/japanese.pdf" "$D/japanese.pdf"
qpdf --object-streams=generate "$REPORT" "$D/objstm.pdf"
qpdf --linearize "$REPORT" "$D/linear.pdf"
qpdf --linearize --object-streams=generate "$REPORT" "$D/linear-objstm.pdf"
qpdf --qdf "$REPORT" "$D/qdf.pdf"
qpdf --force-version=2.0 "$REPORT" "$D/pdf20.pdf"
qpdf --force-version=1.7 --object-streams=generate "$SAMPLES/documents/japanese.pdf" "$D/japanese-objstm.pdf"
python3 "$PDF_TESTS/make_variant.py" hybrid "$D/objstm.pdf" "$D/hybrid.pdf"
python3 "$PDF_TESTS/make_variant.py" update "$REPORT" "$D/updated.pdf"
python3 "$MAKE_REPORT" --form "$D/form.pdf"
python3 "$MAKE_REPORT" --direct-form "$D/form-direct.pdf"
qpdf --object-streams=generate "$D/form.pdf" "$D/form-objstm.pdf"
for f in "$D"/*.pdf; do
	qpdf --check "$f" >/dev/null || fail "fixture $f is broken"
done
# The fixtures really are of the classes they are named after.
qpdf --show-xref "$D/hybrid.pdf" | has compressed || fail "hybrid fixture has no compressed objects"
grep -aq "/XRefStm" "$D/hybrid.pdf" || fail "hybrid fixture without /XRefStm"
qpdf --check "$D/linear.pdf" | has "File is linearized" || fail "linearized fixture is not linearized"
head -c 8 "$D/pdf20.pdf" | has "%PDF-2.0" || fail "PDF 2.0 fixture has another header"

for name in classic japanese objstm linear linear-objstm qdf pdf20 japanese-objstm hybrid updated form form-objstm form-direct; do
	in=$D/$name.pdf
	out=$D/$name-sealed.pdf
	sum=$(sha256sum "$in")
	expect_exit 0 "$ESEAL" seal --profile demo -o "$out" "$in"
	echo "$sum" | sha256sum -c --quiet || fail "$name: input modified"
	check_prefix "$in" "$out"
	check_sealed "$out" 1 B-T
	# The catalog and page the update rewrites keep every other key and value they had.
	python3 "$PDF_TESTS/kept_keys.py" "$in" "$out" /AcroForm /Annots || fail "$name: a rewritten dictionary changed"
	# The new section is of the kind the original's last one was: xref stream after a stream, else a table.
	if python3 -c 'import re,sys; d=open(sys.argv[1],"rb").read(); o=int(re.findall(rb"startxref\s+(\d+)",d)[-1]); sys.exit(0 if d[o:o+4]==b"xref" else 1)' "$in"; then
		tail -c 1500 "$out" | has -a "^xref" || fail "$name: classic original, update without a classic table"
	else
		tail -c 1500 "$out" | has -a "/Type /XRef" || fail "$name: xref-stream original, update without xref stream"
	fi
	pass "$name sealed B-T"
done

# The version is never lowered.
head -c 8 "$D/pdf20-sealed.pdf" | has "%PDF-2.0" || fail "PDF 2.0 header changed"
# The existing text field is kept next to the new signature field.
qpdf --json --json-key=acroform "$D/form-sealed.pdf" >"$D/form.json"
grep -q '"inspector"' "$D/form.json" || fail "text field lost"
grep -q '"/Sig"' "$D/form.json" || fail "no signature field in the AcroForm"
# A direct AcroForm travels with the rewritten catalog, together with the certification's /Perms.
expect_exit 0 "$ESEAL" seal --profile demo-bb --certify form-fill -o "$D/form-direct-cert.pdf" "$D/form-direct.pdf"
check_sealed "$D/form-direct-cert.pdf" 1 B-B
root=$(qpdf --show-object=trailer "$D/form-direct-cert.pdf" | grep -oE "/Root [0-9]+" | grep -oE "[0-9]+")
qpdf --show-object="$root" "$D/form-direct-cert.pdf" >"$D/catalog.txt"
grep -qE "/Fields \[ [0-9]+ 0 R [0-9]+ 0 R \] /SigFlags 3" "$D/catalog.txt" || fail "AcroForm: $(cat "$D/catalog.txt")"
grep -q "/Perms << /DocMDP" "$D/catalog.txt" || fail "no /Perms: $(cat "$D/catalog.txt")"
# A /Annots array shared by two pages is left alone: only the sealed page gets the widget (as a direct array).
python3 "$PDF_TESTS/make_variant.py" share-annots "$D/form.pdf" "$D/shared.pdf"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/shared-sealed.pdf" "$D/shared.pdf"
check_sealed "$D/shared-sealed.pdf" 1 B-B
annots=$(qpdf --show-pages "$D/shared.pdf" | awk '/^page 2:/ {print $3}')
annots=$(qpdf --show-object="$annots" "$D/shared.pdf" | grep -oE "/Annots [0-9]+" | grep -oE "[0-9]+")
[ "$(qpdf --show-object="$annots" "$D/shared.pdf")" = "$(qpdf --show-object="$annots" "$D/shared-sealed.pdf")" ] ||
	fail "shared /Annots array was changed"
page1=$(qpdf --show-pages "$D/shared-sealed.pdf" | awk '/^page 1:/ {print $3}')
qpdf --show-object="$page1" "$D/shared-sealed.pdf" | has -E "/Annots \[ [0-9]+ 0 R [0-9]+ 0 R \]" ||
	fail "page 1 does not hold the widget"
pass "shared /Annots array left alone"
pdftotext "$D/classic-sealed.pdf" - | has "Riverside bridge" || fail "sealed text unreadable"

# B-B and ECDSA.
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/bb.pdf" "$D/classic.pdf"
check_sealed "$D/bb.pdf" 1 B-B
expect_exit 0 "$ESEAL" seal --profile demo-ec -o "$D/ec.pdf" "$D/objstm.pdf"
check_sealed "$D/ec.pdf" 1 B-T
pass "B-B and P-256 seals"

# Sealing twice: two valid seals, the first unchanged.
expect_exit 0 "$ESEAL" seal --profile demo -o "$D/twice.pdf" "$D/objstm-sealed.pdf"
check_sealed "$D/twice.pdf" 2 B-T
check_prefix "$D/objstm-sealed.pdf" "$D/twice.pdf"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/thrice.pdf" "$D/twice.pdf"
check_sealed "$D/thrice.pdf" 3 B-B
[ "$(python3 "$SIGPY" "$D/thrice.pdf" --count)" = 3 ] || fail "three seals expected"
pdfsig "$D/thrice.pdf" | has "Signature Field Name: eSeal3" || fail "field names not unique"
pass "sealed twice and three times"

# A file Poppler signed first (pdfsig -add-signature with an NSS database holding the development key).
NSS=$D/nss
dev_nss "$NSS"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev -new-signature-field-name Poppler "$REPORT" "$D/poppler.pdf" \
	>/dev/null 2>&1 || fail "pdfsig -add-signature failed"
pdfsig_check "$D/poppler.pdf" 1 whole
for lvl in demo demo-bb; do
	expect_exit 0 "$ESEAL" seal --profile "$lvl" -o "$D/poppler-$lvl.pdf" "$D/poppler.pdf"
	check_sealed "$D/poppler-$lvl.pdf" 2 "$([ $lvl = demo ] && echo B-T || echo B-B)"
	grep -A8 "^Signature #1:" <(pdfsig "$D/poppler-$lvl.pdf" 2>/dev/null) | has "Field Name: Poppler" ||
		fail "Poppler's signature is not the first any more"
done
pass "Poppler's earlier signature still verifies after our seal"

# Literal strings holding a NUL byte where the seal copies values as written (Poppler writes such an /ID: its output
# above broke one seal in about thirteen): the trailer's /ID, a direct annotation in the page's direct /Annots, the
# catalog's direct /AcroForm and /Perms. Each must reach the new revision whole, and qpdf find nothing damaged.
python3 "$PDF_TESTS/make_variant.py" nul-strings "$REPORT" "$D/nul.pdf"
for cert in none form-fill; do
	certify=()
	[ "$cert" = none ] || certify=(--certify "$cert")
	expect_exit 0 "$ESEAL" seal --profile demo-bb "${certify[@]}" -o "$D/nul-$cert.pdf" "$D/nul.pdf"
	check_sealed "$D/nul-$cert.pdf" 1 B-B
	python3 - "$D/nul.pdf" "$D/nul-$cert.pdf" <<'PY' || fail "nul-strings ($cert): a string lost its bytes in the update"
import sys
old, new = (open(f, "rb").read() for f in sys.argv[1:])
update = new[len(old):]
for s in (b"(J\0\367\033V6)", b"(note\0with a NUL)", b"(/Helv 0 Tf\0 0 g)", b"(x\0y)"):
    if s not in update:
        sys.exit("%r missing from the update" % s)
PY
done
pass "strings holding a NUL copied whole (trailer /ID, page /Annots, catalog /AcroForm and /Perms)"

# Our seal on a linearized file that was signed by us before, with another profile: still incremental.
expect_exit 0 "$ESEAL" seal --profile demo-ec -o "$D/linear-twice.pdf" "$D/linear-sealed.pdf"
check_sealed "$D/linear-twice.pdf" 2 B-T
pass "linearized file sealed twice"
