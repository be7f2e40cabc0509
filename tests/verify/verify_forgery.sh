#!/bin/bash
# tests/verify/verify_forgery.sh: later updates that change what a reader of a sealed PDF sees while looking like
# permitted ones: a key given twice (QPDF keeps the last value, Poppler the first of a large dictionary), one object
# in two roles in a prepared document (page content that is also /Metadata, /Info, DSS data; an annotation that is
# /Info), signature fields without a signature that verifies, and the form's default appearance. Each forgery is
# built by tests/verify/pdf_forge.py; eseal must never say TOTAL-PASSED and must name the change; tools we did not
# write show that the forgery is real: Poppler (pdftotext/pdftoppm) renders other content, pdfsig still calls the
# seal's signature valid (only the later update is wrong), qpdf reads the file. Positive controls pass.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
PDF=$SAMPLES/documents/japanese.pdf
FORGE="python3 $ESEAL_SRC/tests/verify/pdf_forge.py"

vjson() { # CODE FILE: verify --json under a 60 s timeout (a verifier that never finishes fails the test)
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" "$2"
}
# refused SEALED ATTACK REGEX: the seal (the first) is TOTAL-FAILED, modified after sealing, naming REGEX; pdfsig
# still finds that seal's signature valid over its bytes; qpdf reads the file.
refused() {
	vjson 1 "$2"
	expect_seal 0 TOTAL-FAILED None "$3"
	[ "$(jf "d['seals'][0]['modified_after']")" = True ] || fail "$(basename "$2"): modified_after expected"
	[ "$(jf "d['indication']")" != TOTAL-PASSED ] || fail "$(basename "$2"): file verdict TOTAL-PASSED"
	pdfsig -nocert "$2" >"$D/pdfsig.txt" 2>&1 || true
	grep -q "Signature is Valid" "$D/pdfsig.txt" || fail "pdfsig no longer finds the seal valid in $(basename "$2"): $(cat "$D/pdfsig.txt")"
	qpdf --check "$2" >"$D/qpdf.txt" 2>&1 || [ $? = 3 ] || fail "qpdf cannot read $(basename "$2"): $(tail -2 "$D/qpdf.txt")"
}
text_shows() { # FILE TEXT: Poppler's pdftotext shows TEXT on page 1
	pdftotext -f 1 -l 1 "$1" "$D/text.txt" 2>/dev/null || fail "pdftotext cannot read $(basename "$1")"
	grep -q -- "$2" "$D/text.txt" || fail "pdftotext does not show '$2' in $(basename "$1"): $(head -c 300 "$D/text.txt")"
}

"$ESEAL" seal -p demo -o "$D/bt.pdf" "$PDF"
text_shows "$D/bt.pdf" "東京建設"

# --- a key given twice: QPDF (what eseal reads) keeps the last value, Poppler the first once the dictionary has 32
# entries or more: the same update shows eseal the genuine document and Poppler a forged one ---
for m in dupkey-trailer dupkey-catalog dupkey-objstm; do
	$FORGE $m "$D/bt.pdf" "$D/$m.pdf"
	text_shows "$D/$m.pdf" "AMOUNT: 9,999,999 JPY"
	assert_grep "duplicated key /(Root|Pages)" <(qpdf --check "$D/$m.pdf" 2>&1 || true)
	refused "$D/bt.pdf" "$D/$m.pdf" "read only by guessing \\(key /(Root|Pages) given twice"
	pass "$m: Poppler shows the forged page, pdfsig the seal valid; eseal: modified, the key named"
