#!/usr/bin/env python3
# tests/bench/append_update.py: appends one incremental update to a PDF with a classic cross-reference table: a new
# /Info dictionary (one object), chained with /Prev, as an editor saving metadata after sealing would.
#   append_update.py IN OUT
import re
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 65536))
        tail = f.read()
    prev = int(re.findall(rb"startxref\s+(\d+)", tail)[-1])
    num = int(re.findall(rb"/Size (\d+)", tail)[-1])
    root = re.findall(rb"/Root (\d+ \d+ R)", tail)[-1]
    obj = b"%d 0 obj\n<< /Title (updated after sealing) /Producer (eseal bench) >>\nendobj\n" % num
    xref = size + len(obj)
    upd = obj + b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (num, size)
    upd += b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        num + 1, root, num, prev, xref)
    with open(src, "rb") as fin, open(dst, "wb") as out:
        while True:
            chunk = fin.read(1 << 20)
            if not chunk:
                break
            out.write(chunk)
        out.write(upd)


if __name__ == "__main__":
    main()
