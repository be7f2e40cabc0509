#!/bin/bash
# samples/delivery/make-delivery.sh DEST: builds a small public-works electronic-delivery folder in DEST (which must not
# exist): the text files of tree/ (INDEX_C.XML in Shift_JIS naming INDE_C05.DTD, an SXF/P21 drawing) plus binary
# ones made here: a DWG-like drawing, a JPEG photo (Ghostscript) and a PDF report under a Japanese file name.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEST=${1:?usage: make-delivery.sh DEST}
[ ! -e "$DEST" ] || { echo "make-delivery.sh: $DEST exists" >&2; exit 1; }
cp -R "$HERE/tree" "$DEST"
# A DWG starts with its version string; the rest of this one is arbitrary binary (NULs and high bytes included).
printf 'AC1032\000\000\000\000\000\001\377\376\200\033PK\003\004' >"$DEST/DRAWINGF/D0001.DWG"
head -c 256 /dev/zero | tr '\000' '\245' >>"$DEST/DRAWINGF/D0001.DWG"
mkdir -p "$DEST/PHOTO/PIC"
printf '%%!PS\n<< /PageSize [32 24] >> setpagedevice 0.2 0.5 0.8 setrgbcolor 0 0 32 24 rectfill\n1 1 0 setrgbcolor 8 6 16 12 rectfill showpage\n' |
	gs -q -dSAFER -sDEVICE=jpeg -r72 -dJPEGQ=60 -o "$DEST/PHOTO/PIC/P0000001.JPG" -
mkdir -p "$DEST/OTHRS/ORG001"
cp "$HERE/../documents/report.pdf" "$DEST/OTHRS/ORG001/施工報告書.PDF"
