#!/bin/bash
# tests/pdf/seal_visible.sh: visible seals change the rendered page (pdftoppm) inside the requested rectangle and
# nowhere else, on plain and rotated pages, with PNG/JPEG seal images; certification (DocMDP) as pdfsig sees it.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
render() { # render PDF PAGE OUT.ppm at 72 dpi (1 px = 1 pt)
	pdftoppm -r 72 -f "$2" -l "$2" -singlefile "$1" "${3%.ppm}"
}
# within "x0 y0 x1 y1 count" MINX MINY MAXX MAXY MINCOUNT: the changed box lies inside the given box (pixels,
# top-left origin, 2 px tolerance for anti-aliasing) and enough pixels changed.
within() {
	local box=$1
	[ "$box" != none ] || fail "$3: nothing changed on the page"
	set -- $box "${@:2}"
	[ "$1" -ge $(($6 - 2)) ] && [ "$2" -ge $(($7 - 2)) ] && [ "$3" -le $(($8 + 2)) ] && [ "$4" -le $(($9 + 2)) ] ||
		fail "${10}: changed pixels at $1,$2-$3,$4, outside $6,$7-$8,$9"
	[ "$5" -ge "${11}" ] || fail "${10}: only $5 pixels changed"
}

# Default place: bottom right of page 1 (A4 595x842 pt), 180x70 pt, 36 pt margins.
expect_exit 0 "$ESEAL" seal --profile demo --visible -o "$D/vis.pdf" "$REPORT"
check_sealed "$D/vis.pdf" 1 B-T
render "$REPORT" 1 "$D/a1.ppm"
render "$D/vis.pdf" 1 "$D/b1.ppm"
within "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a1.ppm" "$D/b1.ppm")" 379 736 559 806 "default place" 2000
render "$REPORT" 2 "$D/a2.ppm"
render "$D/vis.pdf" 2 "$D/b2.ppm"
[ "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a2.ppm" "$D/b2.ppm")" = none ] || fail "page 2 changed"
qpdf --json --json-key=acroform "$D/vis.pdf" >"$D/vis.json"
has '"/Sig"' <"$D/vis.json" || fail "no signature field"
pass "visible seal at the default place"

# Requested place on the last page, with a PNG seal image (alpha) beside the stamp, reason and location.
python3 "$PDF_TESTS/make_png.py" "$D/seal.png" 240
expect_exit 0 "$ESEAL" seal --profile demo-bb --visible --page last --rect 72,400,240,90 --image "$D/seal.png" \
	--reason "提出書類の発行元証明" --location Tokyo -o "$D/img.pdf" "$REPORT"
check_sealed "$D/img.pdf" 1 B-B
render "$D/img.pdf" 2 "$D/c2.ppm"
# x 72..312, y (from top) 842-490=352 .. 842-400=442
within "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a2.ppm" "$D/c2.ppm")" 72 352 312 442 "rect on last page" 3000
render "$D/img.pdf" 1 "$D/c1.ppm"
[ "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a1.ppm" "$D/c1.ppm")" = none ] || fail "page 1 changed"
# The ring of the image is red and its transparent corners show the page: sample the image's centre row.
python3 - "$D/c2.ppm" "$D/a2.ppm" <<'EOF' || fail "seal image not drawn with transparency"
import sys
def load(path):
    hdr = open(path, "rb").read().split(b"\n", 3)
    w = int(hdr[1].split()[0])
    return lambda x, y: tuple(hdr[3][(y * w + x) * 3:(y * w + x) * 3 + 3])
after, before = load(sys.argv[1]), load(sys.argv[2])
y = 842 - 445  # centre row of the 90 pt high rect
reds = [x for x in range(72, 162) if after(x, y)[0] > 150 and after(x, y)[1] < 100]
# A transparent corner of the square image: the page shows through unchanged.
corner = (75, 842 - 487)
sys.exit(0 if len(reds) >= 4 and after(*corner) == before(*corner) else 1)
EOF
python3 "$SIGPY" "$D/img.pdf" --dict >"$D/img.dict" 2>/dev/null
has "/Location (Tokyo)" <"$D/img.dict" || fail "/Location missing"
has "/Reason <FEFF" <"$D/img.dict" || fail "/Reason not a UTF-16BE text string"
pass "visible seal with PNG image on the last page"

