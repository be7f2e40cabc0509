#!/bin/bash
# tests/pdf/seal_field.sh: --field NAME seals into a form's own empty signature field (forms made by make_form.py):
# pdfsig lists the seal under that field name, qpdf finds no damage and no new field, pdftoppm shows the seal inside
# the field's rectangle only, eseal verify accepts filling a field after an earlier seal; bad field names are refused.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
python3 "$PDF_TESTS/make_form.py" full "$D/form.pdf"
python3 "$PDF_TESTS/make_form.py" single "$D/single.pdf"
for f in form single; do
	qpdf --check "$D/$f.pdf" >"$D/$f.qpdf" 2>&1 || fail "fixture $f.pdf is broken: $(cat "$D/$f.qpdf")"
done

render() { # render PDF PAGE OUT.ppm at 72 dpi (1 px = 1 pt), as displayed (/Rotate applied)
	pdftoppm -r 72 -f "$2" -l "$2" -singlefile "$1" "${3%.ppm}"
}
# fields FILE: "count name=value ..." of the form's fields as qpdf sees them (value: the object it refers to).
fields() {
	qpdf --json --json-key=acroform "$1" | python3 -c '
import json, sys
f = json.load(sys.stdin)["acroform"]["fields"]
print(len(f), " ".join(sorted("%s=%s" % (x["fullname"], x["value"]) for x in f)))'
}
# sealed_in FILE FIELD NVALID: pdfsig finds NVALID valid signatures, the one in FIELD last and covering the whole
# file, none other (pdfsig_check);
# qpdf --check is clean; the last signature's CMS verifies over its ByteRange (openssl).
sealed_in() {
	local f=$1 field=$2 n=$3 d
	d=$(mktemp -d "$ESEAL_TMP_ROOT/chk.XXXXXX")
	pdfsig_check "$f" "$n" whole --field "$field"
	pdfsig "$f" >"$d/pdfsig" 2>&1 || fail "$f: pdfsig failed: $(cat "$d/pdfsig")"
	python3 - "$d/pdfsig" "$field" <<'EOF' || fail "$f: pdfsig: field $field not sealed: $(cat "$d/pdfsig")"
import sys
blocks = open(sys.argv[1], encoding="utf-8", errors="replace").read().split("Signature #")[1:]
mine = [b for b in blocks if "Signature Field Name: %s\n" % sys.argv[2] in b]
sys.exit(0 if len(mine) == 1 and "Signature is Valid." in mine[0] and "Total document signed" in mine[0] and
         "ETSI.CAdES.detached" in mine[0] else 1)
EOF
	qpdf --check "$f" >"$d/qpdf" 2>&1 || fail "$f: qpdf --check failed: $(cat "$d/qpdf")"
	grep -qiE "warning|error:" "$d/qpdf" && fail "$f: qpdf --check complains: $(cat "$d/qpdf")"
	python3 "$SIGPY" "$f" --whole --data "$d/signed.bin" --cms "$d/sig.der" 2>"$d/sigpy" || fail "$f: $(cat "$d/sigpy")"
	openssl cms -verify -cades -binary -inform DER -in "$d/sig.der" -content "$d/signed.bin" -CAfile "$ROOT" \
		-purpose any -out /dev/null 2>"$d/verify" || fail "$f: openssl cms -verify: $(cat "$d/verify")"
	return 0
}
# intact FILE N: eseal verify passes all N seals and reports nothing modified after any of them.
intact() {
	expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$1"
	[ "$(grep -c "^  seal [0-9]*.*: TOTAL-PASSED" "$OUT")" -eq "$2" ] || fail "$1: eseal verify: $(cat "$OUT")"
	grep -qi "modified" "$OUT" && fail "$1: eseal verify reports a modification: $(cat "$OUT")"
	return 0
}
# within "x0 y0 x1 y1 count" MINX MINY MAXX MAXY WHAT MINCOUNT: the changed pixels lie inside the box (2 px tolerance)
within() {
	local box=$1
	[ "$box" != none ] || fail "$6: nothing changed on the page"
	set -- $box "${@:2}"
	[ "$1" -ge $(($6 - 2)) ] && [ "$2" -ge $(($7 - 2)) ] && [ "$3" -le $(($8 + 2)) ] && [ "$4" -le $(($9 + 2)) ] ||
		fail "${10}: changed pixels at $1,$2-$3,$4, outside $6,$7-$8,$9"
	[ "$5" -ge "${11}" ] || fail "${10}: only $5 pixels changed"
}

