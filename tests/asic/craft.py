#!/usr/bin/python3
"""tests/asic/craft.py: builds hostile or damaged variants of an ASiC container with Python's zipfile (not our code):
craft.py CASE IN.asice OUT.zip. Each case keeps the other entries as they are (same bytes, same order)."""
import struct
import sys
import warnings
import zipfile

warnings.simplefilter("ignore")  # duplicate names are what some cases make

case, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
MIME = b"application/vnd.etsi.asic-e+zip"


def entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename), i.compress_type) for i in z.infolist()]


def write(items, path):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, ctype in items:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = ctype
            z.writestr(zi, data)


items = entries(src)
data = [e for e in items if e[0] != "mimetype"]
if case == "no-mimetype":
    write(data, dst)
elif case == "mimetype-deflated":
    write([("mimetype", MIME, zipfile.ZIP_DEFLATED)] + data, dst)
elif case == "mimetype-extra":
    zi = zipfile.ZipInfo("mimetype", date_time=(2026, 1, 1, 0, 0, 0))
    zi.extra = b"\x55\x54\x05\x00\x01\x00\x00\x00\x00"  # an extended-timestamp field, as some zip tools add
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr(zi, MIME)
        for n, d, c in data:
            z.writestr(zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0)), d, compress_type=c)
elif case == "not-zip-first":
    # a plain zip of the files (no mimetype at all, an archive tool's output)
    write(data, dst)
elif case == "mimetype-wrong":
    write([("mimetype", b"application/zip", zipfile.ZIP_STORED)] + data, dst)
elif case == "mimetype-second":
    # a second mimetype entry at the end, saying something else
    write(items + [("mimetype", b"application/vnd.etsi.asic-s+zip", zipfile.ZIP_STORED)], dst)
elif case.startswith("duplicate:"):
    # NAME=TEXT: a second entry NAME with other content after the genuine one (which reader takes which?)
    name, text = case[len("duplicate:"):].split("=", 1)
    write(items + [(name, text.encode(), zipfile.ZIP_DEFLATED)], dst)
elif case.startswith("add:"):
    name, text = case[len("add:"):].split("=", 1)
    write(items + [(name, text.encode(), zipfile.ZIP_DEFLATED)], dst)
elif case.startswith("swap:"):
    # NAME=TEXT: the entry NAME's content replaced (a file swapped inside the container)
    name, text = case[len("swap:"):].split("=", 1)
    write([(n, text.encode() if n == name else d, c) for n, d, c in items], dst)
elif case.startswith("remove:"):
    name = case[len("remove:"):]
    write([e for e in items if e[0] != name], dst)
elif case.startswith("replace-meta:"):
    # NAME=FILE: the META-INF entry NAME replaced by FILE's bytes (an edited manifest or signature)
    name, f = case[len("replace-meta:"):].split("=", 1)
    new = open(f, "rb").read()
    write([(n, new if n == name else d, c) for n, d, c in items], dst)
elif case.startswith("traversal:"):
    write(items + [(case[len("traversal:"):], b"escaped\n", zipfile.ZIP_DEFLATED)], dst)
elif case == "bomb":
    # 200 MiB of zeros deflate to about 200 KiB: a ratio near 1000:1
    with zipfile.ZipFile(dst, "w") as z:
        for n, d, c in items:
            zi = zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = c
            z.writestr(zi, d)
        zi = zipfile.ZipInfo("PHOTO/huge.JPG", date_time=(2026, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        with z.open(zi, "w", force_zip64=True) as w:
            chunk = bytes(1 << 20)
            for _ in range(200):
                w.write(chunk)
elif case == "size-lie":
    # an entry whose headers declare 10 bytes but whose deflate stream inflates to 100 KiB
    write(items + [("PHOTO/lie.txt", b"A" * 100000, zipfile.ZIP_DEFLATED)], dst)
    buf = bytearray(open(dst, "rb").read())
    for sig, off_size in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := buf.find(sig, pos)) >= 0:
            nlen = struct.unpack_from("<H", buf, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            name_off = pos + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(buf[name_off:name_off + nlen]) == b"PHOTO/lie.txt":
                struct.pack_into("<I", buf, pos + off_size, 10)
            pos += 4
    open(dst, "wb").write(bytes(buf))
else:
    sys.exit("craft.py: unknown case " + case)
