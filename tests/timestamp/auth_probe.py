#!/usr/bin/env python3
# tests/timestamp/auth_probe.py PORT_FILE: a loopback HTTP endpoint that records the Authorization header of each
# POST into auth.log beside PORT_FILE and answers 401, so a test can see what the TSA client puts on the wire.
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(n, 65536))
        with open(os.path.join(os.path.dirname(sys.argv[1]), "auth.log"), "a") as f:
            f.write("%s\n" % self.headers.get("Authorization", "<none>"))
        body = b"authorization required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="tsa"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % httpd.server_address[1])
os.replace(tmp, sys.argv[1])
httpd.serve_forever()
