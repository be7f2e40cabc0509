#!/usr/bin/env python3
# tests/verify/pdf_sigdup.py: dictionaries that give a key twice, the forged value first and the genuine one last (the
# one QPDF and eseal's lexer keep), on top of a genuine eseal seal: a signature made after it by pdf_sign.py (the
# fixture's key) whose update writes the duplicate, or an update with no signature rewriting the seal's own field.
#
# usage: pdf_sigdup.py MODE IN.pdf OUT.pdf KEY CERT [pad]
#   pad: the dictionary also gets 32 keys more (/Pad0 ... /Pad31): Poppler sorts a dictionary of 32 entries or more
#   and then reads whichever of the two values its sort leaves first.
# modes (the dictionary, the key):
#   sig-subfilter   signature dictionary, /SubFilter /ETSI.RFC3161 (a document time-stamp) before ETSI.CAdES.detached
#   sig-m           signature dictionary, /M of 2020 before the real one
#   sig-byterange   signature dictionary, /ByteRange [0 10 20 30] before the real one
#   sig-contents    signature dictionary, /Contents <3082> after the real one (the one the /ByteRange gap holds)
#   sig-reference   signature dictionary, a /Reference (DocMDP) whose /TransformParams give /P 3 then /P 1
#   sig-longkey     signature dictionary, a key of 80 characters given twice (longer than eseal's lexer keeps a name)
#   field-ft        the signature's field and widget, /FT /Tx (a text field: no signature) before /FT /Sig
#   field-rect      the widget, a /Rect over the page before [0 0 0 0]
#   field-ap        the widget (shown at [100 100 300 150]) gets an appearance stream (a blue box) whose /BBox is
#                   given as [0 0 0 0] before the real one
#   acroform-fields /AcroForm (made indirect), /Fields [] (no field) before the real array
#   acroform-sigflags /AcroForm (made indirect), /SigFlags 0 before 3
#   perms-docmdp    /Perms (added), /DocMDP naming the eseal seal's dictionary before the new signature's
#   perms-ur3       /Perms (added) naming, as /UR3, a usage-rights signature dictionary giving /M twice: not the new
#                   signature's own dictionary, but one /Perms names
#   catalog-acroform the catalog, /AcroForm << /Fields [] >> before the real form
#   trailer-root    the new signature's update's trailer, /Root naming a catalog without the form before the real one
#   older-trailer   the input's last trailer (the eseal seal's, breaking it) given /Root twice, then a clean signature:
#                   QPDF warns of every trailer of the chain
#   other-field     a text field no signature concerns (added to /Fields), /TU twice: not the signature's
#   after-field     no new signature: an update redefining the eseal seal's field with /FT /Tx before /FT /Sig
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from pdf_attack import append_update, qpdf_obj  # noqa: E402
import pdf_sign  # noqa: E402

LONG_KEY = b"/" + b"L" * 80
PAD = b"".join(b" /Pad%d %d" % (i, i) for i in range(32))


def forged_first(body, forged, pad):
    """body: a dictionary; forged ("/Key value") written right after its '<<', the padding before its '>>'."""
    body = body.strip()
    assert body.startswith(b"<<") and body.endswith(b">>"), body[:40]
    return b"<< " + forged + b" " + body[2:-2] + (PAD if pad else b"") + b" >>"


def first_field(src):
    """The eseal seal's field (and widget), its object number and text, and its signature dictionary's number."""
    root = re.search(r"/Root (\d+) 0 R", qpdf_obj(src, "trailer")).group(1)
    field = int(re.search(r"/Fields \[ *(\d+) 0 R", qpdf_obj(src, root)).group(1))
    text = qpdf_obj(src, str(field)).encode("latin-1")
    return field, text, int(re.search(rb"/V (\d+) 0 R", text).group(1))


