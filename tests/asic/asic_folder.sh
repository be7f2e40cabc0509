#!/bin/bash
# tests/asic/asic_folder.sh: a folder seal that changes nothing in the folder: `eseal seal --placement detached DIR`
# over the sample electronic-delivery folder (Shift_JIS INDEX_C.XML with its DTD, drawings, a photo, a PDF under a
# Japanese name), then `eseal verify --data-dir`: each file changed, removed or added is named. Referees: sha256sum of
# every file before/after, xmlsec1 --verify (References resolved from the folder), xmllint with the XAdES/XML-DSig XSDs.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/asic/lib.sh"

D=$(tmpdir)
delivery "$D/delivery"
sums "$D/delivery" >"$D/before.sum"
ls -laR "$D/delivery" | grep -v '^total' >"$D/before.ls"

# --- the seal, beside the folder --------------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --profile demo --placement detached "$D/delivery" -o "$D/delivery.xades.xml"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "the folder's bytes changed while it was sealed"
ls -laR "$D/delivery" | grep -v '^total' | cmp -s - "$D/before.ls" || fail "the folder's listing changed (a file added?)"
n=$(grep -c '<ds:Reference ' "$D/delivery.xades.xml")
[ "$n" -eq 7 ] || fail "expected 6 file References and SignedProperties, found $n"
for uri in INDEX_C.XML INDE_C05.DTD DRAWINGF/D0001.P21 DRAWINGF/D0001.DWG PHOTO/PIC/P0000001.JPG \
	'OTHRS/ORG001/%E6%96%BD%E5%B7%A5%E5%A0%B1%E5%91%8A%E6%9B%B8.PDF'; do
	grep -qF "URI=\"$uri\"" "$D/delivery.xades.xml" || fail "no Reference URI=\"$uri\" (relative to the folder, RFC 3986)"
done
want=$(openssl dgst -sha256 -binary "$D/delivery/INDEX_C.XML" | base64)
grep -qF "$want" "$D/delivery.xades.xml" || fail "INDEX_C.XML is not digested over its raw Shift_JIS bytes"
grep -q '<xades:MimeType>application/xml-dtd</xades:MimeType>' "$D/delivery.xades.xml" || fail "the DTD is not plain data"
xmlsec1_verify "$D/delivery.xades.xml" "$D/delivery" || fail "xmlsec1 rejects the folder seal: $(cat "$D/xmlsec.log")"
grep -q '^SignedInfo References (ok/all): 7/7' "$D/xmlsec.log" || fail "xmlsec1 did not check all 7 References"
$PY "$ESEAL_SRC/tests/xml/xades_check.py" extract "$D/delivery.xades.xml" qp "$D/qp.xml"
xmllint --noout --nonet --schema "$XSD/XAdES01903v132-201601.xsd" "$D/qp.xml" 2>"$D/xsd.log" ||
	fail "QualifyingProperties fail the XAdES schema: $(cat "$D/xsd.log")"
xmllint --noout --nonet --schema "$XSD/xmldsig-core-schema.xsd" "$D/delivery.xades.xml" 2>"$D/xsd.log" ||
	fail "the folder seal fails the XML-DSig schema: $(cat "$D/xsd.log")"
pass "folder seal beside the folder: 6 files by relative URI (Japanese name escaped), folder bytes unchanged, xmlsec1 OK"

# --- the recipient's check -------------------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/delivery" "$D/delivery.xades.xml"
assert_grep '^  folder: 0 file\(s\) not covered' "$OUT"
assert_grep 'covered: OTHRS/ORG001/施工報告書.PDF' "$OUT"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --json --data-dir "$D/delivery" "$D/delivery.xades.xml"
$PY - "$OUT" <<'PY' || fail "JSON report of the folder check"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["indication"] == "TOTAL-PASSED", r
assert r["container"] == "folder" and r["not_covered"] == [], r
assert sorted(r["seals"][0]["files"]) == sorted(["DRAWINGF/D0001.DWG", "DRAWINGF/D0001.P21", "INDEX_C.XML",
    "INDE_C05.DTD", "OTHRS/ORG001/施工報告書.PDF", "PHOTO/PIC/P0000001.JPG"]), r["seals"][0]["files"]
