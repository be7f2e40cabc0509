#!/bin/bash
# tests/pdf/seal_bad_input.sh: documents the sealer must refuse (truncated, garbage, not a PDF, broken xref,
# encrypted) and outputs it cannot write: one clear line naming the file, the right exit code, no output file,
# the input untouched.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
# refuse CODE PATTERN IN [extra seal args]: sealing IN fails with CODE and a one-line message matching PATTERN that
# names IN; no output appears and IN keeps its bytes.
refuse() {
	local code=$1 pattern=$2 in=$3 sum
	shift 3
	sum=$(sha256sum "$in")
	expect_exit "$code" "$ESEAL" seal --profile demo-bb --format pdf "$@" -o "$D/out.pdf" "$in"
	assert_no_file "$D/out.pdf"
	echo "$sum" | sha256sum -c --quiet || fail "$in was modified"
	assert_grep "$pattern" "$ERR"
	grep -qF "$(basename "$in")" "$ERR" || fail "message does not name $in: $(cat "$ERR")"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line of error: $(cat "$ERR")"
	[ ! -s "$OUT" ] || fail "stdout not empty: $(cat "$OUT")"
	ls -A "$D" | has "eseal-tmp" && fail "temporary file left behind"
	return 0
}

head -c 1000 "$REPORT" >"$D/truncated.pdf"
refuse 65 "truncated" "$D/truncated.pdf"
# Cut inside the final trailer: startxref is gone.
head -c $(($(stat -c %s "$REPORT") - 30)) "$REPORT" >"$D/cut-tail.pdf"
refuse 65 "truncated|damaged" "$D/cut-tail.pdf"
pass "truncated files refused"

head -c 20000 /dev/urandom >"$D/garbage.pdf"
refuse 65 "not a PDF" "$D/garbage.pdf"
echo "This is a plain text note, not a PDF." >"$D/note.pdf"
refuse 65 "not a PDF" "$D/note.pdf"
: >"$D/empty.pdf"
refuse 65 "not a PDF" "$D/empty.pdf"
{ printf '%%PDF-1.4\n'; head -c 5000 /dev/urandom; printf '\nstartxref\n12\n%%%%EOF\n'; } >"$D/fake.pdf"
refuse 65 "damaged" "$D/fake.pdf"
# An older trailer of the chain giving /Info twice: QPDF warns (and keeps the last; other readers the first). Our
# own reader of small files must see it too and leave the file to QPDF, which refuses it.
python3 "$PDF_TESTS/make_variant.py" older-dup-key "$REPORT" "$D/older-dup-key.pdf"
refuse 65 "damaged PDF.*duplicated key /Info" "$D/older-dup-key.pdf"
# A startxref one byte late: "31 0 obj" reads as "1 0 obj", the catalog's number. QPDF keeps the cross-reference
# stream it read there as object 1 and finds no /Root; our own reader, which the sealer uses for small files, must
# not follow the stream's entry for object 1 to the catalog in the object stream.
python3 "$ESEAL_SRC/tests/verify/pdf_objstm_fields.py" names "$D/fields.pdf" objstm
python3 "$PDF_TESTS/make_variant.py" xref-late "$D/fields.pdf" "$D/xref-late.pdf"
refuse 65 "reading the catalog: unable to find /Root dictionary" "$D/xref-late.pdf"
# The keyword "stream" after the last trailer: QPDF reads that trailer as a stream's dictionary (and the sealed
# output as damaged); our reader of the chain, which the sealer's own path trusts, says so too.
python3 "$PDF_TESTS/make_variant.py" trailer-stream "$REPORT" "$D/trailer-stream.pdf"
qpdf --check "$D/trailer-stream.pdf" >"$D/trailer-stream.qpdf" 2>&1 && fail "fixture trailer-stream is not broken"
grep -q "stream dictionary lacks /Length key" "$D/trailer-stream.qpdf" ||
	fail "qpdf does not read the trailer as a stream: $(cat "$D/trailer-stream.qpdf")"
