#!/usr/bin/env python3
# tests/verify/xml_attack.py: builds XML attack inputs for the verify tests (text-level edits, so the attacked file
# keeps everything else byte for byte).
#
# usage: xml_attack.py MODE IN OUT [OTHER]
#   amount       change the UBL cbc:PayableAmount (the invoice a reader sees)
#   wrap         XML signature wrapping: the Id-referenced root moves into a wrapper; a new root shows other data
#   dup-id       a second element with the referenced Id, holding other data (wrapping via duplicate Id)
#   tst-swap     replace the SignatureTimeStamp token with the one of OTHER (a time-stamp over another signature)
#   xxe          add a DOCTYPE with an external entity
#   bomb         add a DOCTYPE with an entity-expansion bomb
#   attlist      add a DOCTYPE declaring an ID attribute (could change what a Reference resolves to)
#   envelope     a genuine detached signature file (root ds:Signature) pasted into a forged invoice that it never
#                signed: wrapping by borrowing a seal whose References name files beside it
# Unsigned areas carrying forged business data (a UBL seal's XPath leaves its sig:UBLDocumentSignatures container out
# of the digest wherever the container is; every seal leaves its own ds:Signature out). FORGED is a
# cac:LegalMonetaryTotal/cbc:PayableAmount and a cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID:
#   ubl-move-after    the container cut out of ext:UBLExtensions and pasted right after it, FORGED inside it
#   ubl-move-end      the same, pasted at the end of the invoice
#   ubl-in-container  FORGED inside the container in place (before its sac:SignatureInformation)
#   ubl-in-info       FORGED inside sac:SignatureInformation in place
#   ubl-in-content    FORGED inside ext:ExtensionContent beside the container (covered: the digest breaks)
#   ubl-in-extension  FORGED inside ext:UBLExtension (covered: the digest breaks)
#   ubl-ns-trick      FORGED inside sac:SignatureInformation with its prefixes bound to the signature namespaces
#                     (a reader matching prefixes sees cac:/cbc:, the namespaces say sac:/sbc:)
#   ubl-second-sig    a second sac:SignatureInformation holding a ds:Signature whose ds:Object carries FORGED
#   ubl-attr-info     an attribute in a foreign namespace added to sac:SignatureInformation (unsigned element)
#   ubl-attr-covered  an attribute added to cac:LegalMonetaryTotal (covered: the digest breaks)
#   ubl-harmless      a comment, a processing instruction and whitespace added inside the container (no content)
#   object            an extra ds:Object carrying forged elements added to the seal (FatturaPA: a
#                     FatturaElettronicaBody with another ImportoTotaleDocumento; otherwise FORGED)
#   object-text       an extra ds:Object holding forged text only
#   comment-split     "<!---->" inserted into a covered amount (ImportoTotaleDocumento 12|20.00, PayableAmount 1|320000):
#                     C14N drops comments, lxml's .text and a DOM's first text node read "12" / "1"
#   cdata-split       the same amount's tail turned into a CDATA section (C14N writes it as text)
#   keyinfo           FORGED added inside ds:KeyInfo/ds:X509Data
#   unsigned-props    FORGED added inside xades:UnsignedSignatureProperties
#   split-text        the enveloped ds:Signature moved into the middle of a covered text (FatturaPA
#                     ImportoTotaleDocumento 1220.00 -> "12" SIGNATURE "20.00"; otherwise the first cbc:PayableAmount
#                     or the first element text): canonical text is unchanged, a reader of the first text node sees "12"
import re
import sys

NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_SAC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"
NS_SBC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"
FORGED = ('<cac:LegalMonetaryTotal xmlns:cac="%s" xmlns:cbc="%s"><cbc:PayableAmount currencyID="JPY">9900000'
          '</cbc:PayableAmount></cac:LegalMonetaryTotal><cac:PaymentMeans xmlns:cac="%s" xmlns:cbc="%s">'
          '<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>ATTACKER-0000666'
          '</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>' % (NS_CAC, NS_CBC, NS_CAC, NS_CBC))
