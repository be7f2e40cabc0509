#!/bin/bash
# tests/interop/pades_libreoffice_hybrid.sh: LibreOffice's hybrid PDF names the ODF document it carries in the
# trailer's /AdditionalStreams (no PDF reader shows it). A signature over a revision whose trailer names that
# stream, defined later or rewritten later, still passes, as pdfsig judges it. Siblings that still fail: the page
# content stream named by /AdditionalStreams and rewritten; a font the signed trailer names too, rewritten.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
UPD="python3 $ESEAL_SRC/tests/interop/pades_updates.py"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$DEV_CHAIN" "$2"
}
pdfsig_valid() { # FILE N: pdfsig finds N signatures, all valid
	pdfsig -nocert "$1" >"$D/pdfsig.txt" 2>&1 || true
	[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq "$2" ] || fail "pdfsig on $(basename "$1"): $(cat "$D/pdfsig.txt")"
	[ "$(grep -c "^Signature #" "$D/pdfsig.txt")" -eq "$2" ] || fail "pdfsig counts other signatures: $(cat "$D/pdfsig.txt")"
}
NSS=$D/nss
dev_nss "$NSS"

for kind in hybrid-undefined hybrid; do
	$UPD make "$D/$kind.pdf" "$kind"
	# signed by a tool that writes the trailer's keys again (the hybrid keys stay in the signed revision)
	$UPD sign "$D/$kind.pdf" "$D/$kind-signed.pdf" "$DEV_KEY" "$DEV_CHAIN" keep-trailer
	grep -aq "/AdditionalStreams \[ /application#2Fvnd#2Eoasis#2Eopendocument#2Etext 6 0 R" "$D/$kind-signed.pdf" ||
		fail "the signed revision's trailer lost /AdditionalStreams"
	# LibreOffice writes the ODF stream (defines it, or rewrites it in place) with its trailer keys
	$UPD hybrid-define "$D/$kind-signed.pdf" "$D/$kind-defined.pdf"
	pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/$kind-defined.pdf" "$D/$kind-final.pdf" >/dev/null 2>&1 ||
		fail "pdfsig cannot sign $kind-defined.pdf"
	qpdf_ok "$D/$kind-final.pdf"
	pdfsig_valid "$D/$kind-final.pdf" 2
	vjson 0 "$D/$kind-final.pdf"
	expect_seal 0 TOTAL-PASSED None
	expect_seal 1 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "$kind: modified_after set"
	[ "$(pdftotext "$D/$kind-final.pdf" - | head -1)" = "Total due: 1,000 EUR" ] || fail "$kind: the page reads otherwise"
done
pass "LibreOffice hybrid: the ODF stream /AdditionalStreams names defined or rewritten later: TOTAL-PASSED, as pdfsig judges"

# Siblings: /AdditionalStreams naming the page content stream, which the update rewrites.
$UPD hybrid-define "$D/hybrid-signed.pdf" "$D/content.pdf" 4
pdfsig -nocert "$D/content.pdf" 2>&1 | grep "Signature is Valid" >/dev/null && pdfsig -nocert "$D/content.pdf" 2>&1 |
	grep "not the whole document\|Not total document signed" >/dev/null || fail "pdfsig does not say the update is unsigned"
[ "$(pdftotext "$D/content.pdf" - | head -1)" = "Total due: 10 EUR" ] || fail "Poppler does not show the rewritten text"
renders_differ "$D/hybrid-signed.pdf" "$D/content.pdf"
vjson 1 "$D/content.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: page content stream"
# A signed trailer that names the page's font too (it is a page resource all the same): redefined later.
sed 's|^/AdditionalStreams \[ \(.*\) 6 0 R$|/AdditionalStreams [ \1 6 0 R \1 5 0 R|' "$D/hybrid.pdf" >"$D/hybrid-font.pdf"
grep -aq " 5 0 R$" "$D/hybrid-font.pdf" || fail "the trailer does not name the font"
$UPD sign "$D/hybrid-font.pdf" "$D/font-signed.pdf" "$DEV_KEY" "$DEV_CHAIN" keep-trailer
python3 - "$D/font-signed.pdf" "$D/font.pdf" <<'PY'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.environ["ESEAL_SRC"], "tests", "verify"))
from pdf_attack import append_update
src, out = sys.argv[1:]
data = open(src, "rb").read()
font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"
open(out, "wb").write(append_update(data, src, {5: font}, data[data.rindex(b"/DocChecksum"):data.rindex(b"]") + 1]))
PY
vjson 0 "$D/font-signed.pdf"
expect_seal 0 TOTAL-PASSED None
renders_differ "$D/font-signed.pdf" "$D/font.pdf"
vjson 1 "$D/font.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: page resource"
pass "page content or a font named by /AdditionalStreams and rewritten: TOTAL-FAILED, modified (Poppler shows it)"
