#!/usr/bin/env python3
# tests/verify/pdf_objstm_pages.py: a three-page PDF whose page tree, pages and annotations sit in an object stream,
# or in a classic file outside any (what the verifier reads with its own lexer instead of QPDF), the media box
# inherited from the tree's root with an origin off (100, 200), for checks that must still see every page.
#
# usage: pdf_objstm_pages.py MODE OUT [LAYOUT]
#   clean   page 2 has a link annotation
#   dup     page 2 gives /Tabs twice, its link annotation /Border twice
#   widget  page 3 shows an unsigned signature widget that /AcroForm /Fields does not name
#   signed  the same widget with a value: a signature dictionary whose /ByteRange covers the first 100 bytes
# LAYOUT: objstm (default: those objects in an object stream, a cross-reference stream) or classic (every object
# in the file, a cross-reference table)
import sys
import zlib


def build(mode, layout):
    dup_page = b" /Tabs /R" if mode == "dup" else b""
    dup_link = b" /Border [0 0 1]" if mode == "dup" else b""
    in_stm = {
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /MediaBox [100 200 695 1042] >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >> >>",
        4: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >> /Tabs /S%s /Annots [7 0 R] >>" % dup_page,
        5: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >>%s >>"
        % (b" /Annots [8 0 R]" if mode in ("widget", "signed") else b""),
        7: b"<< /Type /Annot /Subtype /Link /Rect [150 250 300 280] /Border [0 0 0]%s /A << /S /URI "
        b"/URI (https://example.invalid/) >> >>" % dup_link,
        8: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (orphan) /Rect [0 0 0 0] /F 132 /P 5 0 R%s >>"
        % (b" /V 9 0 R" if mode == "signed" else b""),
    }
    if mode == "signed":
        in_stm[9] = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
                     b"/ByteRange [0 100 200 0] /Contents <%s> >>" % (b"00" * 50))
    if layout == "classic":
        return build_classic(in_stm)
    nums = sorted(in_stm)
    header, body = b"", b""
    for n in nums:
        header += b"%d %d " % (n, len(body))
        body += in_stm[n] + b"\n"
    stm = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def obj(n, text):
        offsets[n] = len(out)
        out.extend(b"%d 0 obj\n" % n + text + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    content = b"BT /F1 1 Tf ET"
    obj(6, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    obj(10, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(nums), len(header), len(stm)) + stm + b"\nendstream")
    size = 12
    rows = b""
    for n in range(size):
        if n in offsets:
            rows += bytes([1]) + offsets[n].to_bytes(4, "big") + b"\0"
        elif n in in_stm:
            rows += bytes([2]) + (10).to_bytes(4, "big") + bytes([nums.index(n)])
        elif n == 11:
            rows += bytes([1]) + len(out).to_bytes(4, "big") + b"\0"
        else:
            rows += bytes([0]) + (0).to_bytes(4, "big") + (255 if n == 0 else 0).to_bytes(1, "big")
    xref = len(out)
    data = zlib.compress(rows)
    out.extend(b"11 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
               b"stream\n" % (size, len(data)) + data + b"\nendstream\nendobj\n")
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


def build_classic(objs):
    content = b"BT /F1 1 Tf ET"
    objs = dict(objs)
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[6] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out.extend(b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n")
    size = max(objs) + 1
    xref = len(out)
    out.extend(b"xref\n0 %d\n" % size)
    for n in range(size):
        out.extend(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n")
    out.extend(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return bytes(out)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    layout = sys.argv[3] if len(sys.argv) > 3 else "objstm"
    assert mode in ("clean", "dup", "widget", "signed"), mode
    assert layout in ("objstm", "classic"), layout
    with open(path, "wb") as f:
        f.write(build(mode, layout))


if __name__ == "__main__":
    main()
