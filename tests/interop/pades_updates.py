#!/usr/bin/env python3
# tests/interop/pades_updates.py: documents and incremental updates as other products write them, for the PAdES
# interop tests: LibreOffice's hybrid PDF trailer, a tagged PDF whose structure tree gains a signature widget,
# page resources renumbered, validation data (DSS, /Extensions) added and rewritten in place.
#
# usage: pades_updates.py make OUT KIND            KIND: hybrid (the ODF stream defined), hybrid-undefined (named,
#                                                  not yet defined), tagged, indirect-resources
#        pades_updates.py sign IN OUT KEY CERT [MODE] a pdf_sign.py signature (ETSI.CAdES.detached); MODE: keep-trailer
#                                                  (the hybrid keys written again), struct (linked into the structure
#                                                  tree as Acrobat does), struct-alt / struct-k (the same, an existing
#                                                  element's /ActualText / /K changed as well), struct-old (the new
#                                                  element links the first existing widget instead)
#        pades_updates.py hybrid-define IN OUT [OBJ]   defines (or rewrites) the stream the trailer's /AdditionalStreams
#                                                  names, the trailer written as LibreOffice writes it; OBJ: name that
#                                                  object instead (an attack: rewritten with other text)
#        pades_updates.py resources-copy IN OUT [FONT]  page 1's /Resources (and its fonts) copied under new numbers;
#                                                  FONT: the copy's font named that /BaseFont
#        pades_updates.py dss IN OUT CERTS CRL [EXT [PAGE]]  DSS added (new object) or, when there is one, redefined in
#                                                  place with more data; EXT: catalog /Extensions written (esic,
#                                                  esic+adbe, bad, none); PAGE: page 1's content rewritten too
#        pades_updates.py extensions IN OUT        only the catalog's /Extensions changed (ESIC 5 added)
import hashlib
import io
import os
import re
import sys
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "verify"))
sys.path.insert(0, HERE)
import pdf_sign  # noqa: E402
from pdf_attack import append_update, page1, qpdf_obj, text_stream  # noqa: E402

ODT = b"/application#2Fvnd#2Eoasis#2Eopendocument#2Etext"
TEXT = b"Total due: 1,000 EUR"


