#!/usr/bin/env python3
# tests/interop/cms_variants.py: rewrites a CMS SignedData made by `openssl cms -sign` into the variants other
# producers make (a signing-certificate-v2 listing chain certificates, signed attributes in the order written, ...),
# re-signing with the signer's key where a producer would have signed; and the one-byte attacks on them.
import hashlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

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

    def set_sig_alg(self, alg, sig):
        i = next(k for k, f in enumerate(self.si) if f[0] == 0x04)
        self.si[i - 1] = alg
        self.si[i] = tlv(0x04, sig)

    def join(self):
        si = tlv(0x30, b"".join(self.si))
        sd = self.sd[:-1] + [tlv(0x31, si)]
        return tlv(0x30, bytes.fromhex("06092a864886f70d010702") + tlv(0xA0, tlv(0x30, b"".join(sd))))


OID_TST = bytes.fromhex("060b2a864886f70d010910020e")


def attribute_certificate(holder):
    """An RFC 5755 attribute certificate for holder (a role), signed by a throw-away key, as CertificateChoices
    v2AttrCert [2] IMPLICIT."""
    key = ec.generate_private_key(ec.SECP256R1())
    ecdsa_sha256 = tlv(0x30, bytes.fromhex("06082a8648ce3d040302"))
    serial = holder.serial_number.to_bytes((holder.serial_number.bit_length() + 8) // 8, "big")
    role = tlv(0x30, bytes.fromhex("0603550448") + tlv(0x31, tlv(0x30, tlv(0xA1, tlv(0x86, b"urn:tsa:operator")))))
    info = tlv(0x30, tlv(0x02, b"\x01")  # v2
               + tlv(0x30, tlv(0xA0, tlv(0x30, tlv(0xA4, holder.issuer.public_bytes())) + tlv(0x02, serial)))
               + tlv(0xA0, tlv(0x30, tlv(0xA4, holder.issuer.public_bytes())))  # issuer: v2Form
               + ecdsa_sha256 + tlv(0x02, b"\x2a")
               + tlv(0x30, tlv(0x18, b"20260101000000Z") + tlv(0x18, b"20361231235959Z"))
               + tlv(0x30, role))
    sig = key.sign(info, ec.ECDSA(hashes.SHA256()))
    return tlv(0xA2, info + ecdsa_sha256 + tlv(0x03, b"\x00" + sig))


def rewrite_token(token, drop_x509):
    """The time-stamp token with an attribute certificate added to its certificates (SignedData version 4, as RFC
    5652 5.1 asks); drop_x509: without its X.509 certificates (the TSA's own among them)."""
    sd = children(content(content(children(content(token))[1])))
    i = next(k for k, f in enumerate(sd) if f[0] == 0xA0)
    certs = children(content(sd[i]))
    tsa = x509.load_der_x509_certificate(certs[0])
    if drop_x509:
        certs = [c for c in certs if c[0] != 0x30]
    sd[i] = tlv(0xA0, b"".join(certs + [attribute_certificate(tsa)]))
    sd[0] = tlv(0x02, b"\x04")
    return tlv(0x30, children(content(token))[0] + tlv(0xA0, tlv(0x30, b"".join(sd))))


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
    elif cmd in ("tst-attrcert", "tst-attrcert-no-tsa"):  # IN OUT: the signature time-stamp's token rewritten
        i = next(k for k, f in enumerate(cms.si) if f[0] == 0xA1)
        ua = children(content(cms.si[i]))
        for k, a in enumerate(ua):
            if content(a).startswith(OID_TST):
                token = content(children(content(a))[1])
                ua[k] = tlv(0x30, OID_TST + tlv(0x31, rewrite_token(token, cmd.endswith("no-tsa"))))
        cms.si[i] = tlv(0xA1, b"".join(ua))
    elif cmd in ("tst-octet", "tst-octet-plus"):  # IN OUT: the token wrapped in an OCTET STRING (-plus: that
        # attribute added before the original)
        i = next(k for k, f in enumerate(cms.si) if f[0] == 0xA1)
        ua = children(content(cms.si[i]))
        k = next(k for k, a in enumerate(ua) if content(a).startswith(OID_TST))
        wrapped = tlv(0x30, OID_TST + tlv(0x31, tlv(0x04, content(children(content(ua[k]))[1]))))
        ua[k:k + 1] = [wrapped, ua[k]] if cmd.endswith("plus") else [wrapped]
        cms.si[i] = tlv(0xA1, b"".join(ua))
    elif cmd == "pss":  # pss IN OUT KEY: RSASSA-PSS with SHA-512 (MGF1 SHA-512, salt 64), digestAlgorithm SHA-256
        key = serialization.load_pem_private_key(open(sys.argv[4], "rb").read(), None)
        sha512 = tlv(0x30, bytes.fromhex("0609608648016503040203") + b"\x05\x00")
        params = tlv(0x30, tlv(0xA0, sha512) + tlv(0xA1, tlv(0x30, bytes.fromhex("06092a864886f70d010108") + sha512))
                     + tlv(0xA2, tlv(0x02, b"\x40")))
        sig = key.sign(cms.signed_bytes(), padding.PSS(padding.MGF1(hashes.SHA512()), 64), hashes.SHA512())
        cms.set_sig_alg(tlv(0x30, bytes.fromhex("06092a864886f70d01010a") + params), sig)
    elif cmd == "plain-ecdsa":  # plain-ecdsa IN OUT KEY: BSI ecdsa-plain-SHA256, the value r||s
        key = serialization.load_pem_private_key(open(sys.argv[4], "rb").read(), None)
        r, s_ = decode_dss_signature(key.sign(cms.signed_bytes(), ec.ECDSA(hashes.SHA256())))
        n = (key.curve.key_size + 7) // 8
        plain_sha256 = tlv(0x30, bytes.fromhex("060a04007f00070101040103"))
        cms.set_sig_alg(plain_sha256, r.to_bytes(n, "big") + s_.to_bytes(n, "big"))
    elif cmd == "token":  # token IN OUT: the signature time-stamp token alone
        ua = children(content(next(f for f in cms.si if f[0] == 0xA1)))
        open(dst, "wb").write(next(content(children(content(a))[1]) for a in ua if content(a).startswith(OID_TST)))
        return
    elif cmd == "tbs":  # tbs IN TBS SIG: the signed bytes (signedAttrs as received, tagged SET) and the signature
        open(dst, "wb").write(cms.signed_bytes())
        open(sys.argv[4], "wb").write(content(next(f for f in cms.si if f[0] == 0x04)))
        return
    else:
        sys.exit("unknown command " + cmd)
    open(dst, "wb").write(cms.join())


if __name__ == "__main__":
    main()
