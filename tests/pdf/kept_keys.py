#!/usr/bin/env python3
# tests/pdf/kept_keys.py: a seal's update rewrites the catalog and the sealed page: each must keep every key of the
# original with the same value (as QPDF reads both), only the keys a seal changes may differ.
# usage: kept_keys.py ORIGINAL SEALED KEY... (KEY: the keys the seal may change, e.g. /AcroForm)
import json
import subprocess
import sys


def value(path, obj):
    """obj: "trailer" or "N G R"."""
    arg = obj if obj == "trailer" else ",".join(obj.split()[:2])
    out = subprocess.check_output(["qpdf", "--json=2", "--json-key=qpdf", "--json-object=" + arg, path])
    for k, v in json.loads(out)["qpdf"][1].items():
        if k in (obj, "obj:" + obj):
            return v["value"]
    sys.exit(f"{path}: no object {obj}")


def first_page(path):
    out = subprocess.check_output(["qpdf", "--show-pages", path], text=True)
    return out.split("\n")[0].split()[2] + " 0 R"


def main():
    orig, sealed, changed = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    root = value(orig, "trailer")["/Root"]
    bad = []
    for name, obj in (("catalog", root), ("page 1", first_page(orig))):
        before, after = value(orig, obj), value(sealed, obj)
        for k, v in before.items():
            if k not in changed and after.get(k) != v:
                bad.append(f"{name} {obj}: {k} was {v!r}, is {after.get(k)!r}")
    if bad:
        sys.exit("\n".join(bad))


main()