def odt(text):
    """A small ODF text package, as LibreOffice embeds the document in a hybrid PDF."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
                   '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:'
                   'xmlns:text:1.0"><office:body><office:text><text:p>%s</text:p></office:text></office:body>'
                   '</office:document-content>' % text)
    return buf.getvalue()


def odf_stream(text):
    data = odt(text)
    return b"<</Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def hybrid_trailer(obj):
    """The keys LibreOffice's PDF export writes in a hybrid PDF's trailer (vcl pdfwriter_impl: /DocChecksum, an MD5
    as a name, and /AdditionalStreams, pairs of a MIME type as a name and the stream)."""
    digest = hashlib.md5(b"%d" % obj).hexdigest().upper().encode()
    return b"/DocChecksum /%s\n/AdditionalStreams [ %s %d 0 R\n]\n" % (digest, ODT, obj)


def write_pdf(out, objs, trailer_extra=b"", skip=()):
    """objs: bodies of objects 1..n; those in skip are left out (free entries)."""
    pdf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i, body in enumerate(objs):
        if i + 1 in skip:
            continue
        offsets[i + 1] = len(pdf)
        pdf += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for i in range(1, len(objs) + 1):
        pdf += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 00001 f \n"
    pdf += b"trailer\n<</Size %d/Root 1 0 R\n%s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer_extra, xref)
    open(out, "wb").write(pdf)


def make(out, kind):
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    if kind in ("hybrid", "hybrid-undefined"):
        content = b"BT /F1 24 Tf 72 700 Td (%s) Tj ET" % TEXT
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
                b"/Contents 4 0 R >>",
                text_stream(content), font, odf_stream(TEXT.decode())]
        write_pdf(out, objs, hybrid_trailer(6), skip=(6,) if kind == "hybrid-undefined" else ())
    elif kind == "tagged":
        content = b"/P << /MCID 0 >> BDC BT /F1 24 Tf 72 700 Td (%s) Tj ET EMC" % TEXT
        objs = [b"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 6 0 R /MarkInfo << /Marked true >> /Lang (en) >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
                b"/Contents 4 0 R /StructParents 0 /Tabs /S >>",
                text_stream(content), font,
                b"<< /Type /StructTreeRoot /K 7 0 R /ParentTree 8 0 R /ParentTreeNextKey 1 >>",
                b"<< /Type /StructElem /S /Document /P 6 0 R /K [9 0 R] >>",
                b"<< /Nums [0 [9 0 R]] >>",
                b"<< /Type /StructElem /S /P /P 7 0 R /Pg 3 0 R /K 0 /ActualText (%s) >>" % TEXT]
        write_pdf(out, objs)
    elif kind == "indirect-resources":
        content = b"BT /F1 24 Tf 72 700 Td (%s) Tj ET" % TEXT
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources 6 0 R /Contents 4 0 R >>",
                text_stream(content), font,
                b"<< /Font << /F1 5 0 R >> /ProcSet [/PDF /Text] >>"]
        write_pdf(out, objs)
    else:
        sys.exit("pades_updates.py: unknown kind " + kind)


def root_of(path):
    return int(re.search(r"/Root (\d+) 0 R", qpdf_obj(path, "trailer")).group(1))


def obj_bytes(path, oid):
    return qpdf_obj(path, str(oid)).encode("latin-1")


def struct_links(src, objs, mode):
    """Links the widget pdf_sign.py adds into src's structure tree, as Acrobat does."""
    cat = obj_bytes(src, root_of(src))
    tree = int(re.search(rb"/StructTreeRoot (\d+) 0 R", cat).group(1))
    tree_text = obj_bytes(src, tree)
    doc = int(re.search(rb"/K (\d+) 0 R", tree_text).group(1))
    ptree = int(re.search(rb"/ParentTree (\d+) 0 R", tree_text).group(1))
    next_key = int(re.search(rb"/ParentTreeNextKey (\d+)", tree_text).group(1))
    widget = next(k for k, v in objs.items() if b"/Subtype /Widget" in v)
    page, _ = page1(src)
    elem = max(objs) + 1
    target = widget
    if mode == "struct-old":  # the first widget the page already had (the earlier seal's)
        target = int(re.search(rb"/Annots \[ *(\d+) 0 R", obj_bytes(src, page)).group(1))
    objs[widget] = objs[widget][:-2] + b" /StructParent %d >>" % next_key
    objs[elem] = (b"<< /Type /StructElem /S /Form /P %d 0 R /Pg %d 0 R /K << /Type /OBJR /Obj %d 0 R /Pg %d 0 R >> "
                  b"/Alt (Signature of the buyer) >>" % (doc, page, target, page))
    doc_text = obj_bytes(src, doc)
    objs[doc] = re.sub(rb"/K \[([^\]]*)\]", lambda m: b"/K [" + m.group(1) + b" %d 0 R]" % elem, doc_text, 1)
    ptext = obj_bytes(src, ptree)
    objs[ptree] = re.sub(rb"/Nums \[(.*)\]", lambda m: b"/Nums [" + m.group(1) + b" %d %d 0 R]" % (next_key, elem),
                         ptext, 1, re.S)
    objs[tree] = tree_text.replace(b"/ParentTreeNextKey %d" % next_key, b"/ParentTreeNextKey %d" % (next_key + 1))
    if mode in ("struct-alt", "struct-k"):
        first = int(re.search(rb"/K \[ *(\d+) 0 R", doc_text).group(1))
        text = obj_bytes(src, first)
        if mode == "struct-alt":
            objs[first] = re.sub(rb"/ActualText \([^)]*\)", b"/ActualText (Total due: 10 EUR)", text)
        else:
            objs[first] = re.sub(rb"/K \d+", b"/K []", text)
        assert objs[first] != text
    return objs


def sign(src, dst, key, cert, mode=""):
    real = append_update

    def update(data, path, objs, extra_trailer=b"", size=None):
        if mode == "keep-trailer":
            extra_trailer = keep_hybrid_keys(path)
        elif mode.startswith("struct"):
            objs = struct_links(path, dict(objs), mode)
        return real(data, path, objs, extra_trailer, size)

    pdf_sign.append_update = update
    pdf_sign.main(src, dst, "ETSI.CAdES.detached", key, cert)


def keep_hybrid_keys(path):
    """The hybrid keys of path's trailer, written again (as a signer that keeps the trailer's keys does)."""
    data = open(path, "rb").read()
    tail = data[data.rindex(b"trailer"):]
    keys = [re.search(rb"/DocChecksum /\w+\s*", tail), re.search(rb"/AdditionalStreams \[[^\]]*\]\s*", tail)]
    return b"".join(m.group(0) for m in keys if m)


def hybrid_define(src, out, target=None):
    data = open(src, "rb").read()
    tail = data[data.rindex(b"trailer"):]
    named = int(re.search(rb"/AdditionalStreams \[ \S+ (\d+) 0 R", tail).group(1))
    objs = {}
    if target is None:
        objs[named] = odf_stream("Total due: 1,000 EUR (edited in LibreOffice)")
        trailer = hybrid_trailer(named)
    else:  # the page content stream, rewritten and named by /AdditionalStreams
        target = int(target)
        objs[target] = text_stream(b"BT /F1 24 Tf 72 700 Td (Total due: 10 EUR) Tj ET")
        trailer = hybrid_trailer(target)
    open(out, "wb").write(append_update(data, src, objs, trailer))


