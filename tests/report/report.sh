#!/bin/bash
# tests/report/report.sh: `eseal verify --report` for people and systems. HTML rendered by headless Chromium (DOM
# text: verdict, the Japanese organization, its NTRJP- identifier, the time-stamp in the reader's zone; an
# organization name carrying HTML stays text), PDF read back with pdftotext/pdftoppm/pdffonts, the TS 119 102-2 XML
# checked with xmllint against the ETSI schema. Visual changes: a note added after a P=3 certification and a
# shadow-style overlay (a white box with other words over signed text) each give visual_changes in --json where the
# change is, and a side-by-side picture whose red outline (found by tests/report/png_box.py, a PNG decoder of its own)
# surrounds it. Bad input: a report in a missing folder, an unreadable input, a report path that is an input.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
MDP="python3 $ESEAL_SRC/tests/verify/pdf_mdp.py"
OVERLAY="python3 $ESEAL_SRC/tests/report/overlay.py"
PNGBOX="python3 $ESEAL_SRC/tests/report/png_box.py"
ORG="株式会社サンプル建設"
ORGID="NTRJP-1234567890123"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"

# dom HTML OUT: Chromium's DOM of a report opened as a file (no network: a file URL, images are data: URIs).
dom() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
		--user-data-dir="$D/chromium" --dump-dom "file://$1" >"$2" 2>"$D/chromium.log" ||
		fail "chromium could not open $1: $(tail -5 "$D/chromium.log")"
	[ -s "$2" ] || fail "chromium gave no DOM for $1"
}
# text DOM: the DOM's text content (what a reader reads), one line per element.
text() {
	python3 -c 'import html.parser,sys
BLOCK = {"div", "p", "h1", "h2", "h3", "h4", "tr", "li", "section", "figure", "figcaption", "table", "summary", "br"}
class P(html.parser.HTMLParser):
    skip = 0
    def handle_starttag(self, t, a):
        self.skip += t in ("style", "title")
    def handle_endtag(self, t):
        self.skip -= t in ("style", "title")
        print("\n" if t in BLOCK else " " if t in ("td", "th") else "", end="")
    def handle_data(self, d):
        if not self.skip: print(d, end="")
P().feed(open(sys.argv[1]).read())' "$1"
}
# imgs HTML PREFIX: writes the report's pictures to PREFIX-N.png in document order; prints their alt texts.
imgs() {
	python3 -c 'import base64,re,sys
s = open(sys.argv[1]).read()
for i, (alt, b) in enumerate(re.findall(r"alt=\"([^\"]*)\" width=\"\d+\" src=\"data:image/png;base64,([^\"]+)\"", s)):
    open("%s-%d.png" % (sys.argv[2], i), "wb").write(base64.b64decode(b)); print(alt)' "$1" "$2"
}
# within "X0 Y0 X1 Y1" "A0 B0 A1 B1" SLACK: the first box lies inside the second grown by SLACK.
within() {
	python3 -c 'import sys
a = [float(v) for v in sys.argv[1].split()]; b = [float(v) for v in sys.argv[2].split()]; s = float(sys.argv[3])
sys.exit(0 if a[0] >= b[0] - s and a[1] >= b[1] - s and a[2] <= b[2] + s and a[3] <= b[3] + s else 1)' "$1" "$2" "$3"
}

# --- a visible seal: HTML (ja, Asia/Tokyo), verdict, organization, identifier, time; the seal outlined in blue ---
"$ESEAL" seal -p demo --visible --rect 300,300,200,100 -o "$D/vis.pdf" "$SAMPLES/documents/report.pdf"
pdfsig_check "$D/vis.pdf" 1 whole
verify_json 0 "$D/vis.pdf"
[ "$(jf "d['seals'][0]['organization']")" = "$ORG" ] || fail "the seal certificate's organization: $(head -c 800 "$OUT")"
[ "$(jf "(d['seals'][0]['page'], d['seals'][0]['rect'])")" = "(1, [300.0, 300.0, 500.0, 400.0])" ] ||
	fail "the seal's page and rectangle: $(head -c 1500 "$OUT")"
[ "$(jf "len(d['seals'][0]['chain'])")" = 3 ] || fail "the chain up to the anchor: $(head -c 1500 "$OUT")"
TS=$(jf "d['seals'][0]['timestamp_time']")
JST=$(TZ=Asia/Tokyo date -d "$TS" '+%Y-%m-%d %H:%M:%S JST')
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/vis-ja.html" --lang ja --tz Asia/Tokyo "$D/vis.pdf"
dom "$D/vis-ja.html" "$D/vis-ja.dom"
text "$D/vis-ja.dom" >"$D/vis-ja.txt"
grep -v '^\s*$' "$D/vis-ja.txt" | sed -n 2p >"$D/vis-ja.first"
grep -q '^有効 — ' "$D/vis-ja.first" ||
	fail "the verdict is not first, in Japanese: $(head -c 600 "$D/vis-ja.txt")"
