#!/usr/bin/env python3
# tests/pdf/dss_dump.py: referee helper, independent of eseal's code: reads a PDF's /DSS through qpdf --json and
# writes its streams (cert-N.der, ocsp-N.der, crl-N.der) to OUTDIR; prints one line per fact for the shell to check:
#   items KIND N            how many streams /Certs, /OCSPs, /CRLs name (KIND cert|ocsp|crl)
#   vri KEY CERT OCSP CRL   a /VRI entry and how many streams its /Cert, /OCSP, /CRL name (each also in the DSS)
#   sig SHA1                uppercase SHA-1 of each signature's /Contents bytes (hex decoded, padding included)
#   esic LEVEL              /Extensions /ESIC /ExtensionLevel of the catalog (absent: no line)
# usage: dss_dump.py FILE OUTDIR
import hashlib
import json
import os
import re
import subprocess
import sys


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    q = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", path], check=True,
                                  capture_output=True).stdout)["qpdf"][1]

    def obj(ref):
        v = q.get("obj:" + ref) if isinstance(ref, str) and ref.endswith(" R") else None
        if v is None:
            return ref
        return v["stream"]["dict"] if "stream" in v else v["value"]

    root = obj(q["trailer"]["value"]["/Root"])
    dss = obj(root.get("/DSS", {}))
    names = {}
    for key, kind in (("/Certs", "cert"), ("/OCSPs", "ocsp"), ("/CRLs", "crl")):
        refs = obj(dss.get(key, []))
        print("items", kind, len(refs))
        for i, ref in enumerate(refs):
            num = ref.split()[0]
            data = subprocess.run(["qpdf", "--show-object=" + num, "--filtered-stream-data", path], check=True,
                                  capture_output=True).stdout
            open(os.path.join(outdir, "%s-%d.der" % (kind, i)), "wb").write(data)
            names[ref] = kind
    for key, v in obj(dss.get("/VRI", {})).items():
        v = obj(v)
        counts = []
        for k in ("/Cert", "/OCSP", "/CRL"):
            refs = obj(v.get(k, []))
            for r in refs:
                if r not in names:
                    sys.exit("VRI %s names %s, which is not in the DSS" % (key, r))
            counts.append(str(len(refs)))
        print("vri", key.lstrip("/"), " ".join(counts))
    data = open(path, "rb").read()
    for m in re.finditer(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        a, b = int(m.group(1)), int(m.group(2))
        print("sig", hashlib.sha1(bytes.fromhex(data[a + 1:b - 1].decode())).hexdigest().upper())
    esic = obj(obj(root.get("/Extensions", {})).get("/ESIC", {}))
    if isinstance(esic, dict) and "/ExtensionLevel" in esic:
        print("esic", esic["/ExtensionLevel"])


main()