done
# The same on a page (Poppler keeps the genuine /Contents here; a reader keeping the first key draws a black page)
# and on an annotation added under a certification that permits annotations (its /Rect given twice).
$FORGE dupkey-page "$D/bt.pdf" "$D/dupkey-page.pdf"
refused "$D/bt.pdf" "$D/dupkey-page.pdf" "read only by guessing \\(key /(Contents|Type) given twice"
"$ESEAL" seal -p demo --certify annotations -o "$D/p3.pdf" "$PDF"
$FORGE dupkey-annot "$D/p3.pdf" "$D/dupkey-annot.pdf"
renders_differ "$D/p3.pdf" "$D/dupkey-annot.pdf"
refused "$D/p3.pdf" "$D/dupkey-annot.pdf" "read only by guessing \\(key /Rect given twice"
pass "a key twice in a page or in an annotation P=3 permits: modified"
# Any other object QPDF reads by a guess (a stray token), even where the change itself is permitted (/Info).
$FORGE stray-token "$D/bt.pdf" "$D/stray.pdf"
assert_grep "treating unexpected array close token as null" <(qpdf --check "$D/stray.pdf" 2>&1 || true)
refused "$D/bt.pdf" "$D/stray.pdf" "read only by guessing \\(treating unexpected array close token"
pass "a stray token in a later update (new /Info): modified, QPDF's guess named"
# A later update whose one entry points at no header of its object: Poppler rebuilds its table from the objects'
# headers and draws the last definition of page 1's content stream, which no entry names (a black page); QPDF reads
# the genuine page and the new /Info as null (no rebuilding), which passed as a permitted /Info change (report.pdf:
# QPDF meets the damaged entry only after it has read the page).
"$ESEAL" seal -p demo-bb -o "$D/report.pdf" "$SAMPLES/documents/report.pdf"
for k in header zero gen hybrid; do
	$FORGE damaged-entry "$D/report.pdf" "$D/damaged-$k.pdf" "$k"
	renders_differ "$D/report.pdf" "$D/damaged-$k.pdf"
	pdftotext -f 1 -l 1 "$D/damaged-$k.pdf" "$D/text.txt" 2>/dev/null || fail "pdftotext cannot read damaged-$k.pdf"
	! grep -q "Riverside bridge" "$D/text.txt" || fail "damaged-$k: Poppler still shows the genuine page"
	refused "$D/report.pdf" "$D/damaged-$k.pdf" "the cross-reference entry of object [0-9]+ points at no header of it"
done
pass "a later entry pointing at no header (another object's, offset 0, another generation; in a hybrid section): modified; Poppler draws another page"
# The same damage inside the signed bytes (a signature of another tool over a file whose content stream's entry
# points at no header of it): the seal stands, it signed those bytes, and says readers may show other objects.
python3 - "$SAMPLES/documents/report.pdf" "$D/report-damaged.pdf" <<'EOF'
import os, sys
sys.path.insert(0, os.path.join(os.environ["ESEAL_SRC"], "tests", "verify"))
from pdf_attack import page1
_, content = page1(sys.argv[1])
b = open(sys.argv[1], "rb").read()
assert b.count(b"\n%d 0 obj" % content) == 1
open(sys.argv[2], "wb").write(b.replace(b"\n%d 0 obj" % content, b"\n%d 5 obj" % content))
EOF
python3 "$ESEAL_SRC/tests/fuzz/mkseed_pdf.py" "$D/report-damaged.pdf" "$D/signed-damaged.pdf" "$DEV_KEY" "$DEV_CHAIN"
pdfsig -nocert "$D/signed-damaged.pdf" >"$D/pdfsig.txt" 2>&1 || true
grep -q "Signature is Valid" "$D/pdfsig.txt" && grep -q "Total document signed" "$D/pdfsig.txt" ||
	fail "pdfsig does not find the signature over the damaged file valid: $(cat "$D/pdfsig.txt")"
vjson 2 "$D/signed-damaged.pdf" # (INDETERMINATE: the signer's chain is not in the file)
[ "$(jf "d['seals'][0]['covers_whole_document'] and not d['seals'][0]['modified_after']")" = True ] ||
	fail "the signature over the damaged file is not read as covering it whole"
