#!/usr/bin/env python3
# tests/verify/pdf_forge.py: forgeries that change what a reader of a sealed PDF sees through a later incremental
# update that a verifier could take for a permitted one: parser differentials (a key twice in a dictionary), one
# object given two roles in a prepared document, and signature fields that carry no signature. Reads object text
# with qpdf only.
#
# usage: pdf_forge.py MODE IN OUT [KIND]
#   dupkey-trailer   an update whose trailer names /Root twice (a forged catalog first, the genuine one last) among
#                    40 entries: QPDF keeps the last key, Poppler the first once a dictionary is large
#   dupkey-page      an update that rewrites page 1 with /Contents twice (forged first, genuine last), 40 entries
#   dupkey-annot     an update that adds a Square annotation whose /Rect is given twice (off the page first)
#   dupkey-objstm    dupkey-page written inside an object stream with a cross-reference stream
#   stray-token      an update giving the file a new /Info dictionary with a stray ']' in it: QPDF reads it as null
#                    by a guess, other readers otherwise
#   role-prepare     (makes the document to seal) page 1's content stream becomes also KIND: the catalog's
#                    /Metadata ("metadata"), the trailer's /Info ("info"), an entry of /DSS /Certs ("dss"), or an
#                    annotation's text is the /Info dictionary ("info-annot": a FreeText annotation that is /Info)
#   role-rewrite     an update that rewrites page 1's content stream (or, for info-annot, the annotation that is
#                    /Info) in that other role: new XMP, new /Info, new DSS certificate; the page shows other text
#   sig-unsigned     an update adding a signature field without /V whose widget's appearance covers page 1
#   sig-bogus        the same with a /V signature dictionary whose CMS is not a signature of these bytes
#   sig-reuse        the same with /V naming the existing seal's signature dictionary (KIND "last": the last one)
#   sigfield-prepare (makes the document to seal) adds an empty signature field "approval" whose widget covers the
#                    lower part of page 1 with an appearance (an empty frame)
#   sig-fill-unsigned  (on that document, sealed) an update giving "approval" a new appearance and no /V
#   sig-ap-rewrite   (the same) an update rewriting the empty field's existing appearance stream in place
#   length-prepare   (makes the document to seal) page 1's content stream rewritten with an indirect /Length over
#                    data that are a black page, "endstream", then a white box covering it
#   length-cut       (on that document, sealed) an update rewriting only the integer its /Length names, to end the
#                    data before the inner "endstream": readers now draw the black page without the white box,
#                    while the stream's own cross-reference entry is the one signed
#   objstm-rewrite   (on a sealed document whose pages live in an object stream) an update redefining only that
#                    object stream, under its own number, with the last page's /Contents naming new text (KIND
#                    "page"), or the font that page's /F1 names, in the same stream, made Courier (KIND "font"): the
#                    changed object's own cross-reference entry (stream, index) is the one signed, what it reads is not
#   damaged-entry    an update whose one entry (a new /Info) points at no header of its object: at a later
#                    definition of page 1's content stream (a black page) that no entry names (KIND "header", or
#                    "hybrid": in a table whose trailer has /XRefStm), at offset 0 ("zero"), or at that definition
#                    under another generation ("gen"); Poppler rebuilds its table from the headers and draws the
#                    black page, QPDF (not rebuilding) reads the genuine one
#   dr-da            an update adding /DR and /DA to the /AcroForm (no field relies on them: permitted)
#   dr-da-need       the same with /NeedAppearances true and a text field without appearance (a reader draws it
#                    from /DA): reported
import os
import re
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf_attack import (append_update, last_startxref, page1, qpdf_obj, qpdf_run, sig_object_id,  # noqa: E402
                        text_stream)

FORGED = b"BT /F1 24 Tf 40 60 Td (AMOUNT: 9,999,999 JPY) Tj ET"
BLACKOUT = b"0 0 0 rg 0 0 2000 2000 re f"  # drawn with no resource, so the page's own resources serve
COVER = b"1 1 1 rg 0 0 2000 2000 re f 0 0 0 rg BT /Helv 20 Tf 20 40 Td (AMOUNT: 9,999,999 JPY) Tj ET"
PAD = b"".join(b" /Pad%02d %d" % (i, i) for i in range(40))
HELV = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def repeat_type(d, n=40):
    """d with its /Type entry written n times more: a large dictionary to Poppler, the same one to QPDF."""
    m = re.search(rb"/Type\s*/\w+", d)
    return d[:m.start()] + (m.group(0) + b" ") * n + d[m.start():]


