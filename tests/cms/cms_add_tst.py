#!/usr/bin/env python3
# tests/cms/cms_add_tst.py: turns a B-B CMS made by `openssl cms -sign -cades` into B-T with OpenSSL's own token:
# adds TOKEN (DER, from `openssl ts -reply -token_out`) as the signature-time-stamp unsigned attribute of the first
# SignerInfo. OpenSSL's command line cannot add an unsigned attribute; this splice is independent of eseal's code.
#   cms_add_tst.py IN.p7s TOKEN.der OUT.p7s
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


def main():
    der = open(sys.argv[1], "rb").read()
    token = open(sys.argv[2], "rb").read()
    ci = 0
    content = [c for c in children(der, ci)][1][1]            # [0] EXPLICIT
    sd = next(children(der, content))[1]                       # SignedData SEQUENCE
    sis = [c for c in children(der, sd)][-1][1]                # signerInfos SET
    si = next(children(der, sis))[1]                           # first SignerInfo
    attr = enc(0x30, OID_TST_ATTR + enc(0x31, token))
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