jf "d['seals'][0]['warnings']" | grep -q "damaged PDF: the cross-reference entry of object [0-9]* points at no header" ||
	fail "no warning of the damaged entry: $(jf "d['seals'][0]['warnings']")"
pass "a seal over a file with a damaged entry: covers it whole, with a warning that readers rebuild the table"

# --- only the /Length a stream names changes: the stream's entry is the one signed, its data are not (the
# comparison does not read a stream whose entry and /Length are both unchanged: this one it must) ---
$FORGE length-prepare "$PDF" "$D/length.pdf"
"$ESEAL" seal -p demo -o "$D/length-sealed.pdf" "$D/length.pdf"
$FORGE length-cut "$D/length-sealed.pdf" "$D/length-cut.pdf"
renders_differ "$D/length-sealed.pdf" "$D/length-cut.pdf"
# the stream itself must be named (the integer it names as /Length is reported too, but alone it would not show
# that the stream's data were compared)
C=$(cd "$ESEAL_SRC/tests/verify" && PYTHONDONTWRITEBYTECODE=1 python3 -c \
	"import sys; from pdf_attack import page1; print(page1(sys.argv[1])[1])" "$D/length-sealed.pdf")
refused "$D/length-sealed.pdf" "$D/length-cut.pdf" "content stream or resource \(object $C\) changed"
pass "only the integer a content stream's /Length names rewritten (its data now end early): modified"