def obj(path, num):
    return qpdf_obj(path, str(num)).encode("latin-1")


def trailer(path):
    t = qpdf_obj(path, "trailer")
    return (int(re.search(r"/Size (\d+)", t).group(1)), int(re.search(r"/Root (\d+) 0 R", t).group(1)), t)


def add_key(d, text):
    """d: a dictionary's text '<< ... >>'; text added before its closing '>>'."""
    d = d.rstrip()
    assert d.endswith(b">>")
    return d[:-2] + b" " + text + b" >>"


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def with_annot(pdict, annot_id):
    am = re.search(rb"/Annots \[([^\]]*)\]", pdict)
    if am:
        return pdict[:am.start()] + b"/Annots [" + am.group(1) + b" %d 0 R]" % annot_id + pdict[am.end():]
    ref = re.search(rb"/Annots (\d+) 0 R", pdict)
    assert ref is None, "indirect /Annots not handled"
    return add_key(pdict, b"/Annots [%d 0 R]" % annot_id)


def acroform(path, root):
    """(object number or None, dictionary text) of the catalog's /AcroForm."""
    cat = obj(path, root)
    m = re.search(rb"/AcroForm (\d+) 0 R", cat)
    if m:
        return int(m.group(1)), obj(path, int(m.group(1)))
    m = re.search(rb"/AcroForm (<<.*?>>)", cat, re.S)
    return None, m.group(1) if m else None


def add_field(path, data, sig_value=None, value_ref=None, name=b"Approval2", appearance=COVER):
    """An update adding a signature field (merged widget) covering page 1, with /V a new signature dictionary
    (sig_value: its body) or an existing object (value_ref), or none."""
    page, _ = page1(path)
    size, root, _ = trailer(path)
    field, ap, sig = size, size + 1, size + 2
    objs = {ap: stream(appearance, b"/Type /XObject /Subtype /Form /BBox [0 0 2000 2000] "
                              b"/Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> "
                              b">> >> ")}
    v = b""
    if sig_value is not None:
        objs[sig] = sig_value
        v = b"/V %d 0 R " % sig
    elif value_ref is not None:
        v = b"/V %d 0 R " % value_ref
    objs[field] = (b"<< /FT /Sig /T (%s) %s/Type /Annot /Subtype /Widget /Rect [0 0 2000 2000] /F 4 "
                   b"/P %d 0 R /AP << /N %d 0 R >> >>" % (name, v, page, ap))
    objs[page] = with_annot(obj(path, page), field)
    form_id, form = acroform(path, root)
    if form is None:
        objs[root] = add_key(obj(path, root), b"/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>" % field)
    else:
        fm = re.search(rb"/Fields \[([^\]]*)\]", form)
        form = form[:fm.start()] + b"/Fields [" + fm.group(1) + b" %d 0 R]" % field + form[fm.end():]
        if form_id is None:
            cat = obj(path, root)
            m = re.search(rb"/AcroForm <<.*?>>", cat, re.S)
            objs[root] = cat[:m.start()] + b"/AcroForm " + form + cat[m.end():]
        else:
            objs[form_id] = form
    return append_update(data, path, objs)


def bogus_sig(data):
    """A signature dictionary whose /ByteRange covers the file so far and whose /Contents is DER that is no
    signature of it: a reader that draws the widget without checking the value shows what the attacker chose."""
    return (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 %d] "
            b"/Contents <3003020100> /M (D:20260101000000Z) >>" % (len(data) - 20))


def empty_field(path):
    """(field object, its widget's /AP /N stream object) of the form's empty signature field 'approval'."""
    for n in range(1, trailer(path)[0]):
        try:
            o = obj(path, n)
        except Exception:
            continue
        if b"/FT /Sig" in o and b"(approval)" in o and b"/V " not in o:
            m = re.search(rb"/AP << /N (\d+) 0 R", o)
            return n, int(m.group(1)) if m else None
    sys.exit("no empty signature field 'approval' in " + path)


