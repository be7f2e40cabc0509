#!/usr/bin/env python3
# tests/verify/pdf_mdp.py: the later incremental updates a certified (DocMDP) PDF meets in real workflows, written
# as raw updates the way other PDF tools write them, so the verifier's DocMDP rules meet files it did not make.
# Reads object text with qpdf only.
#
# usage: pdf_mdp.py MODE IN OUT [options]
#   form          unsigned IN: adds an AcroForm (indirect) with a text field "amount" (merged widget with an
#                 appearance), an empty signature field "approval" (visible widget) and a sticky note on page 1
#                 --lock SPEC: also a text field "comment", and the signature field gets a /Lock (FieldMDP,
#                 ISO 32000-1 table 233): SPEC is All, Include:NAME[,NAME] or Exclude:NAME[,NAME], or Bad (no /Action)
#                 --readonly: "amount" is read-only (/Ff 1) and filled (/V and appearance "1,234 JPY")
#                 --tree: also a field "client" (/V (ACME Corp)) with two kid fields and widgets without appearances:
#                 "client.name" inherits the value, "client.ref" has its own /V
#   fill          fills "amount" (new /V, a new appearance stream), like a form filler; --text T, --field NAME,
#                 --keep-value: only the appearance changes (the /V stays)
#   value-only    changes only the /V of field --field (say the parent "client" of --tree) to --text
#   fill-inplace  the same, rewriting the field's existing appearance stream object in place
#   fill-move     fills "amount" and moves its widget over the page (/Rect): more than filling
#   add-field     adds a new text field "extra" with a widget on page 1 (adding fields is not filling them)
#   note          adds a sticky note (/Text annotation) to page 1
#   note-edit     changes the text of the existing sticky note
#   note-delete   removes the existing sticky note from page 1's /Annots
#   ap-hijack     fills "amount" with an appearance stream that is page 1's content stream, rewritten
#   dss-hijack    adds a /DSS whose /Certs names page 1's content stream, rewritten (not validation data)
#   perms-add     adds /Perms /DocMDP naming the first signature: a certification claimed after the fact
#   ap-repurpose-sig     adds an empty signature widget whose /AP /N is an existing object, the image inside the
#                        first visible signature's appearance, and rewrites that image (all black)
#   ap-repurpose-widget  the same through the existing widget of "amount" (its /AP /N now names the image)
#   ap-repurpose-annot   the same through a new /Square annotation
#   certify       a certification signature with DocMDP --p N (1..3), signed by `openssl cms -sign` with
#                 --key KEY --cert CERT [--chain PEM] (adbe.pkcs7.detached)
import argparse
import os
import re
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf_attack import append_update, fix_byte_range, page1, placeholder, qpdf_obj, sig_object_id  # noqa: E402

PLACEHOLDER = 16384


def trailer(path):
    t = qpdf_obj(path, "trailer")
    return int(re.search(r"/Size (\d+)", t).group(1)), int(re.search(r"/Root (\d+) 0 R", t).group(1))


def obj(path, num):
    return qpdf_obj(path, str(num)).encode("latin-1")


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def appearance(text, font):
    body = b"/Tx BMC q BT /Helv 12 Tf 0 g 4 7 Td (" + text + b") Tj ET Q EMC"
    return stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 200 24] /Resources << /Font << /Helv %d 0 R >> >> "
                  % font)


def add_ref(dictionary, key, ref):
    """Appends `ref` to the direct array `key` of a dictionary's text, creating the array if absent."""
    m = re.search(rb"/" + key + rb" \[([^\]]*)\]", dictionary)
    if m:
        return dictionary[:m.start()] + b"/" + key + b" [" + m.group(1) + b" " + ref + b"]" + dictionary[m.end():]
    assert not re.search(rb"/" + key + rb" \d+ \d+ R", dictionary), "indirect /%s array" % key.decode()
    return dictionary[:-2] + b" /" + key + b" [" + ref + b"] >>"


def acroform(path):
    """(object number holding the AcroForm text, its text, True if that object is the catalog)."""
    _, root = trailer(path)
    cat = obj(path, root)
    m = re.search(rb"/AcroForm (\d+) 0 R", cat)
    if m:
        return int(m.group(1)), obj(path, int(m.group(1))), False
    return root, cat, True


def field(path, name):
    _, form, _ = acroform(path)
    for ref in re.findall(rb"(\d+) 0 R", re.search(rb"/Fields \[([^\]]*)\]", form).group(1)):
        text = obj(path, int(ref))
        if re.search(rb"/T \(" + re.escape(name) + rb"\)", text):
            return int(ref), text
    raise SystemExit("no field " + name.decode())


