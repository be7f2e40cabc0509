#!/usr/bin/python3
# tests/xml/xades_check.py: independent checks of a sealed XML (lxml, i.e. libxml2 without our code or xmlsec):
# canonical content unchanged, XAdES structure and cross-references, extraction for xmllint/openssl referees.
import base64
import hashlib
import subprocess
import sys

from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"ds": DS, "xades": XADES, "ext": EXT, "cac": CAC}


def parse(path):
    # No network, no DTD loading; internal entities expanded (C14N cannot carry references). Trusted test files only.
    parser = etree.XMLParser(resolve_entities=True, no_network=True, load_dtd=False, huge_tree=True,
                             remove_blank_text=False, strip_cdata=False)
    return etree.parse(path, parser)


def die(msg):
    print("xades_check: " + msg, file=sys.stderr)
    sys.exit(1)


def c14n(tree):
    return etree.tostring(tree, method="c14n", exclusive=True, with_comments=True)


def remove(el):
    parent = el.getparent()
    if el.tail is not None:
        die("an added element carries trailing text: %r" % el.tail)
    parent.remove(el)


def our_signature(tree, sig_id=None):
    sigs = tree.findall(".//ds:Signature", NS) if tree.getroot().tag != "{%s}Signature" % DS else [tree.getroot()]
    if sig_id:
        sigs = [s for s in sigs if s.get("Id") == sig_id]
    if not sigs:
        die("no ds:Signature")
    return sigs[-1]


def cmd_unchanged(inp, out, placement, sig_id=None):
    """exc-c14n (with comments) of the input == that of the output once what the seal added is removed."""
    a, b = parse(inp), parse(out)
    sig = our_signature(b, sig_id)
    if placement == "ubl":
        ext = sig.getparent()
        while ext.tag != "{%s}UBLExtension" % EXT:
            ext = ext.getparent()
        exts = ext.getparent()
        remove(ext)
        if a.find("ext:UBLExtensions", NS) is None:
            if len(exts):
                die("ext:UBLExtensions holds more than our extension")
            remove(exts)
        had = len(a.getroot().findall("cac:Signature", NS))
        body = b.getroot().findall("cac:Signature", NS)
        if len(body) != had + 1:
            die("expected one cac:Signature added in the body, found %d (input had %d)" % (len(body), had))
        nxt = body[-1].getnext()
        if nxt is None or nxt.tag != "{%s}AccountingSupplierParty" % CAC:
            die("cac:Signature is not right before cac:AccountingSupplierParty")
        remove(body[-1])
    else:
        if sig.getparent() is not b.getroot() or sig.getnext() is not None:
            die("ds:Signature is not the last child of the root")
        remove(sig)
    if c14n(a) != c14n(b):
        die("canonical content outside the signature changed")
    print("canonical content unchanged")


def cmd_extract(out, what, dest, sig_id=None):
    sig = our_signature(parse(out), sig_id)
    el = sig if what == "signature" else sig.find("ds:Object/xades:QualifyingProperties", NS)
    if el is None:
        die("no " + what)
    with open(dest, "wb") as f:
        f.write(etree.tostring(el))


