#!/usr/bin/env python3
# tests/cups/pdf_contents.py PDF OUT: referee helper: writes the DER CMS of the PDF's last signature, i.e. the bytes
# its /ByteRange leaves out (the /Contents hex string), so cms_tst.py and openssl can judge it without our code.
# Exit 0; 2 if the file has no /ByteRange or the gap is not one hex string.
import re
import sys

data = open(sys.argv[1], "rb").read()
ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
if not ranges:
    sys.exit(2)
a, b, c, d = (int(x) for x in ranges[-1])
gap = data[a + b:c]
if a != 0 or c + d != len(data) or not (gap.startswith(b"<") and gap.endswith(b">")):
    sys.exit(2)
hexstr = gap[1:-1].strip()
if not re.fullmatch(rb"[0-9A-Fa-f]*", hexstr) or len(hexstr) % 2:
    sys.exit(2)
raw = bytes.fromhex(hexstr.decode())
# The placeholder is zero-padded after the DER: keep exactly the outer SEQUENCE (its length says where it ends).
if len(raw) < 2 or raw[0] != 0x30:
    sys.exit(2)
n = raw[1]
if n & 0x80:
    k = n & 0x7F
    total = 2 + k + int.from_bytes(raw[2:2 + k], "big")
else:
    total = 2 + n
if total > len(raw):
    sys.exit(2)
open(sys.argv[2], "wb").write(raw[:total])
