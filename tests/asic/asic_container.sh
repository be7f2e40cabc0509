#!/bin/bash
# tests/asic/asic_container.sh: ASiC-E and ASiC-S containers (EN 319 162-1) of the sample delivery folder, XAdES and
# CAdES+ASiCManifest. Referees: zipinfo (`unzip -Z`) and Python's zipfile for the zip's form (mimetype first, stored,
# no extra field; UTF-8 flag on the Japanese name), unzip + xmlsec1 --verify on the XAdES (References resolved against
# the extracted tree), xmllint with the ASiC XSD (ASiCManifest, XAdESSignatures), openssl cms -verify on the .p7s.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/asic/lib.sh"

D=$(tmpdir)
delivery "$D/delivery"
sums "$D/delivery" >"$D/before.sum"
FILES="DRAWINGF/D0001.DWG DRAWINGF/D0001.P21 INDEX_C.XML INDE_C05.DTD OTHRS/ORG001/施工報告書.PDF PHOTO/PIC/P0000001.JPG"



# --- ASiC-E with XAdES (the default) ----------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --profile demo --container asice "$D/delivery" -o "$D/submission.asice"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "the folder changed while it was put in a container"
zip_form "$D/submission.asice" application/vnd.etsi.asic-e+zip
for f in $FILES META-INF/signatures001.xml; do
	grep -qE " $f\$" "$D/zipinfo.txt" || fail "no entry $f in the container: $(cat "$D/zipinfo.txt")"
done
grep -q ' defX .*施工報告書.PDF$' "$D/zipinfo.txt" || fail "the PDF is not stored under its Japanese name"
mkdir "$D/x" && (cd "$D/x" && unzip -q "$D/submission.asice")
for f in $FILES; do cmp -s "$D/x/$f" "$D/delivery/$f" || fail "$f differs after a round trip through the container"; done
xmlsec1_verify META-INF/signatures001.xml "$D/x" || fail "xmlsec1 rejects META-INF/signatures001.xml: $(cat "$D/xmlsec.log")"
grep -q '^SignedInfo References (ok/all): 7/7' "$D/xmlsec.log" || fail "xmlsec1 did not check the 6 files"
xmllint --noout --nonet --schema "$XSD/en_31916201v010101.xsd" "$D/x/META-INF/signatures001.xml" 2>"$D/xsd.log" ||
	fail "signatures001.xml fails the ASiC schema (asic:XAdESSignatures): $(cat "$D/xsd.log")"
$PY "$ESEAL_SRC/tests/xml/xades_check.py" extract "$D/x/META-INF/signatures001.xml" qp "$D/qp.xml"
xmllint --noout --nonet --schema "$XSD/XAdES01903v132-201601.xsd" "$D/qp.xml" 2>"$D/xsd.log" ||
	fail "QualifyingProperties fail the XAdES schema: $(cat "$D/xsd.log")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$D/submission.asice"
assert_grep '^  ASiC-E: 0 file\(s\) not covered' "$OUT"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --json "$D/submission.asice"
$PY - "$OUT" $FILES <<'PY' || fail "JSON report of the ASiC-E"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["indication"] == "TOTAL-PASSED" and r["container"] == "ASiC-E" and r["not_covered"] == [], r
assert r["seals"][0]["format"] == "XAdES" and r["seals"][0]["level"] == "B-T", r
assert sorted(r["seals"][0]["files"]) == sorted(sys.argv[2:]), r["seals"][0]["files"]
PY
# The extracted XAdES also verifies as a folder seal of the extracted tree (one format, two carriers).
rm -f "$D/x/mimetype"
mv "$D/x/META-INF/signatures001.xml" "$D/sig.xml" && rmdir "$D/x/META-INF"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --data-dir "$D/x" "$D/sig.xml"
pass "ASiC-E XAdES: zip form (zipinfo, zipfile), xmlsec1 on the extracted tree, ASiC and XAdES XSDs, eseal verify"