def cmd_structure(out, cert_pem, scheme, n_data_refs, sig_id=None):
    """Cross-references EN 319 132-1 requires, and the signing certificate's digest and IssuerSerialV2."""
    sig = our_signature(parse(out), sig_id)
    sid = sig.get("Id")
    if not sid:
        die("ds:Signature has no Id")
    si = sig.find("ds:SignedInfo", NS)
    if si.find("ds:CanonicalizationMethod", NS).get("Algorithm") != "http://www.w3.org/2001/10/xml-exc-c14n#":
        die("SignedInfo is not exclusive C14N")
    alg = si.find("ds:SignatureMethod", NS).get("Algorithm")
    want = {"rsa": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "ecdsa": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"}[scheme]
    if alg != want:
        die("SignatureMethod %s, expected %s" % (alg, want))
    qp = sig.find("ds:Object/xades:QualifyingProperties", NS)
    if qp is None or qp.get("Target") != "#" + sid:
        die("QualifyingProperties Target does not point at the signature")
    sp = qp.find("xades:SignedProperties", NS)
    refs = si.findall("ds:Reference", NS)
    spref = [r for r in refs if r.get("Type") == "http://uri.etsi.org/01903#SignedProperties"]
    if len(spref) != 1 or spref[0].get("URI") != "#" + sp.get("Id"):
        die("no single SignedProperties Reference to #" + str(sp.get("Id")))
    data = [r for r in refs if r.get("Type") is None]
    if len(data) != int(n_data_refs):
        die("%d data References, expected %s" % (len(data), n_data_refs))
    dofs = sp.findall("xades:SignedDataObjectProperties/xades:DataObjectFormat", NS)
    if sorted(d.get("ObjectReference") for d in dofs) != sorted("#" + r.get("Id") for r in data):
        die("DataObjectFormat ObjectReferences do not match the data References")
    for d in dofs:
        if not d.findtext("xades:MimeType", namespaces=NS):
            die("DataObjectFormat without MimeType")
    st = sp.findtext("xades:SignedSignatureProperties/xades:SigningTime", namespaces=NS)
    if not st or not st.endswith("Z"):
        die("SigningTime missing or not UTC: %r" % st)
    cert = sp.find("xades:SignedSignatureProperties/xades:SigningCertificateV2/xades:Cert", NS)
    der = subprocess.run(["openssl", "x509", "-in", cert_pem, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    if cert.find("xades:CertDigest/ds:DigestMethod", NS).get("Algorithm") != "http://www.w3.org/2001/04/xmlenc#sha256":
        die("CertDigest is not sha256")
    if base64.b64decode(cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=NS)) != hashlib.sha256(der).digest():
        die("CertDigest is not the SHA-256 of the signing certificate")
    is_der = base64.b64decode(cert.findtext("xades:IssuerSerialV2", namespaces=NS))
    parsed = subprocess.run(["openssl", "asn1parse", "-inform", "DER"], input=is_der, check=True,
                            capture_output=True).stdout.decode()
    serial = subprocess.run(["openssl", "x509", "-in", cert_pem, "-noout", "-serial"], check=True,
                            capture_output=True).stdout.decode().strip().split("=")[1]
    ints = [int(line.split(":")[-1], 16) for line in parsed.splitlines() if "prim: INTEGER" in line]
    if ints != [int(serial, 16)]:
        die("IssuerSerialV2 does not carry the certificate's serial %s:\n%s" % (serial, parsed))
    if "cont [ 4 ]" not in parsed:
        die("IssuerSerialV2 has no directoryName GeneralName:\n" + parsed)
    x509s = sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    if not x509s or base64.b64decode(x509s[0].text) != der:
        die("KeyInfo does not start with the signing certificate")
    print("structure ok: %d data reference(s), %d certificate(s) in KeyInfo" % (len(data), len(x509s)))


def cmd_timestamp(out, tok_path, sig_id=None):
    """Writes the EncapsulatedTimeStamp DER and prints SHA-256 of the exc-c14n ds:SignatureValue (lxml's C14N)."""
    sig = our_signature(parse(out), sig_id)
    ts = sig.find("ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/xades:UnsignedSignatureProperties/"
                  "xades:SignatureTimeStamp", NS)
    if ts is None:
        die("no SignatureTimeStamp")
    if ts.find("ds:CanonicalizationMethod", NS).get("Algorithm") != "http://www.w3.org/2001/10/xml-exc-c14n#":
        die("SignatureTimeStamp CanonicalizationMethod is not exclusive C14N")
    with open(tok_path, "wb") as f:
        f.write(base64.b64decode(ts.findtext("xades:EncapsulatedTimeStamp", namespaces=NS)))
    sv = sig.find("ds:SignatureValue", NS)
    print(hashlib.sha256(etree.tostring(sv, method="c14n", exclusive=True)).hexdigest())


def cmd_signedinfo(out, si_path, sv_path, sig_id=None):
    """Writes exc-c14n(SignedInfo) (lxml) and the raw SignatureValue, for checking the signature with openssl."""
    sig = our_signature(parse(out), sig_id)
    with open(si_path, "wb") as f:
        f.write(etree.tostring(sig.find("ds:SignedInfo", NS), method="c14n", exclusive=True))
    with open(sv_path, "wb") as f:
        f.write(base64.b64decode(sig.findtext("ds:SignatureValue", namespaces=NS)))


def cmd_sigid(out):
    print(our_signature(parse(out)).get("Id"))


if __name__ == "__main__":
    cmds = {"unchanged": cmd_unchanged, "extract": cmd_extract, "structure": cmd_structure,
            "timestamp": cmd_timestamp, "sigid": cmd_sigid,
            "signedinfo": cmd_signedinfo}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die("usage: xades_check.py {%s} ARGS" % "|".join(cmds))
    cmds[sys.argv[1]](*sys.argv[2:])
