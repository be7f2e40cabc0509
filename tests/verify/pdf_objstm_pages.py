#!/usr/bin/env python3
# tests/verify/pdf_objstm_pages.py: a three-page PDF whose page tree, pages and annotations sit in an object stream,
# or in a classic file outside any (what the verifier reads with its own lexer instead of QPDF), the media box
# inherited from the tree's root with an origin off (100, 200), for checks that must still see every page.
#
# usage: pdf_objstm_pages.py MODE OUT [LAYOUT]
#   clean   page 2 has a link annotation
#   dup     page 2 gives /Tabs twice, its link annotation /Border twice
#   widget  page 3 shows an unsigned signature widget that /AcroForm /Fields does not name
#   signed  the same widget with a value: a signature dictionary whose /ByteRange covers the first 100 bytes
# LAYOUT: objstm (default: those objects in an object stream, a cross-reference stream) or classic (every object
# in the file, a cross-reference table)
import sys

import pdf_build


def build(mode, layout):
    dup_page = b" /Tabs /R" if mode == "dup" else b""
    dup_link = b" /Border [0 0 1]" if mode == "dup" else b""
    in_stm = {
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /MediaBox [100 200 695 1042] >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >> >>",
        4: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >> /Tabs /S%s /Annots [7 0 R] >>" % dup_page,
        5: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Resources << >>%s >>"
        % (b" /Annots [8 0 R]" if mode in ("widget", "signed") else b""),
        7: b"<< /Type /Annot /Subtype /Link /Rect [150 250 300 280] /Border [0 0 0]%s /A << /S /URI "
        b"/URI (https://example.invalid/) >> >>" % dup_link,
        8: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (orphan) /Rect [0 0 0 0] /F 132 /P 5 0 R%s >>"
        % (b" /V 9 0 R" if mode == "signed" else b""),
    }
    if mode == "signed":
        in_stm[9] = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
                     b"/ByteRange [0 100 200 0] /Contents <%s> >>" % (b"00" * 50))
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    if layout == "classic":
        return pdf_build.classic_file({**in_stm, 1: catalog, 6: pdf_build.content_stream()})
    return pdf_build.objstm_file(in_stm, [(1, catalog), (6, pdf_build.content_stream())], 10)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    layout = sys.argv[3] if len(sys.argv) > 3 else "objstm"
    assert mode in ("clean", "dup", "widget", "signed"), mode
    assert layout in ("objstm", "classic"), layout
    with open(path, "wb") as f:
        f.write(build(mode, layout))


if __name__ == "__main__":
    main()
