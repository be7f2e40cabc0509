#!/usr/bin/env python3
# tests/lib/cms_tst.py: referee helper: from a CMS SignedData (a CAdES .p7s, DER or PEM, or the DER /Contents of a
# PAdES signature) writes the first signer's signature value and its signature-time-stamp token (RFC 3161, the
# unsigned attribute 1.2.840.113549.1.9.16.2.14), so that `openssl ts -verify` can judge the token against the
# hash of the signature value. Independent of eseal's code: a minimal DER walker, standard library only.
#   cms_tst.py SIG [--signature OUT] [--token OUT] [--signed-attrs]   exit 0; 2 if there is no time-stamp token
# --signed-attrs prints the signed attributes' OIDs, one a line (to check content-type, message-digest, ...).
import argparse
import base64
import re
import sys

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_TST_ATTR = "1.2.840.113549.1.9.16.2.14"


def tlv(buf, off):
    """(tag, header length, content length) of the DER element at off."""
    tag, first = buf[off], buf[off + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("high tag numbers are not used in CMS")
    if first == 0x80:
        raise ValueError("indefinite length (BER) at offset %d: not DER" % off)
    if first & 0x80:
        n = first & 0x7F
        return tag, 2 + n, int.from_bytes(buf[off + 2:off + 2 + n], "big")
    return tag, 2, first


def children(buf, off):
    """(tag, offset, header length, content length) of each child of the constructed element at off."""
    _, hl, ln = tlv(buf, off)
    pos, end = off + hl, off + hl + ln
    while pos < end:
        t, h, n = tlv(buf, pos)
        yield t, pos, h, n
        pos += h + n


def oid(buf, off):
    _, hl, ln = tlv(buf, off)
    b = buf[off + hl:off + hl + ln]
    parts, v = [], 0
    for c in b:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            parts.append(v)
            v = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(x) for x in [first, parts[0] - 40 * first] + parts[1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sig")
    ap.add_argument("--signature", help="write the signature value (OCTET STRING content) here")
    ap.add_argument("--token", help="write the time-stamp token (DER ContentInfo) here")
    ap.add_argument("--signed-attrs", action="store_true", help="print the signed attributes' OIDs")
    a = ap.parse_args()
    data = open(a.sig, "rb").read()
    m = re.search(rb"-----BEGIN (?:CMS|PKCS7)-----(.*?)-----END", data, re.S)
    if m:
        data = base64.b64decode(m.group(1))
    buf = memoryview(data)

    ci = list(children(buf, 0))
    if ci[0][0] != 0x06 or oid(buf, ci[0][1]) != OID_SIGNED_DATA:
        sys.exit("cms_tst: %s is not a CMS SignedData" % a.sig)
    sd = list(children(buf, ci[1][1]))[0]  # [0] EXPLICIT SignedData
    signer_infos = [c for c in children(buf, sd[1]) if c[0] == 0x31][-1]  # the last SET is signerInfos
    si = list(children(buf, signer_infos[1]))[0]
    fields = list(children(buf, si[1]))
    signed = [f for f in fields if f[0] == 0xA0]
    sigval = [f for f in fields if f[0] == 0x04][0]
    unsigned = [f for f in fields if f[0] == 0xA1]

    if a.signed_attrs and signed:
        for attr in children(buf, signed[0][1]):
            print(oid(buf, list(children(buf, attr[1]))[0][1]))
    if a.signature:
        with open(a.signature, "wb") as f:
            f.write(buf[sigval[1] + sigval[2]:sigval[1] + sigval[2] + sigval[3]])
    token = None
    if unsigned:
        for attr in children(buf, unsigned[0][1]):
            kids = list(children(buf, attr[1]))
            if oid(buf, kids[0][1]) == OID_TST_ATTR:
                tok = list(children(buf, kids[1][1]))[0]  # SET OF ContentInfo: the first
                token = buf[tok[1]:tok[1] + tok[2] + tok[3]]
                break
    if token is None:
        print("cms_tst: %s has no signature-time-stamp token" % a.sig, file=sys.stderr)
        return 2
    if a.token:
        with open(a.token, "wb") as f:
            f.write(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
