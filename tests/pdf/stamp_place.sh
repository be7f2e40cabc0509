#!/bin/bash
# tests/pdf/stamp_place.sh: the default visible seal never hides what was printed. A page with text in the bottom
# right corner gets the stamp in a blank area near it (pdftoppm: no ink of the unsealed page under the stamp's box);
# a page with no blank area gets the see-through stamp at the corner (the page shows through it) and a warning; an
# explicit --rect is obeyed even over text. The stamp's time is in the profile's time zone (timezone = Asia/Tokyo,
# faketime): pdftotext reads it with its abbreviation and offset; a bad zone name is refused.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
render() { pdftoppm -r 72 -singlefile "$1" "${2%.ppm}"; } # 1 px = 1 pt
# A4 pages made with Ghostscript: text running into the default corner (and a title at the top); a full page.
cat >"$D/corner.ps" <<'EOF'
%!PS
<< /PageSize [595 842] >> setpagedevice
/Helvetica findfont 11 scalefont setfont
72 780 moveto (Quarterly report: the title line at the top of the page) show
0 1 6 { /i exch def 300 110 i 12 mul sub moveto (The end of a sentence that the old stamp hid.) show } for
showpage
EOF
cat >"$D/full.ps" <<'EOF'
%!PS
<< /PageSize [595 842] >> setpagedevice
0.6 setgray 0 0 595 842 rectfill
0 setgray /Helvetica findfont 9 scalefont setfont
0 1 90 { /i exch def 10 830 i 9 mul sub moveto (Full page of text, full page of text, full page of text, full page) show } for
showpage
EOF
for f in corner full; do
	gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$D/$f.pdf" "$D/$f.ps" || fail "gs: $f.pdf"
	render "$D/$f.pdf" "$D/$f.ppm"
done
# The old fixed place (180x70 pt, 36 pt from the bottom right: pixels 379,736-559,806) has text on corner.pdf.
read -r _ ink < <(python3 "$PDF_TESTS/ppm_ink.py" "$D/corner.ppm" 379 736 559 806)
[ "$ink" -gt 100 ] || fail "the test page has no text in the default corner ($ink ink pixels)"

# --- text in the corner: the stamp moves to a blank area nearby, at full size
expect_exit 0 "$ESEAL" seal --profile demo --visible -o "$D/corner-s.pdf" "$D/corner.pdf"
check_sealed "$D/corner-s.pdf" 1 B-T
if grep -q "warning" "$ERR"; then fail "a page with room for the stamp gave a warning: $(cat "$ERR")"; fi
render "$D/corner-s.pdf" "$D/corner-s.ppm"
box=$(python3 "$PDF_TESTS/ppm_diff.py" "$D/corner.ppm" "$D/corner-s.ppm")
[ "$box" != none ] || fail "the seal is not visible"
read -r x0 y0 x1 y1 _ <<<"$box"
read -r _ ink < <(python3 "$PDF_TESTS/ppm_ink.py" "$D/corner.ppm" "$x0" "$y0" "$x1" "$y1")
[ "$ink" -eq 0 ] || fail "the stamp ($box) covers $ink ink pixels of the page"
[ $((x1 - x0)) -ge 170 ] && [ $((y1 - y0)) -ge 60 ] || fail "the stamp was shrunk although there is room: $box"
[ "$x1" -ge 450 ] && [ "$y0" -ge 500 ] || fail "the stamp is not near the bottom right: $box"
pass "text in the default corner -> stamp in the blank area at $box, over no ink of the page"