sum=$(sha256sum "$D/form.pdf")
before=$(fields "$D/form.pdf")
[ "$before" = "4 approval.seal=None name=u:Taro Yamada office.stamp=None witness=None" ] ||
	fail "fixture fields as qpdf sees them: $before"
render "$D/form.pdf" 1 "$D/p1.ppm"
render "$D/form.pdf" 2 "$D/p2.ppm"

# Visible field, merged with its widget, nested name, /Lock and /SV: B-T seal drawn in its /Rect [300 100 500 180].
expect_exit 0 "$ESEAL" seal --profile demo --field approval.seal -o "$D/a.pdf" "$D/form.pdf"
sealed_in "$D/a.pdf" approval.seal 1
check_prefix "$D/form.pdf" "$D/a.pdf"
after=$(fields "$D/a.pdf")
case "$after" in
"4 approval.seal="[0-9]*" 0 R name=u:Taro Yamada office.stamp=None witness=None") ;;
*) fail "fields after sealing into approval.seal: $after" ;;
esac
qpdf --show-object=7 "$D/a.pdf" >"$D/obj7"
has "/Lock << /Action /Include /Fields \[ (name) \] /Type /SigFieldLock >>" <"$D/obj7" ||
	fail "field lost its /Lock: $(cat "$D/obj7")"
has "/SV << /Filter /Adobe.PPKLite /Type /SV >>" <"$D/obj7" || fail "field lost its /SV: $(cat "$D/obj7")"
has "/Rect \[ 300 100 500 180 \]" <"$D/obj7" || fail "field's /Rect changed: $(cat "$D/obj7")"
render "$D/a.pdf" 1 "$D/a1.ppm"
# x 300..500, y from the top 842-180=662 .. 842-100=742
within "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/p1.ppm" "$D/a1.ppm")" 300 662 500 742 "approval.seal" 3000
render "$D/a.pdf" 2 "$D/a2.ppm"
[ "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/p2.ppm" "$D/a2.ppm")" = none ] || fail "page 2 changed"
intact "$D/a.pdf" 1
pass "sealed into the visible field approval.seal: in its rectangle, no new field, /Lock and /SV kept"

# Second seal into office.stamp (a field with a separate widget kid on the page rotated by 90): the first seal
# stays valid and eseal verify accepts the filled field. Displayed, user x 100..170 is y, user y 300..480 is x.
sum_a=$(sha256sum "$D/a.pdf")
expect_exit 0 "$ESEAL" seal --profile demo-bb --field office.stamp -o "$D/b.pdf" "$D/a.pdf"
sealed_in "$D/b.pdf" office.stamp 2
echo "$sum_a" | sha256sum -c --quiet || fail "a.pdf was modified"
case "$(fields "$D/b.pdf")" in
"4 approval.seal="[0-9]*" 0 R name=u:Taro Yamada office.stamp="[0-9]*" 0 R witness=None") ;;
*) fail "fields after sealing into office.stamp: $(fields "$D/b.pdf")" ;;
esac
render "$D/b.pdf" 2 "$D/b2.ppm"
box=$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a2.ppm" "$D/b2.ppm")
within "$box" 300 100 480 170 "office.stamp on the rotated page" 2000
set -- $box
[ $(($3 - $1)) -gt $(($4 - $2)) ] || fail "office.stamp: the seal is not upright on the rotated page: $box"
render "$D/b.pdf" 1 "$D/b1.ppm"
[ "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/a1.ppm" "$D/b1.ppm")" = none ] || fail "page 1 changed by the second seal"
intact "$D/b.pdf" 2
pass "second seal into office.stamp (separate widget, rotated page): both valid, verify finds no modification"