def helv(path):
    _, form, _ = acroform(path)
    return int(re.search(rb"/Helv (\d+) 0 R", form).group(1))


def note_id(path):
    page, _ = page1(path)
    for ref in re.findall(rb"(\d+) 0 R", re.search(rb"/Annots \[([^\]]*)\]", obj(path, page)).group(1)):
        if b"/Subtype /Text" in obj(path, int(ref)):
            return int(ref)
    raise SystemExit("no sticky note on page 1")


def write(src, dst, objs):
    open(dst, "wb").write(append_update(open(src, "rb").read(), src, objs))


def lock_dict(spec):
    if spec == "Bad":
        return b"<< /Type /SigFieldLock >>"
    action, _, names = spec.partition(":")
    text = b"<< /Type /SigFieldLock /Action /" + action.encode()
    if names:
        text += b" /Fields [" + b" ".join(b"(" + n.encode() + b")" for n in names.split(",")) + b"]"
    return text + b" >>"


def form(src, dst, lock=None, readonly=False, tree=False):
    size, root = trailer(src)
    page, _ = page1(src)
    font, ap, amount, approval, note, form_id, comment, comment_ap, lock_id = range(size, size + 9)
    objs = {
        font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ap: appearance(b"", font),
        amount: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V () /DA (/Helv 12 Tf 0 g) /F 4 "
                b"/Rect [60 700 260 724] /P %d 0 R /AP << /N %d 0 R >> >>" % (page, ap),
        approval: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (approval) /F 4 /Rect [320 700 520 760] "
                  b"/P %d 0 R >>" % page,
        note: b"<< /Type /Annot /Subtype /Text /Rect [30 760 50 780] /Contents (please check the amount) "
              b"/Name /Comment /F 4 /P %d 0 R >>" % page,
        form_id: b"<< /Fields [%d 0 R %d 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >>"
                 % (amount, approval, font),
    }
    annots = [amount, approval, note]
    if readonly:
        objs[ap] = appearance(b"1,234 JPY", font)
        objs[amount] = objs[amount].replace(b"/V ()", b"/V (1,234 JPY) /Ff 1")
    if tree:
        client, name, ref = range(size + 9, size + 12)
        objs[client] = b"<< /FT /Tx /T (client) /V (ACME Corp) /DA (/Helv 12 Tf 0 g) /Kids [%d 0 R %d 0 R] >>" % (
            name, ref)
        for kid, t, y, v in ((name, b"name", 620, b""), (ref, b"ref", 580, b"/V (R-1) ")):
            objs[kid] = (b"<< /Type /Annot /Subtype /Widget /T (%s) %s/Parent %d 0 R /F 4 /Rect [60 %d 260 %d] "
                         b"/P %d 0 R >>" % (t, v, client, y, y + 24, page))
        objs[form_id] = objs[form_id].replace(b"/Fields [", b"/Fields [%d 0 R " % client)
        annots += [name, ref]
    if lock:
        objs[comment_ap] = appearance(b"", font)
        objs[comment] = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (comment) /V () /DA (/Helv 12 Tf 0 g) /F 4 "
                         b"/Rect [60 660 260 684] /P %d 0 R /AP << /N %d 0 R >> >>" % (page, comment_ap))
        objs[lock_id] = lock_dict(lock)
        objs[approval] = objs[approval][:-2] + b"/Lock %d 0 R >>" % lock_id
        objs[form_id] = objs[form_id].replace(b"/Fields [", b"/Fields [%d 0 R " % comment)
        annots.append(comment)
    cat = obj(src, root)
    assert b"/AcroForm" not in cat
    objs[root] = cat[:-2] + b" /AcroForm %d 0 R >>" % form_id
    pdict = obj(src, page)
    for ref in annots:
        pdict = add_ref(pdict, b"Annots", b"%d 0 R" % ref)
    objs[page] = pdict
    write(src, dst, objs)


def fill(src, dst, text, mode, name=b"amount", keep_value=False):
    size, _ = trailer(src)
    fid, ftext = field(src, name)
    objs = {}
    if not keep_value:
        ftext = re.sub(rb"/V \([^)]*\)", b"/V (" + text + b")", ftext, count=1)
    if mode == "inplace":
        old_ap = int(re.search(rb"/AP << /N (\d+) 0 R", ftext).group(1))
        objs[old_ap] = appearance(text, helv(src))
    elif mode == "ap-hijack":
        _, content = page1(src)
        objs[content] = appearance(text, helv(src))
        ftext = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % content, ftext, count=1)
    else:
        objs[size] = appearance(text, helv(src))
        ftext = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % size, ftext, count=1)
    if mode == "move":
        ftext = re.sub(rb"/Rect \[[^\]]*\]", b"/Rect [0 0 612 792]", ftext, count=1)
    objs[fid] = ftext
    write(src, dst, objs)


