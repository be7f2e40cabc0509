#!/usr/bin/env python3
# tests/bench/make_big_pdf.py: writes a large valid PDF (drawings-style: one big uncompressed RGB image per page)
# without holding it in memory.   make_big_pdf.py OUT [MEGABYTES=250] [PAGES=50]
import os
import sys


def main():
    out = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 250
    pages = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    per = mb * 1024 * 1024 // pages
    side = int((per / 3) ** 0.5)
    img_len = side * side * 3
    offsets = {}
    with open(out, "wb") as f:
        pos = 0

        def w(b):
            nonlocal pos
            f.write(b)
            pos += len(b)

        def obj(num, body):
            offsets[num] = pos
            w(b"%d 0 obj\n" % num + body + b"\nendobj\n")

        w(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        # 1 catalog, 2 pages, then per page: page, content, image
        kids = [3 + 3 * i for i in range(pages)]
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(2, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages)
        chunk = os.urandom(1 << 20)
        for i in range(pages):
            p, c, im = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
            obj(p, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /XObject << /Im %d 0 R >> >> "
                   b"/Contents %d 0 R >>" % (im, c))
            content = b"q 802 0 0 555 20 20 cm /Im Do Q\n"
            obj(c, b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream")
            offsets[im] = pos
            w(b"%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
              b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (im, side, side, img_len))
            left = img_len
            while left > 0:
                n = min(left, len(chunk))
                w(chunk[:n])
                left -= n
                chunk = chunk[7:] + chunk[:7]  # vary the data a little between pages
            w(b"\nendstream\nendobj\n")
        n = 3 + 3 * pages
        xref = pos
        w(b"xref\n0 %d\n0000000000 65535 f \n" % n)
        for num in range(1, n):
            w(b"%010d 00000 n \n" % offsets[num])
        w(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n, xref))


if __name__ == "__main__":
    main()
