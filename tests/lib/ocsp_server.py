#!/usr/bin/env python3
# tests/lib/ocsp_server.py: the loopback OCSP responder for tests and the demo (`openssl ocsp -index` answering
# from the issuing CA's database, so revoked.pem is revoked); tsa_server.py with --role ocsp, same options.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tsa_server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(role="ocsp"))
