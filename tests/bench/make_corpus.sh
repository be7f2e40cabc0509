#!/usr/bin/env bash
# tests/bench/make_corpus.sh: the realistic PDF corpus of the benchmarks, made from a PDF manual Debian ships and
# qpdf: one file per class of real-world PDF, so sealing and verification rates can be read per class.
#   make_corpus.sh OUTDIR   writes OUTDIR/<class>.pdf and prints "class pages bytes" lines
# Classes: objstm (the manual with object streams and a cross-reference stream, as pdfTeX writes it), classic (the
# same without: one classic xref table), linearized, form (the manual's pages with a form's fields and widgets),
# scanned (a few pages that are each one large image, drawings-style), pages1k (1,000+ pages, object streams).
set -euo pipefail

OUT=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT"

# The first manual found: libtasn1-doc's is a 36-page pdfTeX file with object streams (the issue's example), the
# others are fall-backs of other packages. Compressed ones are unpacked.
CANDIDATES="/usr/share/doc/libtasn1-doc/libtasn1.pdf /usr/share/doc/nettle-dev/nettle.pdf.gz
/usr/share/doc/bzip2/manual.pdf.gz /usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz /usr/share/doc/valgrind/valgrind_manual.pdf.gz"
MANUAL=
for c in $CANDIDATES; do
	[ -f "$c" ] || continue
	case $c in
	*.gz) zcat "$c" >"$OUT/manual.pdf" ;;
	*) cp "$c" "$OUT/manual.pdf" ;;
	esac
	MANUAL=$c
	break
done
if [ -z "$MANUAL" ]; then
	echo "make_corpus.sh: no Debian PDF manual found; install one: apt-get install --no-install-recommends libtasn1-doc" >&2
	exit 1
fi
command -v qpdf >/dev/null || { echo "make_corpus.sh: needs qpdf (apt-get install qpdf)" >&2; exit 1; }

# qpdf's --object-streams=generate is what pdfTeX and most producers write today; keeping the manual's own
# object streams when it has them, and generating them when it has none, makes the class the same on every machine.
qpdf --object-streams=generate "$OUT/manual.pdf" "$OUT/objstm.pdf"
qpdf --object-streams=disable "$OUT/manual.pdf" "$OUT/classic.pdf"
qpdf --linearize "$OUT/manual.pdf" "$OUT/linearized.pdf"
# A form: the manual's pages followed by make_form.py's two pages with their fields (qpdf --pages keeps a form's
# fields and widgets), so sealing walks a real /AcroForm on a multi-page file.
python3 "$SRC/tests/pdf/make_form.py" full "$OUT/form-src.pdf"
qpdf --empty --pages "$OUT/manual.pdf" "$OUT/form-src.pdf" -- --object-streams=generate "$OUT/form.pdf"
# Scanned drawings: 4 pages, each one uncompressed RGB image, 8 MB in all.
python3 "$SRC/tests/bench/make_big_pdf.py" "$OUT/scanned.pdf" 8 4
# 1,000+ pages: the manual repeated.
n=$(qpdf --show-npages "$OUT/manual.pdf")
reps=$(((1000 + n - 1) / n))
args=()
for _ in $(seq "$reps"); do args+=("$OUT/manual.pdf"); done
qpdf --empty --pages "${args[@]}" -- --object-streams=generate "$OUT/pages1k.pdf"
rm -f "$OUT/form-src.pdf"

for c in objstm classic linearized form scanned pages1k; do
	qpdf --check "$OUT/$c.pdf" >/dev/null 2>&1 || { echo "make_corpus.sh: qpdf --check fails on $c.pdf" >&2; exit 1; }
	echo "$c $(qpdf --show-npages "$OUT/$c.pdf") $(stat -c %s "$OUT/$c.pdf")"
done
echo "source: $MANUAL" >&2
