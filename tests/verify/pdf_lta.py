#!/usr/bin/env python3
# tests/verify/pdf_lta.py: extends a sealed PDF towards PAdES B-LT and B-LTA the way a long-term archive would, so
# the verifier's DSS, document time-stamp and level logic meet real files: one incremental update adds a /DSS
# (certificates, OCSP responses, CRLs as DER streams), another a document time-stamp (/Type /DocTimeStamp,
# /SubFilter /ETSI.RFC3161) whose token comes from the loopback TSA (openssl ts -query, HTTP POST).
#
# usage: pdf_lta.py dss IN OUT --cert F.pem... --ocsp F.der... --crl F.der...
#        pdf_lta.py dts IN OUT --tsa URL
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf_attack import append_update, fix_byte_range, page1, placeholder, qpdf_obj  # noqa: E402

PLACEHOLDER = 16384  # bytes reserved for the token


def pem_to_der(path):
    return subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"], check=True,
                          capture_output=True).stdout


def trailer_info(path):
    t = qpdf_obj(path, "trailer")
    return int(re.search(r"/Size (\d+)", t).group(1)), int(re.search(r"/Root (\d+) 0 R", t).group(1))


def stream(data):
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def add_dss(src, dst, certs, ocsps, crls):
    data = open(src, "rb").read()
    size, root = trailer_info(src)
    objs, nxt = {}, size

    def add_streams(items):
        nonlocal nxt
        refs = []
        for item in items:
            objs[nxt] = stream(item)
            refs.append(b"%d 0 R" % nxt)
            nxt += 1
        return b"[" + b" ".join(refs) + b"]"

    dss = b"<< /Type /DSS /Certs %s /OCSPs %s /CRLs %s >>" % (
        add_streams([pem_to_der(c) for c in certs]), add_streams([open(o, "rb").read() for o in ocsps]),
        add_streams([open(c, "rb").read() for c in crls]))
    objs[nxt] = dss
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    assert b"/DSS" not in cat
    objs[root] = cat[:-2] + b" /DSS %d 0 R >>" % nxt
    open(dst, "wb").write(append_update(data, src, objs))


def add_dts(src, dst, tsa):
    data = open(src, "rb").read()
    size, root = trailer_info(src)
    page, _ = page1(src)
    sig_id, field_id = size, size + 1
    cat = qpdf_obj(src, str(root)).encode("latin-1")
    # our sealer writes /AcroForm << /Fields [ ... ] ... >> directly in the catalog
    cat, n = re.subn(rb"/Fields \[([^\]]*)\]", lambda m: b"/Fields [" + m.group(1) + b" %d 0 R]" % field_id, cat,
                     count=1)
    assert n == 1, "catalog without a direct /AcroForm /Fields"
    pdict = qpdf_obj(src, str(page)).encode("latin-1")
    am = re.search(rb"/Annots \[([^\]]*)\]", pdict)
    if am:
        pdict = pdict[:am.start()] + b"/Annots [" + am.group(1) + b" %d 0 R]" % field_id + pdict[am.end():]
    else:
        pdict = pdict[:-2] + b" /Annots [%d 0 R] >>" % field_id
    sig = b"<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 " + placeholder(PLACEHOLDER) + b" >>"
    widget = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (DocTimeStamp1) /V %d 0 R /F 132 /P %d 0 R "
              b"/Rect [0 0 0 0] >>" % (sig_id, page))
    out = bytearray(append_update(data, src, {sig_id: sig, field_id: widget, root: cat, page: pdict}))
    a, b = fix_byte_range(out, sig_id, PLACEHOLDER)
    digest = hashlib.sha256(bytes(out[:a]) + bytes(out[b:])).hexdigest()
    with tempfile.TemporaryDirectory() as d:
        q = os.path.join(d, "q.tsq")
        subprocess.run(["openssl", "ts", "-query", "-digest", digest, "-sha256", "-cert", "-out", q], check=True,
                       capture_output=True)
        req = urllib.request.Request(tsa, data=open(q, "rb").read(),
                                     headers={"Content-Type": "application/timestamp-query"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        resp = opener.open(req, timeout=20).read()
        open(os.path.join(d, "r.tsr"), "wb").write(resp)
        token = subprocess.run(["openssl", "ts", "-reply", "-in", os.path.join(d, "r.tsr"), "-token_out", "-out",
                                os.path.join(d, "t.der")], check=True, capture_output=True)
        token = open(os.path.join(d, "t.der"), "rb").read()
    assert len(token) <= PLACEHOLDER
    hx = token.hex().encode()
    out[a + 1:a + 1 + len(hx)] = hx
    open(dst, "wb").write(bytes(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["dss", "dts"])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--cert", action="append", default=[])
    ap.add_argument("--ocsp", action="append", default=[])
    ap.add_argument("--crl", action="append", default=[])
    ap.add_argument("--tsa")
    a = ap.parse_args()
    if a.mode == "dss":
        add_dss(a.src, a.dst, a.cert, a.ocsp, a.crl)
    else:
        add_dts(a.src, a.dst, a.tsa)


if __name__ == "__main__":
    main()
