#!/usr/bin/env python3
# tests/interop/pdf_sign.py: signs a PDF as other products do, with OpenSSL doing the CMS: an incremental update with
# an invisible signature field on page 1 whose value has the given /SubFilter (e.g. PBAD.PAdES, ICP-Brasil's name
# for a CAdES detached signature), for samples no tool in Debian writes. adbe.pkcs7.sha1 signs, as its producers
# do, the SHA-1 digest of the bytes as encapsulated content, with SHA-1.
#
# usage: pdf_sign.py IN OUT SUBFILTER KEY CERT [CHAIN]  (more options through main())
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


def rc4(key, data):
    s, j, out = list(range(256)), 0, bytearray()
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    for c in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(c ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def text(value, num, file_key):
    """A string of object num: literal, or with the file's RC4 key (standard security handler, R2-R4) encrypted
    under the object's key (ISO 32000-1 7.6.2, algorithm 1), as hex."""
    if file_key is None:
        return b"(" + value + b")"
    obj_key = hashlib.md5(file_key + num.to_bytes(3, "little") + b"\0\0").digest()[:min(len(file_key) + 5, 16)]
    return b"<" + rc4(obj_key, value).hex().encode() + b">"


def main(src, dst, subfilter, key, cert, chain=None, field=b"Interop", edit_update=None, file_key=None,
         sig_type=b"/Type /Sig ", edit_objects=None):
    """field: the signature field's /T; edit_update(bytes) -> bytes: rewrites the update before it is signed
    (its objects and cross-reference offsets must stay where they are); file_key: the RC4 key of an encrypted src
    (the update's strings are encrypted, the signature's /Contents is not: ISO 32000-1 7.6.1); sig_type: how the
    signature dictionary starts (/Type is optional there); edit_objects(objs, ids): changes or adds objects of the
    update ({number: body}) before it is written, ids naming "sig", "field", "page" and "root"."""
    trailer = qpdf_obj(src, "trailer")
    size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    page, _ = page1(src)
    sig_id, field_id = size, size + 1
    sig = (b"<< " + sig_type + b"/Filter /Adobe.PPKLite /SubFilter /" + subfilter.encode() +
           b" /M " + text(b"D:20261201000000Z", sig_id, file_key) + b" " + placeholder(PLACEHOLDER) + b" >>")
    objs = {sig_id: sig,
            field_id: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T " + text(field, field_id, file_key) +
                      b" /V %d 0 R /F 132 /P %d 0 R /Rect [0 0 0 0] >>" % (sig_id, page),
            page: add_ref(qpdf_obj(src, str(page)).encode("latin-1"), b"Annots", b"%d 0 R" % field_id)}
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    m = re.search(rb"/AcroForm (\d+) 0 R", cat)
    if m:
        objs[int(m.group(1))] = add_ref(qpdf_obj(src, m.group(1).decode()).encode("latin-1"), b"Fields",
                                        b"%d 0 R" % field_id)
    elif re.search(rb"/AcroForm\s*<<", cat) and cat.count(b"/Fields") == 1:  # direct, as eseal writes it
        objs[root] = add_ref(cat, b"Fields", b"%d 0 R" % field_id)
    elif b"/AcroForm" in cat:
        sys.exit("pdf_sign.py: an /AcroForm of this form is not handled")
    else:
        objs[root] = cat.rstrip()[:-2] + b" /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>" % field_id
    if edit_objects:
        edit_objects(objs, {"sig": sig_id, "field": field_id, "page": page, "root": root})
    extra = b""
    if file_key is not None:
        assert not any(re.search(rb"\(|<[0-9A-Fa-f>]", objs[k]) for k in objs if k not in (sig_id, field_id)), \
            "strings to encrypt in a copied object"
        extra = re.search(r"/Encrypt \d+ 0 R /ID \[[^\]]*\]", trailer).group(0).encode() + b" "
    out = append_update(open(src, "rb").read(), src, objs, extra)
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
