#!/usr/bin/env python3
# tests/pdf/pdf_sig.py: referee helper, independent of eseal's code: finds the signature dictionaries of a PDF by
# their /ByteRange, checks the range excludes exactly the /Contents hex string (brackets included), and writes the
# signed bytes and the DER CMS of one signature for `openssl cms -verify` / `-cmsout -print`.
#   pdf_sig.py FILE [--index N (default: last)] [--data OUT] [--cms OUT] [--count] [--dict]
# --count prints the number of signatures; --whole requires the range to reach the end of the file;
# --dict prints the signature dictionary's text (without /Contents); exit 1 with a message on anything inconsistent.
import argparse
import re
import sys


def der_length(buf):
    """Length of the first DER element (the CMS ContentInfo) so that zero padding is cut off exactly."""
    if len(buf) < 2 or buf[0] != 0x30:
        raise ValueError("CMS does not start with a SEQUENCE")
    first = buf[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0 or n > 4:
        raise ValueError("not DER")
    return 2 + n + int.from_bytes(buf[2:2 + n], "big")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--index", type=int, default=-1)
    ap.add_argument("--data")
    ap.add_argument("--cms")
    ap.add_argument("--count", action="store_true")
    ap.add_argument("--dict", action="store_true")
    ap.add_argument("--whole", action="store_true", help="fail unless the range reaches the end of the file")
    a = ap.parse_args()
    pdf = open(a.file, "rb").read()
    sigs = []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf):
        sigs.append((m.start(), [int(x) for x in m.groups()]))
    if a.count:
        print(len(sigs))
        return 0
    if not sigs:
        print("no signature", file=sys.stderr)
        return 1
    start, (b0, l1, b2, l2) = sigs[a.index]
    if b0 != 0 or b2 <= l1 or b2 + l2 > len(pdf):
        print("ByteRange out of the file: %r" % ([b0, l1, b2, l2],), file=sys.stderr)
        return 1
    if a.whole and b2 + l2 != len(pdf):
        print("ByteRange ends at %d, the file at %d" % (b2 + l2, len(pdf)), file=sys.stderr)
        return 1
    hole = pdf[l1:b2]
    if not (hole.startswith(b"<") and hole.endswith(b">")) or not re.fullmatch(rb"<[0-9A-Fa-f]*>", hole):
        print("the unsigned hole is not exactly the /Contents hex string", file=sys.stderr)
        return 1
    if not re.search(rb"/Contents\s*$", pdf[max(0, l1 - 40):l1]):
        print("the hole does not follow /Contents", file=sys.stderr)
        return 1
    der = bytes.fromhex(hole[1:-1].decode())
    der = der[:der_length(der)]
    if a.data:
        with open(a.data, "wb") as f:
            f.write(pdf[0:l1] + pdf[b2:b2 + l2])
    if a.cms:
        with open(a.cms, "wb") as f:
            f.write(der)
    if a.dict:
        # From the object header before /ByteRange to the end of the dictionary after /Contents.
        head = pdf.rfind(b" obj", 0, start)
        end = pdf.find(b"endobj", b2)
        print((pdf[head:l1] + b"<...>" + pdf[b2:end]).decode("latin-1"))
    print("signed %d of %d bytes" % (l1 + l2, len(pdf)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