# --- the reports a recipient reads: which files the seal covers, and a file it does not -------------------------------
cp "$D/submission.asice" "$D/extra.asice"
$PY - "$D/extra.asice" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    z.writestr("OTHRS/added-later.txt", "slipped in after sealing\n")
PY
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --report "$D/ok.html" --lang en "$D/submission.asice"
assert_grep '6 files: ' "$D/ok.html"
assert_grep 'INDEX_C.XML' "$D/ok.html"
grep -q 'notcovered' "$D/ok.html" && fail "a container with every file sealed reports files not covered"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --report "$D/extra.html" --lang en "$D/extra.asice"
assert_grep 'class="why notcovered">Files no seal covers \(a recipient cannot rely on them\): OTHRS/added-later.txt<' "$D/extra.html"
assert_grep 'The container or folder holds files that no seal covers' "$D/extra.html"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --report "$D/extra.pdf" --lang ja "$D/extra.asice"
pdftotext -layout "$D/extra.pdf" "$D/extra.txt"
assert_grep 'どのeシールの対象にもなっていないファイル' "$D/extra.txt"
# The list may wrap at the hyphen.
assert_grep 'added-' "$D/extra.txt"
pass "reports of an ASiC-E name the files the seal covers, and a file added later (HTML; PDF in Japanese, pdftotext)"

# --- ASiC-E with CAdES and an ASiCManifest ------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --profile demo --container asice --format cades "$D/delivery" -o "$D/submission-cades.asice"
zip_form "$D/submission-cades.asice" application/vnd.etsi.asic-e+zip
mkdir "$D/y" && (cd "$D/y" && unzip -q "$D/submission-cades.asice")
xmllint --noout --nonet --schema "$XSD/en_31916201v010101.xsd" "$D/y/META-INF/ASiCManifest001.xml" 2>"$D/xsd.log" ||
	fail "the ASiCManifest fails the schema: $(cat "$D/xsd.log")"
openssl cms -verify -binary -inform DER -in "$D/y/META-INF/signature001.p7s" -content "$D/y/META-INF/ASiCManifest001.xml" \
	-CAfile "$ROOT" -certfile "$CA" -purpose any -out /dev/null 2>"$D/cms.log" ||
	fail "openssl cms rejects the .p7s over the manifest: $(cat "$D/cms.log")"
$PY - "$D/y" $FILES <<'PY' || fail "the manifest's digests are not the files'"
import base64, hashlib, sys, urllib.parse
from lxml import etree
ns = {"a": "http://uri.etsi.org/02918/v1.2.1#", "ds": "http://www.w3.org/2000/09/xmldsig#"}
m = etree.parse(sys.argv[1] + "/META-INF/ASiCManifest001.xml")
assert m.find("a:SigReference", ns).get("URI") == "META-INF/signature001.p7s"
seen = {}
for ref in m.findall("a:DataObjectReference", ns):
    name = urllib.parse.unquote(ref.get("URI"))
    assert ref.find("ds:DigestMethod", ns).get("Algorithm") == "http://www.w3.org/2001/04/xmlenc#sha256"
    seen[name] = ref.find("ds:DigestValue", ns).text
assert sorted(seen) == sorted(sys.argv[2:]), seen
for name, d in seen.items():
    assert base64.b64encode(hashlib.sha256(open(sys.argv[1] + "/" + name, "rb").read()).digest()).decode() == d, name
PY
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --json "$D/submission-cades.asice"
$PY - "$OUT" $FILES <<'PY' || fail "JSON report of the CAdES ASiC-E"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["indication"] == "TOTAL-PASSED" and r["container"] == "ASiC-E" and r["not_covered"] == [], r
assert r["seals"][0]["format"] == "CAdES", r
assert sorted(r["seals"][0]["files"]) == sorted(sys.argv[2:]), r["seals"][0]["files"]
PY
pass "ASiC-E CAdES: ASiCManifest valid against the XSD with the files' digests, openssl cms -verify, eseal verify"

