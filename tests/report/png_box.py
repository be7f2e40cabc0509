#!/usr/bin/env python3
# tests/report/png_box.py: where a colour is in a PNG: decodes an 8-bit RGB(A) PNG (as cairo writes them) with zlib
# only, and prints the bounding box "x0 y0 x1 y1" (pixels, origin top left) of the pixels within 10 of the colour per
# channel, or "none". Checks the outlines the reports draw (seal in blue, changes in red) without trusting our code.
#
# usage: png_box.py FILE.png R G B
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "only 8-bit RGB/RGBA"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


path, want = sys.argv[1], [int(v) for v in sys.argv[2:5]]
w, h, bpp, rows = decode(path)
box = None
for y, line in enumerate(rows):
    for x in range(w):
        px = line[x * bpp:x * bpp + 3]
        if all(abs(px[k] - want[k]) <= 10 for k in range(3)):
            box = [x, y, x, y] if box is None else [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
print("none" if box is None else "%d %d %d %d" % tuple(box))