for want in "$ORG" "$ORGID" "$JST (UTC+0900)" "eシール用証明書" "B-T" "トラストアンカー"; do
	grep -qF -- "$want" "$D/vis-ja.txt" || fail "'$want' not in the report's text: $(head -c 1500 "$D/vis-ja.txt")"
done
grep -q 'class="verdict valid"' "$D/vis-ja.dom" || fail "the verdict's colour class is not 'valid'"
[ "$(imgs "$D/vis-ja.html" "$D/vis")" = "ページ 1: eシールの位置を青枠で示します" ] || fail "one picture of the sealed page expected"
# At 72 dpi a pixel is a point: the blue outline surrounds [300 300 500 400] (y from the top: 842 - y).
box=$($PNGBOX "$D/vis-0.png" 0 0 255)
within "$box" "300 442 500 542" 6 && within "300 442 500 542" "$box" 6 ||
	fail "the seal's blue outline is at $box, not around the seal (300 442 500 542 px)"
pass "HTML (ja, Asia/Tokyo) in Chromium: verdict first, $ORG, $ORGID, time-stamp $JST, the seal outlined"

# --- English: another verdict text, times in UTC ---
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/vis-en.html" --lang en --tz UTC "$D/vis.pdf"
dom "$D/vis-en.html" "$D/vis-en.dom"
text "$D/vis-en.dom" >"$D/vis-en.txt"
grep -q '^Valid — ' "$D/vis-en.txt" || fail "English verdict: $(head -c 600 "$D/vis-en.txt")"
grep -qF "$(date -u -d "$TS" '+%Y-%m-%d %H:%M:%S UTC')" "$D/vis-en.txt" || fail "UTC time not in the English report"
grep -q '有効' "$D/vis-en.txt" && fail "Japanese verdict in the English report"
# LANG chooses when --lang is absent (gettext, ja_JP.UTF-8 generated by install-deps.sh).
LANG=ja_JP.UTF-8 LC_ALL= LANGUAGE= "$ESEAL" verify --trust "$ROOT" --report "$D/vis-lang.html" "$D/vis.pdf" >/dev/null
grep -q '<strong>有効</strong>' "$D/vis-lang.html" || fail "LANG=ja_JP.UTF-8 did not give a Japanese report"
pass "--lang en and --lang ja give different verdict texts; LANG chooses by default"

# --- PDF report: pdftotext finds the same facts, pdftoppm renders it, a Japanese font is embedded ---
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/vis.pdf.report.pdf" --lang ja --tz Asia/Tokyo "$D/vis.pdf"
pdftotext "$D/vis.pdf.report.pdf" "$D/rep.txt"
for want in "有効" "$ORG" "$ORGID" "$JST" "トラストアンカー"; do
	grep -qF -- "$want" "$D/rep.txt" || fail "'$want' not in pdftotext of the PDF report: $(head -c 1500 "$D/rep.txt")"
done
pdftoppm -r 40 -png "$D/vis.pdf.report.pdf" "$D/rep" || fail "pdftoppm cannot render the PDF report"
[ -s "$D/rep-1.png" ] || fail "pdftoppm made no page of the PDF report"
pdffonts "$D/vis.pdf.report.pdf" | grep -E 'CJK|IPA' >/dev/null || fail "no Japanese font in the PDF report: $(pdffonts "$D/vis.pdf.report.pdf")"
qpdf --check "$D/vis.pdf.report.pdf" >/dev/null || fail "qpdf --check: the PDF report is malformed"
pass "PDF report: pdftotext finds verdict, organization, identifier and time; pdftoppm renders it"

# --- ETSI TS 119 102-2 XML ---
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/vis.xml" "$D/vis.pdf"
xmllint --noout --schema "$SHARED/xsd/1910202xmlSchema.xsd" "$D/vis.xml" 2>"$D/xsd.log" ||
	fail "the XML report does not validate: $(cat "$D/xsd.log")"
grep -q '<vr:MainIndication>urn:etsi:019102:mainindication:TOTAL-PASSED</vr:MainIndication>' "$D/vis.xml" ||
	fail "XML: no TOTAL-PASSED"
python3 -c 'import re,sys; print(re.search(r"<vr:base64>([^<]+)</vr:base64>", open(sys.argv[1]).read()).group(1))' \
	"$D/vis.xml" | base64 -d | openssl x509 -inform DER -noout -subject -nameopt utf8 >"$D/signer.txt" ||
	fail "XML: the signer's certificate is not a certificate"
grep -qF "$ORGID" "$D/signer.txt" || fail "XML: the first validation object is not the seal's certificate: $(cat "$D/signer.txt")"
pass "TS 119 102-2 XML validates against 1910202xmlSchema.xsd; its certificates read with openssl"

