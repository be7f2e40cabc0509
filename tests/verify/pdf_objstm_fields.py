#!/usr/bin/env python3
# tests/verify/pdf_objstm_fields.py: a one-page form whose catalog, /AcroForm and fields sit in an object stream (or,
# in a classic file, outside any), which the verifier reads with its own lexer: signature fields it must find as
# QPDF and Poppler do, with signature values that do not verify (their listing is what is tested).
#
# usage: pdf_objstm_fields.py MODE OUT [LAYOUT]
#   names    a text field; a signature field named in UTF-16BE (U+65E5 U+672C) whose kid "kid1" holds the value and
#            inherits /FT; a field whose /FT is written /S#69g, named U+1F600 (a surrogate pair); a text widget
#            only the page names
#   escaped  the same, the last field named by a literal with an escape, (smile\051)
# LAYOUT: objstm (default) or classic
import sys
import zlib

SIG = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 100 200 0] "
       b"/Contents <%s> >>" % (b"00" * 50))


def objects(mode):
    name13 = b"(smile\\051)" if mode == "escaped" else b"<FEFFD83DDE00>"
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        3: b"<< /Fields [10 0 R 11 0 R 13 0 R] /SigFlags 3 >>",
        4: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << >> /Annots [10 0 R 12 0 R 13 0 R 16 0 R] >>",
        10: b"<< /FT /Tx /T (Name) /V (Taro) /Type /Annot /Subtype /Widget /Rect [50 50 200 70] /P 4 0 R >>",
        11: b"<< /FT /Sig /T <FEFF65E5672C> /Kids [12 0 R] >>",
        12: b"<< /Parent 11 0 R /T (kid1) /V 20 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 4 0 R >>",
        13: b"<< /FT /S#69g /T %s /V 21 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 4 0 R >>"
        % name13,
        16: b"<< /FT /Tx /T (loose) /Type /Annot /Subtype /Widget /Rect [50 100 200 120] /P 4 0 R >>",
        20: SIG,
        21: SIG,
    }


def content():
    data = b"BT /F1 1 Tf ET"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def build_objstm(in_stm):
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

    obj(5, content())
    obj(30, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(nums), len(header), len(stm)) + stm + b"\nendstream")
    size = 32
    rows = b""
    for n in range(size):
        if n in offsets:
            rows += bytes([1]) + offsets[n].to_bytes(4, "big") + b"\0"
        elif n in in_stm:
            rows += bytes([2]) + (30).to_bytes(4, "big") + bytes([nums.index(n)])
        elif n == 31:
            rows += bytes([1]) + len(out).to_bytes(4, "big") + b"\0"
        else:
            rows += bytes([0]) + (0).to_bytes(4, "big") + (255 if n == 0 else 0).to_bytes(1, "big")
    xref = len(out)
    data = zlib.compress(rows)
    out.extend(b"31 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
               b"stream\n" % (size, len(data)) + data + b"\nendstream\nendobj\n")
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


def build_classic(objs):
    objs = dict(objs)
    objs[5] = content()
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
    assert mode in ("names", "escaped"), mode
    assert layout in ("objstm", "classic"), layout
    objs = objects(mode)
    with open(path, "wb") as f:
        f.write(build_objstm(objs) if layout == "objstm" else build_classic(objs))


if __name__ == "__main__":
    main()
