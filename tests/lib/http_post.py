#!/usr/bin/env python3
# tests/lib/http_post.py URL CONTENT-TYPE INFILE OUTFILE: POST a file and save the 200 answer (exit 1 otherwise).
# A curl-free client for fixture self-checks; the URL must be on 127.0.0.1 (tests never reach other hosts).
import sys
import urllib.parse
import urllib.request

url, ctype, infile, outfile = sys.argv[1:5]
if urllib.parse.urlparse(url).hostname != "127.0.0.1":
    sys.exit("http_post: %s is not on 127.0.0.1" % url)
with open(infile, "rb") as f:
    data = f.read()
req = urllib.request.Request(url, data=data, headers={"Content-Type": ctype})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
try:
    with opener.open(req, timeout=10) as r:
        body = r.read()
except OSError as e:
    sys.exit("http_post: %s: %s" % (url, e))
with open(outfile, "wb") as f:
    f.write(body)
