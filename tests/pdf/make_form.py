#!/usr/bin/env python3
# tests/pdf/make_form.py: writes a small form PDF (raw objects, classic xref) with the empty signature fields a
# form's author places, for the --field tests:
#   make_form.py full OUT    2 A4 pages (page 2 /Rotate 90): approval.seal (merged field/widget, visible, /SV, /Lock
#                            naming the text field name),
#                            office.stamp (field with a separate widget kid, on page 2), witness (invisible, zero
#                            /Rect), name (a filled text field)
#   make_form.py full-lockall OUT  the same, approval.seal's /Lock locking all fields (/Action /All)
#   make_form.py single OUT  1 page with exactly one empty signature field, approval.seal
#   make_form.py huge-widget OUT  the single form with approval.seal's widget 3e9 points wide (no stamp fits)
import sys


def content(text):
    # Some ink outside the signature areas, so a rendering shows what changed and what did not.
    return ("BT /F1 18 Tf 72 760 Td (%s) Tj ET\n0.85 g 72 560 450 120 re f\n0 g 1 w 300 95 m 500 95 l S\n" % text).encode()


def build(kind):
    objs = {}
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>"
    objs[14] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    res = b"/Resources << /Font << /F1 14 0 R >> >>"
    objs[6] = b"<< /T (approval) /Kids [7 0 R] >>"
    lock = b"/Action /All" if kind == "full-lockall" else b"/Action /Include /Fields [(name)]"
    objs[7] = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (seal) /Parent 6 0 R /Rect [300 100 500 180] /F 4 "
               b"/P 4 0 R /Lock << /Type /SigFieldLock " + lock + b" >> "
               b"/SV << /Type /SV /Filter /Adobe.PPKLite >> >>")
    if kind == "huge-widget":
        objs[7] = objs[7].replace(b"/Rect [300 100 500 180]", b"/Rect [300 100 3000000000 180]")
    if kind in ("single", "huge-widget"):
        objs[2] = b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>"
        objs[3] = b"<< /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) >>"
        objs[4] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 13 0 R " + res + \
            b" /Annots [7 0 R] >>"
    else:
        objs[2] = b"<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 2 >>"
        objs[3] = b"<< /Fields [6 0 R 8 0 R 10 0 R 12 0 R] /DA (/Helv 0 Tf 0 g) >>"
        objs[4] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 13 0 R " + res + \
            b" /Annots [7 0 R 10 0 R 12 0 R] >>"
        objs[5] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Contents 15 0 R " + res + \
            b" /Annots [11 0 R] >>"
        objs[8] = b"<< /T (office) /Kids [9 0 R] >>"
        objs[9] = b"<< /FT /Sig /T (stamp) /Parent 8 0 R /Kids [11 0 R] >>"
        objs[10] = b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (witness) /Rect [0 0 0 0] /F 132 /P 4 0 R >>"
        objs[11] = b"<< /Type /Annot /Subtype /Widget /Parent 9 0 R /Rect [100 300 170 480] /F 4 /P 5 0 R >>"
        objs[12] = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Taro Yamada) /Rect [72 700 300 720] "
                    b"/F 4 /P 4 0 R >>")
        page2 = content("Page 2: office use")
        objs[15] = b"<< /Length %d >>\nstream\n" % len(page2) + page2 + b"endstream"
    page1 = content("Application for public works")
    objs[13] = b"<< /Length %d >>\nstream\n" % len(page1) + page1 + b"endstream"
    size = max(objs) + 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<0123456789abcdef0123456789abcdef> " \
           b"<0123456789abcdef0123456789abcdef>] >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


if __name__ == "__main__":
    open(sys.argv[2], "wb").write(build(sys.argv[1]))