def resources_copy(src, out, base_font=None):
    page, _ = page1(src)
    text = obj_bytes(src, page)
    size = int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1))
    res = int(re.search(rb"/Resources (\d+) 0 R", text).group(1))
    res_text = obj_bytes(src, res)
    fonts = {}
    new_res = res_text
    for m in re.finditer(rb"/(\w+) (\d+) 0 R", re.search(rb"/Font << ([^>]*) >>", res_text).group(1)):
        fid = size + 1 + len(fonts)
        body = obj_bytes(src, int(m.group(2)))
        if base_font is not None:
            body = re.sub(rb"/BaseFont /\w+", b"/BaseFont /" + base_font.encode(), body)
        fonts[fid] = body
        new_res = new_res.replace(m.group(0), b"/%s %d 0 R" % (m.group(1), fid))
    objs = {size: new_res, page: text.replace(b"/Resources %d 0 R" % res, b"/Resources %d 0 R" % size)}
    objs.update(fonts)
    data = open(src, "rb").read()
    open(out, "wb").write(append_update(data, src, objs))


def der_certs(pem_path):
    pems = re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", open(pem_path, "rb").read(), re.S)
    import base64
    return [base64.b64decode(b"".join(p.splitlines()[1:-1])) for p in pems]


def binary_stream(data):
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


EXTENSIONS = {
    "esic": b"/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >> >>",
    "esic+adbe": b"/Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 5 >> "
                 b"/ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >> >>",
    "bad": b"/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 5 /OpenAction (x) >> >>",
}


def with_extensions(cat, ext):
    cat = re.sub(rb"\s*/Extensions << (?:/\w+ << [^>]* >> ?)+>>", b"", cat)
    return cat if ext == "none" else cat.rstrip()[:-2].rstrip() + b" " + EXTENSIONS[ext] + b" >>"


def dss(src, out, certs, crl, ext="esic", page_too=""):
    data = open(src, "rb").read()
    root = root_of(src)
    cat = obj_bytes(src, root)
    size = int(re.search(r"/Size (\d+)", qpdf_obj(src, "trailer")).group(1))
    ders = der_certs(certs)
    m = re.search(rb"/DSS (\d+) 0 R", cat)
    objs = {}
    nxt = size
    if m is None:  # DSS's first pass: the certificates and the CRL, and ESIC declared
        dss_id, nxt = nxt, nxt + 1
        refs = []
        for d in ders[:1]:
            objs[nxt] = binary_stream(d)
            refs.append(nxt)
            nxt += 1
        body = b"<< /Type /DSS /Certs [%s] >>" % b" ".join(b"%d 0 R" % r for r in refs)
        cat = cat.rstrip()[:-2].rstrip() + b" /DSS %d 0 R >>" % dss_id
    else:  # redefined in place, as Acrobat and some DSS versions do: more certificates, the CRL and a VRI
        dss_id = int(m.group(1))
        old = obj_bytes(src, dss_id)
        certs_now = re.search(rb"/Certs \[([^\]]*)\]", old).group(1)
        refs = []
        for d in ders[1:]:
            objs[nxt] = binary_stream(d)
            refs.append(nxt)
            nxt += 1
        objs[nxt] = binary_stream(open(crl, "rb").read())
        crl_id, nxt = nxt, nxt + 1
        vri_certs = certs_now + b" " + b" ".join(b"%d 0 R" % r for r in refs)
        sig_hash = hashlib.sha1(b"vri").hexdigest().upper().encode()  # a VRI key: the shape, not the value
        body = (b"<< /Type /DSS /Certs [%s] /CRLs [%d 0 R] /VRI << /%s << /Cert [%s] /CRL [%d 0 R] >> >> >>" %
                (vri_certs, crl_id, sig_hash, vri_certs, crl_id))
    objs[dss_id] = body
    objs[root] = with_extensions(cat, ext)
    if page_too:
        _, content = page1(src)
        objs[content] = text_stream(b"BT /F1 24 Tf 72 700 Td (Total due: 10 EUR) Tj ET")
    open(out, "wb").write(append_update(data, src, objs))


def extensions(src, out):
    data = open(src, "rb").read()
    root = root_of(src)
    open(out, "wb").write(append_update(data, src, {root: with_extensions(obj_bytes(src, root), "esic")}))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"make": make, "sign": sign, "hybrid-define": hybrid_define, "resources-copy": resources_copy, "dss": dss,
     "extensions": extensions}[cmd](*args)
