#!/usr/bin/env python3
# tests/interop/cms_variants.py: rewrites a CMS SignedData made by `openssl cms -sign` into the variants other
# producers make (a signing-certificate-v2 listing chain certificates, signed attributes in the order written, ...),
# re-signing with the signer's key where a producer would have signed; and the one-byte attacks on them.
import hashlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

OID_SIGNING_CERT_V2 = bytes.fromhex("060b2a864886f70d010910022f")
OID_SIGNING_TIME = bytes.fromhex("06092a864886f70d010905")


def hdr(tag, n):
    if n < 0x80:
        return bytes([tag, n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(b)]) + b


def tlv(tag, content):
    return hdr(tag, len(content)) + content


def read(b, i=0):
    """One DER element at b[i]: (tag, content start, end)."""
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, i, i + n


def children(b):
    out, i = [], 0
    while i < len(b):
        tag, s, e = read(b, i)
        out.append(b[i:e])
        i = e
    return out


def content(el):
    return el[read(el)[1]:]


class Cms:
    """The ContentInfo split down to the first SignerInfo's fields; join() puts it back with DER lengths."""

    def __init__(self, der):
        signed_data = content(children(content(der))[1])  # ContentInfo { contentType, [0] SignedData }
        self.sd = children(content(signed_data))
        self.si = children(content(children(content(self.sd[-1]))[0]))

    def attrs(self):
        return next(children(content(f)) for f in self.si if f[0] == 0xA0)

    def set_attrs(self, attrs):
        i = next(k for k, f in enumerate(self.si) if f[0] == 0xA0)
        self.si[i] = tlv(0xA0, b"".join(attrs))

    def signed_bytes(self):
        a = next(f for f in self.si if f[0] == 0xA0)
        return tlv(0x31, content(a))

    def sign(self, key):
        data = self.signed_bytes()
        if isinstance(key, rsa.RSAPrivateKey):
            sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            sig = key.sign(data, ec.ECDSA(hashes.SHA256()))
        i = next(k for k, f in enumerate(self.si) if f[0] == 0x04)
        self.si[i] = tlv(0x04, sig)

    def join(self):
        si = tlv(0x30, b"".join(self.si))
        sd = self.sd[:-1] + [tlv(0x31, si)]
        return tlv(0x30, bytes.fromhex("06092a864886f70d010702") + tlv(0xA0, tlv(0x30, b"".join(sd))))


def load_cert(path):
    return x509.load_pem_x509_certificate(open(path, "rb").read())


def ess_entry(spec):
    """cert.pem, or cert.pem:serial-of=other.pem (the issuerSerial of another certificate)."""
    path, _, other = spec.partition(":serial-of=")
    c = load_cert(path)
    named = load_cert(other) if other else c
    serial = named.serial_number.to_bytes((named.serial_number.bit_length() + 8) // 8, "big")
    issuer_serial = tlv(0x30, tlv(0x30, tlv(0xA4, named.issuer.public_bytes())) + tlv(0x02, serial))
    digest = hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest()
    return tlv(0x30, tlv(0x04, digest) + issuer_serial)


def main():
    cmd, src, dst = sys.argv[1:4]
    cms = Cms(open(src, "rb").read())
    attrs = cms.attrs()
    if cmd == "ess":  # ess IN OUT KEY ENTRY...: a signing-certificate-v2 with these ESSCertIDv2, re-signed
        key = serialization.load_pem_private_key(open(sys.argv[4], "rb").read(), None)
        value = tlv(0x30, tlv(0x30, b"".join(ess_entry(s) for s in sys.argv[5:])))
        attrs = [tlv(0x30, OID_SIGNING_CERT_V2 + tlv(0x31, value)) if content(a).startswith(OID_SIGNING_CERT_V2)
                 else a for a in attrs]
        assert any(content(a).startswith(OID_SIGNING_CERT_V2) for a in attrs), "no signing-certificate-v2"
        cms.set_attrs(attrs)
        cms.sign(key)
    elif cmd == "unsorted":  # unsorted IN OUT KEY: the attributes in reverse DER order, signed as written
        key = serialization.load_pem_private_key(open(sys.argv[4], "rb").read(), None)
        cms.set_attrs(list(reversed(sorted(attrs))))
        cms.sign(key)
    elif cmd == "long-length":  # long-length IN OUT KEY: signingTime's Attribute with a two-byte length (BER)
        key = serialization.load_pem_private_key(open(sys.argv[4], "rb").read(), None)
        attrs = [bytes([0x30, 0x81, len(content(a))]) + content(a) if content(a).startswith(OID_SIGNING_TIME) else a
                 for a in attrs]
        cms.set_attrs(attrs)
        cms.sign(key)
    elif cmd == "flip-time":  # flip-time IN OUT: one digit of signingTime changed, signature kept
        attrs = [a[:-3] + bytes([a[-3] ^ 1]) + a[-2:] if content(a).startswith(OID_SIGNING_TIME) else a
                 for a in attrs]
        cms.set_attrs(attrs)
    elif cmd == "tbs":  # tbs IN TBS SIG: the signed bytes (signedAttrs as received, tagged SET) and the signature
        open(dst, "wb").write(cms.signed_bytes())
        open(sys.argv[4], "wb").write(content(next(f for f in cms.si if f[0] == 0x04)))
        return
    else:
        sys.exit("unknown command " + cmd)
    open(dst, "wb").write(cms.join())


if __name__ == "__main__":
    main()
