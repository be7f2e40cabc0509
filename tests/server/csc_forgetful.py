#!/usr/bin/env python3
# tests/server/csc_forgetful.py: a plain-HTTP relay on 127.0.0.1 in front of a real `eseal serve`, which after K
# requests carrying the first OAuth2 access token it saw refuses that token with 401 (as an instance that restarted
# and forgot it would), and logs "PATH STATUS" per request: python3 csc_forgetful.py UPSTREAM_PORT K PORTFILE LOG.
import os, sys, threading, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

upstream, limit, port_file, log_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()
state = {"first": None, "uses": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, data, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with lock, open(log_path, "a") as f:
            f.write("%s %d\n" % (self.path, code))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer eseal_at_"):
            with lock:
                if state["first"] is None:
                    state["first"] = auth
                forget = auth == state["first"] and state["uses"] >= limit
                if auth == state["first"]:
                    state["uses"] += 1
            if forget:
                return self.answer(401, b'{"error":"invalid_token","error_description":"forgotten"}',
                                   "application/json")
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (upstream, self.path), data=body, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return self.answer(r.status, r.read(), r.headers.get("Content-Type", "application/json"))
        except urllib.error.HTTPError as e:
            return self.answer(e.code, e.read(), e.headers.get("Content-Type", "application/json"))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