PY
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "verification changed the folder"
pass "eseal verify --data-dir: TOTAL-PASSED, every covered file listed (text and JSON), nothing uncovered"

# --- what the recipient must be told: each changed, missing and added file, by name -----------------------------------
cp -R "$D/delivery" "$D/changed"
printf 'x' >>"$D/changed/DRAWINGF/D0001.DWG"
printf ' ' >>"$D/changed/OTHRS/ORG001/施工報告書.PDF"
expect_exit 1 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/changed" "$D/delivery.xades.xml"
assert_grep 'HASH_FAILURE' "$OUT"
assert_grep 'file DRAWINGF/D0001.DWG changed after sealing' "$OUT"
assert_grep 'file OTHRS/ORG001/施工報告書.PDF changed after sealing' "$OUT"
! xmlsec1_verify "$D/delivery.xades.xml" "$D/changed" || fail "xmlsec1 accepts the folder with a changed drawing"
pass "two changed files: TOTAL-FAILED / HASH_FAILURE naming both (xmlsec1 agrees it fails)"

cp -R "$D/delivery" "$D/removed"
rm "$D/removed/PHOTO/PIC/P0000001.JPG"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/removed" "$D/delivery.xades.xml"
assert_grep 'SIGNED_DATA_NOT_FOUND' "$OUT"
assert_grep 'detached data file PHOTO/PIC/P0000001.JPG not read: not found' "$OUT"
pass "a removed photo: INDETERMINATE / SIGNED_DATA_NOT_FOUND naming it"

cp -R "$D/delivery" "$D/added"
printf 'not delivered\n' >"$D/added/PHOTO/PIC/P0000002.JPG"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/added" "$D/delivery.xades.xml"
assert_grep '^  folder: 1 file\(s\) not covered' "$OUT"
assert_grep 'NOT COVERED: PHOTO/PIC/P0000002.JPG' "$OUT"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --json --data-dir "$D/added" "$D/delivery.xades.xml"
assert_grep '"indication": "INDETERMINATE"' "$OUT"
assert_grep '"not_covered": \["PHOTO/PIC/P0000002.JPG"\]' "$OUT"
pass "an added file: INDETERMINATE, named as not covered (text and JSON)"

# A link planted in the folder is neither followed nor taken for a file.
cp -R "$D/delivery" "$D/linked"
rm "$D/linked/INDEX_C.XML"
ln -s "$D/delivery/INDEX_C.XML" "$D/linked/INDEX_C.XML"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/linked" "$D/delivery.xades.xml"
assert_grep 'INDEX_C.XML.*symbolic link' "$OUT"
expect_exit 65 "$ESEAL" seal --profile demo --placement detached "$D/linked" -o "$D/linked.xades.xml"
assert_grep 'INDEX_C.XML: a symbolic link is not sealed' "$ERR"
assert_no_file "$D/linked.xades.xml"
pass "a symbolic link in the folder: refused by the sealer, not followed by the verifier"

# --- usage: the seal never goes into the folder; a folder is sealed alone ---------------------------------------------
expect_exit 64 "$ESEAL" seal --profile demo --placement detached "$D/delivery" -o "$D/delivery/SIGN.xml"
assert_grep 'would be written inside it' "$ERR"
assert_no_file "$D/delivery/SIGN.xml"
expect_exit 64 "$ESEAL" seal --profile demo --placement detached "$D/delivery" "$D/before.sum" -o "$D/x.xml"
assert_grep 'a folder is sealed alone' "$ERR"
# B-LT on the shared fixture: its root CRL predates the seal, so no validation data can be had yet (69); the B-T file
# made on the way goes too (tests/asic/asic_long_term.sh seals folders at B-LT/B-LTA on a fixture that publishes).
crl_hold
expect_exit 69 "$ESEAL" seal --profile demo --level B-LT --trust "$ROOT" --placement detached "$D/delivery" -o "$D/x.xml"
crl_release
assert_grep 'CRL was issued .* before the time-stamp .*; the next one is due' "$ERR"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "a refused seal changed the folder"
assert_no_file "$D/x.xml"
[ -z "$(ls -A "$D" | grep '^\.eseal-bt' || true)" ] || fail "the private B-T file was left beside the output"
pass "refused: output inside the folder, a folder mixed with files; B-LT without fresh CRL 69 (nothing written, folder unchanged)"