# What filling a field permits is no wider than that: an update that gives office.stamp a value but also moves its
# widget, or hangs the widget under another field, is a modification the first seal must report.
append_update() { # IN OUT NUM BODY: IN plus one incremental update replacing object NUM by BODY (classic xref)
	python3 - "$@" <<'EOF2'
import re, sys
src, dst, num, body = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
pdf = open(src, "rb").read()
sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
tr = pdf[pdf.rindex(b"trailer"):]
size = re.search(rb"/Size (\d+)", tr).group(1)
root = re.search(rb"/Root (\d+ \d+ R)", tr).group(1)
out = bytearray(pdf)
off = len(out)
out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %s /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
    num, off, size, root, sx, xref)
open(dst, "wb").write(out)
EOF2
}
sig=$(qpdf --show-object=7 "$D/a.pdf" | grep -oE "/V [0-9]+ 0 R" | cut -d' ' -f2)
for bad in "/Parent 6 0 R /Rect [ 100 300 170 480 ]" "/Parent 9 0 R /Rect [ 100 300 400 480 ]"; do
	append_update "$D/a.pdf" "$D/tampered.pdf" 11 \
		"<< /Type /Annot /Subtype /Widget $bad /F 4 /P 5 0 R /V $sig 0 R >>"
	qpdf --check "$D/tampered.pdf" >/dev/null 2>&1 || fail "tampered fixture is broken"
	expect_exit 1 "$ESEAL" verify --trust "$ROOT" "$D/tampered.pdf"
	assert_grep "modified after sealing" "$OUT"
done
pass "a widget moved or re-parented while its field is filled is reported as a modification"

# Invisible field (zero /Rect): nothing drawn anywhere.
expect_exit 0 "$ESEAL" seal --profile demo-bb --field witness -o "$D/w.pdf" "$D/form.pdf"
sealed_in "$D/w.pdf" witness 1
case "$(fields "$D/w.pdf")" in
"4 approval.seal=None name=u:Taro Yamada office.stamp=None witness="[0-9]*" 0 R") ;;
*) fail "fields after sealing into witness: $(fields "$D/w.pdf")" ;;
esac
for p in 1 2; do
	render "$D/w.pdf" $p "$D/w$p.ppm"
	[ "$(python3 "$PDF_TESTS/ppm_diff.py" "$D/p$p.ppm" "$D/w$p.ppm")" = none ] || fail "invisible seal changed page $p"
done
intact "$D/w.pdf" 1
pass "sealed into the invisible field witness: pages unchanged"

# Without --field, even a form with exactly one empty signature field gets a new field: no guessing.
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/s.pdf" "$D/single.pdf"
sealed_in "$D/s.pdf" eSeal1 1
case "$(fields "$D/s.pdf")" in
"2 approval.seal=None eSeal1="[0-9]*" 0 R") ;;
*) fail "without --field: $(fields "$D/s.pdf")" ;;
esac
[ ! -s "$ERR" ] || fail "without --field something was said: $(cat "$ERR")"
pass "without --field a new field is added, the empty one left alone"

# A field already named eSeal1, written as a literal, as UTF-16BE hex with its byte order mark (white space inside)
# or with an octal escape (which only QPDF decodes: the sealer's own reader hands that file to QPDF): readers name
# it eSeal1, so the new field is eSeal2.
for t in "(eSeal1)" "<FEFF0065 005300650061006C0031>" "(eSeal\\061)"; do
	python3 - "$D/named.pdf" "$t" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["ESEAL_SRC"] + "/tests/verify")
import pdf_build
field = b"<< /FT /Sig /T %s /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>" % sys.argv[2].encode()
open(sys.argv[1], "wb").write(pdf_build.classic_file({
    1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
    3: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << >> /Annots [4 0 R] >>",
    4: field, 5: pdf_build.content_stream()}))