# --- ASiC-S, one file, both forms ----------------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --profile demo --container asics "$D/delivery/INDEX_C.XML" -o "$D/index.asics"
zip_form "$D/index.asics" application/vnd.etsi.asic-s+zip
[ "$(zipinfo -1 "$D/index.asics" | tr '\n' ' ')" = "mimetype INDEX_C.XML META-INF/signatures.xml " ] ||
	fail "ASiC-S entries: $(zipinfo -1 "$D/index.asics")"
mkdir "$D/s" && (cd "$D/s" && unzip -q "$D/index.asics")
xmlsec1_verify META-INF/signatures.xml "$D/s" || fail "xmlsec1 rejects the ASiC-S XAdES: $(cat "$D/xmlsec.log")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$D/index.asics"
assert_grep 'covered: INDEX_C.XML' "$OUT"
assert_grep '^  ASiC-S: 0 file' "$OUT"
expect_exit 0 "$ESEAL" seal --profile demo --container asics --format cades "$D/delivery/INDEX_C.XML" -o "$D/index-c.asics"
zip_form "$D/index-c.asics" application/vnd.etsi.asic-s+zip
mkdir "$D/sc" && (cd "$D/sc" && unzip -q "$D/index-c.asics")
openssl cms -verify -binary -inform DER -in "$D/sc/META-INF/signature.p7s" -content "$D/sc/INDEX_C.XML" \
	-CAfile "$ROOT" -certfile "$CA" -purpose any -out /dev/null 2>"$D/cms.log" ||
	fail "openssl cms rejects the ASiC-S .p7s: $(cat "$D/cms.log")"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$D/index-c.asics"
assert_grep 'covered: INDEX_C.XML' "$OUT"
expect_exit 64 "$ESEAL" seal --profile demo --container asics "$D/delivery" -o "$D/many.asics"
assert_grep 'ASiC-S holds exactly one file' "$ERR"
assert_no_file "$D/many.asics"
pass "ASiC-S XAdES and CAdES over INDEX_C.XML (xmlsec1, openssl cms); several files refused"

# --- sealer refusals -------------------------------------------------------------------------------------------------------
expect_exit 64 "$ESEAL" seal --profile demo --container asice "$D/delivery" -o "$D/submission.asice"
assert_grep 'exists' "$ERR"
mkdir -p "$D/clash/a" "$D/clash/b" && echo 1 >"$D/clash/a/x.txt" && echo 2 >"$D/clash/b/x.txt"
expect_exit 65 "$ESEAL" seal --profile demo --container asice "$D/clash/a/x.txt" "$D/clash/b/x.txt" -o "$D/clash.asice"
assert_grep 'two inputs would be stored as "x.txt"' "$ERR"
mkdir -p "$D/reserved/META-INF" && echo 1 >"$D/reserved/META-INF/manifest.xml"
expect_exit 65 "$ESEAL" seal --profile demo --container asice "$D/reserved" -o "$D/reserved.asice"
assert_grep 'META-INF/manifest.xml" is a name ASiC reserves' "$ERR"
expect_exit 64 "$ESEAL" seal --profile demo --container zip "$D/delivery" -o "$D/z.asice"
expect_exit 64 "$ESEAL" seal --profile demo --container asice "$D/delivery" -o "$D/delivery/DRAWINGF/in.asice"
assert_grep 'the container of folder .* would be written inside it' "$ERR"
assert_no_file "$D/delivery/DRAWINGF/in.asice"
assert_no_file "$D/clash.asice"
assert_no_file "$D/reserved.asice"
ls -A "$D" | grep '^\.eseal-asic' >/dev/null && fail "a private directory was left beside the output"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "the folder changed"
pass "refused: an existing output, output inside the folder, two inputs of one name, a reserved name, an unknown container (nothing left behind)"
