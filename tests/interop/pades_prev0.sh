#!/bin/bash
# tests/interop/pades_prev0.sh: six signatures in six updates, the last update's trailer writing /Prev 0, so the
# chain read from the last startxref no longer reaches the five before it (QPDF reads that one section; Poppler
# finds no section at offset 0 and rebuilds the file, then validates all six). eseal reads the earlier revisions on
# from their startxref markers and reports all six, with a warning saying so. Siblings that still fail: a
# content stream replaced in the update before the last signature (the five earlier signatures: modified), a byte
# of the third signature's revision changed (third to sixth: HASH_FAILURE), the content stream redefined where no
# section names it (what Poppler's rebuilding shows, not what the sections say: no signature passes), and a
# signature dictionary no field names is not reported.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
MAKE="python3 $ESEAL_SRC/tests/interop/pades_prev0.py"
PDF=$SAMPLES/documents/report.pdf
WARN="stops at the section at offset [0-9]+ \(/Prev 0 or none\), short of the file's earlier revisions"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$DEV_CHAIN" "$2"
}
n_seals() { jf "len(d['seals'])"; }
pdfsig_valid() { # FILE: how many signatures pdfsig finds valid
	pdfsig -nocert "$1" 2>/dev/null | grep -c "Signature is Valid" || true
}

$MAKE "$PDF" "$D/prev0.pdf" "$DEV_KEY" "$DEV_CHAIN"
grep -aq "/Prev 0 >>" "$D/prev0.pdf" || fail "the sample's last trailer has no /Prev 0"
# The referees: Poppler rebuilds the file and finds six valid signatures; qpdf reads the last section only and
# warns about the objects it then lacks (exit 3), as it judges any file with a dangling reference.
[ "$(pdfsig_valid "$D/prev0.pdf")" = 6 ] || fail "pdfsig: $(pdfsig -nocert "$D/prev0.pdf" 2>&1 | head -40)"
expect_exit 3 qpdf --check "$D/prev0.pdf"
grep -q "Riverside bridge retrofit" <(pdftotext "$D/prev0.pdf" -) || fail "Poppler does not show the document's text"
vjson 0 "$D/prev0.pdf"
[ "$(n_seals)" = 6 ] || fail "$(n_seals) seals reported, want 6: $(head -c 1500 "$OUT")"
for i in 0 1 2 3 4 5; do
	expect_seal $i TOTAL-PASSED None
	[ "$(jf "d['seals'][$i]['id']")" = "Signer$((i + 1))" ] || fail "seal $i is $(jf "d['seals'][$i]['id']")"
	grep -Eq "$WARN" <<<"$(jf "'\n'.join(d['seals'][$i]['warnings'])")" || fail "seal $i: no warning about the chain"
done
pass "/Prev 0 in the last update: all six signatures reported TOTAL-PASSED, as pdfsig finds them, with a warning"

# Sibling: the content stream replaced in an update before the sixth signature. Poppler shows the new text and
# calls all six valid (each over its own bytes); the five earlier signatures no longer hold what is shown.
$MAKE "$PDF" "$D/shadow.pdf" "$DEV_KEY" "$DEV_CHAIN" shadow
[ "$(pdfsig_valid "$D/shadow.pdf")" = 6 ] || fail "pdfsig (shadow): $(pdfsig -nocert "$D/shadow.pdf" 2>&1 | head -40)"
grep -q "9,999,999 EUR" <(pdftotext "$D/shadow.pdf" -) || fail "Poppler does not show the replaced text"
vjson 1 "$D/shadow.pdf"
[ "$(n_seals)" = 6 ] || fail "$(n_seals) seals reported, want 6"
for i in 0 1 2 3 4; do
	expect_seal $i TOTAL-FAILED None "modified after sealing: page content stream"
done
expect_seal 5 TOTAL-PASSED None
pass "a content stream replaced before the /Prev 0 update: the five earlier signatures TOTAL-FAILED, modified"

