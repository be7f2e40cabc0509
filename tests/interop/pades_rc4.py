#!/usr/bin/env python3
# tests/interop/pades_rc4.py: signatures in RC4-encrypted PDFs (standard security handler R2/R3, made by qpdf), as
# producers write them: the update's strings encrypted under the file key, the signature's /Contents in clear (the
# signature value is never encrypted); and the attacks on that.
#
# usage: pades_rc4.py sign IN OUT KEY CERT [type|notype|twice]
#          type: the signature dictionary says /Type /Sig (the default); notype: it does not (/Type is optional
#          there: QPDF and Poppler then decrypt the value); twice: no /Type, and a first /Contents before the one
#          the /ByteRange gap holds
#        pades_rc4.py moved IN OUT    an update redefining the signature dictionary with its /Contents (zeros)
#                                     after the gap, which then is the value of no signature dictionary
#        pades_rc4.py flip IN OUT     one byte of the signature's encrypted /M changed
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf_attack import append_update, qpdf_obj  # noqa: E402
import pdf_sign  # noqa: E402


def file_key(path):
    out = subprocess.run(["qpdf", "--show-encryption-key", "--show-encryption", path], check=True,
                         capture_output=True, text=True).stdout
    return bytes.fromhex(re.search(r"Encryption key = ([0-9a-f]+)", out).group(1))


def sig_object(data):
    """The number and raw text of the (last written) signature dictionary."""
    m = list(re.finditer(rb"(\d+) 0 obj\n(<<(?:(?!endobj).)*?/ByteRange(?:(?!endobj).)*?>>)\nendobj", data, re.S))[-1]
    return int(m.group(1)), m.group(2)


def main(mode, src, dst, key=None, cert=None, variant="type"):
    data = open(src, "rb").read()
    if mode == "sign":
        sig_type = {"type": b"/Type /Sig ", "notype": b"", "twice": b"/Contents<3082> "}[variant]
        pdf_sign.main(src, dst, "ETSI.CAdES.detached", key, cert, file_key=file_key(src), sig_type=sig_type)
        return
    sid, body = sig_object(data)
    if mode == "moved":
        cm = re.search(rb"/Contents <([0-9a-f]+)>", body)
        body = body[:cm.start()] + body[cm.end():-2] + b" /Contents <" + b"0" * len(cm.group(1)) + b"> >>"
        trailer = qpdf_obj(src, "trailer")
        extra = re.search(r"/Encrypt \d+ 0 R /ID \[[^\]]*\]", trailer).group(0).encode() + b" "
        data = append_update(data, src, {sid: body}, extra)
    elif mode == "flip":
        at = data.index(body) + body.index(b"/M <") + 4
        data = data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1:]
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main(*sys.argv[1:])
