#!/usr/bin/env python3
# tests/interop/pades_prev0.py: six signatures in six incremental updates (pdf_sign.py, openssl cms), the last
# update's trailer writing /Prev 0 (as some producers write "no previous section"), so its cross-reference section
# no longer leads to the five before it. Each signature is over the bytes as written, /Prev 0 included.
#
# usage: pades_prev0.py IN OUT KEY CERT [MODE]  (CERT: the signer's, then its chain)
# MODE, what comes before the sixth signature:
#   shadow  an unsigned update (with a proper /Prev) replacing page 1's content stream: the five earlier signatures
#           no longer hold the document as shown
#   orphan  that content stream written as "N 0 obj" with no cross-reference section naming it: a reader rebuilding
#           the file (as Poppler does when /Prev 0 leads nowhere) takes the last definition it finds, this one
#   hidden  an unsigned update adding a signature dictionary (a copy of the first's, /ByteRange and /Contents
#           included) that no field names
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf_attack import append_update, page1, qpdf_obj, text_stream  # noqa: E402
import pdf_sign  # noqa: E402


def prev0(update):
    """The last trailer's /Prev rewritten as 0: the trailer follows its table, so no offset moves."""
    head, sep, tail = update.rpartition(b"trailer")
    return head + sep + re.sub(rb"/Prev \d+", b"/Prev 0", tail, count=1)


def main(src, dst, key, cert, mode=""):
    with tempfile.TemporaryDirectory() as d:
        cur = os.path.join(d, "rev0.pdf")
        shutil.copyfile(src, cur)
        for i in range(1, 7):
            if i == 6 and mode:
                data = open(cur, "rb").read()
                _, content = page1(cur)
                text = text_stream(b"BT /F1 24 Tf 72 700 Td (Amount: 9,999,999 EUR) Tj ET")
                if mode == "shadow":
                    data = append_update(data, cur, {content: text})
                elif mode == "orphan":
                    data += b"%d 0 obj\n" % content + text + b"\nendobj\n"
                elif mode == "hidden":
                    first = re.search(rb"<< /Type /Sig .*?/Contents <[0-9a-f]+> >>", data, re.S).group(0)
                    size = int(re.search(r"/Size (\d+)", qpdf_obj(cur, "trailer")).group(1))
                    data = append_update(data, cur, {size: first})
                cur = os.path.join(d, mode + ".pdf")
                open(cur, "wb").write(data)
            nxt = os.path.join(d, "rev%d.pdf" % i)
            pdf_sign.main(cur, nxt, "ETSI.CAdES.detached", key, cert, field=b"Signer%d" % i,
                          edit_update=prev0 if i == 6 else None)
            cur = nxt
        shutil.copyfile(cur, dst)


if __name__ == "__main__":
    main(*sys.argv[1:])
