#!/usr/bin/env python3
# tests/interop/pades_number_format.py: PDFs for pades_number_format.sh: a one-page document whose numbers are
# written as a given producer writes them, and a later update that rewrites its page with other numbers.
#
# usage: pades_number_format.py make OUT ROTATE MEDIABOX    e.g. make a.pdf 0 "0 0 612.0 792.00"
#        pades_number_format.py rewrite IN OUT OLD NEW         page 1 rewritten with text OLD replaced by NEW
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
from pdf_attack import append_update, page1, qpdf_obj  # noqa: E402


def make(out, rotate, mediabox):
    content = b"BT /F1 24 Tf 72 700 Td (Numbers as the producer wrote them) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Rotate %s /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>" % (mediabox.encode(), rotate.encode()),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    open(out, "wb").write(pdf)


def rewrite(path, out, old, new):
    page, _ = page1(path)
    text = qpdf_obj(path, str(page)).encode("latin-1")
    assert old.encode() in text, text
    data = open(path, "rb").read()
    open(out, "wb").write(append_update(data, path, {page: text.replace(old.encode(), new.encode(), 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(*sys.argv[2:5])
    else:
        rewrite(*sys.argv[2:6])