# Sibling: one byte of the third signature's revision changed (its /M): pdfsig and eseal both refuse the third
# to the sixth signature (each covers that byte).
python3 - "$D/prev0.pdf" "$D/flip.pdf" <<'PY'
import re, sys
data = bytearray(open(sys.argv[1], "rb").read())
m = list(re.finditer(rb"/M \(D:2026", data))[2]  # the third signature dictionary's
data[m.start() + 6:m.start() + 7] = b"1"
open(sys.argv[2], "wb").write(bytes(data))
PY
[ "$(pdfsig -nocert "$D/flip.pdf" 2>/dev/null | grep -c "Digest Mismatch")" = 4 ] ||
	fail "pdfsig (flip): $(pdfsig -nocert "$D/flip.pdf" 2>&1 | head -40)"
vjson 1 "$D/flip.pdf"
[ "$(n_seals)" = 6 ] || fail "$(n_seals) seals reported, want 6"
for i in 2 3 4 5; do
	expect_seal $i TOTAL-FAILED HASH_FAILURE
done
pass "a byte of the third revision changed: third to sixth signature HASH_FAILURE, as pdfsig judges them"

# Sibling: the content stream redefined after the fifth revision where no section names it. Poppler's rebuilding
# takes it (the text shown changes, all six "valid"); the revisions eseal reads do not: no signature may pass.
$MAKE "$PDF" "$D/orphan.pdf" "$DEV_KEY" "$DEV_CHAIN" orphan
[ "$(pdfsig_valid "$D/orphan.pdf")" = 6 ] || fail "pdfsig (orphan): $(pdfsig -nocert "$D/orphan.pdf" 2>&1 | head -40)"
grep -q "9,999,999 EUR" <(pdftotext "$D/orphan.pdf" -) || fail "Poppler does not show the orphan's text"
vjson 2 "$D/orphan.pdf"
[ "$(n_seals)" = 6 ] || fail "$(n_seals) seals reported, want 6"
for i in 0 1 2 3 4 5; do
	expect_seal $i INDETERMINATE FORMAT_FAILURE "object [0-9]+ is defined at offset [0-9]+, where no cross-reference section"
done
pass "a definition only a rebuilding reader sees: every signature INDETERMINATE, none passes"

# Sibling: a signature dictionary (a copy of the first, its /ByteRange and /Contents included) that no field
# names: pdfsig lists six, eseal reports six, none for the copy.
$MAKE "$PDF" "$D/hidden.pdf" "$DEV_KEY" "$DEV_CHAIN" hidden
[ "$(grep -ac "/Type /Sig " "$D/hidden.pdf")" = 7 ] || fail "the sample has no seventh signature dictionary"
[ "$(pdfsig -nocert "$D/hidden.pdf" 2>/dev/null | grep -c "^Signature #")" = 6 ] || fail "pdfsig (hidden)"
vjson 0 "$D/hidden.pdf"
[ "$(n_seals)" = 6 ] || fail "$(n_seals) seals reported for the hidden copy, want 6"
pass "a signature dictionary no field names: not reported (pdfsig agrees)"

# Not a break: /Prev 0 in the first (only) section's trailer, as producers write "no previous section", then one
# signature: nothing to read on from, no warning.
python3 - "$PDF" "$D/first.pdf" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
at = d.index(b"<<", d.rindex(b"trailer")) + 2
open(sys.argv[2], "wb").write(d[:at] + b" /Prev 0" + d[at:])  # (after the table: no offset moves)
PY
python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import pdf_sign; pdf_sign.main(*sys.argv[2:])" \
	"$ESEAL_SRC/tests/interop" "$D/first.pdf" "$D/first-signed.pdf" ETSI.CAdES.detached "$DEV_KEY" "$DEV_CHAIN"
[ "$(pdfsig_valid "$D/first-signed.pdf")" = 1 ] || fail "pdfsig (first /Prev 0)"
vjson 0 "$D/first-signed.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "len(d['seals'][0]['warnings'])")" = 0 ] || fail "warnings on a first-section /Prev 0: $(head -c 800 "$OUT")"
pass "/Prev 0 in the first section's trailer: TOTAL-PASSED, no warning"
