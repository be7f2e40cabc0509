#!/usr/bin/env python3
# tests/fuzz/mkseed_pdf.py: small signed PDFs for the fuzz seed corpus (pdfsig's output is ~500 KB, too slow to fuzz):
# appends a signature field and an ETSI.CAdES.detached signature made by `openssl cms` to a PDF, and optionally a
# second update that changes the page content (so the incremental-update comparison is exercised too).
# usage: mkseed_pdf.py IN OUT KEY CERT [--tamper]
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
from pdf_attack import append_update, fix_byte_range, page1, placeholder, qpdf_obj  # noqa: E402

PLACEHOLDER = 8192


def main():
    src, dst, key, cert = sys.argv[1:5]
    data = open(src, "rb").read()
    trailer = qpdf_obj(src, "trailer")
    size = int(re.search(r"/Size (\d+)", trailer).group(1))
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    page, _ = page1(src)
    sig_id, field_id = size, size + 1
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    cat = cat[:-2] + b" /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>" % field_id
    pdict = qpdf_obj(src, str(page)).encode("latin-1")
    pdict = pdict[:-2] + b" /Annots [%d 0 R] >>" % field_id
    sig = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20260101000000Z) " +
           placeholder(PLACEHOLDER) + b" >>")
    widget = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Seed1) /V %d 0 R /F 132 /P %d 0 R /Rect [0 0 0 0] >>"
              % (sig_id, page))
    out = bytearray(append_update(data, src, {sig_id: sig, field_id: widget, root: cat, page: pdict}))
    a, b = fix_byte_range(out, sig_id, PLACEHOLDER)
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "in"), "wb").write(bytes(out[:a]) + bytes(out[b:]))
        subprocess.run(["openssl", "cms", "-sign", "-cades", "-binary", "-outform", "DER", "-md", "sha256",
                        "-in", os.path.join(d, "in"), "-signer", cert, "-inkey", key, "-out",
                        os.path.join(d, "sig")], check=True, capture_output=True)
        der = open(os.path.join(d, "sig"), "rb").read()
    hx = der.hex().encode()
    out[a + 1:a + 1 + len(hx)] = hx
    if "--tamper" in sys.argv:
        tmp = dst + ".tmp"
        open(tmp, "wb").write(out)
        _, content = page1(tmp)
        text = b"BT /F1 12 Tf 10 10 Td (changed) Tj ET"
        out = append_update(bytes(out), tmp, {content: b"<< /Length %d >>\nstream\n" % len(text) + text +
                                               b"\nendstream"})
        os.unlink(tmp)
    open(dst, "wb").write(bytes(out))


if __name__ == "__main__":
    main()
