#!/usr/bin/env python3
# samples/documents/make-report.py: writes report.pdf, a small hand-made PDF 1.4 (classic xref, Helvetica text,
# two A4 pages) that the PDF sealer tests turn into qpdf variants. Run: python3 make-report.py report.pdf
# Options for test variants: --form (an AcroForm text field; AcroForm, its /Fields and page 1's /Annots are
# indirect objects; --direct-form: the same field with AcroForm, /Fields and /Annots direct), --rotate N (page 1 has /Rotate N and a CropBox smaller than its MediaBox).
import sys

def build(form=False, rotate=0, direct=False):
    objs = []
    def add(body):
        objs.append(body)
        return len(objs)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_num = len(objs) + 1 + 0
    pages = add(None)  # filled below
    page_nums = []
    for i, lines in enumerate([
        ["Public works submission - progress report", "Project: Riverside bridge retrofit",
         "Section 1: structural inspection results", "All girders inspected; no cracks above 0.2 mm."],
        ["Section 2: schedule", "Phase 2 completes in March; phase 3 starts in April.", "End of report."],
    ]):
        text = b"BT /F1 14 Tf 72 770 Td 18 TL\n"
        for ln in lines:
            text += b"(" + ln.encode("latin-1") + b") Tj T*\n"
        text += b"ET\n0.2 0.4 0.8 RG 2 w 72 700 m 523 700 l S\n0.9 0.9 0.95 rg 72 120 451 500 re f\n"
        content = add(b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream")
        extra = b""
        if i == 0 and rotate:
            extra += b" /Rotate %d /CropBox [20 30 575 812]" % rotate
        if i == 0 and form:
            annots = add(None)
            extra += b" /Annots %d 0 R" % annots if not direct else b" /Annots [%d 0 R]" % (annots + 2)
        page_nums.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R%s >>" % (pages, font, content, extra)))
        if i == 0 and form:
            field = add(b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (inspector) /V (Sato) /Rect [72 640 300 660] /P %d 0 R /F 4 /DA (/Helv 10 Tf 0 g) >>" % page_nums[-1])
            objs[annots - 1] = b"[%d 0 R]" % field  # unused (but valid) when direct
            fields = add(b"[%d 0 R]" % field)
            acroform = add(b"<< /Fields %d 0 R /DA (/Helv 10 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >>" % (fields, font))
    objs[pages - 1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % n for n in page_nums) + b"] /Count %d >>" % len(page_nums)
    info = add(b"<< /Title (Progress report) /Producer (eseal make-report.py) >>")
    if direct:
        acro_ref = b"<< /Fields [%d 0 R] /DA (/Helv 10 Tf 0 g) >>" % field
    else:
        acro_ref = b"%d 0 R" % acroform if form else b""
    root = add(b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages, b" /AcroForm " + acro_ref if form else b""))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, info, xref)
    return bytes(out)

if __name__ == "__main__":
    args = sys.argv[1:]
    direct = "--direct-form" in args
    form = "--form" in args or direct
    rotate = 0
    if "--rotate" in args:
        rotate = int(args[args.index("--rotate") + 1])
        del args[args.index("--rotate"):args.index("--rotate") + 2]
    args = [a for a in args if a not in ("--form", "--direct-form")]
    with open(args[0] if args else "report.pdf", "wb") as f:
        f.write(build(form, rotate, direct))
