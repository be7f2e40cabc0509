#!/bin/bash
# tests/interop/pades_struct_tree.sh: a tagged PDF sealed by eseal, then signed by a product that links its new
# signature widget into the structure tree as Acrobat does (a /StructElem /S /Form with an OBJR to
# the widget, appended to the document element; a /ParentTree entry; /ParentTreeNextKey moved on; the widget's
# /StructParent): the seal still passes, as pdfsig judges both signatures. Siblings that still fail: the same
# update also changing an existing element's /ActualText (what a screen reader reads) or its /K, or linking the
# earlier seal's widget instead of a new one.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
UPD="python3 $ESEAL_SRC/tests/interop/pades_updates.py"

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" --trust "$DEV_CHAIN" "$2"
}
pdfsig_valid() { # FILE N: pdfsig finds N signatures, all valid
	pdfsig -nocert "$1" >"$D/pdfsig.txt" 2>&1 || true
	[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq "$2" ] || fail "pdfsig on $(basename "$1"): $(cat "$D/pdfsig.txt")"
}
# struct_text FILE: what the structure tree gives a screen reader: each element's role and /ActualText, and the
# widgets it links (qpdf's JSON, not our parser).
struct_text() {
	qpdf --json=2 --json-key=qpdf "$1" | python3 -c '
import json, sys
objs = json.load(sys.stdin)["qpdf"][1]
for k, v in sorted(objs.items()):
    d = v.get("value") if isinstance(v, dict) else None
    if isinstance(d, dict) and "/S" in d:
        print(d["/S"], d.get("/ActualText", ""), d.get("/Alt", ""), json.dumps(d.get("/K")))'
}

$UPD make "$D/tagged.pdf" tagged
qpdf_ok "$D/tagged.pdf"
"$ESEAL" seal -p demo-bb -o "$D/sealed.pdf" "$D/tagged.pdf"
$UPD sign "$D/sealed.pdf" "$D/signed.pdf" "$DEV_KEY" "$DEV_CHAIN" struct
qpdf_ok "$D/signed.pdf"
pdfsig_valid "$D/signed.pdf" 2
struct_text "$D/signed.pdf" >"$D/struct.txt"
grep -q '^/Form .*Signature of the buyer.*/OBJR' "$D/struct.txt" ||
	fail "the widget is not linked into the structure tree: $(cat "$D/struct.txt")"
grep -q "Total due: 1,000 EUR" "$D/struct.txt" || fail "the paragraph's /ActualText is gone: $(cat "$D/struct.txt")"
vjson 0 "$D/signed.pdf"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "modified_after set"
jf "'\n'.join(d['seals'][0]['warnings'])" | grep "later changes permitted after a signature: signature" >/dev/null ||
	fail "no warning naming the permitted change: $(head -c 1500 "$OUT")"
pass "tagged PDF: the next signature's widget linked into the structure tree: both TOTAL-PASSED, as pdfsig judges"

# Siblings.
for mode in struct-alt struct-k struct-old; do
	$UPD sign "$D/sealed.pdf" "$D/$mode.pdf" "$DEV_KEY" "$DEV_CHAIN" "$mode"
	qpdf_ok "$D/$mode.pdf"
	pdfsig_valid "$D/$mode.pdf" 2
	vjson 1 "$D/$mode.pdf"
	expect_seal 0 TOTAL-FAILED None "modified after sealing: /StructElem \(object [0-9]+\) changed"
	expect_seal 1 TOTAL-PASSED None
done
struct_text "$D/struct-alt.pdf" | grep "Total due: 10 EUR" >/dev/null || fail "a screen reader would not read the new /ActualText"
pass "structure element /ActualText or /K changed, an existing widget linked: TOTAL-FAILED, modified"
