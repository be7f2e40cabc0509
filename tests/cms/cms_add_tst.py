#!/usr/bin/env python3
# tests/cms/cms_add_tst.py: turns a B-B CMS made by `openssl cms -sign -cades` into B-T with OpenSSL's own token:
# adds TOKEN (DER, from `openssl ts -reply -token_out`) as the signature-time-stamp unsigned attribute of the first
# SignerInfo. OpenSSL's command line cannot add an unsigned attribute; this splice is independent of eseal's code.
#   cms_add_tst.py IN.p7s TOKEN.der OUT.p7s [OID]   (OID: another attribute type, VALUE.der its value)
#   cms_add_tst.py --revinfo IN.p7s FROM.p7s OUT.p7s   IN with the certificates and crls of FROM (crafted files)
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cms_tst import children as lib_children, tlv  # noqa: E402  (the fixture's DER walker)

OID_TST_ATTR = bytes.fromhex("060b2a864886f70d010910020e")  # 1.2.840.113549.1.9.16.2.14


def children(buf, off):
    """(tag, offset, whole length) of each child of the constructed element at off."""
    for t, pos, h, n in lib_children(buf, off):
        yield t, pos, h + n


def enc(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + content


def rebuild(buf, path, new_content):
    """buf with the element at path[-1] given new_content, every enclosing element (path) re-lengthed."""
    for off in reversed(path):
        tag, hl, ln = tlv(buf, off)
        whole = enc(tag, new_content)
        if off == path[0]:
            return buf[:off] + whole + buf[off + hl + ln:]
        parent = path[path.index(off) - 1]
        ptag, phl, pln = tlv(buf, parent)
        new_content = buf[parent + phl:off] + whole + buf[off + hl + ln:parent + phl + pln]
    raise AssertionError


def enc_oid(dotted):
    a = [int(x) for x in dotted.split(".")]
    body = b""
    for v in [40 * a[0] + a[1]] + a[2:]:
        b = [v & 0x7F]
        while v > 0x7F:
            v >>= 7
            b.insert(0, 0x80 | (v & 0x7F))
        body += bytes(b)
    return enc(0x06, body)


def signed_data(der):
    content = [c for c in children(der, 0)][1][1]             # [0] EXPLICIT
    return content, next(children(der, content))[1]            # SignedData SEQUENCE


def revinfo(der, src):
    """der with the certificates [0] and crls [1] of src in place of its own."""
    content, sd = signed_data(der)
    s_content, s_sd = signed_data(src)
    take = b"".join(src[o:o + n] for t, o, n in children(src, s_sd) if t in (0xA0, 0xA1))
    kids = [(t, o, n) for t, o, n in children(der, sd) if t not in (0xA0, 0xA1)]
    # version, digestAlgorithms, encapContentInfo, [certificates, crls], signerInfos
    body = b"".join(der[o:o + n] for t, o, n in kids[:3]) + take + b"".join(der[o:o + n] for t, o, n in kids[3:])
    return rebuild(der, [0, content, sd], body)


def main():
    if sys.argv[1] == "--revinfo":
        out = revinfo(open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read())
        open(sys.argv[4], "wb").write(out)
        return
    der = open(sys.argv[1], "rb").read()
    token = open(sys.argv[2], "rb").read()
    ci = 0
    content, sd = signed_data(der)
    sis = [c for c in children(der, sd)][-1][1]                # signerInfos SET
    si = next(children(der, sis))[1]                           # first SignerInfo
    attr = enc(0x30, (enc_oid(sys.argv[4]) if len(sys.argv) > 4 else OID_TST_ATTR) + enc(0x31, token))
    kids = list(children(der, si))
    _, hl, ln = tlv(der, si)
    if kids[-1][0] == 0xA1:                                    # unsignedAttrs already there: append
        ua = kids[-1][1]
        _, uhl, uln = tlv(der, ua)
        out = rebuild(der, [ci, content, sd, sis, si, ua], der[ua + uhl:ua + uhl + uln] + attr)
    else:
        out = rebuild(der, [ci, content, sd, sis, si], der[si + hl:si + hl + ln] + enc(0xA1, attr))
    open(sys.argv[3], "wb").write(out)


if __name__ == "__main__":
    main()
