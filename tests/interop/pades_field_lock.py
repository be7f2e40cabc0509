#!/usr/bin/env python3
# tests/interop/pades_field_lock.py: an update that sets the ReadOnly flag (/Ff 1) on a sealed PDF's first signature
# field, as a later signer that locks the fields it counts on does; optionally with another change to the field.
#
# usage: pades_field_lock.py IN OUT [FLAGS [EXTRA]]   FLAGS: the new /Ff (default 1); EXTRA: text added to the field
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
from pdf_attack import append_update, qpdf_obj  # noqa: E402


def first_field(path):
    root = re.search(r"/Root (\d+) 0 R", qpdf_obj(path, "trailer")).group(1)
    form = qpdf_obj(path, root)
    ref = re.search(r"/AcroForm (\d+) 0 R", form)
    if ref:
        form = qpdf_obj(path, ref.group(1))
    return int(re.search(r"/Fields \[ (\d+) 0 R", form).group(1))


def main(src, out, flags="1", extra=""):
    field = first_field(src)
    text = qpdf_obj(src, str(field)).encode("latin-1")
    assert b"/FT /Sig" in text and b"/V " in text, text
    text = re.sub(rb"\s*/Ff \d+", b"", text).rstrip()
    assert text.endswith(b">>")
    text = text[:-2] + b" /Ff " + flags.encode() + b" " + extra.encode() + b" >>"
    data = open(src, "rb").read()
    open(out, "wb").write(append_update(data, src, {field: text}))


if __name__ == "__main__":
    main(*sys.argv[1:])
