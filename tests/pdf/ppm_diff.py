#!/usr/bin/env python3
# tests/pdf/ppm_diff.py: compares two renderings (binary PPM/PGM from pdftoppm) of the same page and prints the
# bounding box of the pixels that differ, "x0 y0 x1 y1 count" (top-left origin, x1/y1 inclusive), or "none".
import sys


def read_pnm(path):
    data = open(path, "rb").read()
    fields = []
    i = 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] != b"\n":
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    magic, w, h, _ = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    ch = 3 if magic == b"P6" else 1
    return w, h, ch, data[i + 1:i + 1 + w * h * ch]


def main():
    wa, ha, ca, a = read_pnm(sys.argv[1])
    wb, hb, cb, b = read_pnm(sys.argv[2])
    if (wa, ha, ca) != (wb, hb, cb):
        print("size %dx%d vs %dx%d" % (wa, ha, wb, hb))
        return 2
    row = wa * ca
    x0 = y0 = 1 << 30
    x1 = y1 = -1
    count = 0
    for y in range(ha):
        ra, rb = a[y * row:(y + 1) * row], b[y * row:(y + 1) * row]
        if ra == rb:
            continue
        for x in range(wa):
            if ra[x * ca:(x + 1) * ca] != rb[x * ca:(x + 1) * ca]:
                count += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    print("none" if count == 0 else "%d %d %d %d %d" % (x0, y0, x1, y1, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