CONTAINER = r"<(\w+:)?UBLDocumentSignatures[ >].*?</(\w+:)?UBLDocumentSignatures>"


def insert_after_open(data, tag_re, text):
    """text inserted right after the start tag matching tag_re (its first occurrence)."""
    m = re.search(tag_re, data)
    assert m, tag_re
    return data[:m.end()] + text + data[m.end():]


def insert_before(data, pat, text):
    m = re.search(pat, data)
    assert m, pat
    return data[:m.start()] + text + data[m.start():]


def unsigned(mode, data):
    if mode in ("ubl-move-after", "ubl-move-end"):
        m = re.search(CONTAINER, data, re.S)
        box = m.group(0)
        data = data[:m.start()] + data[m.end():]
        box = insert_after_open(box, r"<(\w+:)?UBLDocumentSignatures[^>]*>", FORGED)
        if mode == "ubl-move-after":
            return insert_after_open(data, r"</(\w+:)?UBLExtensions>", box)
        return insert_before(data, r"</Invoice>\s*$", box)
    if mode == "ubl-in-container":
        return insert_after_open(data, r"<(\w+:)?UBLDocumentSignatures[^>]*>", FORGED)
    if mode == "ubl-in-info":
        return insert_after_open(data, r"<(\w+:)?SignatureInformation[^>]*>", FORGED)
    if mode == "ubl-in-content":
        return insert_after_open(data, r"<(\w+:)?ExtensionContent[^>]*>", FORGED)
    if mode == "ubl-in-extension":
        return insert_before(data, r"<(\w+:)?ExtensionContent[ >]", FORGED)
    if mode == "ubl-ns-trick":
        tricked = FORGED.replace('xmlns:cac="%s"' % NS_CAC, 'xmlns:cac="%s"' % NS_SAC).replace(
            'xmlns:cbc="%s"' % NS_CBC, 'xmlns:cbc="%s"' % NS_SBC)
        return insert_after_open(data, r"<(\w+:)?SignatureInformation[^>]*>", tricked)
    if mode == "ubl-second-sig":
        second = ('<sac:SignatureInformation xmlns:sac="%s"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
                  'Id="Signature-2"><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue><ds:Object>%s'
                  '</ds:Object></ds:Signature></sac:SignatureInformation>' % (NS_SAC, FORGED))
        return insert_before(data, r"</(\w+:)?UBLDocumentSignatures>", second)
    if mode == "ubl-attr-info":
        return re.sub(r"<((\w+:)?SignatureInformation)([ >])",
                      r'<\1 xmlns:f="urn:example:forged" f:PayableAmount="9900000"\3', data, count=1)
    if mode == "ubl-attr-covered":
        return re.sub(r"<(cac:LegalMonetaryTotal)>", r'<\1 forged="9900000">', data, count=1)
    if mode == "ubl-harmless":
        data = insert_after_open(data, r"<(\w+:)?UBLDocumentSignatures[^>]*>",
                                 "\n  <!-- a comment -->\n  <?a-pi some data?>\n  ")
        return insert_before(data, r"</(\w+:)?UBLDocumentSignatures>", "\n  ")
    ds = re.search(r"<(\w+:)?Signature[^>]*xmldsig#", data).group(1) or ""
    sig_close = "</%sSignature>" % ds
    if mode == "object":
        if "FatturaElettronica" in data:
            forged = ('<FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento><ImportoTotaleDocumento>99000.00'
                      '</ImportoTotaleDocumento><Causale>IBAN IT00X0000000000000000666</Causale>'
                      '</DatiGeneraliDocumento></DatiGenerali></FatturaElettronicaBody>')
        else:
            forged = FORGED
        return insert_before(data, sig_close, "<%sObject>%s</%sObject>" % (ds, forged, ds))
    if mode == "object-text":
        return insert_before(data, sig_close, "<%sObject>PayableAmount 9900000 JPY to ATTACKER-0000666</%sObject>"
                             % (ds, ds))
    if mode == "split-text":
        m = re.search(r"<(\w+:)?Signature[^>]*xmldsig#.*?%s" % re.escape(sig_close), data, re.S)
        sig = m.group(0)
        data = data[:m.start()] + data[m.end():]
        t = re.search(r"<(ImportoTotaleDocumento|cbc:PayableAmount)[^>]*>(\d\d)", data) or \
            re.search(r"<[\w:]+[^>/]*>([^<\s]{2})", data)
        return data[:t.end()] + sig + data[t.end():]
    if mode in ("comment-split", "cdata-split"):
        m = re.search(r"(<(?:ImportoTotaleDocumento|cbc:PayableAmount)[^>]*>\d\d?)([\d.]+)<", data)
        tail = "<!---->" + m.group(2) if mode == "comment-split" else "<![CDATA[" + m.group(2) + "]]>"
        return data[:m.end(1)] + tail + data[m.end(2):]
    if mode == "keyinfo":
        return insert_before(data, r"</(\w+:)?X509Data>", FORGED)
    if mode == "unsigned-props":
        return insert_before(data, r"</(\w+:)?UnsignedSignatureProperties>", FORGED)
    return None


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, encoding="utf-8").read()
    if mode == "amount":
        data, n = re.subn(r"(<cbc:PayableAmount[^>]*>)(\d+)(<)", lambda m: m.group(1) + "1" + m.group(2) + m.group(3),
                          data, count=1)
        assert n == 1
    elif mode == "wrap":
        # <Invoice Id="inv">BODY<Signature/></Invoice> -> <Invoice>FORGED<Hidden><Invoice Id="inv">BODY</Invoice>
        # </Hidden><Signature/></Invoice>: the Reference #inv still resolves to the original, now hidden.
        m = re.search(r'<Invoice xmlns="urn:example:invoice" Id="inv">(.*?)(<Signature .*</Signature>)</Invoice>', data,
                      re.S)
        body, sig = m.group(1), m.group(2)
        forged = body.replace(">1000<", ">9000<")
        data = (data[:m.start()] + '<Invoice xmlns="urn:example:invoice">' + forged +
                '<Hidden><Invoice Id="inv">' + body + '</Invoice></Hidden>' + sig + '</Invoice>' + data[m.end():])
    elif mode == "dup-id":
        m = re.search(r'(<Invoice xmlns="urn:example:invoice" Id="inv">)', data)
        data = data[:m.end()] + '<Copy Id="inv"><Amount currency="JPY">9000</Amount></Copy>' + data[m.end():]
    elif mode == "tst-swap":
        other = open(sys.argv[4], encoding="utf-8").read()
        pat = r"(<(?:\w+:)?EncapsulatedTimeStamp[^>]*>)([^<]*)(<)"
        tok = re.search(pat, other).group(2)
        data, n = re.subn(pat, lambda m: m.group(1) + tok + m.group(3), data, count=1)
        assert n == 1
    elif mode in ("xxe", "bomb", "attlist"):
        m = re.search(r"<\?xml[^>]*\?>\s*", data)
        pos = m.end() if m else 0
        root = re.search(r"<([A-Za-z_][\w.:-]*)", data[pos:]).group(1)
        if mode == "attlist":
            dtd = '<!DOCTYPE %s [<!ATTLIST %s Ref ID #IMPLIED>]>\n' % (root, root)
        elif mode == "xxe":
            dtd = '<!DOCTYPE %s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' % root
        else:
            dtd = ('<!DOCTYPE %s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                   '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n' % root)
        data = data[:pos] + dtd + data[pos:]
    elif mode == "envelope":
        sig = re.search(r"<(\w+:)?Signature[ >].*</(\w+:)?Signature>", data, re.S).group(0)
        data = ('<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:example:invoice"><Payee>Attacker Ltd'
                '</Payee><Amount currency="JPY">9999999</Amount>' + sig + '</Invoice>\n')
    else:
        data = unsigned(mode, data)
        if data is None:
            sys.exit("unknown mode " + mode)
    open(dst, "w", encoding="utf-8").write(data)


if __name__ == "__main__":
    main()