# --- an annotation added after a P=3 certification ---
$MDP form "$SAMPLES/documents/report.pdf" "$D/form.pdf"
"$ESEAL" seal -p demo --certify annotations -o "$D/p3.pdf" "$D/form.pdf"
$MDP note "$D/p3.pdf" "$D/p3-note.pdf"
qpdf_ok "$D/p3-note.pdf"
pdfsig_all_valid "$D/p3-note.pdf" 1 part
renders_differ "$D/p3.pdf" "$D/p3-note.pdf"
verify_json 0 "$D/p3-note.pdf"
[ "$(jf "'visual_changes' in d['seals'][0]")" = False ] || fail "visual_changes without --visual"
verify_json 0 "$D/p3-note.pdf" --visual
[ "$(jf "len(d['seals'][0]['visual_changes'])")" = 1 ] || fail "one visual change expected: $(head -c 1500 "$OUT")"
[ "$(jf "d['seals'][0]['visual_changes'][0]['page']")" = 1 ] || fail "the change is on page 1"
# The note's /Rect is [30 700 50 720] (tests/verify/pdf_mdp.py): the box is there, give or take a comparison cell.
box=$(jf "' '.join(str(v) for v in d['seals'][0]['visual_changes'][0]['box'])")
within "$box" "30 700 50 720" 6 && within "30 700 50 720" "$box" 6 || fail "the note's box is $box, not [30 700 50 720]"
verify_json 0 "$D/p3.pdf" --visual
[ "$(jf "'visual_changes' in d['seals'][0]")" = False ] || fail "a seal over the whole file has nothing to compare"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/note.html" --lang en "$D/p3-note.pdf"
[ "$(imgs "$D/note.html" "$D/note" | tr '\n' ,)" = "As sealed,Now," ] || fail "a side-by-side pair expected"
grep -q 'class="side"' "$D/note.html" || fail "the pair is not side by side"
$PNGBOX "$D/note-0.png" 255 0 0 | grep -x none >/dev/null || fail "the signed page must not be outlined"
px=$($PNGBOX "$D/note-1.png" 255 0 0)
within "$px" "30 122 50 142" 10 && within "30 122 50 142" "$px" 4 || fail "the red outline is at $px, not around the note"
pass "P=3 certification, then a note: visual_changes box $box at the note; signed and current side by side, outlined"

# --- a shadow-style overlay: a white box with other words over the signed line "All girders inspected; ..." ---
$OVERLAY "$D/p3.pdf" "$D/p3-overlay.pdf" 70 710 400 730
qpdf_ok "$D/p3-overlay.pdf"
renders_differ "$D/p3.pdf" "$D/p3-overlay.pdf"
verify_json 0 "$D/p3-overlay.pdf" --visual
box=$(jf "' '.join(str(v) for v in d['seals'][0]['visual_changes'][0]['box'])")
[ "$(jf "len(d['seals'][0]['visual_changes'])")" = 1 ] || fail "one visual change expected: $(head -c 1500 "$OUT")"
within "$box" "70 710 400 730" 4 || fail "the overlay's box $box is not where the overlay is"
within "72 713 200 726" "$box" 1 || fail "the box $box does not cover the overwritten words"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/overlay.html" --lang ja "$D/p3-overlay.pdf"
imgs "$D/overlay.html" "$D/overlay" >/dev/null
px=$($PNGBOX "$D/overlay-1.png" 255 0 0)
within "$px" "70 112 400 132" 8 || fail "the red outline $px is not around the overlay"
dom "$D/overlay.html" "$D/overlay.dom"
text "$D/overlay.dom" >"$D/overlay.txt"
grep -qF "eシールの付与後に、表示される内容が変更されました" "$D/overlay.txt" || fail "the report does not say what changed"
# The same overlay after a plain seal: not permitted, so the verdict says so, and the picture shows where.
$OVERLAY "$D/vis.pdf" "$D/vis-overlay.pdf" 70 710 400 730
expect_exit 1 "$ESEAL" verify --trust "$ROOT" --report "$D/vis-overlay.html" --lang en "$D/vis-overlay.pdf"
dom "$D/vis-overlay.html" "$D/vis-overlay.dom"
text "$D/vis-overlay.dom" >"$D/vis-overlay.txt"
grep -q '^Not valid — The document was changed after it was sealed' "$D/vis-overlay.txt" ||
	fail "overlay after a plain seal: $(head -c 600 "$D/vis-overlay.txt")"
grep -q 'class="verdict invalid"' "$D/vis-overlay.dom" || fail "the verdict's colour class is not 'invalid'"
pass "overlay: visual_changes box $box over the overwritten words; outlined side by side; not valid after a plain seal"

