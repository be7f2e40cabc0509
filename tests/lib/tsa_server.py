#!/usr/bin/env python3
# tests/lib/tsa_server.py: a loopback RFC 3161 time-stamp server for tests and the demo: HTTP/1.1 in front of
# `openssl ts -reply` (the real OpenSSL TSA code), plus deliberately broken modes for fault tests.
#
# Also serves, by GET, the files of --www (CRLs and CA certificates named in the demo certificates), and with
# --role ocsp answers OCSP requests through `openssl ocsp -index ... -reqin` (binds 127.0.0.1 only, which
# `openssl ocsp -port` in OpenSSL 3.0 cannot), logging one line per certificate asked about (serial, issuer key hash)
# besides the access log. Standard library only; one thread per connection, keep-alive.
#
#   tsa_server.py --dir TESTENV [--mode ok|garbage|http500|wrong-nonce|wrong-imprint|slow|rejection|untrusted|revoked]
#                 [--delay S] [--port N | --port-file F] [--pid-file F] [--www DIR] [--role tsa|ocsp] [--auth-file F]
#                 [--tls CERT KEY] [--signer CERT KEY]
# Modes: garbage = 200 with random bytes; http500 = HTTP 500; wrong-nonce / wrong-imprint = a valid signed reply
# to a query with another nonce / imprint; slow = waits --delay seconds, then answers; rejection = a signed
# TimeStampResp with status rejection (badAlg: the query is re-made with MD5, which the TSA refuses);
# untrusted = a valid reply signed by pki/rogue-tsa.pem, a self-signed TSA outside every trust anchor;
# revoked = a valid reply signed by pki/tsa-revoked.pem, a TSA of the demo CA revoked before the server started.
# --auth-file F (one line user:password): POSTs without that HTTP basic authorization get 401.
# --tls CERT KEY: HTTPS instead of HTTP, with this PEM server certificate (chain after it) and key.
# --signer CERT KEY: (mode ok) sign tokens with this TSA certificate and key instead of pki/tsa.*, e.g. a TSA
# certificate a test made from the demo CA; the token carries pki/ca.pem as its chain.
# --publish-root-crl: the demo root CA publishes a new CRL for every GET of root.crl (a CA that publishes as
# often as asked: what sealing at B-LT needs when a CA certificate has only a CRL). Off by default: the shared
# fixture's root CRL is the one published when it was made.
# DIR is a testenv or demo directory made by samples/demo/mkpki.sh (uses DIR/pki/{tsa,ocsp,ca}.*).
import argparse
import http.server
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BODY = 64 * 1024
MODES = ("ok", "garbage", "http500", "wrong-nonce", "wrong-imprint", "slow", "rejection", "untrusted", "revoked")


def der_tlv(buf, off):
    """(tag, content offset, content length) of the DER element at off."""
    if off + 2 > len(buf):
        raise ValueError("truncated DER")
    tag, first = buf[off], buf[off + 1]
    hdr, length = 2, first
    if first & 0x80:
        n = first & 0x7F
        if n == 0 or n > 4 or off + 2 + n > len(buf):
            raise ValueError("bad DER length")
        length = int.from_bytes(buf[off + 2:off + 2 + n], "big")
        hdr += n
    if off + hdr + length > len(buf):
        raise ValueError("truncated DER")
    return tag, off + hdr, length


def der_children(buf, start, length):
    off, end = start, start + length
    while off < end:
        tag, cs, cl = der_tlv(buf, off)
        yield tag, cs, cl
        off = cs + cl


