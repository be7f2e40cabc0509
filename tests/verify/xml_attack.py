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
import re
import sys


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
        sys.exit("unknown mode " + mode)
    open(dst, "w", encoding="utf-8").write(data)


if __name__ == "__main__":
    main()