refuse 65 "the trailer of the cross-reference table at offset [0-9]+ is followed by the keyword \"stream\"" \
	"$D/trailer-stream.pdf"
pass "garbage and non-PDF inputs refused"

# Broken cross-reference data that qpdf can recover (it reconstructs the table): we refuse rather than append
# an update to a file that other readers would reconstruct differently.
python3 - "$REPORT" "$D/bad-startxref.pdf" "$D/shifted.pdf" <<'EOF'
import re, sys
pdf = open(sys.argv[1], "rb").read()
sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
# 1) startxref points 7 bytes off the table.
open(sys.argv[2], "wb").write(pdf[:pdf.rfind(b"startxref")] + b"startxref\n%d\n%%%%EOF\n" % (sx + 7))
# 2) a comment inserted after the header shifts every object: all xref offsets are wrong.
i = pdf.index(b"\n") + 1
open(sys.argv[3], "wb").write(pdf[:i] + b"% inserted line shifting every offset\n" + pdf[i:])
EOF
for f in bad-startxref shifted; do
	qpdf --check "$D/$f.pdf" >"$D/$f.qpdf" 2>&1 && fail "fixture $f is not broken"
	qpdf "$D/$f.pdf" "$D/$f-recovered.pdf" 2>/dev/null || [ $? -eq 3 ] || fail "qpdf cannot recover $f"
	assert_file "$D/$f-recovered.pdf"
	refuse 65 "damaged" "$D/$f.pdf"
	# What the message suggests works: the repaired file seals.
	expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/$f-sealed.pdf" "$D/$f-recovered.pdf"
	check_sealed "$D/$f-sealed.pdf" 1 B-B
done
pass "broken xref refused (qpdf-repaired copies seal)"
# One damaged entry, for an object a seal never reads (a signature value of the form): readers that meet it rebuild
# the table and may read another document than the one sealed; refused as the files above (the repaired copy seals).
python3 "$ESEAL_SRC/tests/verify/pdf_objstm_fields.py" names "$D/one-entry.pdf" classic
python3 - "$D/one-entry.pdf" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"\n21 0 obj\n") == 1
open(sys.argv[1], "wb").write(b.replace(b"\n21 0 obj\n", b"\n22 0 obj\n"))
EOF
qpdf --check "$D/one-entry.pdf" >"$D/one-entry.qpdf" 2>&1 && fail "fixture one-entry is not broken"
grep -q "expected 21 0 obj" "$D/one-entry.qpdf" || fail "qpdf does not find object 21 damaged: $(cat "$D/one-entry.qpdf")"
refuse 65 "damaged PDF \(the cross-reference entry of object 21 points at no header of it\)" "$D/one-entry.pdf"
# The same through QPDF's path (a password given: QPDF opens the file, and reads object 21 only if it must).
printf 'unused\n' >"$D/password"
chmod 600 "$D/password"
refuse 65 "damaged PDF \(the cross-reference entry of object 21 points at no header of it\)" "$D/one-entry.pdf" \
	--password-file "$D/password"
# An encrypted file (object headers are not encrypted) and one too big to be held in memory (read through a mapping),
# each with the header of an object a seal never reads given another generation.
python3 "$ESEAL_SRC/tests/verify/pdf_objstm_fields.py" names "$D/fields.pdf" classic
qpdf --object-streams=disable --encrypt user owner 256 -- "$D/fields.pdf" "$D/encrypted.pdf"
python3 "$ESEAL_SRC/tests/bench/make_big_pdf.py" "$D/big.pdf" 20 4
python3 - "$D/encrypted.pdf" "$D/big.pdf" <<'EOF'
import re, sys
for path, pick in ((sys.argv[1], rb"<< /ByteRange"), (sys.argv[2], rb"<< /Length 32 >>")):
    b = open(path, "rb").read()
    num = [m.group(1) for m in re.finditer(rb"\n(\d+) 0 obj\n" + pick, b)][-1]
    assert b.count(b"\n%s 0 obj\n" % num) == 1
    open(path, "wb").write(b.replace(b"\n%s 0 obj\n" % num, b"\n%s 1 obj\n" % num))
    print(num.decode(), file=open(path + ".num", "w"))
