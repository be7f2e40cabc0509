#!/usr/bin/env python3
# tests/pdf/make_variant.py: builds the PDF file classes qpdf cannot write directly, for the sealer tests.
#   make_variant.py hybrid IN_WITH_OBJSTM OUT   a hybrid-reference file: classic table for the uncompressed objects
#                                               plus /XRefStm naming the file's xref stream (compressed objects)
#   make_variant.py update IN OUT               IN plus one ordinary (non-signature) incremental update that
#                                               replaces the /Info dictionary (IN must have a classic table)
#   make_variant.py share-annots IN OUT         IN (page 1 with an indirect /Annots) plus an update making page 2
#                                               name the same /Annots array, as some generators do
#   make_variant.py older-dup-key IN OUT        IN plus two /Info updates, the first's trailer giving /Info twice
#                                               (QPDF warns while it reads the chain; readers keep one or the other)
#   make_variant.py nul-strings IN OUT          IN plus an update whose literal strings hold a NUL byte where a seal
#                                               copies values as written: the trailer's /ID, a direct annotation in
#                                               page 1's direct /Annots, the catalog's direct /AcroForm and /Perms
#   make_variant.py trailer-stream IN OUT       IN with the keyword "stream" after its last trailer dictionary:
#                                               QPDF reads that dictionary as a stream's and finds no trailer
#   make_variant.py xref-late IN OUT            IN (ending in a cross-reference stream numbered 10 or more) with its
#                                               startxref one byte late: "31 0 obj" reads as "1 0 obj", so to QPDF
#                                               the stream it reads there is object 1 whatever its entries say
import os
import re
import subprocess
import sys


def trailer_value(pdf, key):
    m = None
    for m in re.finditer(rb"/" + key + rb"\s+(\d+\s+\d+\s+R|\[[^\]]*\])", pdf):
        pass
    return m.group(1) if m else None


def hybrid(src, dst):
    pdf = open(src, "rb").read()
    sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    if not re.match(rb"\d+\s+\d+\s+obj", pdf[sx:sx + 30]):
        raise SystemExit("input's last section is not an xref stream")
    show = subprocess.run(["qpdf", "--show-xref", src], check=True, capture_output=True, text=True).stdout
    unc = {}
    size = 0
    for line in show.splitlines():
        m = re.match(r"(\d+)/(\d+): (\w+)(?:; offset = (\d+))?", line)
        if not m:
            continue
        size = max(size, int(m.group(1)) + 1)
        if m.group(3) == "uncompressed":
            unc[int(m.group(1))] = (int(m.group(4)), int(m.group(2)))
    body = pdf[:pdf.rfind(b"startxref")]
    out = bytearray(body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(unc):
        off, gen = unc[num]
        out += b"%d 1\n%010d %05d n \n" % (num, off, gen)
    root = trailer_value(pdf, b"Root")
    info = trailer_value(pdf, b"Info")
    ident = trailer_value(pdf, b"ID")
    out += b"trailer\n<< /Size %d /Root %s" % (size, root)
    if info:
        out += b" /Info " + info
    if ident:
        out += b" /ID " + ident
    out += b" /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (sx, xref)
    open(dst, "wb").write(out)


def classic(src):
    """The file's bytes, its last startxref and trailer /Size; the last section must be a classic table."""
    pdf = open(src, "rb").read()
    sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    if not pdf[sx:sx + 4] == b"xref":
        raise SystemExit("input's last section is not a classic table")
    return pdf, sx, int(re.findall(rb"/Size\s+(\d+)", pdf)[-1])


def update(src, dst):
    pdf, sx, size = classic(src)
    info = trailer_value(pdf, b"Info")
    num = int(info.split()[0])
    out = bytearray(pdf)
    off = len(out)
    out += b"%d 0 obj\n<< /Title (Progress report, revised) /Producer (make_variant.py) >>\nendobj\n" % num
    xref = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (num, off)
    out += b"trailer\n<< /Size %d /Root %s /Info %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, trailer_value(pdf, b"Root"), info, sx, xref)
    open(dst, "wb").write(out)


def share_annots(src, dst):
    pdf = open(src, "rb").read()
    sx = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    pages = subprocess.run(["qpdf", "--show-pages", src], check=True, capture_output=True, text=True).stdout
    refs = re.findall(r"page \d+: (\d+) (\d+) R", pages)
    p1 = subprocess.run(["qpdf", "--show-object=" + refs[0][0], src], check=True, capture_output=True).stdout
    annots = re.search(rb"/Annots (\d+ \d+ R)", p1).group(1)
    num = int(refs[1][0])
    p2 = subprocess.run(["qpdf", "--show-object=%d" % num, src], check=True, capture_output=True).stdout.strip()
    p2 = p2[:p2.rindex(b">>")] + b" /Annots " + annots + b" >>"
    size = int(re.findall(rb"/Size\s+(\d+)", pdf)[-1])
    out = bytearray(pdf)
    off = len(out)
    out += b"%d 0 obj\n" % num + p2 + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (num, off)
    out += b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, trailer_value(pdf, b"Root"), sx, xref)
    open(dst, "wb").write(out)


