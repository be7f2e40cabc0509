#!/usr/bin/env python3
# tests/fuzz/mkcorpus.py: writes the hand-made seeds of the sealer targets' committed corpus (tests/fuzz/corpus/
# fuzz_pdf_seal, fuzz_xml_seal): small PDFs and XML documents covering the structures the sealers handle, each with
# the option prefix its target reads (README.md). Run once to (re)make them; the committed files are what CI uses.
# usage: mkcorpus.py CORPUS_DIR      (needs qpdf and openssl; the signed seed uses a throw-away key)
import os
import subprocess
import sys
import tempfile

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text(s):
    return stream(b"BT /F1 12 Tf 72 720 Td (" + s + b") Tj ET")


def pdf(objects, root=1, info=None, version=b"1.7", trailer_extra=b""):
    """objects: {num: body}; a classic cross-reference table, one section."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R " % (size, root)
    if info:
        out += b"/Info %d 0 R " % info
    out += trailer_extra + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def append(data, objects, root=1, size=None):
    """An incremental update (classic section) replacing or adding objects."""
    import re
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    old = int(re.findall(rb"/Size (\d+)", data)[-1])
    out = bytearray(data)
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objects):
        out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    size = size or max([old] + [n + 1 for n in objects])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, prev, xref)
    return bytes(out)


def simple():
    return pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
                   b" /Contents 4 0 R >>",
                4: text(b"Invoice 1: 1,000 JPY"),
                5: FONT,
                6: b"<< /Producer (eseal fuzz corpus) /Title <FEFF30C630B930C8> >>"}, info=6)


def pages_tree():
    """Two levels of /Pages with inherited MediaBox/Rotate/Resources, a CropBox, an indirect /Annots array shared by
    two pages, and a page whose /Rotate is 90 (the visible seal's geometry)."""
    return pdf({1: b"<< /Type /Catalog /Pages 2 0 R /PageMode /UseNone >>",
                2: b"<< /Type /Pages /Kids [3 0 R 10 0 R] /Count 3 /MediaBox [0 0 612 792]"
                   b" /Resources << /Font << /F1 5 0 R >> >> >>",
                3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots 7 0 R /CropBox [10 10 600 780] >>",
                4: text(b"page one"),
                5: FONT,
                6: b"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (note) >>",
                7: b"[6 0 R]",
                8: text(b"page two"),
                9: b"<< /Type /Page /Parent 10 0 R /Contents 8 0 R /Annots 7 0 R /Rotate 90 >>",
                10: b"<< /Type /Pages /Parent 2 0 R /Kids [9 0 R 11 0 R] /Count 2 /Rotate 270 >>",
                11: b"<< /Type /Page /Parent 10 0 R /Contents 8 0 R /MediaBox [0 0 842 595] /Rotate -90 >>"})


def form():
    """An AcroForm with an indirect /Fields array: a text field, a parent 'approval' whose kid 'seal' is an empty
    signature field with a /Lock (Include) and a separate widget kid, and a merged invisible signature field."""
    return pdf({1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
                   b" /Contents 4 0 R /Annots [8 0 R 11 0 R 12 0 R] >>",
                4: text(b"Approval form"),
                5: FONT,
                6: b"<< /Fields 7 0 R /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>",
                7: b"[8 0 R 9 0 R 12 0 R]",
                8: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V (1000) /Rect [72 600 272 620]"
                   b" /P 3 0 R /F 4 >>",
                9: b"<< /T (approval) /Kids [10 0 R] >>",
                10: b"<< /Parent 9 0 R /T (seal) /FT /Sig /Kids [11 0 R]"
                    b" /Lock << /Type /SigFieldLock /Action /Include /Fields [(amount)] >> >>",
                11: b"<< /Type /Annot /Subtype /Widget /Parent 10 0 R /Rect [300 100 500 170] /P 3 0 R /F 4 >>",
                12: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (hidden) /Rect [0 0 0 0] /P 3 0 R /F 132 >>"})


def certified():
    """Certified (DocMDP P 2) by an earlier signature: the sealer may add an approval seal, not a certification."""
    return pdf({1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >>"
                   b" /Perms << /DocMDP 7 0 R >> >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R] >>",
                4: text(b"certified"),
                6: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (cert) /V 7 0 R /Rect [0 0 0 0] /P 3 0 R /F 132 >>",
                7: b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30]"
                   b" /Contents <00> /Reference [<< /Type /SigRef /TransformMethod /DocMDP"
                   b" /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>] >>"})


def qpdf(src, dst, *args):
    subprocess.run(["qpdf", *args, src, dst], check=True)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    pdir, xdir = os.path.join(out, "fuzz_pdf_seal"), os.path.join(out, "fuzz_xml_seal")
    os.makedirs(pdir, exist_ok=True)
    os.makedirs(xdir, exist_ok=True)
    # PDF seeds: option bytes (see fuzz_pdf_seal.c), "field\n" when 0x08 is set, the document.
    with tempfile.TemporaryDirectory() as d:
        base = os.path.join(d, "simple.pdf")
        write(base, simple())
        write(os.path.join(d, "form.pdf"), form())
        docs = {"simple": simple(), "pages-tree": pages_tree(), "form": form(), "certified": certified(),
                "incremental": append(simple(), {4: text(b"Invoice 1: 2,000 JPY (corrected)"),
                                                 7: b"<< /Type /Annot /Subtype /Square /Rect [1 1 9 9] >>",
                                                 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                                                    b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R"
                                                    b" /Annots [7 0 R] >>"})}
        variants = {"objstm": ["--object-streams=generate"], "qdf": ["--qdf", "--object-streams=preserve"]}
        for name, args in variants.items():
            qpdf(base, os.path.join(d, name + ".pdf"), *args)
            docs[name] = open(os.path.join(d, name + ".pdf"), "rb").read()
        qpdf(os.path.join(d, "form.pdf"), os.path.join(d, "form-objstm.pdf"), "--object-streams=generate")
        docs["form-objstm"] = open(os.path.join(d, "form-objstm.pdf"), "rb").read()
        # AES-256 with user password "fuzz" (option 0x80 gives it); owner password something else.
        qpdf(base, os.path.join(d, "aes256.pdf"), "--encrypt", "fuzz", "owner-secret", "256", "--")
        docs["aes256"] = open(os.path.join(d, "aes256.pdf"), "rb").read()
        # ... and with an empty user password (opens without one, as most encrypted PDFs in the wild).
        qpdf(os.path.join(d, "form.pdf"), os.path.join(d, "aes256-owner.pdf"), "--encrypt", "", "owner-secret", "256",
             "--")
        docs["aes256-owner"] = open(os.path.join(d, "aes256-owner.pdf"), "rb").read()
        # A signed document (another key's signature: the seal is a second one) with classic and stream sections.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", os.path.join(d, "k.pem"), "-out", os.path.join(d, "c.pem"), "-days", "3650",
                        "-subj", "/O=Seed Org/CN=Seed Seal"], check=True, capture_output=True)
        for name in ("simple", "objstm"):
            src = os.path.join(d, name + ".pdf")
            write(src, docs[name])
            subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mkseed_pdf.py"),
                            src, os.path.join(d, name + "-signed.pdf"), os.path.join(d, "k.pem"),
                            os.path.join(d, "c.pem")], check=True)
            docs[name + "-signed"] = open(os.path.join(d, name + "-signed.pdf"), "rb").read()
    seeds = [("simple", b"\x00\x00", b""), ("simple-visible", b"\x41\x20", b""), ("pages-tree-last", b"\x03\x00", b""),
             ("pages-tree-page2", b"\x45\x08", b""), ("form-field", b"\x09\x01", b"approval.seal\n"),
             ("form-hidden", b"\x08\x02", b"hidden\n"), ("form-new", b"\x11\x00", b""),
             ("form-objstm-field", b"\x09\x04", b"approval.seal\n"), ("certified", b"\x01\x00", b""),
             ("incremental", b"\x31\x24", b""), ("objstm", b"\x01\x00", b""), ("qdf", b"\x20\x00", b""),
             ("aes256", b"\x81\x20", b""), ("aes256-owner", b"\x09\x20", b"approval.seal\n"),
             ("simple-signed", b"\x01\x00", b""), ("objstm-signed", b"\x00\x01", b"")]
    for name, opts, field in seeds:
        doc = docs[name.rsplit("-", 1)[0]] if name not in docs else docs[name]
        write(os.path.join(pdir, name + ".seed"), opts + field + doc)
    # XML seeds: option byte (see fuzz_xml_seal.c), the document.
    ubl = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
           b'Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:ext='
           b'"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"><ext:UBLExtensions>'
           b'<ext:UBLExtension><ext:ExtensionContent><x/></ext:ExtensionContent></ext:UBLExtension>'
           b'</ext:UBLExtensions><cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>A-1</cbc:ID>'
           b'<cac:AccountingSupplierParty'
           b' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"/></Invoice>\n')
    fattura = (b'<?xml version="1.0" encoding="UTF-8"?>\n<p:FatturaElettronica versione="FPR12" xmlns:p="http://ivaser'
               b'vizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"><FatturaElettronicaHeader><DatiTrasmissione>'
               b'<IdTrasmittente><IdPaese>IT</IdPaese></IdTrasmittente></DatiTrasmissione></FatturaElettronicaHeader>'
               b'<FatturaElettronicaBody><DatiGenerali/></FatturaElettronicaBody></p:FatturaElettronica>\n')
    generic = (b'<?xml version="1.0"?>\n<?pi data?>\n<!-- comment -->\n<r xmlns="urn:a" xmlns:b="urn:b" xml:lang="en">'
               b'<b:x b:attr="1" Id="x1">t&amp;<![CDATA[<raw>]]></b:x><y xmlns=""/></r>\n')
    dtd = (b'<?xml version="1.0" standalone="no"?>\n<!DOCTYPE r [\n<!ELEMENT r ANY>\n<!ATTLIST r id ID #IMPLIED '
           b'kind CDATA "default">\n<!ENTITY co "Sample &amp; Co.">\n]>\n<r id="r1">&co;</r>\n')
    sjis = '<?xml version="1.0" encoding="Shift_JIS"?>\n<索引><項目 番号="1">図面 第一版</項目></索引>\n'
    sjis = sjis.encode("shift_jis")
    utf16 = '<?xml version="1.0" encoding="UTF-16"?>\n<a>ü 日本</a>\n'.encode("utf-16")
    bom = b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<a>bom \xc3\xbc</a>\n'
    nodecl = b'<a><b/></a>'
    signed = (b'<?xml version="1.0"?>\n<r><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="s1">'
              b'<ds:SignedInfo/></ds:Signature></r>\n')
    deep = b"<?xml version='1.0'?>" + b"<d>" * 300 + b"</d>" * 300
    utf7 = b'<?xml version="1.0" encoding="UTF-7"?>\n<a>x</a>\n'
    for name, opt, doc in [("ubl", 1, ubl), ("ubl-enveloped", 0x08, ubl), ("fattura", 2, fattura),
                           ("generic", 0, generic), ("generic-sha512", 0x10, generic), ("dtd", 0, dtd),
                           ("shift-jis", 0, sjis), ("utf16", 0, utf16), ("utf8-bom", 3, bom), ("no-decl", 0, nodecl),
                           ("signed-force", 4, signed), ("signed", 0, signed), ("deep", 0, deep),
                           ("utf7-unwritable", 0, utf7)]:
        write(os.path.join(xdir, name + ".seed"), bytes([opt]) + doc)


if __name__ == "__main__":
    main()