def tamper_query(query, what):
    """A copy of a TimeStampReq with the same length but another imprint or nonce, edited in place so that the
    TSA then signs a perfectly valid reply that does not match what the client asked for."""
    buf = bytearray(query)
    tag, cs, cl = der_tlv(buf, 0)
    if tag != 0x30:
        raise ValueError("not a SEQUENCE")
    kids = list(der_children(buf, cs, cl))
    if len(kids) < 2 or kids[0][0] != 0x02 or kids[1][0] != 0x30:
        raise ValueError("not a TimeStampReq")
    if what == "imprint":
        mi = list(der_children(buf, kids[1][1], kids[1][2]))
        if len(mi) != 2 or mi[1][0] != 0x04:
            raise ValueError("bad messageImprint")
        for i in range(mi[1][1], mi[1][1] + mi[1][2]):
            buf[i] ^= 0xFF
        return bytes(buf)
    for t, s, n in kids[2:]:
        if t == 0x02 and n > 0:  # the nonce (the only INTEGER after messageImprint)
            buf[s + n - 1] ^= 0x01  # same length and sign, different value
            return bytes(buf)
    raise ValueError("query has no nonce")


def ocsp_request_ids(req):
    """[(serial hex, issuerKeyHash hex)] of the CertIDs in a DER OCSPRequest (RFC 6960 4.1.1)."""
    tag, cs, cl = der_tlv(req, 0)
    tbs = next(der_children(req, cs, cl), None)
    if tag != 0x30 or tbs is None or tbs[0] != 0x30:
        raise ValueError("not an OCSPRequest")
    # tbsRequest: [0] version, [1] requestorName (both optional), then requestList
    req_list = next((k for k in der_children(req, tbs[1], tbs[2]) if k[0] == 0x30), None)
    if req_list is None:
        raise ValueError("no requestList")
    ids = []
    for _, rs, rl in der_children(req, req_list[1], req_list[2]):
        cert_id = next(der_children(req, rs, rl))
        parts = list(der_children(req, cert_id[1], cert_id[2]))
        if len(parts) != 4 or parts[2][0] != 0x04 or parts[3][0] != 0x02:
            raise ValueError("bad CertID")
        ids.append((req[parts[3][1]:parts[3][1] + parts[3][2]].hex(), req[parts[2][1]:parts[2][1] + parts[2][2]].hex()))
    return ids


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow-mode handler must not hold up shutdown
    allow_reuse_address = True

    def __init__(self, addr, opts):
        super().__init__(addr, Handler)
        self.opts = opts
        self.serial_lock = threading.Lock()  # openssl ts -reply read-modify-writes the serial file
        self.inflight_lock = threading.Lock()  # slow mode logs how many requests wait at once (batch tests)
        self.inflight = 0
        self.state = tempfile.mkdtemp(prefix="tsa-", dir=opts.state)
        self.serial = os.path.join(self.state, "serial")
        with open(self.serial, "w") as f:
            f.write("01\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections are dropped
    server_version = "eseal-test-tsa/1"

    def setup(self):
        # TLS: the handshake runs here, in the connection's own thread (not in accept(), where a stalled client
        # would block every other one), and a client that refuses our certificate is one log line.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError) as e:
                self.log_message("TLS handshake failed: %s", e)
                raise
            self.log_message("TLS handshake done")
        super().setup()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s [%s] %s\n" % (time.strftime("%H:%M:%S"), self.server.opts.mode, fmt % args))

    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        opts = self.server.opts
        name = self.path.split("?", 1)[0].lstrip("/")
        if opts.role == "ocsp" and name:
            import base64
            import urllib.parse
            try:
                req = base64.b64decode(urllib.parse.unquote(name), validate=False)
            except ValueError:
                return self.send(400, b"bad OCSP GET\n", "text/plain")
            return self.answer_ocsp(req)
        path = os.path.join(opts.www, os.path.basename(name)) if opts.www and name else None
        if path is None or "/" in name or not os.path.isfile(path):
            return self.send(404, b"not found\n", "text/plain")
        if opts.publish_root_crl and os.path.basename(name) == "root.crl":
            publish_root_crl(opts.dir, path)
        with open(path, "rb") as f:
            body = f.read()
        ctype = {".crl": "application/pkix-crl", ".cer": "application/pkix-cert"}.get(
            os.path.splitext(path)[1], "application/octet-stream")
        self.send(200, body, ctype)

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            return self.send(411, b"Content-Length required\n", "text/plain")
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self.send(413, b"too large\n", "text/plain")
        body = self.rfile.read(length)
        if self.server.opts.role == "ocsp":
            return self.answer_ocsp(body)
        return self.answer_tsa(body)

    def answer_ocsp(self, req):
        o = self.server.opts
        # One line per certificate asked about, so a benchmark or test can count requests per certificate.
        try:
            for serial, key_hash in ocsp_request_ids(req):
                self.log_message("OCSP request serial %s issuer-key %s", serial, key_hash)
        except ValueError as e:
            self.log_message("OCSP request not parsed: %s", e)
        pki = os.path.join(o.dir, "pki")
        r = subprocess.run(["openssl", "ocsp", "-index", os.path.join(pki, "ca", "index.txt"),
                            "-CA", os.path.join(pki, "ca.pem"), "-rsigner", os.path.join(pki, "ocsp.pem"),
                            "-rkey", os.path.join(pki, "ocsp.key"), "-nmin", "60",
                            "-reqin", "/dev/stdin", "-respout", "/dev/stdout"],
                           input=req, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0 or not r.stdout:
            self.log_message("openssl ocsp failed: %s", r.stderr.decode(errors="replace").strip())
            return self.send(400, b"bad OCSP request\n", "text/plain")
        self.send(200, r.stdout, "application/ocsp-response")

    def answer_tsa(self, query):
        o = self.server.opts
        if o.auth is not None and self.headers.get("Authorization", "") != o.auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="eseal test TSA"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "13")
            self.end_headers()
            self.wfile.write(b"unauthorized\n")
            return
        if o.mode == "http500":
            return self.send(500, b"internal error (test mode)\n", "text/plain")
        if o.mode == "garbage":
            return self.send(200, os.urandom(300), "application/timestamp-reply")
        if o.mode == "slow":
            with self.server.inflight_lock:
                self.server.inflight += 1
                sys.stderr.write("inflight %d\n" % self.server.inflight)
                sys.stderr.flush()
            time.sleep(o.delay)
            with self.server.inflight_lock:
                self.server.inflight -= 1
        try:
            if o.mode == "wrong-nonce":
                query = tamper_query(query, "nonce")
            elif o.mode == "wrong-imprint":
                query = tamper_query(query, "imprint")
            elif o.mode == "rejection":
                query = subprocess.run(["openssl", "ts", "-query", "-md5", "-digest", "00" * 16, "-cert"],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
        except ValueError as e:
            return self.send(400, ("bad time-stamp query: %s\n" % e).encode(), "text/plain")
        pki = os.path.join(o.dir, "pki")
        env = dict(os.environ, ESEAL_TSA_SERIAL=self.server.serial)
        with self.server.serial_lock:
            if o.mode == "untrusted":
                signer = ["-inkey", os.path.join(pki, "rogue-tsa.key"), "-signer", os.path.join(pki, "rogue-tsa.pem")]
            elif o.signer:
                signer = ["-inkey", o.signer[1], "-signer", o.signer[0], "-chain", os.path.join(pki, "ca.pem")]
            elif o.mode == "revoked":
                signer = ["-inkey", os.path.join(pki, "tsa-revoked.key"), "-signer",
                          os.path.join(pki, "tsa-revoked.pem"), "-chain", os.path.join(pki, "ca.pem")]
            else:
                signer = ["-inkey", os.path.join(pki, "tsa.key"), "-signer", os.path.join(pki, "tsa.pem"),
                          "-chain", os.path.join(pki, "ca.pem")]
            r = subprocess.run(["openssl", "ts", "-reply", "-config", o.config, "-queryfile", "/dev/stdin"] + signer,
                               input=query, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        if r.returncode != 0 or not r.stdout:
            self.log_message("openssl ts -reply failed: %s", r.stderr.decode(errors="replace").strip())
            return self.send(400, b"bad time-stamp query\n", "text/plain")
        self.send(200, r.stdout, "application/timestamp-reply")


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


PUBLISH_LOCK = threading.Lock()


def publish_root_crl(d, path):
    """The demo root CA issues its next CRL (openssl ca -gencrl) into path, atomically."""
    pki = os.path.join(d, "pki")
    with PUBLISH_LOCK:
        pem, der = os.path.join(pki, ".served-root.crl.pem"), path + ".new"
        subprocess.run(["openssl", "ca", "-config", os.path.join(pki, "openssl.cnf"), "-name", "root_ca", "-gencrl",
                        "-out", pem], check=True, capture_output=True)
        subprocess.run(["openssl", "crl", "-in", pem, "-outform", "DER", "-out", der], check=True,
                       capture_output=True)
        os.replace(der, path)


def main(role="tsa"):
    ap = argparse.ArgumentParser(description="loopback RFC 3161 TSA / OCSP responder for eseal tests")
    ap.add_argument("--dir", required=True, help="testenv/demo directory (made by samples/demo/mkpki.sh)")
    ap.add_argument("--mode", choices=MODES, default="ok")
    ap.add_argument("--delay", type=float, default=30.0, help="seconds the slow mode waits (default 30)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    ap.add_argument("--port-file", help="write the chosen port here")
    ap.add_argument("--pid-file", help="write our pid here")
    ap.add_argument("--www", help="serve the files of this directory by GET (default DIR/www)")
    ap.add_argument("--role", choices=("tsa", "ocsp"), default=role)
    ap.add_argument("--config", default=os.path.join(HERE, "tsa.cnf"))
    ap.add_argument("--auth-file", help="require HTTP basic authorization with the user:password in this file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this PEM certificate and key")
    ap.add_argument("--signer", nargs=2, metavar=("CERT", "KEY"), help="sign tokens with this TSA certificate and key")
    ap.add_argument("--publish-root-crl", action="store_true", help="a new root CRL for every GET of root.crl")
    opts = ap.parse_args()
    opts.auth = None
    if opts.auth_file:
        import base64
        with open(opts.auth_file, "rb") as f:
            cred = f.read().splitlines()[0]
        opts.auth = "Basic " + base64.b64encode(cred).decode()
    opts.dir = os.path.abspath(opts.dir)
    if opts.www is None and os.path.isdir(os.path.join(opts.dir, "www")):
        opts.www = os.path.join(opts.dir, "www")
    opts.state = os.path.join(opts.dir, "tsa-state")
    os.makedirs(opts.state, exist_ok=True)
    for f in (["tsa.pem", "tsa.key", "ca.pem"] if opts.role == "tsa" else ["ocsp.pem", "ocsp.key", "ca.pem"]):
        if not os.path.isfile(os.path.join(opts.dir, "pki", f)):
            sys.exit("tsa_server: %s/pki/%s missing (run samples/demo/mkpki.sh first)" % (opts.dir, f))

    httpd = Server(("127.0.0.1", opts.port), opts)
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls[0], opts.tls[1])
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=httpd.shutdown, daemon=True).start())
    signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=httpd.shutdown, daemon=True).start())
    if opts.pid_file:
        write_atomic(opts.pid_file, "%d\n" % os.getpid())
    if opts.port_file:
        write_atomic(opts.port_file, "%d\n" % httpd.server_address[1])
    sys.stderr.write("%s %s listening on 127.0.0.1:%d mode %s%s\n" % (time.strftime("%H:%M:%S"), opts.role,
                                                                       httpd.server_address[1], opts.mode,
                                                                       " (TLS)" if opts.tls else ""))
    sys.stderr.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        import shutil
        shutil.rmtree(httpd.state, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