# --- a full page: the see-through stamp at the corner, and a warning saying so
expect_exit 0 "$ESEAL" seal --profile demo-bb --visible -o "$D/full-s.pdf" "$D/full.pdf"
check_sealed "$D/full-s.pdf" 1 B-B
assert_grep "warning: .*page 1 has no blank area for the visible seal; it is drawn without its background" "$ERR"
render "$D/full-s.pdf" "$D/full-s.ppm"
box=$(python3 "$PDF_TESTS/ppm_diff.py" "$D/full.ppm" "$D/full-s.ppm")
within_corner() { # the changed box lies at the default place (2 px tolerance)
	read -r x0 y0 x1 y1 _ <<<"$1"
	[ "$x0" -ge 377 ] && [ "$y0" -ge 734 ] && [ "$x1" -le 561 ] && [ "$y1" -le 808 ] || fail "$2: changed box $1"
}
within_corner "$box" "full page"
# Without a background most of the box is the page as it was (only frame and letters differ).
read -r _ _ _ same _ total < <(python3 "$PDF_TESTS/ppm_ink.py" "$D/full.ppm" 381 738 557 804 "$D/full-s.ppm")
[ $((same * 100 / total)) -ge 50 ] || fail "the stamp on a full page hides the page ($same of $total pixels unchanged)"
pass "full page -> see-through stamp at the corner ($same of $total pixels of the page still show), warning"

# --- an explicit --rect is obeyed as given, even over text: the opaque stamp there, no warning
expect_exit 0 "$ESEAL" seal --profile demo-bb --visible --rect 379,36,180,70 -o "$D/rect-s.pdf" "$D/corner.pdf"
if grep -q "warning" "$ERR"; then fail "--rect gave a warning: $(cat "$ERR")"; fi
render "$D/rect-s.pdf" "$D/rect-s.ppm"
within_corner "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/corner.ppm" "$D/rect-s.ppm")" "--rect"
read -r _ _ _ same _ total < <(python3 "$PDF_TESTS/ppm_ink.py" "$D/corner.ppm" 381 738 557 804 "$D/rect-s.ppm")
[ $((same * 100 / total)) -lt 50 ] || fail "the --rect stamp is not opaque ($same of $total unchanged)"
pass "--rect over text -> obeyed as given, opaque"

# --- the stamp's time in the profile's time zone (pdftotext reads the stamp's text layer)
FT_LIB=$(find /usr/lib -name libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FT_LIB" ] || fail "libfaketime not installed (apt-get install faketime)"
demo_profile "$D/tz.conf" tokyo timezone=Asia/Tokyo visible=yes level=B-B
# A fixed instant after the demo certificate's start; the expected local times come from GNU date (tzdata).
at=$(date -u -d "$(date -u -d '+2 days' +%Y-%m-%d) 20:30:00" +%s)
faked() {
	ESEAL_CONFIG=$D/tz.conf LD_PRELOAD="$FT_LIB" FAKETIME="@$(date -u -d "@$at" '+%Y-%m-%d %H:%M:%S')" \
		FAKETIME_DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" TZ=UTC \
		expect_exit 0 "$ESEAL" seal --profile tokyo "$@"
}
faked -o "$D/tz.pdf" "$REPORT"
pdftotext "$D/tz.pdf" "$D/tz.txt"
want=$(TZ=Asia/Tokyo date -d "@$at" '+%Y-%m-%d %H:%M')
grep -q "e-Seal $want:0[0-9] JST (UTC+09:00)" "$D/tz.txt" ||
	fail "the stamp does not show Tokyo time $want JST: $(grep e-Seal "$D/tz.txt")"
faked --timezone America/New_York -o "$D/tz2.pdf" "$REPORT"
pdftotext "$D/tz2.pdf" "$D/tz2.txt"
want=$(TZ=America/New_York date -d "@$at" '+%Y-%m-%d %H:%M:0[0-9] %Z (UTC%:z)')
grep -q "e-Seal $want" "$D/tz2.txt" || fail "--timezone America/New_York: want $want: $(grep e-Seal "$D/tz2.txt")"
expect_exit 64 "$ESEAL" seal --profile demo --visible --timezone Asia/Nowhere -o "$D/tz3.pdf" "$REPORT"
assert_grep "timezone: 'Asia/Nowhere' is not a time zone of this system" "$ERR"
expect_exit 64 "$ESEAL" seal --profile demo --visible --timezone ../../etc/passwd -o "$D/tz4.pdf" "$REPORT"
assert_grep "is not a time zone name" "$ERR"
pass "timezone Asia/Tokyo -> 'JST (UTC+09:00)' on the stamp (pdftotext); --timezone America/New_York; bad names refused"
