#!/usr/bin/env python3
# tests/cms/cades_referee.py: an independent reading of a CAdES .p7s (standard library only, none of eseal's code):
# counts what SignedData carries, writes out each OCSP response held as RevocationInfoChoice other (RFC 5940) and
# each archive-time-stamp-v3 token, and for each token computes its message imprint (EN 319 122-1 5.5.3) and checks
# its ats-hash-index-v3 against the elements present (5.5.2), for `openssl ts -verify -digest` to judge.
#   cades_referee.py P7S [--data FILE] [--ocsp PREFIX] [--ats PREFIX] [--signature OUT] [--new-index OUT]
# Prints "certs N crls N ocsp N ats N", then per token "ats K IMPRINT_HEX index-ok|index-bad"; --new-index writes the
# SHA-256 ats-hash-index-v3 of the file as it is and prints "new IMPRINT_HEX" (to craft an archive time-stamp).
import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cms_tst import children, oid, tlv  # noqa: E402  (the fixture's DER walker)

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_RI_OCSP = "1.3.6.1.5.5.7.16.2"
OID_ATS_V3 = "0.4.0.1733.2.4"
OID_HASH_INDEX_V3 = "0.4.0.19122.1.5"
HASHES = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}


def enc(tag, body):
    n = len(body)
    ln = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + ln + body


def whole(buf, off):
    _, h, n = tlv(buf, off)
    return buf[off:off + h + n]


def kids(buf, off):
    """(tag, offset) of each child of the constructed element at off."""
    for t, pos, _, _ in children(buf, off):
        yield t, pos


def content(buf, off):
    _, h, n = tlv(buf, off)
    return buf[off + h:off + h + n]


def signed_data(buf):
    """dict of the SignedData elements of the ContentInfo in buf."""
    ci = list(kids(buf, 0))
    assert oid(buf, ci[0][1]) == OID_SIGNED_DATA, "not SignedData"
    sd = next(kids(buf, ci[1][1]))[1]
    d = {"certs": [], "crls": [], "econtent": None}
    for tag, off in kids(buf, sd):
        if tag == 0x30 and "encap" not in d:
            e = list(kids(buf, off))
            d["encap"] = off
            d["ctype"] = whole(buf, e[0][1])
            if len(e) > 1:
                d["econtent"] = content(buf, next(kids(buf, e[1][1]))[1])
        elif tag == 0xA0:
            d["certs"] = [whole(buf, o) for _, o in kids(buf, off)]
        elif tag == 0xA1:
            d["crls"] = [whole(buf, o) for _, o in kids(buf, off)]
        elif tag == 0x31 and "encap" in d:
            si = next(kids(buf, off))[1]
            f = list(kids(buf, si))
            sig = [i for i, (t, _) in enumerate(f) if t == 0x04][0]
            end = f[sig][1] + len(whole(buf, f[sig][1]))
            d["si_signed"] = buf[f[0][1]:end]
            d["signature"] = content(buf, f[sig][1])
            d["uattrs"] = [whole(buf, o) for _, o in kids(buf, f[-1][1])] if f[-1][0] == 0xA1 else []
    return d


def attr(a):
    """(type OID string, type TLV, [value TLVs]) of an Attribute."""
    k = list(kids(a, 0))
    return oid(a, k[0][1]), whole(a, k[0][1]), [whole(a, o) for _, o in kids(a, k[1][1])]


def index_of(token):
    for a in signed_data(token)["uattrs"]:
        t, _, vals = attr(a)
        if t == OID_HASH_INDEX_V3:
            assert len(vals) == 1
            return vals[0]
    raise ValueError("token without ats-hash-index-v3")


def check_index(d, index):
    k = list(kids(index, 0))
    name = "sha256"
    if len(k) == 4:
        name = HASHES[oid(index, next(kids(index, k[0][1]))[1])]
        k = k[1:]
    h = lambda b: hashlib.new(name, b).digest()
    have = [{h(c) for c in d["certs"]}, {h(c) for c in d["crls"]}, set()]
    for a in d["uattrs"]:
        _, t, vals = attr(a)
        have[2] |= {h(t + v) for v in vals}
    ok = all(content(index, o) in have[i] for i, (_, lst) in enumerate(k) for _, o in kids(index, lst))
    return name, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("p7s")
    ap.add_argument("--data")
    ap.add_argument("--ocsp")
    ap.add_argument("--ats")
    ap.add_argument("--signature")
    ap.add_argument("--new-index")
    a = ap.parse_args()
    buf = open(a.p7s, "rb").read()
    d = signed_data(buf)
    ocsps = []
    for c in d["crls"]:
        if c[0] == 0xA1:
            k = list(kids(c, 0))
            if oid(c, k[0][1]) == OID_RI_OCSP:
                ocsps.append(whole(c, k[1][1]))
    tokens = [v for u in d["uattrs"] for t, _, vals in [attr(u)] if t == OID_ATS_V3 for v in vals]
    print("certs %d crls %d ocsp %d ats %d" % (len(d["certs"]), len(d["crls"]) - len(ocsps), len(ocsps), len(tokens)))
    for i, o in enumerate(ocsps):
        if a.ocsp:
            open("%s-%d.der" % (a.ocsp, i + 1), "wb").write(o)
    if a.signature:
        open(a.signature, "wb").write(d["signature"])
    data = d["econtent"] if d["econtent"] is not None else (open(a.data, "rb").read() if a.data else None)
    for i, tok in enumerate(tokens):
        if a.ats:
            open("%s-%d.der" % (a.ats, i + 1), "wb").write(tok)
        index = index_of(tok)
        # every hash the index lists must name an element present now (later elements may be added)
        name, ok = check_index(d, index)
        if data is None:
            sys.exit("--data is needed for the imprint of a detached signature")
        imprint = hashlib.new(name, d["ctype"] + hashlib.new(name, data).digest() + d["si_signed"] + index)
        print("ats %d %s %s" % (i + 1, imprint.hexdigest(), "index-ok" if ok else "index-bad"))
    if a.new_index:
        h = lambda b: hashlib.sha256(b).digest()
        seq = lambda items: enc(0x30, b"".join(enc(0x04, h(x)) for x in items))
        pairs = [t + v for u in d["uattrs"] for _, t, vals in [attr(u)] for v in vals]
        index = enc(0x30, seq(d["certs"]) + seq(d["crls"]) + seq(pairs))
        open(a.new_index, "wb").write(index)
        print("new %s" % hashlib.sha256(d["ctype"] + h(data) + d["si_signed"] + index).hexdigest())


if __name__ == "__main__":
    main()
