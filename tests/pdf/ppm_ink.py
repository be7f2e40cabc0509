#!/usr/bin/env python3
# tests/pdf/ppm_ink.py: in a rendering (binary PPM from pdftoppm), counts the pixels of the box X0 Y0 X1 Y1 (top-left
# origin, inclusive) that are ink (any channel darker than 235), and, given a second rendering of the same page, how
# many pixels of the box are unchanged. Prints "ink N" or "ink N same M total T".
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ppm_diff import read_pnm  # noqa: E402


def main():
    w, h, ch, a = read_pnm(sys.argv[1])
    x0, y0, x1, y1 = (int(v) for v in sys.argv[2:6])
    b = read_pnm(sys.argv[6])[3] if len(sys.argv) > 6 else None
    ink = same = total = 0
    for y in range(max(0, y0), min(h - 1, y1) + 1):
        for x in range(max(0, x0), min(w - 1, x1) + 1):
            i = (y * w + x) * ch
            px = a[i:i + ch]
            total += 1
            if min(px) < 235:
                ink += 1
            if b is not None and b[i:i + ch] == px:
                same += 1
    print(f"ink {ink}" if b is None else f"ink {ink} same {same} total {total}")


if __name__ == "__main__":
    main()