# --- HTML injection through the organization name of a seal certificate ---
# (O is at most 64 characters)
EVIL="<script>document.title='pwn'</script><b id=pwn>&amp;'\""
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/evil.key" -subj "/C=JP/O=x/CN=x" -out "$D/evil.csr" 2>/dev/null
(
	flock 9
	openssl ca -config "$PKI/openssl.cnf" -name issuing_ca -batch -notext -extensions v3_eseal -in "$D/evil.csr" \
		-utf8 -subj "/C=JP/O=${EVIL//\//\\/}/organizationIdentifier=NTRJP-9999999999999/CN=evil" -out "$D/evil.pem" 2>"$D/ca.log"
) 9>"$TE/crl.lock" || fail "the demo CA cannot issue the certificate: $(cat "$D/ca.log")"
cat "$D/evil.pem" "$CA" >"$D/evil-chain.pem"
"$ESEAL" seal -p demo --key "$D/evil.key" --cert "$D/evil-chain.pem" -o "$D/evil.pdf" "$SAMPLES/documents/report.pdf"
verify_json 0 "$D/evil.pdf"
[ "$(jf "d['seals'][0]['organization']")" = "$EVIL" ] || fail "the organization name did not survive: $(head -c 800 "$OUT")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/evil.html" --lang en "$D/evil.pdf"
dom "$D/evil.html" "$D/evil.dom"
grep -q '<title>Verification report</title>' "$D/evil.dom" || fail "a script in the organization name ran"
grep -qi '<script' "$D/evil.dom" && fail "a <script> element came from the organization name"
grep -q '<b id="pwn"' "$D/evil.dom" && fail "a <b> element came from the organization name"
text "$D/evil.dom" >"$D/evil.txt"
grep -qF "$EVIL" "$D/evil.txt" || fail "the organization name is not shown as text: $(head -c 1500 "$D/evil.txt")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/evil.xml" "$D/evil.pdf"
xmllint --noout --schema "$SHARED/xsd/1910202xmlSchema.xsd" "$D/evil.xml" 2>"$D/xsd.log" ||
	fail "XML with markup in a name: $(cat "$D/xsd.log")"
pass "an organization name holding <script> and <b> is text in the HTML (no element, nothing ran) and XML"

# --- several files, one report; bad input ---
expect_exit 74 "$ESEAL" verify --trust "$ROOT" --report "$D/many.html" --lang en "$D/vis.pdf" "$D/missing.pdf" "$D/p3-note.pdf"
grep -qF "$D/missing.pdf" "$ERR" || fail "the unreadable input is not named: $(cat "$ERR")"
dom "$D/many.html" "$D/many.dom"
text "$D/many.dom" >"$D/many.txt"
grep -q '^Cannot be decided — A file could not be checked' "$D/many.txt" || fail "several files: $(head -c 600 "$D/many.txt")"
[ "$(grep -c '^File: ' "$D/many.txt")" = 3 ] || fail "three files in one report expected"
grep -qF "This file could not be checked:" "$D/many.txt" || fail "the unreadable file's reason is missing"
expect_exit 74 "$ESEAL" verify --trust "$ROOT" --report "$D/no/such/dir/r.html" "$D/vis.pdf"
grep -qF "$D/no/such/dir/r.html" "$ERR" || fail "a report in a missing folder: $(cat "$ERR")"
assert_no_file "$D/no"
sum=$(sha256sum <"$D/vis.pdf")
cp "$D/vis.pdf" "$D/vis.html"
sum2=$(sha256sum <"$D/vis.html")
expect_exit 64 "$ESEAL" verify --trust "$ROOT" --report "$D/vis.html" "$D/vis.html"
grep -q "would replace a file it reports on" "$ERR" || fail "report over an input: $(cat "$ERR")"
[ "$(sha256sum <"$D/vis.html")" = "$sum2" ] && [ "$(sha256sum <"$D/vis.pdf")" = "$sum" ] || fail "an input was modified"
expect_exit 64 "$ESEAL" verify --trust "$ROOT" --report "$D/r.txt" "$D/vis.pdf"
grep -q "\.html, \.pdf or \.xml" "$ERR" || fail "a report name without a known extension: $(cat "$ERR")"
expect_exit 64 "$ESEAL" verify --trust "$ROOT" --report "$D/r.html" --lang fr "$D/vis.pdf"
expect_exit 64 "$ESEAL" verify --trust "$ROOT" --report "$D/r.html" --tz Mars/Olympus "$D/vis.pdf"
grep -q "unknown time zone" "$ERR" || fail "an unknown zone: $(cat "$ERR")"
assert_no_file "$D/r.html"
ls "$D"/.*.tmp "$D"/*.tmp 2>/dev/null && fail "a temporary file was left behind"
pass "one report over three files (one unreadable: named, exit 74); missing folder, input as report, bad options refused"
