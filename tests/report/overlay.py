#!/usr/bin/env python3
# tests/report/overlay.py: a shadow-style overlay after a seal: an incremental update adds to page 1 an annotation
# whose appearance is a white box with new text over the signed text, so a reader sees other words than were sealed.
# Written as raw bytes (tests/verify/pdf_attack.py's updater), not by the verifier's code.
#
# usage: overlay.py IN OUT X0 Y0 X1 Y1 [TEXT]   (the annotation's /Rect in PDF points)
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
from pdf_attack import append_update, page1, qpdf_obj  # noqa: E402

src, dst = sys.argv[1], sys.argv[2]
x0, y0, x1, y1 = (float(v) for v in sys.argv[3:7])
text = (sys.argv[7] if len(sys.argv) > 7 else "All girders failed inspection.").encode("latin-1")
w, h = x1 - x0, y1 - y0
data = open(src, "rb").read()
page, _ = page1(src)
pdict = qpdf_obj(src, str(page)).encode("latin-1")
size = int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1))
annot, ap, font = size, size + 1, size + 2
body = b"1 1 1 rg 0 0 %.2f %.2f re f 0 g BT /F1 11 Tf 2 %.2f Td (%s) Tj ET" % (w, h, h / 2 - 4, text)
ap_obj = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> "
          b"/Length %d >>\nstream\n" % (w, h, font, len(body)) + body + b"\nendstream")
annot_obj = (b"<< /Type /Annot /Subtype /Stamp /Rect [%.2f %.2f %.2f %.2f] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>"
             % (x0, y0, x1, y1, page, ap))
am = re.search(rb"/Annots \[([^\]]*)\]", pdict)
if am:
    pdict = pdict[:am.start()] + b"/Annots [" + am.group(1) + b" %d 0 R]" % annot + pdict[am.end():]
else:
    pdict = pdict[:-2] + b" /Annots [%d 0 R] >>" % annot
open(dst, "wb").write(append_update(data, src, {
    page: pdict, annot: annot_obj, ap: ap_obj,
    font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}))