def main(mode, src, dst, key, cert, pad=""):
    pad = pad == "pad"
    if mode == "older-trailer":
        data = open(src, "rb").read()
        root = re.search(r"/Root (\d+) 0 R", qpdf_obj(src, "trailer")).group(1).encode()
        at = data.rindex(b"trailer\n<< ") + len(b"trailer\n<< ")
        with tempfile.TemporaryDirectory() as d:
            older = os.path.join(d, "older.pdf")
            open(older, "wb").write(data[:at] + b"/Root %s 0 R " % root + data[at:])
            pdf_sign.main(older, dst, "ETSI.CAdES.detached", key, cert, field=b"Dup")
        return
    field0, field0_text, sig0 = first_field(src)
    if mode == "after-field":
        data = append_update(open(src, "rb").read(), src, {field0: forged_first(field0_text, b"/FT /Tx", pad)})
        open(dst, "wb").write(data)
        return

    forged_root = []

    def edit(objs, ids):
        sig, field, root = ids["sig"], ids["field"], ids["root"]
        new = max(objs) + 1
        if mode == "sig-subfilter":
            objs[sig] = forged_first(objs[sig], b"/SubFilter /ETSI.RFC3161", pad)
        elif mode == "sig-m":
            objs[sig] = forged_first(objs[sig], b"/M (D:20200101000000Z)", pad)
        elif mode == "sig-byterange":
            objs[sig] = forged_first(objs[sig], b"/ByteRange [0 10 20 30]", pad)
        elif mode == "sig-contents":  # (the other way round: the genuine value, in the gap, first)
            objs[sig] = objs[sig].rstrip()[:-2] + b" /Contents <3082> >>"
        elif mode == "sig-longkey":
            objs[sig] = forged_first(objs[sig], LONG_KEY + b" (forged) " + LONG_KEY + b" (genuine)", pad)
        elif mode == "sig-reference":
            objs[sig] = forged_first(objs[sig], b"/Reference [ << /Type /SigRef /TransformMethod /DocMDP "
                                     b"/TransformParams << /Type /TransformParams /P 3 /P 1 /V /1.2 >> >> ]", pad)
        elif mode == "field-ft":
            objs[field] = forged_first(objs[field], b"/FT /Tx", pad)
        elif mode == "field-rect":
            objs[field] = forged_first(objs[field], b"/Rect [0 0 612 792]", pad)
        elif mode == "field-ap":
            stream = b"0 0 1 rg 0 0 200 50 re f"
            objs[new] = forged_first(b"<< /Type /XObject /Subtype /Form /BBox [0 0 200 50] /Length %d >>"
                                     % len(stream), b"/BBox [0 0 0 0]", pad) + b"\nstream\n" + stream + b"\nendstream"
            objs[field] = objs[field].replace(b"/Rect [0 0 0 0]", b"/Rect [100 100 300 150]").rstrip()[:-2] + \
                b" /AP << /N %d 0 R >> >>" % new
        elif mode in ("acroform-fields", "acroform-sigflags"):
            m = re.search(rb"/AcroForm (<<[^<>]*>>)", objs[root])
            forged = b"/Fields [ ]" if mode == "acroform-fields" else b"/SigFlags 0"
            objs[new] = forged_first(m.group(1), forged, pad)
            objs[root] = objs[root][:m.start()] + b"/AcroForm %d 0 R" % new + objs[root][m.end():]
        elif mode == "perms-docmdp":
            objs[new] = forged_first(b"<< /DocMDP %d 0 R >>" % sig, b"/DocMDP %d 0 R" % sig0, pad)
            objs[root] = objs[root].rstrip()[:-2] + b" /Perms %d 0 R >>" % new
        elif mode == "perms-ur3":
            objs[new] = forged_first(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
                                     b"/Reference [ << /Type /SigRef /TransformMethod /UR3 >> ] "
                                     b"/M (D:20260101000000Z) >>", b"/M (D:20200101000000Z)", pad)
            objs[new + 1] = b"<< /UR3 %d 0 R >>" % new
            objs[root] = objs[root].rstrip()[:-2] + b" /Perms %d 0 R >>" % (new + 1)
        elif mode == "trailer-root":
            objs[new] = b"<< /Type /Catalog %s >>" % re.search(rb"/Pages \d+ 0 R", objs[root]).group(0)
            forged_root.append(new)
        elif mode == "catalog-acroform":
            objs[root] = forged_first(objs[root], b"/AcroForm << /Fields [ ] >>", pad)
        elif mode == "other-field":
            objs[new] = forged_first(b"<< /FT /Tx /T (Note) /TU (Buyer's note) /V (none) >>", b"/TU (Approved)", pad)
            objs[root] = pdf_sign.add_ref(objs[root], b"Fields", b"%d 0 R" % new)
        else:
            sys.exit("pdf_sigdup.py: unknown mode " + mode)

    def edit_update(data):
        # (the trailer follows the cross-reference table: growing it moves no offset)
        if not forged_root:
            return data
        at = data.rindex(b"trailer\n<< ") + len(b"trailer\n<< ")
        return data[:at] + b"/Root %d 0 R " % forged_root[0] + data[at:]

    pdf_sign.main(src, dst, "ETSI.CAdES.detached", key, cert, field=b"Dup", edit_objects=edit,
                  edit_update=edit_update)


if __name__ == "__main__":
    main(*sys.argv[1:])
