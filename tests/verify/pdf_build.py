# tests/verify/pdf_build.py: the writers of the object-stream test PDFs (pdf_objstm_*.py): some objects in one
# compressed object stream with a cross-reference stream, or every object in a classic file with a table.
import zlib


def content_stream():
    data = b"BT /F1 1 Tf ET"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def objstm_file(in_stm, outside, stm_num):
    """in_stm: {number: object} packed into object stream stm_num; outside: [(number, object)] written as plain
    objects before it, in that order. The cross-reference stream is object stm_num + 1; the catalog is object 1."""
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

    for n, text in outside:
        obj(n, text)
    obj(stm_num, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(nums), len(header), len(stm)) + stm + b"\nendstream")
    xref_num = stm_num + 1
    size = xref_num + 1
    rows = b""
    for n in range(size):
        if n in offsets:
            rows += bytes([1]) + offsets[n].to_bytes(4, "big") + b"\0"
        elif n in in_stm:
            rows += bytes([2]) + stm_num.to_bytes(4, "big") + bytes([nums.index(n)])
        elif n == xref_num:
            rows += bytes([1]) + len(out).to_bytes(4, "big") + b"\0"
        else:
            rows += bytes([0]) + (0).to_bytes(4, "big") + (255 if n == 0 else 0).to_bytes(1, "big")
    xref = len(out)
    data = zlib.compress(rows)
    out.extend(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
               b"stream\n" % (xref_num, size, len(data)) + data + b"\nendstream\nendobj\n")
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


def classic_file(objs):
    """objs: {number: object}, written in number order with a cross-reference table; the catalog is object 1."""
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