def objstm_update(data, path, objects):
    """An update in which objects (number -> dictionary text, no streams) live in an object stream, indexed by a
    cross-reference stream (the way pdfTeX or Acrobat write them)."""
    size, root, t = trailer(path)
    ostm, xstm = size, size + 1
    nums = sorted(objects)
    body, head = b"", []
    for n in nums:
        head.append(b"%d %d" % (n, len(body)))
        body += objects[n] + b"\n"
    first = b" ".join(head) + b"\n"
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    raw = zlib.compress(first + body)
    ostm_off = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (ostm, len(nums), len(first), len(raw)) + raw + b"\nendstream\nendobj\n")
    xref_off = len(out)
    entries = {ostm: (1, ostm_off, 0), xstm: (1, xref_off, 0)}
    for i, n in enumerate(nums):
        entries[n] = (2, ostm, i)
    index, rows = [], b""
    for n in sorted(entries):
        index += [n, 1]
        t_, a, b = entries[n]
        rows += bytes([t_]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /Root %d 0 R /Prev %d /Index [%s] /W [1 4 2] /Length %d >>\nstream\n"
            % (xstm, xstm + 1, root, last_startxref(data), b" ".join(b"%d" % i for i in index), len(rows))
            + rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_off)
    return bytes(out)


def objstm_rewrite(data, path, kind):
    """The object stream holding the last page, rewritten in an update under its own number: that page's /Contents
    naming a new stream of FORGED text appended in the same update (kind "page"), or its font /F1 made Courier."""
    size, root, t = trailer(path)
    last = int(re.findall(r"page \d+: (\d+) 0 R", qpdf_run("--show-pages", path).decode())[-1])
    where = re.search(r"^%d/0: compressed; stream = (\d+), index = (\d+)" % last,
                      qpdf_run("--show-xref", path).decode(), re.M)
    if where is None:
        sys.exit("the last page of %s is not in an object stream" % path)
    stm = int(where.group(1))
    head = obj(path, stm)
    n, first = (int(re.search(rb"/%s (\d+)" % k, head).group(1)) for k in (b"N", b"First"))
    raw = qpdf_run("--show-object=%d" % stm, "--filtered-stream-data", path)
    pairs = [int(x) for x in raw[:first].split()]
    nums, offs = pairs[0::2], pairs[1::2] + [len(raw) - first]
    objs = [raw[first + offs[i]:first + offs[i + 1]] for i in range(n)]
    i = nums.index(last)
    if kind == "font":
        font = int(re.search(rb"/F1\s+(\d+) 0 R", objs[i]).group(1))
        if font not in nums:
            sys.exit("the last page's font is not in the page's object stream")
        f = nums.index(font)
        objs[f] = objs[f].replace(b"/Helvetica", b"/Courier")
    else:
        objs[i] = re.sub(rb"/Contents\s+(\d+ \d+ R|\[[^\]]*\])", b"/Contents %d 0 R" % size, objs[i])
    body, hdr = b"", []
    for k in range(n):
        hdr.append(b"%d %d" % (nums[k], len(body)))
        body += objs[k].rstrip() + b"\n"
    first_new = b" ".join(hdr) + b"\n"
    z = zlib.compress(first_new + body)
    ostm = (b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (n, len(first_new), len(z))
            + z + b"\nendstream")
    if kind == "font":
        return append_update(data, path, {stm: ostm})
    # (FORGED draws with /F1, the font the sample report's pages name)
    return append_update(data, path, {stm: ostm, size: text_stream(FORGED)})


def damaged_entry(data, src, kind):
    """An update giving the file a new /Info whose cross-reference entry points at no header of it: at a later
    definition of page 1's content stream that no entry names (KIND "header"; "hybrid": the same in a table whose
    trailer names a cross-reference stream, /XRefStm), at offset 0 ("zero"), or at that definition under another
    generation ("gen"). Poppler, meeting the entry, rebuilds its table from the objects'
    headers and draws that definition (a black page); QPDF, which does not rebuild it, reads the genuine page."""
    _, content = page1(src)
    size, root, _ = trailer(src)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    at = len(out)
    out += b"%d 0 obj\n" % content + text_stream(BLACKOUT) + b"\nendobj\n"
    offset, gen = {"header": (at, 0), "zero": (0, 0), "gen": (at, 1), "hybrid": (at, 0)}[kind]
    extra, new_size = b"", size + 1
    if kind == "hybrid":
        # the table's trailer names a cross-reference stream (/XRefStm) holding only its own entry
        extra, new_size = b"/XRefStm %d " % len(out), size + 2
        rows = zlib.compress(struct.pack(">BIH", 1, len(out), 0))
        out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1] /Filter /FlateDecode /Length %d >>\n"
                b"stream\n" % (size + 1, size + 2, size + 1, len(rows)) + rows + b"\nendstream\nendobj\n")
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n" % (size, offset, gen)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d %d R /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        new_size, root, size, gen, last_startxref(data), extra, xref)
    return bytes(out)


