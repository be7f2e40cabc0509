#!/usr/bin/env python3
# tests/verify/inflated.py: how big a decompression bomb really is, by a decoder that is not ours: the bytes the first
# FlateDecode stream after the first match of REGEX in FILE inflates to (Python's zlib, a bounded buffer at a time).
#
# usage: inflated.py FILE REGEX
import re
import sys
import zlib

data = open(sys.argv[1], "rb").read()
m = re.search(sys.argv[2].encode(), data)
pos = data.index(b"stream\n", m.end()) + 7
d, n = zlib.decompressobj(), 0
while not d.eof and pos < len(data):
    n += len(d.decompress(data[pos:pos + 65536], 1 << 18))
    while d.unconsumed_tail and not d.eof:
        n += len(d.decompress(d.unconsumed_tail, 1 << 18))
    pos += 65536
print(n)
