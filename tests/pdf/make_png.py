#!/usr/bin/env python3
# tests/pdf/make_png.py: writes a test seal image, a red ring with a cross on a transparent background (RGBA PNG),
# with the standard library only.   make_png.py OUT [SIZE]
import math
import struct
import sys
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main():
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    c = (size - 1) / 2.0
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            r = math.hypot(x - c, y - c)
            on = (0.38 * size < r < 0.48 * size) or (r < 0.38 * size and (abs(x - c) < size * 0.04 or abs(y - c) < size * 0.04))
            rows += bytes((200, 20, 30, 255)) if on else bytes((255, 255, 255, 0))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    open(sys.argv[1], "wb").write(png)


if __name__ == "__main__":
    main()