def older_dup_key(src, dst):
    update(src, dst + ".tmp")
    pdf = open(dst + ".tmp", "rb").read()
    at = pdf.rfind(b"trailer")
    info = trailer_value(pdf, b"Info")
    pdf = pdf[:at] + pdf[at:].replace(b" /Info " + info, b" /Info " + info + b" /Info " + info, 1)
    open(dst + ".tmp", "wb").write(pdf)
    update(dst + ".tmp", dst)
    os.unlink(dst + ".tmp")


def nul_strings(src, dst):
    pdf, sx, size = classic(src)
    root = trailer_value(pdf, b"Root")
    pages = subprocess.run(["qpdf", "--show-pages", src], check=True, capture_output=True, text=True).stdout
    page = int(re.findall(r"page \d+: (\d+) (\d+) R", pages)[0][0])

    def body(num, drop):
        d = subprocess.run(["qpdf", "--show-object=%d" % num, src], check=True, capture_output=True).stdout.strip()
        if not d.startswith(b"<<") or not d.endswith(b">>") or re.search(b"/(" + b"|".join(drop) + b")\\b", d):
            raise SystemExit("object %d is not a dictionary without %s" % (num, drop))
        return d[:-2]

    objs = {page: body(page, [b"Annots"]) + b"/Annots [ << /Type /Annot /Subtype /Text /Rect [ 20 20 40 40 ] "
            b"/Contents (note\0with a NUL) /F 4 >> ] >>",
            int(root.split()[0]): body(int(root.split()[0]), [b"AcroForm", b"Perms"]) +
            b"/AcroForm << /Fields [ ] /DA (/Helv 0 Tf\0 0 g) >> /Perms << /Note (x\0y) >> >>"}
    out = bytearray(pdf)
    offs = {}
    for num in sorted(objs):
        offs[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objs[num])
    xref = len(out)
    out += b"xref\n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    out += b"trailer\n<< /Size %d /Root %s /ID [ <0123456789abcdef0123456789abcdef> (J\0\367\033V6) ] " \
           b"/Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, sx, xref)
    open(dst, "wb").write(out)


def xref_late(src, dst):
    pdf = open(src, "rb").read()
    m = list(re.finditer(rb"startxref\s+(\d+)", pdf))[-1]
    sx = int(m.group(1))
    if not re.match(rb"\d\d+ 0 obj\s*<<\s*/Type\s*/XRef", pdf[sx:sx + 40]):
        raise SystemExit("%s: the last startxref names no cross-reference stream numbered 10 or more" % src)
    open(dst, "wb").write(pdf[:m.start(1)] + b"%d" % (sx + 1) + pdf[m.end(1):])


def trailer_stream(src, dst):
    pdf = open(src, "rb").read()
    m = list(re.finditer(rb">>\s*startxref", pdf))[-1]
    open(dst, "wb").write(pdf[:m.start()] + b">>\nstream\nstartxref" + pdf[m.end():])


if __name__ == "__main__":
    {"hybrid": hybrid, "update": update, "share-annots": share_annots, "older-dup-key": older_dup_key,
     "nul-strings": nul_strings, "xref-late": xref_late,
     "trailer-stream": trailer_stream}[sys.argv[1]](sys.argv[2], sys.argv[3])