# JPEG seal image (DCTDecode passthrough): a JPEG made by pdftoppm from the PNG-sealed page.
pdftoppm -r 20 -jpeg -f 1 -l 1 -singlefile "$REPORT" "$D/photo"
expect_exit 0 "$ESEAL" seal --profile demo-bb --visible --rect 300,300,200,100 --image "$D/photo.jpg" \
	-o "$D/jpg.pdf" "$REPORT"
check_sealed "$D/jpg.pdf" 1 B-B
has -a "/DCTDecode" <"$D/jpg.pdf" || fail "JPEG not passed through as DCTDecode"
render "$D/jpg.pdf" 1 "$D/d1.ppm"
within "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a1.ppm" "$D/d1.ppm")" 300 442 500 542 "JPEG seal" 2000
pass "visible seal with JPEG image"

# Rotated pages: the seal sits at the bottom right of the page as displayed, for every /Rotate.
for rot in 90 180 270; do
	python3 "$MAKE_REPORT" --rotate "$rot" "$D/rot$rot.pdf"
	expect_exit 0 "$ESEAL" seal --profile demo-bb --visible -o "$D/rot$rot-sealed.pdf" "$D/rot$rot.pdf"
	check_sealed "$D/rot$rot-sealed.pdf" 1 B-B
	pdftoppm -r 72 -f 1 -l 1 -singlefile -cropbox "$D/rot$rot.pdf" "$D/r$rot-a"
	pdftoppm -r 72 -f 1 -l 1 -singlefile -cropbox "$D/rot$rot-sealed.pdf" "$D/r$rot-b"
	read -r W H < <(head -c 20 "$D/r$rot-a.ppm" | sed -n 2p)
	# The rotated report has text in the displayed bottom right corner: the stamp goes to the nearest blank area
	# there (tests/pdf/stamp_place.sh), so: in the bottom right quarter, over no ink of the page, at least half size.
	box=$(python3 "$PDF_TESTS/ppm_diff.py" "$D/r$rot-a.ppm" "$D/r$rot-b.ppm")
	within "$box" $((W / 2)) $((H / 2)) $((W - 12)) $((H - 12)) "rotate $rot" 1000
	set -- $box
	read -r _ ink < <(python3 "$PDF_TESTS/ppm_ink.py" "$D/r$rot-a.ppm" "$1" "$2" "$3" "$4")
	[ "$ink" -eq 0 ] || fail "rotate $rot: the seal ($box) covers $ink ink pixels of the page"
	[ $(($3 - $1)) -ge 88 ] && [ $(($4 - $2)) -ge 33 ] || fail "rotate $rot: the seal is smaller than half: $box"
	# Upright: the stamp is wider than tall on screen.
	[ $(($3 - $1)) -gt $(($4 - $2)) ] || fail "rotate $rot: the seal is taller than wide (not upright): $box"
done
pass "visible seal on rotated pages, upright, in the blank area nearest the displayed bottom right"

# Certification: no-changes, then another seal is refused; form-fill lets a later seal in.
expect_exit 0 "$ESEAL" seal --profile demo --certify no-changes -o "$D/cert1.pdf" "$REPORT"
check_sealed "$D/cert1.pdf" 1 B-T
python3 "$SIGPY" "$D/cert1.pdf" --dict >"$D/cert1.dict" 2>/dev/null
has "/TransformMethod /DocMDP" <"$D/cert1.dict" || fail "no DocMDP reference"
has "/P 1 " <"$D/cert1.dict" || fail "DocMDP P is not 1"
root=$(qpdf --show-object=trailer "$D/cert1.pdf" | grep -oE "/Root [0-9]+" | grep -oE "[0-9]+")
qpdf --show-object="$root" "$D/cert1.pdf" | has "/Perms << /DocMDP" || fail "catalog without /Perms /DocMDP"
expect_exit 65 "$ESEAL" seal --profile demo -o "$D/cert1-again.pdf" "$D/cert1.pdf"
assert_grep "DocMDP" "$ERR"
assert_no_file "$D/cert1-again.pdf"
expect_exit 0 "$ESEAL" seal --profile demo-bb --certify form-fill -o "$D/cert2.pdf" "$REPORT"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/cert2-again.pdf" "$D/cert2.pdf"
check_sealed "$D/cert2-again.pdf" 2 B-B
# Certifying needs to be the first signature.
expect_exit 65 "$ESEAL" seal --profile demo-bb --certify no-changes -o "$D/cert3.pdf" "$D/cert2.pdf"
assert_grep "first signature" "$ERR"
assert_no_file "$D/cert3.pdf"
pass "certification (DocMDP no-changes / form-fill)"
