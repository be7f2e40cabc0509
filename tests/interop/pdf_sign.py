#!/usr/bin/env python3
# tests/interop/pdf_sign.py: signs a PDF as other products do, with OpenSSL doing the CMS: an incremental update with
# an invisible signature field on page 1 whose value has the given /SubFilter (e.g. PBAD.PAdES, ICP-Brasil's name
# for a CAdES detached signature), for samples no tool in Debian writes. adbe.pkcs7.sha1 signs, as its producers
# do, the SHA-1 digest of the bytes as encapsulated content, with SHA-1.
#
# usage: pdf_sign.py IN OUT SUBFILTER KEY CERT [CHAIN]
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
from pdf_attack import append_update, fix_byte_range, page1, placeholder, qpdf_obj  # noqa: E402

PLACEHOLDER = 8192


def add_ref(text, key, ref):
    """text: a dictionary; ref appended to its array key (made when absent)."""
    m = re.search(rb"/" + key + rb" \[([^\]]*)\]", text)
    if m:
        return text[:m.start()] + b"/" + key + b" [" + m.group(1) + b" " + ref + b"]" + text[m.end():]
    assert re.search(rb"/" + key + rb" \d+ 0 R", text) is None, "indirect /" + key.decode() + " not handled"
    return text.rstrip()[:-2] + b" /" + key + b" [" + ref + b"] >>"


def main(src, dst, subfilter, key, cert, chain=None, field=b"Interop", edit_update=None):
    """field: the signature field's /T; edit_update(bytes) -> bytes: rewrites the update before it is signed
    (its objects and cross-reference offsets must stay where they are)."""
    trailer = qpdf_obj(src, "trailer")
    size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    page, _ = page1(src)
    sig_id, field_id = size, size + 1
    sig = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + subfilter.encode() +
           b" /M (D:20261201000000Z) " + placeholder(PLACEHOLDER) + b" >>")
    objs = {sig_id: sig,
            field_id: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (" + field + b") /V %d 0 R /F 132 /P %d 0 R "
                      b"/Rect [0 0 0 0] >>" % (sig_id, page),
            page: add_ref(qpdf_obj(src, str(page)).encode("latin-1"), b"Annots", b"%d 0 R" % field_id)}
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    m = re.search(rb"/AcroForm (\d+) 0 R", cat)
    if m:
        objs[int(m.group(1))] = add_ref(qpdf_obj(src, m.group(1).decode()).encode("latin-1"), b"Fields",
                                        b"%d 0 R" % field_id)
    elif re.search(rb"/AcroForm\s*<<", cat):
        objs[root] = add_ref(cat, b"Fields", b"%d 0 R" % field_id)  # (the catalog's only /Fields)
    elif b"/AcroForm" in cat:
        sys.exit("pdf_sign.py: an /AcroForm of this form is not handled")
    else:
        objs[root] = cat.rstrip()[:-2] + b" /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>" % field_id
    out = append_update(open(src, "rb").read(), src, objs)
    out = bytearray(edit_update(out) if edit_update else out)
    a, b = fix_byte_range(out, sig_id, PLACEHOLDER)
    with tempfile.TemporaryDirectory() as d:
        data, der = os.path.join(d, "data"), os.path.join(d, "cms.der")
        signed = bytes(out[:a]) + bytes(out[b:])
        if subfilter == "adbe.pkcs7.sha1":
            open(data, "wb").write(hashlib.sha1(signed).digest())
            cmd = ["openssl", "cms", "-sign", "-binary", "-nodetach", "-md", "sha1"]
        else:
            open(data, "wb").write(signed)
            cmd = ["openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256"]
        cmd += ["-signer", cert, "-inkey", key, "-in", data, "-outform", "DER", "-out", der, "-nosmimecap"]
        if chain:
            cmd += ["-certfile", chain]
        subprocess.run(cmd, check=True, capture_output=True)
        cms = open(der, "rb").read()
    assert len(cms) <= PLACEHOLDER
    out[a + 1:a + 1 + 2 * len(cms)] = cms.hex().encode()
    open(dst, "wb").write(bytes(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