def value_only(src, dst, text, name):
    fid, ftext = field(src, name)
    write(src, dst, {fid: re.sub(rb"/V \([^)]*\)", b"/V (" + text + b")", ftext, count=1)})


def stamp(path):
    """The image XObject inside the appearance of the first signed signature widget that has one."""
    page, _ = page1(path)
    for ref in re.findall(rb"(\d+) 0 R", re.search(rb"/Annots \[([^\]]*)\]", obj(path, page)).group(1)):
        w = obj(path, int(ref))
        m = re.search(rb"/AP << /N (\d+) 0 R", w)
        if b"/FT /Sig" in w and b"/V " in w and m:
            x = re.search(rb"/XObject << /\w+ (\d+) 0 R", obj(path, int(m.group(1))))
            if x:
                return int(x.group(1))
    raise SystemExit("no visible signature with an image on page 1")


def black_image(path, num):
    """Image object num rewritten as an all-black image of the same size (a visible change of that object)."""
    d = obj(path, num).split(b"Dictionary:", 1)[1].strip()
    w, h = (int(re.search(rb"/%s (\d+)" % k, d).group(1)) for k in (b"Width", b"Height"))
    comps = 1 if b"/DeviceGray" in d else 4 if b"/DeviceCMYK" in d else 3
    data = zlib.compress(b"\0" * (w * h * comps))
    d = re.sub(rb" ?/(Length \d+|Filter /\w+|DecodeParms << [^>]* >>)", b"", d)
    return d[:-2] + b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def ap_repurpose(src, dst, via):
    size, _ = trailer(src)
    page, _ = page1(src)
    img = stamp(src)
    objs = {img: black_image(src, img)}
    if via == "widget":
        fid, ftext = field(src, b"amount")
        objs[fid] = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % img, ftext, count=1)
    elif via == "sig":
        fnum, fform, _ = acroform(src)
        objs[size] = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (x) /F 132 /Rect [0 0 0 0] /P %d 0 R "
                      b"/AP << /N %d 0 R >> >>" % (page, img))
        objs[fnum] = add_ref(fform, b"Fields", b"%d 0 R" % size)
        objs[page] = add_ref(obj(src, page), b"Annots", b"%d 0 R" % size)
    else:
        objs[size] = (b"<< /Type /Annot /Subtype /Square /Rect [0 0 1 1] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>"
                      % (page, img))
        objs[page] = add_ref(obj(src, page), b"Annots", b"%d 0 R" % size)
    write(src, dst, objs)


def add_field(src, dst):
    size, _ = trailer(src)
    page, _ = page1(src)
    fnum, fform, is_cat = acroform(src)
    widget = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (extra) /V (added later) /DA (/Helv 12 Tf 0 g) /F 4 "
              b"/Rect [60 640 260 664] /P %d 0 R >>" % page)
    write(src, dst, {size: widget, fnum: add_ref(fform, b"Fields", b"%d 0 R" % size),
                     page: add_ref(obj(src, page), b"Annots", b"%d 0 R" % size)})


def note(src, dst):
    size, _ = trailer(src)
    page, _ = page1(src)
    annot = (b"<< /Type /Annot /Subtype /Text /Rect [30 700 50 720] /Contents (approved by the client) /Name /Note "
             b"/F 4 /P %d 0 R >>" % page)
    write(src, dst, {size: annot, page: add_ref(obj(src, page), b"Annots", b"%d 0 R" % size)})


def note_edit(src, dst):
    n = note_id(src)
    write(src, dst, {n: re.sub(rb"/Contents \([^)]*\)", b"/Contents (amount checked, OK)", obj(src, n), count=1)})


def note_delete(src, dst):
    page, _ = page1(src)
    n = note_id(src)
    pdict = re.sub(rb" ?%d 0 R" % n, b"", obj(src, page), count=1)
    write(src, dst, {page: pdict})


