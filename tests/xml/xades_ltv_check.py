#!/usr/bin/python3
# tests/xml/xades_ltv_check.py: independent reading of XAdES B-LT/B-LTA seals with lxml (libxml2 without our code or
# xmlsec): the validation data written out for openssl, the ArchiveTimeStamp input of ETSI EN 319 132-1 5.5.2.2
# recomputed from the standard's text, and an edit of covered validation data.
import base64
import copy
import hashlib
import os
import sys
import urllib.parse

from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
UBLSIG = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
NS = {"ds": DS, "xades": XADES, "xadesv141": XADES141, "sig": UBLSIG}
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
USP = "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/xades:UnsignedSignatureProperties"


def die(msg):
    print("xades_ltv_check: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(path):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_blank_text=False)
    return etree.parse(path, parser)


def signature(tree):
    sigs = tree.findall(".//ds:Signature", NS) if tree.getroot().tag != "{%s}Signature" % DS else [tree.getroot()]
    if len(sigs) != 1:
        die("expected one ds:Signature, found %d" % len(sigs))
    return sigs[0]


def exc(el):
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def cmd_values(out, dest):
    """Writes every OCSP response, CRL and certificate the seal carries to dest; no container may be empty."""
    sig = signature(parse(out))
    usp = sig.find(USP, NS)
    if usp is None:
        die("no UnsignedSignatureProperties")
    for tag in ("xades:CertificateValues", "xades:RevocationValues", "xades:OCSPValues", "xades:CRLValues",
                "xadesv141:TimeStampValidationData"):
        for el in usp.iter("{%s}%s" % (NS[tag.split(":")[0]], tag.split(":")[1])):
            if len(el) == 0:
                die("empty %s" % tag)
    counts = {}
    for kind, tag in (("ocsp", "EncapsulatedOCSPValue"), ("crl", "EncapsulatedCRLValue"),
                      ("cert", "EncapsulatedX509Certificate")):
        items = usp.findall(".//xades:%s" % tag, NS)
        for i, el in enumerate(items):
            with open(os.path.join(dest, "%s-%d.der" % (kind, i)), "wb") as f:
                f.write(base64.b64decode(el.text))
        counts[kind] = len(items)
    tsvd = len(usp.findall("xadesv141:TimeStampValidationData", NS))
    ats = len(usp.findall("xadesv141:ArchiveTimeStamp", NS))
    print("ocsp=%d crl=%d cert=%d tsvd=%d ats=%d" % (counts["ocsp"], counts["crl"], counts["cert"], tsvd, ats))


def referenced_octets(tree, sig, ref, base=None):
    """The octets a ds:Reference digests, computed here from its URI and transforms; a detached file's (a relative
    URI without transforms, read below base: a container's root or a sealed folder) are its bytes."""
    uri = ref.get("URI")
    algs = [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform", NS)]
    if base is not None and uri and not uri.startswith("#") and not algs:
        name = urllib.parse.unquote(uri)
        if name.startswith("/") or ".." in name.split("/"):
            die("Reference %s leaves its folder" % uri)
        with open(os.path.join(base, name), "rb") as f:
            return f.read()
    if not algs or algs[-1] != EXC:
        die("Reference %s does not end with exclusive C14N" % uri)
    if uri == "":
        doc = copy.deepcopy(tree)
        mine = [s for s in doc.iter("{%s}Signature" % DS) if s.get("Id") == sig.get("Id")][0]
        if any(a.endswith("REC-xpath-19991116") for a in algs):  # UBL: its sig:UBLDocumentSignatures goes
            while mine.tag != "{%s}UBLDocumentSignatures" % UBLSIG:
                mine = mine.getparent()
        elif "http://www.w3.org/2000/09/xmldsig#enveloped-signature" not in algs:
            die("URI=\"\" Reference without the enveloped-signature transform")
        parent, prev = mine.getparent(), mine.getprevious()
        if mine.tail:  # the text after it stays in the document
            if prev is not None:
                prev.tail = (prev.tail or "") + mine.tail
            else:
                parent.text = (parent.text or "") + mine.tail
        parent.remove(mine)
        return etree.tostring(doc, method="c14n", exclusive=True, with_comments=False)
    if uri.startswith("#"):
        el = tree.xpath("//*[@Id=$id]", id=uri[1:])
        if len(el) != 1:
            die("Reference %s names %d elements" % (uri, len(el)))
        return exc(el[0])
    die("unsupported Reference URI %s" % uri)


def ats_input(tree, sig, ats, base=None):
    if ats.find("ds:CanonicalizationMethod", NS).get("Algorithm") != EXC:
        die("ArchiveTimeStamp CanonicalizationMethod is not exclusive C14N")
    data = b""
    for ref in sig.findall("ds:SignedInfo/ds:Reference", NS):
        data += referenced_octets(tree, sig, ref, base)
    for name in ("ds:SignedInfo", "ds:SignatureValue", "ds:KeyInfo"):
        el = sig.find(name, NS)
        if el is not None:
            data += exc(el)
    for prop in ats.getparent():
        if prop is ats:
            break
        if isinstance(prop.tag, str):
            data += exc(prop)
    for obj in sig.findall("ds:Object", NS):
        if obj.find("xades:QualifyingProperties", NS) is None:
            data += exc(obj)
    return data


def cmd_ats(out, tok_path, index="-1", base=None):
    """Writes the ArchiveTimeStamp token number index (default: the newest) and prints SHA-256 of its input; base:
    the folder a detached signature's files are relative to."""
    tree = parse(out)
    sig = signature(tree)
    all_ats = sig.findall(USP + "/xadesv141:ArchiveTimeStamp", NS)
    if not all_ats:
        die("no xadesv141:ArchiveTimeStamp")
    ats = all_ats[int(index)]
    with open(tok_path, "wb") as f:
        f.write(base64.b64decode(ats.findtext("xades:EncapsulatedTimeStamp", namespaces=NS)))
    print(hashlib.sha256(ats_input(tree, sig, ats, base)).hexdigest())


def cmd_tamper(out, dest):
    """Swaps the text of the first two EncapsulatedOCSPValue elements (still well-formed data) into dest."""
    tree = parse(out)
    vals = signature(tree).findall(USP + "//xades:EncapsulatedOCSPValue", NS)
    if len(vals) < 2:
        die("fewer than two OCSP values to swap")
    vals[0].text, vals[1].text = vals[1].text, vals[0].text
    tree.write(dest, xml_declaration=True, encoding=tree.docinfo.encoding)


def cmd_inject(out, dest):
    """Puts a business element (UBL cbc:PayableAmount) into the newest xadesv141:TimeStampValidationData."""
    tree = parse(out)
    tsvd = signature(tree).findall(USP + "/xadesv141:TimeStampValidationData", NS)
    if not tsvd:
        die("no TimeStampValidationData")
    el = etree.SubElement(tsvd[-1], "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
                          "PayableAmount", currencyID="JPY")
    el.text = "1.00"
    tree.write(dest, xml_declaration=True, encoding=tree.docinfo.encoding)


def cmd_empty(out, dest):
    """Appends an empty xades:CertificateValues and xades:RevocationValues (what a careless tool writes) to dest."""
    tree = parse(out)
    usp = signature(tree).find(USP, NS)
    etree.SubElement(usp, "{%s}CertificateValues" % XADES)
    etree.SubElement(usp, "{%s}RevocationValues" % XADES)
    tree.write(dest, xml_declaration=True, encoding=tree.docinfo.encoding)


def cmd_graft(bt, lt, dest):
    """An archive time-stamp over the B-T seal bt with the validation data of lt (the same seal at B-LT) appended
    after it: carried, not covered. Writes dest with the token still empty and prints SHA-256 of its input."""
    tree, lt_sig = parse(bt), signature(parse(lt))
    usp = signature(tree).find(USP, NS)
    ats = etree.SubElement(usp, "{%s}ArchiveTimeStamp" % XADES141, nsmap={"xadesv141": XADES141})
    etree.SubElement(ats, "{%s}CanonicalizationMethod" % DS, Algorithm=EXC)
    etree.SubElement(ats, "{%s}EncapsulatedTimeStamp" % XADES)
    digest = hashlib.sha256(ats_input(tree, signature(tree), ats)).hexdigest()
    for prop in lt_sig.find(USP, NS):
        if isinstance(prop.tag, str) and prop.tag != "{%s}SignatureTimeStamp" % XADES:
            usp.append(copy.deepcopy(prop))
    tree.write(dest, xml_declaration=True, encoding=tree.docinfo.encoding)
    print(digest)


def cmd_settoken(path, tok_path):
    tree = parse(path)
    et = signature(tree).find(USP + "/xadesv141:ArchiveTimeStamp/xades:EncapsulatedTimeStamp", NS)
    with open(tok_path, "rb") as f:
        et.text = base64.b64encode(f.read()).decode()
    tree.write(path, xml_declaration=True, encoding=tree.docinfo.encoding)


if __name__ == "__main__":
    cmds = {"values": cmd_values, "ats": cmd_ats, "tamper": cmd_tamper, "inject": cmd_inject, "empty": cmd_empty,
            "graft": cmd_graft, "settoken": cmd_settoken}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die("usage: xades_ltv_check.py {%s} ARGS" % "|".join(cmds))
    cmds[sys.argv[1]](*sys.argv[2:])