EOF
printf 'user\n' >"$D/user-password"
chmod 600 "$D/user-password"
qpdf --password=user --check "$D/encrypted.pdf" >"$D/encrypted.qpdf" 2>&1 && fail "fixture encrypted.pdf is not broken"
qpdf --check "$D/big.pdf" >"$D/big.qpdf" 2>&1 && fail "fixture big.pdf is not broken"
refuse 65 "damaged PDF \(the cross-reference entry of object $(cat "$D/encrypted.pdf.num") points at no header of it\)" \
	"$D/encrypted.pdf" --password-file "$D/user-password"
refuse 65 "damaged PDF \(the cross-reference entry of object $(cat "$D/big.pdf.num") points at no header of it\)" \
	"$D/big.pdf"
qpdf "$D/one-entry.pdf" "$D/one-entry-recovered.pdf" 2>/dev/null || [ $? -eq 3 ] || fail "qpdf cannot recover one-entry"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/one-entry-sealed.pdf" "$D/one-entry-recovered.pdf"
qpdf --check "$D/one-entry-sealed.pdf" >/dev/null 2>&1 || fail "the repaired copy's seal: qpdf --check fails"
pdfsig -nocert "$D/one-entry-sealed.pdf" >"$D/one-entry.pdfsig" 2>&1 || true
python3 - "$D/one-entry.pdfsig" <<'EOF' || fail "the repaired copy's seal is not valid: $(cat "$D/one-entry.pdfsig")"
import sys
blocks = open(sys.argv[1], encoding="utf-8", errors="replace").read().split("Signature #")[1:]
sys.exit(0 if "Signature Field Name: eSeal1" in blocks[-1] and "Signature is Valid." in blocks[-1] else 1)
EOF
pass "one damaged cross-reference entry refused on either path, encrypted and in a 20 MB file (the qpdf-repaired copy seals)"

# Bytes before the header: QPDF and Poppler count offsets from "%PDF-", a ByteRange counts from byte 0. qpdf opens
# the file cleanly (so only our check stands between it and an update readers would repair); its rewrite seals.
{ printf ' '; cat "$REPORT"; } >"$D/prefixed.pdf"
qpdf --check "$D/prefixed.pdf" >/dev/null 2>&1 || fail "qpdf cannot read the prefixed fixture"
refuse 65 "1 byte before the %PDF- header" "$D/prefixed.pdf"
qpdf "$D/prefixed.pdf" "$D/prefixed-repaired.pdf"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/prefixed-sealed.pdf" "$D/prefixed-repaired.pdf"
check_sealed "$D/prefixed-sealed.pdf" 1 B-B
pass "bytes before the header refused (qpdf's rewrite seals)"

# Encrypted: AES-256 seals (seal_encrypted.sh); without the password, with a wrong one, or with an algorithm the
# sealer does not write (RC4, AES-128), the document is refused.
qpdf --encrypt user owner 256 -- "$REPORT" "$D/encrypted.pdf"
refuse 65 "encrypted PDF: missing password" "$D/encrypted.pdf"
printf 'wrong\n' >"$D/pw"
chmod 600 "$D/pw"
refuse 65 "encrypted PDF: wrong password" "$D/encrypted.pdf" --password-file "$D/pw"
qpdf --encrypt "" owner 128 --use-aes=y -- "$REPORT" "$D/encrypted-aes128.pdf"
refuse 65 "only AES-256 is supported\); decrypt first with qpdf --decrypt" "$D/encrypted-aes128.pdf"
qpdf --allow-weak-crypto --encrypt "" owner 128 -- "$REPORT" "$D/encrypted-rc4.pdf"
refuse 65 "only AES-256 is supported" "$D/encrypted-rc4.pdf"
# The author forbade form filling and annotations: the user password is not enough to seal.
qpdf --encrypt user owner 256 --modify=none -- "$REPORT" "$D/encrypted-locked.pdf"
printf 'user\n' >"$D/pw"
refuse 65 "permissions do not allow signing" "$D/encrypted-locked.pdf" --password-file "$D/pw"
pass "encrypted PDFs without password, with a wrong one, or not AES-256: refused"