def dss_hijack(src, dst):
    _, root = trailer(src)
    size, _ = trailer(src)
    _, content = page1(src)
    text = b"BT /F1 24 Tf 40 60 Td (AMOUNT: 9,999,999 JPY) Tj ET"
    cat = obj(src, root)
    write(src, dst, {content: stream(text), size: b"<< /Type /DSS /Certs [%d 0 R] >>" % content,
                     root: cat[:-2] + b" /DSS %d 0 R >>" % size})


def perms_add(src, dst):
    _, root = trailer(src)
    cat = obj(src, root)
    assert b"/Perms" not in cat
    write(src, dst, {root: cat[:-2] + b" /Perms << /DocMDP %d 0 R >> >>" % sig_object_id(src)})


def certify(src, dst, p, key, cert, chain):
    size, root = trailer(src)
    page, _ = page1(src)
    sig_id, field_id = size, size + 1
    sig = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:20260101000000Z) "
           b"/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams "
           b"/P %d /V /1.2 >> >>] " % p + placeholder(PLACEHOLDER) + b" >>")
    widget = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (certification) /V %d 0 R /F 132 /P %d 0 R "
              b"/Rect [0 0 0 0] >>" % (sig_id, page))
    fnum, fform, is_cat = acroform(src)
    fform = add_ref(fform, b"Fields", b"%d 0 R" % field_id)
    fform = re.sub(rb" /SigFlags \d+", b"", fform)[:-2] + b" /SigFlags 3 >>"
    objs = {sig_id: sig, field_id: widget, fnum: fform, page: add_ref(obj(src, page), b"Annots",
                                                                      b"%d 0 R" % field_id)}
    cat = fform if is_cat else obj(src, root)
    assert b"/Perms" not in cat
    objs[root] = cat[:-2] + b" /Perms << /DocMDP %d 0 R >> >>" % sig_id
    out = bytearray(append_update(open(src, "rb").read(), src, objs))
    a, b = fix_byte_range(out, sig_id, PLACEHOLDER)
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        open(data, "wb").write(bytes(out[:a]) + bytes(out[b:]))
        cmd = ["openssl", "cms", "-sign", "-binary", "-md", "sha256", "-signer", cert, "-inkey", key, "-in", data,
               "-outform", "DER", "-out", os.path.join(d, "cms.der"), "-nosmimecap"]
        if chain:
            cmd += ["-certfile", chain]
        subprocess.run(cmd, check=True, capture_output=True)
        cms = open(os.path.join(d, "cms.der"), "rb").read()
    assert len(cms) <= PLACEHOLDER
    out[a + 1:a + 1 + 2 * len(cms)] = cms.hex().encode()
    open(dst, "wb").write(bytes(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--text", default="1,234,000 JPY")
    ap.add_argument("--p", type=int, default=2)
    ap.add_argument("--key")
    ap.add_argument("--cert")
    ap.add_argument("--chain")
    ap.add_argument("--lock")
    ap.add_argument("--field", default="amount")
    ap.add_argument("--readonly", action="store_true")
    ap.add_argument("--tree", action="store_true")
    ap.add_argument("--keep-value", action="store_true")
    a = ap.parse_args()
    text = a.text.encode("latin-1")
    modes = {
        "form": lambda: form(a.src, a.dst, a.lock, a.readonly, a.tree),
        "fill": lambda: fill(a.src, a.dst, text, "new", a.field.encode(), a.keep_value),
        "fill-inplace": lambda: fill(a.src, a.dst, text, "inplace", a.field.encode(), a.keep_value),
        "value-only": lambda: value_only(a.src, a.dst, text, a.field.encode()),
        "ap-repurpose-sig": lambda: ap_repurpose(a.src, a.dst, "sig"),
        "ap-repurpose-widget": lambda: ap_repurpose(a.src, a.dst, "widget"),
        "ap-repurpose-annot": lambda: ap_repurpose(a.src, a.dst, "annot"),
        "fill-move": lambda: fill(a.src, a.dst, text, "move"),
        "ap-hijack": lambda: fill(a.src, a.dst, text, "ap-hijack"),
        "add-field": lambda: add_field(a.src, a.dst),
        "note": lambda: note(a.src, a.dst),
        "note-edit": lambda: note_edit(a.src, a.dst),
        "note-delete": lambda: note_delete(a.src, a.dst),
        "dss-hijack": lambda: dss_hijack(a.src, a.dst),
        "perms-add": lambda: perms_add(a.src, a.dst),
        "certify": lambda: certify(a.src, a.dst, a.p, a.key, a.cert, a.chain),
    }
    if a.mode not in modes:
        sys.exit("unknown mode " + a.mode)
    modes[a.mode]()


if __name__ == "__main__":
    main()