def main():
    mode, src, dst = sys.argv[1:4]
    kind = sys.argv[4] if len(sys.argv) > 4 else "metadata"
    data = open(src, "rb").read()
    page, content = page1(src)
    size, root, t = trailer(src)
    if mode in ("dupkey-trailer", "dupkey-catalog", "dupkey-objstm"):
        # a forged page tree: page 1 with other text (the genuine page's widgets left out)
        cat, pages, fpage, fcontent = size, size + 1, size + 2, size + 3
        pdict = obj(src, page)
        pdict = re.sub(rb"/Parent \d+ 0 R", b"/Parent %d 0 R" % pages, pdict)
        pdict = re.sub(rb"/Contents \d+ 0 R", b"/Contents %d 0 R" % fcontent, pdict)
        pdict = re.sub(rb"/Annots \[[^\]]*\]", b"", pdict)
        pdict = re.sub(rb"/Resources \d+ 0 R", HELV, pdict)
        genuine_pages = re.search(rb"/Pages \d+ 0 R", obj(src, root)).group(0)
        twice = b"/Pages %d 0 R " % pages + genuine_pages
        objs = {pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % fpage, fpage: pdict,
                fcontent: text_stream(FORGED)}
    if mode == "dupkey-trailer":
        # the genuine catalog with the forged page tree: pdfsig still finds the seal through its /AcroForm
        objs[cat] = obj(src, root).replace(genuine_pages, b"/Pages %d 0 R" % pages)
        data = append_update(data, src, objs)
        # the forged /Root first, the genuine one last, 40 entries between them
        i = data.rindex(b"trailer")
        genuine = b"/Root %d 0 R" % root
        data = data[:i] + data[i:].replace(genuine, b"/Root %d 0 R%s %s" % (cat, PAD, genuine), 1)
    elif mode == "dupkey-catalog":
        # the genuine catalog, the same to QPDF: the forged /Pages first, the genuine last, /Type repeated
        objs[root] = repeat_type(obj(src, root).replace(genuine_pages, twice))
        data = append_update(data, src, objs)
    elif mode == "dupkey-objstm":
        # the forged page tree in a classic section, then the catalog inside an object stream
        data = append_update(data, src, objs)
        tmp = dst + ".tmp"
        open(tmp, "wb").write(data)
        data = objstm_update(data, tmp, {root: repeat_type(obj(tmp, root).replace(genuine_pages, twice))})
        os.unlink(tmp)
    elif mode == "dupkey-page":
        pdict = obj(src, page)
        genuine = re.search(rb"/Contents \d+ 0 R", pdict).group(0)
        pdict = repeat_type(pdict.replace(genuine, b"/Contents %d 0 R " % size + genuine))
        data = append_update(data, src, {page: pdict, size: text_stream(BLACKOUT)})
    elif mode == "dupkey-annot":
        # a Square annotation drawn with its own appearance: on the page for QPDF and Poppler (both keep the last
        # /Rect of this dictionary), off it for a reader that keeps the first
        box = stream(b"0 0 0 rg 0 0 600 200 re f", b"/Type /XObject /Subtype /Form /BBox [0 0 600 200] ")
        annot = (b"<< /Type /Annot /Subtype /Square /Rect [-900 -900 -800 -800]" + PAD +
                 b" /Rect [0 0 600 200] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>" % (page, size + 1))
        data = append_update(data, src, {page: with_annot(obj(src, page), size), size: annot, size + 1: box})
    elif mode == "stray-token":
        data = append_update(data, src, {size: b"<< /Title (Amount: 1,000 JPY) /Subject ] (Amount: 9,999,999 JPY) >>"},
                             extra_trailer=b"/Info %d 0 R " % size)
    elif mode == "role-prepare":
        if kind == "metadata":
            data = append_update(data, src, {root: add_key(re.sub(rb"/Metadata \d+ 0 R", b"", obj(src, root)),
                                                           b"/Metadata %d 0 R" % content)})
        elif kind == "info":
            data = append_update(data, src, {}, extra_trailer=b"/Info %d 0 R " % content)
        elif kind == "dss":
            data = append_update(data, src, {root: add_key(obj(src, root), b"/DSS %d 0 R" % size),
                                             size: b"<< /Certs [%d 0 R] >>" % content})
        elif kind == "info-annot":
            annot = (b"<< /Type /Annot /Subtype /FreeText /Rect [20 20 400 60] /Contents (Amount: 1,000 JPY) "
                     b"/DA (/Helv 18 Tf 0 0 1 rg) /F 4 /P %d 0 R /Title (Amount: 1,000 JPY) >>" % page)
            data = append_update(data, src, {page: with_annot(obj(src, page), size), size: annot},
                                 extra_trailer=b"/Info %d 0 R " % size)
        else:
            sys.exit("unknown kind " + kind)
    elif mode == "role-rewrite":
        if kind == "info-annot":
            info = int(re.search(r"/Info (\d+) 0 R", t).group(1))
            a = obj(src, info).replace(b"1,000", b"9,999,999")
            data = append_update(data, src, {info: a}, extra_trailer=b"/Info %d 0 R " % info)
        else:
            extra = b"/Info %d 0 R " % content if kind == "info" else b""
            data = append_update(data, src, {content: text_stream(BLACKOUT)}, extra_trailer=extra)
    elif mode == "length-prepare":
        body = BLACKOUT + b"\nendstream\n" + b"1 1 1 rg 0 0 2000 2000 re f"
        data = append_update(data, src, {content: b"<< /Length %d 0 R >>\nstream\n" % size + body + b"\nendstream",
                                         size: b"%d" % len(body)})
    elif mode == "length-cut":
        lnum = int(re.search(rb"/Length (\d+) 0 R", qpdf_obj(src, str(content)).encode("latin-1")).group(1))
        data = append_update(data, src, {lnum: b"%d" % len(BLACKOUT)})
    elif mode == "sig-unsigned":
        data = add_field(src, data)
    elif mode == "sig-bogus":
        data = add_field(src, data, sig_value=bogus_sig(data))
    elif mode == "sig-reuse":
        if kind == "last":
            ids = re.findall(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/ByteRange", data, re.S)
            data = add_field(src, data, value_ref=int(ids[-1]))
        else:
            data = add_field(src, data, value_ref=sig_object_id(src))
    elif mode == "sigfield-prepare":
        data = add_field(src, data, name=b"approval", appearance=b"0 0 1 RG 2 w 10 10 300 100 re S")
    elif mode in ("sig-fill-unsigned", "sig-ap-rewrite"):
        field, ap = empty_field(src)
        cover = stream(COVER, b"/Type /XObject /Subtype /Form /BBox [0 0 2000 2000] /Resources << /Font << /Helv "
                              b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ")
        if mode == "sig-ap-rewrite":
            data = append_update(data, src, {ap: cover})
        else:
            fdict = re.sub(rb"/AP << /N \d+ 0 R", b"/AP << /N %d 0 R" % size, obj(src, field))
            data = append_update(data, src, {field: fdict, size: cover})
    elif mode == "objstm-rewrite":
        data = objstm_rewrite(data, src, kind)
    elif mode == "damaged-entry":
        data = damaged_entry(data, src, kind)
    elif mode in ("dr-da", "dr-da-need"):
        form_id, form = acroform(src, root)
        extra = b"/DR << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Courier >> >> >> /DA (/Helv 30 Tf 1 0 0 rg)"
        objs = {}
        if mode == "dr-da-need":
            extra += b" /NeedAppearances true"
        if form is None:
            objs[root] = add_key(obj(src, root), b"/AcroForm << /Fields [] %s >>" % extra)
        elif form_id is None:
            cat = obj(src, root)
            m = re.search(rb"/AcroForm <<.*?>>", cat, re.S)
            objs[root] = cat[:m.start()] + b"/AcroForm " + add_key(form, extra) + cat[m.end():]
        else:
            objs[form_id] = add_key(re.sub(rb"/(DR|DA) (<<.*?>>|\([^)]*\))", b"", form), extra)
        data = append_update(data, src, objs)
    else:
        sys.exit("unknown mode " + mode)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