# --- an object stream redefined by an update under its own number: the objects in it keep the cross-reference
# entries (stream, index) that were signed while readers take them from the new stream. The comparison skips only
# objects both revisions read from the same signed bytes; these it must compare, and name. ---
qpdf --object-streams=generate "$SAMPLES/documents/report.pdf" "$D/report-os.pdf"
"$ESEAL" seal -p demo -o "$D/os-sealed.pdf" "$D/report-os.pdf"
LAST=$(qpdf --show-pages "$D/os-sealed.pdf" | sed -n 's/^page [0-9]*: \([0-9]*\) 0 R$/\1/p' | tail -1)
FONT=$(qpdf --show-object="$LAST" "$D/os-sealed.pdf" | sed -n 's|.*/F1 \([0-9]*\) 0 R.*|\1|p')
assert_grep "^$LAST/0: compressed" <(qpdf --show-xref "$D/os-sealed.pdf")
assert_grep "^$FONT/0: compressed" <(qpdf --show-xref "$D/os-sealed.pdf")
$FORGE objstm-rewrite "$D/os-sealed.pdf" "$D/os-page.pdf" page
pdftotext -f 2 -l 2 "$D/os-page.pdf" "$D/text.txt" 2>/dev/null || fail "pdftotext cannot read os-page.pdf"
assert_grep "AMOUNT: 9,999,999 JPY" "$D/text.txt"
refused "$D/os-sealed.pdf" "$D/os-page.pdf" "/Page \(object $LAST\) changed"
$FORGE objstm-rewrite "$D/os-sealed.pdf" "$D/os-font.pdf" font
assert_grep "^Courier " <(pdffonts "$D/os-font.pdf")
renders_differ "$D/os-sealed.pdf" "$D/os-font.pdf"
refused "$D/os-sealed.pdf" "$D/os-font.pdf" "page resource /Font \(object $FONT\) changed"
# Positive control: the same sealed file given a new /Info (a metadata edit): its objects are read from the signed
# bytes by both revisions, none is compared, and the seal passes.
(cd "$ESEAL_SRC/tests/verify" && PYTHONDONTWRITEBYTECODE=1 python3 -c "
import sys; from pdf_attack import append_update, qpdf_obj; import re
src, dst = sys.argv[1:3]; d = open(src, 'rb').read()
n = int(re.search(r'/Size (\d+)', qpdf_obj(src, 'trailer')).group(1))
open(dst, 'wb').write(append_update(d, src, {n: b'<< /Title (edited after sealing) >>'}, extra_trailer=b'/Info %d 0 R ' % n))
" "$D/os-sealed.pdf" "$D/os-info.pdf")
vjson 0 "$D/os-info.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "os-info.pdf: a new /Info judged a modification"
pass "an object stream redefined under its own number (a page, a font in it): modified, the object named; /Info: passes"

# --- one object, two roles: the document handed in for sealing is prepared so that page 1's content stream is also
# the catalog's /Metadata, the trailer's /Info or DSS data (or an annotation is /Info); after sealing, an update
# rewrites it in that role. Also under a certification that permits no changes. ---
for k in metadata info dss info-annot; do
	$FORGE role-prepare "$PDF" "$D/prep-$k.pdf" "$k"
	for cert in no no-changes; do
		"$ESEAL" seal -p demo --certify "$cert" -o "$D/sealed-$k-$cert.pdf" "$D/prep-$k.pdf"
		vjson 0 "$D/sealed-$k-$cert.pdf"
		$FORGE role-rewrite "$D/sealed-$k-$cert.pdf" "$D/role-$k-$cert.pdf" "$k"
		renders_differ "$D/sealed-$k-$cert.pdf" "$D/role-$k-$cert.pdf"
		if [ "$k" = info-annot ]; then
			refused "$D/sealed-$k-$cert.pdf" "$D/role-$k-$cert.pdf" "annotation \\(object [0-9]+\\) changed"
		else
			refused "$D/sealed-$k-$cert.pdf" "$D/role-$k-$cert.pdf" "page content stream or resource"
		fi
	done
	pass "role $k: the page rewritten through its other role is modified (approval and certified P=1)"
done
# Positive control: a prepared document (its page content also its /Metadata) gets real validation data and a
# document time-stamp later (new objects, as an archive adds them): the seal passes, B-LTA.
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$D/ocsp.der" -noverify >/dev/null 2>&1
python3 "$ESEAL_SRC/tests/verify/pdf_lta.py" dss "$D/sealed-metadata-no.pdf" "$D/dss-lt.pdf" --cert "$PKI/eseal.pem" \
	--cert "$CA" --cert "$ROOT" --ocsp "$D/ocsp.der" --crl "$CRL" $(lt_fresh "$D")
python3 "$ESEAL_SRC/tests/verify/pdf_lta.py" dts "$D/dss-lt.pdf" "$D/dss-lta.pdf" --tsa "$TSA_URL"
vjson 0 "$D/dss-lta.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "prepared document extended: level $(jf "d['seals'][0]['level']")"
pass "positive: validation data and a document time-stamp added later to the prepared document: B-LTA"

# --- signature fields that carry no signature that verifies, painted over the page ---
for m in sig-unsigned sig-bogus sig-reuse; do
	$FORGE $m "$D/bt.pdf" "$D/$m.pdf"
	renders_differ "$D/bt.pdf" "$D/$m.pdf"
	refused "$D/bt.pdf" "$D/$m.pdf" "signature field without a later signature that verifies was added"
done
pass "new signature field without /V, with a broken /V, or naming the seal's own value: modified"
# An empty signature field of the sealed document given an appearance (new or rewritten in place) without a value.
$FORGE sigfield-prepare "$PDF" "$D/sform.pdf"
"$ESEAL" seal -p demo -o "$D/sform-sealed.pdf" "$D/sform.pdf"
vjson 0 "$D/sform-sealed.pdf"
$FORGE sig-fill-unsigned "$D/sform-sealed.pdf" "$D/sig-fill.pdf"
renders_differ "$D/sform-sealed.pdf" "$D/sig-fill.pdf"
refused "$D/sform-sealed.pdf" "$D/sig-fill.pdf" "empty signature field, changed without a later signature"
$FORGE sig-ap-rewrite "$D/sform-sealed.pdf" "$D/sig-ap.pdf"
renders_differ "$D/sform-sealed.pdf" "$D/sig-ap.pdf"
refused "$D/sform-sealed.pdf" "$D/sig-ap.pdf" "appearance of an empty signature field"
pass "an empty signature field's appearance replaced or rewritten without a signature: modified"
# Positive controls: signing that empty field (eseal --field) and adding a signature with pdfsig keep the first
# seal TOTAL-PASSED; pdfsig agrees on every signature.
"$ESEAL" seal -p demo --field approval -o "$D/sform-two.pdf" "$D/sform-sealed.pdf"
vjson 0 "$D/sform-two.pdf"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
pdfsig_all_valid "$D/sform-two.pdf" 2 whole
NSS=$D/nss
dev_nss "$NSS"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/bt.pdf" "$D/bt-poppler.pdf" >/dev/null 2>&1
vjson 0 "$D/bt-poppler.pdf"
expect_seal 0 TOTAL-PASSED None
pass "positive: an empty field signed later, a pdfsig signature added later: the first seal passes"
# A later signature's value named again by a field added after that signature: neither seal vouches for it.
$FORGE sig-reuse "$D/sform-two.pdf" "$D/sig-reuse-last.pdf" last
renders_differ "$D/sform-two.pdf" "$D/sig-reuse-last.pdf"
vjson 1 "$D/sig-reuse-last.pdf"
expect_seal 0 TOTAL-FAILED None "signature field without a later signature that verifies was added"
expect_seal 1 TOTAL-FAILED None "signature field without a later signature that verifies was added"
pass "a field added after the second seal naming its value: both seals modified"

# A signature value QPDF cannot read (its object header broken): a broken seal, not "no seal".
python3 - "$D/bt.pdf" "$D/badsig.pdf" <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read()
m = re.search(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/ByteRange", d, re.S)
n = len(m.group(1))
open(sys.argv[2], "wb").write(d[:m.start() + n] + b" 0 obx" + d[m.start() + n + 6:])
PY
vjson 1 "$D/badsig.pdf"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "not a signature dictionary that can be read"
pass "an unreadable signature dictionary: TOTAL-FAILED/FORMAT_FAILURE"

# --- the form's default appearance (/DA) and resources (/DR): permitted while no field is drawn from them ---
$FORGE dr-da "$D/bt.pdf" "$D/dr-da.pdf"
vjson 0 "$D/dr-da.pdf"
expect_seal 0 TOTAL-PASSED None
$FORGE dr-da-need "$D/bt.pdf" "$D/dr-da-need.pdf"
refused "$D/bt.pdf" "$D/dr-da-need.pdf" "AcroForm /(DA|DR|NeedAppearances) changed"
pass "/DR and /DA added: permitted while no field is drawn from them, reported when one is"

# --- bytes put before the header (a polyglot: HTML or a ZIP's head in front of the PDF): the sealer refuses such a
# file; on a sealed one QPDF counts offsets from the header, the /ByteRange from byte 0. eseal names the cause, as a
# failed seal when QPDF still reads the file (one byte), as an unreadable file when it does not; pdfsig agrees the
# signed bytes no longer match ---
{ printf ' '; cat "$D/bt.pdf"; } >"$D/prefixed.pdf"
qpdf --check "$D/prefixed.pdf" >/dev/null 2>&1 || [ $? = 3 ] || fail "qpdf cannot read the prefixed file"
vjson 1 "$D/prefixed.pdf"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "1 byte before the %PDF- header"
assert_grep "Digest Mismatch" <(pdfsig -nocert "$D/prefixed.pdf" 2>&1 || true)
{ printf '<html>polyglot</html>\n'; cat "$D/bt.pdf"; } >"$D/polyglot.pdf"
vjson 65 "$D/polyglot.pdf"
assert_grep "not a readable PDF: 22 bytes before the %PDF- header" "$ERR"
assert_grep "Digest Mismatch" <(pdfsig -nocert "$D/polyglot.pdf" 2>&1 || true)
pass "bytes before the header of a sealed file: not passed, the cause named; pdfsig: digest mismatch"