EOF
	rm -f "$D/named-s.pdf"
	expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/named-s.pdf" "$D/named.pdf"
	sealed_in "$D/named-s.pdf" eSeal2 1
	case "$(fields "$D/named-s.pdf")" in
	"2 eSeal1=None eSeal2="[0-9]*" 0 R") ;;
	*) fail "a field named $t: $(fields "$D/named-s.pdf")" ;;
	esac
done
pass "a field named eSeal1 (literal, UTF-16BE hex, octal escape): the new field is eSeal2"

# Encrypted form (AES-256): the rewritten field's strings are encrypted again under the file key.
qpdf --encrypt "" owner 256 -- "$D/form.pdf" "$D/enc.pdf"
printf '\n' >"$D/pw"
chmod 600 "$D/pw"
expect_exit 0 "$ESEAL" seal --profile demo-bb --password-file "$D/pw" --field approval.seal -o "$D/enc-s.pdf" "$D/enc.pdf"
pdfsig_check "$D/enc-s.pdf" 1 whole --field approval.seal
qpdf --check --password= "$D/enc-s.pdf" >"$D/enc.qpdf" 2>&1 || fail "encrypted: qpdf --check: $(cat "$D/enc.qpdf")"
qpdf --password= --json --json-key=acroform "$D/enc-s.pdf" | python3 -c '
import json, sys
f = {x["fullname"]: x["value"] for x in json.load(sys.stdin)["acroform"]["fields"]}
sys.exit(0 if len(f) == 4 and f["approval.seal"] is not None and f["name"] == "u:Taro Yamada" else 1)' ||
	fail "encrypted: the rewritten field does not read back (name or value)"
pass "sealed into a field of an AES-256 encrypted form"

# refuse CODE PATTERN IN ARGS...: one line naming IN and the field, no output, IN untouched.
refuse() {
	local code=$1 pattern=$2 in=$3 s
	shift 3
	s=$(sha256sum "$in")
	expect_exit "$code" "$ESEAL" seal --profile demo-bb "$@" -o "$D/out.pdf" "$in"
	assert_no_file "$D/out.pdf"
	echo "$s" | sha256sum -c --quiet || fail "$in was modified"
	assert_grep "$pattern" "$ERR"
	grep -qF "$(basename "$in")" "$ERR" || fail "message does not name $in: $(cat "$ERR")"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line of error: $(cat "$ERR")"
	ls -A "$D" | has "eseal-tmp" && fail "temporary file left behind"
	return 0
}
refuse 65 "form field approval.seal is already signed" "$D/a.pdf" --field approval.seal
refuse 65 "form field name is not a signature field" "$D/form.pdf" --field name
refuse 65 "no form field named nosuch" "$D/form.pdf" --field nosuch
refuse 65 "no form field named approval.sea$" "$D/form.pdf" --field approval.sea
refuse 65 "form field approval has sub-fields" "$D/form.pdf" --field approval
refuse 64 "field approval.seal: the seal goes where the field is; a page or place cannot be combined" "$D/form.pdf" --field approval.seal --rect 10,10,100,50
refuse 64 "field office.stamp: the seal goes where the field is; a page or place cannot be combined" "$D/form.pdf" --field office.stamp --page 2
refuse 64 "form field witness has no area" "$D/form.pdf" --field witness --visible
# A widget rectangle no stamp fits (3e9 pt wide) is the document's fault, not the user's: 65, before any rendering.
python3 "$PDF_TESTS/make_form.py" huge-widget "$D/huge.pdf"
refuse 65 "form field approval.seal: its widget .3e.09x80 pt. is too small or too large" "$D/huge.pdf" \
	--field approval.seal --visible
pass "a widget no stamp fits refused (65)"
echo "$sum" | sha256sum -c --quiet || fail "form.pdf was modified"
pass "signed, non-signature, missing and non-terminal fields refused (65); --rect/--page/--visible conflicts (64)"
