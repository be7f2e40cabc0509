#!/usr/bin/env python3
# tests/verify/pdf_objstm_fields.py: a one-page form whose catalog, /AcroForm and fields sit in an object stream (or,
# in a classic file, outside any), which the verifier reads with its own lexer: signature fields it must find as
# QPDF and Poppler do, with signature values that do not verify (their listing is what is tested).
#
# usage: pdf_objstm_fields.py MODE OUT [LAYOUT]
#   names    a text field; a signature field named in UTF-16BE (U+65E5 U+672C) whose kid "kid1" holds the value and
#            inherits /FT; a field whose /FT is written /S#69g, named U+1F600 (a surrogate pair); a text widget
#            only the page names
#   escaped  the same, the last field named by a literal with an escape, (smile\051)
# LAYOUT: objstm (default) or classic
import sys

import pdf_build

SIG = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 100 200 0] "
       b"/Contents <%s> >>" % (b"00" * 50))


def objects(mode):
    name13 = b"(smile\\051)" if mode == "escaped" else b"<FEFFD83DDE00>"
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        3: b"<< /Fields [10 0 R 11 0 R 13 0 R] /SigFlags 3 >>",
        4: b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << >> /Annots [10 0 R 12 0 R 13 0 R 16 0 R] >>",
        10: b"<< /FT /Tx /T (Name) /V (Taro) /Type /Annot /Subtype /Widget /Rect [50 50 200 70] /P 4 0 R >>",
        11: b"<< /FT /Sig /T <FEFF65E5672C> /Kids [12 0 R] >>",
        12: b"<< /Parent 11 0 R /T (kid1) /V 20 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 4 0 R >>",
        13: b"<< /FT /S#69g /T %s /V 21 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 4 0 R >>"
        % name13,
        16: b"<< /FT /Tx /T (loose) /Type /Annot /Subtype /Widget /Rect [50 100 200 120] /P 4 0 R >>",
        20: SIG,
        21: SIG,
    }


def main():
    mode, path = sys.argv[1], sys.argv[2]
    layout = sys.argv[3] if len(sys.argv) > 3 else "objstm"
    assert mode in ("names", "escaped"), mode
    assert layout in ("objstm", "classic"), layout
    objs = objects(mode)
    with open(path, "wb") as f:
        if layout == "objstm":
            f.write(pdf_build.objstm_file(objs, [(5, pdf_build.content_stream())], 30))
        else:
            f.write(pdf_build.classic_file({**objs, 5: pdf_build.content_stream()}))


if __name__ == "__main__":
    main()