# Nesting no real document has (a 70-deep array in the catalog). Plain, QPDF writes the catalog again for us; once
# encrypted, the sealer walks the value to encrypt its strings and refuses it as damaged input, not as a bug.
# (The same script writes the documents of the next block, whose objects play two roles.)
python3 - "$D" <<'PY'
import sys


def write(path, objs):
    out, offs = bytearray(b"%PDF-1.7\n"), []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    open(sys.argv[1] + "/" + path, "wb").write(out)


pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
write("deep.pdf", [b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 70 + b"(deep)" + b"]" * 70 + b" >>", pages,
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"])
write("catalog-page.pdf", [b"<< /Type /Page /Pages 2 0 R /Parent 2 0 R /MediaBox [0 0 200 200] >>",
                           b"<< /Type /Pages /Kids [1 0 R] /Count 1 >>"])
write("acroform-page.pdf", [b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>", pages,
                            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Fields [] >>"])
write("annots-fields.pdf", [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 4 0 R >> >>", pages,
                            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots 4 0 R >>", b"[]"])
# A cross-reference stream (/W [1 4 4]) giving the page generation 70000, beyond the 65535 ISO 32000 allows.
out, rows = bytearray(b"%PDF-1.7\n"), bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(4, "big")
for num, gen, body in [(1, 0, b"<< /Type /Catalog /Pages 2 0 R >>"),
                       (2, 0, b"<< /Type /Pages /Kids [3 70000 R] /Count 1 >>"),
                       (3, 70000, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")]:
    rows += bytes([1]) + len(out).to_bytes(4, "big") + gen.to_bytes(4, "big")
    out += b"%d %d obj\n" % (num, gen) + body + b"\nendobj\n"
xref = len(out)
rows += bytes([1]) + xref.to_bytes(4, "big") + (0).to_bytes(4, "big")
out += b"4 0 obj\n<< /Type /XRef /Size 5 /Root 1 0 R /W [1 4 4] /Length %d >>\nstream\n" % len(rows) + rows
out += b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
open(sys.argv[1] + "/generation.pdf", "wb").write(out)
PY
qpdf --check "$D/deep.pdf" >/dev/null || fail "deep.pdf is not a valid PDF to start with"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/deep-sealed.pdf" "$D/deep.pdf"
check_sealed "$D/deep-sealed.pdf" 1 B-B
qpdf --encrypt "" owner 256 -- "$D/deep.pdf" "$D/deep-encrypted.pdf"
refuse 65 "damaged PDF \(objects nested deeper than 64 levels\)" "$D/deep-encrypted.pdf"
pass "a 70-deep value: sealed in a plain PDF, refused as damaged input in an encrypted one"

# One object in two roles the seal changes (the page is the catalog; the /AcroForm is the page; the page's /Annots
# is the form's /Fields): it would be written twice in the update, each copy with half the change, and readers
# differ on which copy counts. Refused as damaged.
for f in catalog-page acroform-page annots-fields; do
	qpdf --check "$D/$f.pdf" >/dev/null || fail "$f.pdf is not a valid PDF to start with"
	refuse 65 "damaged PDF: object [0-9]* plays two roles the seal must change" "$D/$f.pdf"
done
pass "an object the seal would have to write twice (two roles): refused"

# A generation the update cannot write (QPDF reads 70000 from a cross-reference stream; the update's stream entry
# has two bytes): written anyway, the page rewrite became another object and Poppler lost the page. Refused.
qpdf --check "$D/generation.pdf" >/dev/null || fail "generation.pdf is not readable to start with"
refuse 65 "damaged PDF: object 3 has generation 70000 .at most 65535." "$D/generation.pdf"
pass "a generation beyond 65535: refused"

# Cross-reference chains QPDF reads with a warning: white space where startxref points before "xref", a table entry
# with a 9-digit offset, /Size past the highest object. The sealer refuses what QPDF warns about (another reader
# may take the chain differently), whether it reads the original itself or through QPDF.
python3 - "$REPORT" "$D" <<'EOF'
import re, sys
pdf = open(sys.argv[1], "rb").read()
d = sys.argv[2]
sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
assert pdf[sx:sx + 4] == b"xref", "the sample's last section is not a table"
tail = pdf.rfind(b"startxref")
# 1) a space inserted before "xref", startxref left pointing at it.
open(d + "/xref-space.pdf", "wb").write(pdf[:sx] + b" " + pdf[sx:tail] + b"startxref\n%d\n%%%%EOF\n" % sx)
# 2) an in-use entry "0000012345 00000 n" written "000012345  00000 n": same length and offset, one digit short.
m = re.search(rb"0(\d{9}) (\d{5}) n", pdf[sx:])
at = sx + m.start()
open(d + "/xref-entry.pdf", "wb").write(pdf[:at] + m.group(1) + b"  " + m.group(2) + b" n" + pdf[at + 18:])
# 3) /Size one more than the highest object number plus one.
size = int(re.findall(rb"/Size\s+(\d+)", pdf[tail - 400:])[-1])
end = re.sub(rb"/Size\s+%d\b" % size, b"/Size %d" % (size + 1), pdf[sx:tail])
open(d + "/xref-size.pdf", "wb").write(pdf[:sx] + end + pdf[tail:])
EOF
for f in "xref-space:extraneous whitespace seen before xref" "xref-entry:accepting invalid xref table entry" \
	"xref-size:reported number of objects"; do
	name=${f%%:*}
	qpdf --check "$D/$name.pdf" >"$D/$name.qpdf" 2>&1 || true
	grep -qF "${f#*:}" "$D/$name.qpdf" || fail "$name.pdf: qpdf does not warn '${f#*:}': $(cat "$D/$name.qpdf")"
	refuse 65 "damaged.*${f#*:}" "$D/$name.pdf"
done
pass "chains QPDF reads with a warning (white space before xref, a malformed entry, a wrong /Size): refused"

# Unusable options: page out of range, bad rectangle, missing or non-image seal image.
refuse 64 "page 7 does not exist" "$REPORT" --visible --page 7
refuse 64 "outside the page" "$REPORT" --visible --rect 500,800,200,80
refuse 64 "not usable" "$REPORT" --visible --rect 10,10,2,2
# sscanf reads "nan"; the option parser must refuse it (it is not an input's fault, so the message names the option).
expect_exit 64 "$ESEAL" seal --profile demo-bb --format pdf --visible --rect 10,nan,100,50 -o "$D/out.pdf" "$REPORT"
assert_grep "rect: '10,nan,100,50'" "$ERR"
assert_no_file "$D/out.pdf"
refuse 64 "seal image" "$REPORT" --visible --image "$D/no-such.png"
refuse 64 "PNG or JPEG" "$REPORT" --visible --image "$D/note.pdf"
pass "bad visible-seal options refused"

# Output that cannot be written: a directory that does not exist, a path below a regular file.
sum=$(sha256sum "$REPORT")
expect_exit 74 "$ESEAL" seal --profile demo-bb -o "$D/no-such-dir/out.pdf" "$REPORT"
assert_grep "no-such-dir" "$ERR"
assert_no_file "$D/no-such-dir"
expect_exit 74 "$ESEAL" seal --profile demo-bb -o "$D/note.pdf/out.pdf" "$REPORT"
echo "$sum" | sha256sum -c --quiet || fail "input modified"
# The output may not be the input itself.
cp "$REPORT" "$D/self.pdf"
sum=$(sha256sum "$D/self.pdf")
"$ESEAL" seal --profile demo-bb -f -o "$D/self.pdf" "$D/self.pdf" >/dev/null 2>&1 && fail "sealed a file onto itself"
echo "$sum" | sha256sum -c --quiet || fail "input overwritten by its own seal"
pass "unwritable outputs refused, input untouched"
