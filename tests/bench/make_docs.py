#!/usr/bin/env python3
# tests/bench/make_docs.py: generates benchmark inputs: N small UBL 2.1 invoices, and a text-heavy PDF of a given size.
# Used by bulk.sh; the PDF is written by hand (classic xref) so no PDF library is needed.
import os
import sys

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:peppol:pint:billing-1@jp-1</cbc:CustomizationID>
  <cbc:ProfileID>urn:peppol:bis:billing</cbc:ProfileID>
  <cbc:ID>INV-{n:06d}</cbc:ID>
  <cbc:IssueDate>2026-11-23</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Sample Construction Co., Ltd.</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Customer {n}</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="JPY">{tax}</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="JPY">{total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="EA">{qty}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="JPY">{net}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Item {n}</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="JPY">1000</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


def invoices(count, outdir):
    os.makedirs(outdir, exist_ok=True)
    for n in range(count):
        qty = n % 50 + 1
        net = qty * 1000
        tax = net // 10
        with open(os.path.join(outdir, "inv-%06d.xml" % n), "w") as f:
            f.write(UBL.format(n=n, qty=qty, net=net, tax=tax, total=net + tax))


def pdf(size, path):
    lines = []
    y = 800
    body = []
    i = 0
    while sum(len(x) for x in body) < size:
        body.append("BT /F1 6 Tf 20 %d Td (Line %08d of the benchmark report: sealing throughput test data) Tj ET\n" % (y, i))
        i += 1
        y = 800 if y < 30 else y - 7
    content = "".join(body).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    if sys.argv[1] == "invoices":
        invoices(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "pdf":
        pdf(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit("usage: make_docs.py invoices N DIR | pdf BYTES FILE")
