#!/usr/bin/env python3
# tests/server/csc_misbehaving.py: a CSC API v2 service that fails on purpose (plain HTTP on 127.0.0.1), for the
# client's error classes: python3 csc_misbehaving.py MODE CERT.pem PORTFILE; MODE is info503, sign429, garbage, huge,
# badsig or batch503 (takes 32 hashes per call, then answers every signHash with 503 after a pause, writing one line
# per call to PORTFILE's directory/calls). credentials/info answers CERT as the credential's certificate unless MODE
# breaks it.
import base64, json, os, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, cert_path, port_file = sys.argv[1:4]
der = ssl.PEM_cert_to_DER_cert(open(cert_path).read())


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        method = self.path.split("/csc/v2/", 1)[-1]
        if method == "credentials/info":
            if mode == "info503":
                return self.answer(503, {"error": "temporarily_unavailable", "error_description": "HSM busy"})
            if mode == "garbage":
                return self.answer(200, b"<html>not json</html>", "text/html")
            if mode == "huge":
                return self.answer(200, b"[" + b"0," * (1 << 20) + b"0]")
            return self.answer(200, {"key": {"status": "enabled", "algo": ["1.2.840.113549.1.1.11"], "len": 2048},
                                     "cert": {"status": "valid", "certificates": [base64.b64encode(der).decode()]},
                                     "multisign": 32 if mode == "batch503" else 1})
        if method == "credentials/authorize":
            return self.answer(200, {"SAD": "A" * 43, "expiresIn": 300})
        if method == "signatures/signHash":
            if mode == "batch503":
                with open(os.path.join(os.path.dirname(port_file), "calls"), "a") as f:
                    f.write("signHash\n")
                time.sleep(0.2)
                return self.answer(503, {"error": "temporarily_unavailable", "error_description": "HSM offline"})
            if mode == "sign429":
                return self.answer(429, {"error": "too_many_requests", "error_description": "slow down"})
            return self.answer(200, {"signatures": [base64.b64encode(os.urandom(256)).decode()]})
        return self.answer(404, {"error": "invalid_request"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
