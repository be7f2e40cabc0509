#!/bin/bash
# tests/asic/asic_long_term.sh: long-term seals over sets of files: ASiC-E (XAdES; CAdES with ASiCManifest), ASiC-S
# and the folder seal sealed at B-LT/B-LTA and extended B-T -> B-LT -> B-LTA -> renewed, against a private fixture
# whose root CA publishes a CRL whenever asked (validation data newer than the seal's time-stamp). Referees: zipinfo
# and zipfile (mimetype first, stored), xmlsec1 --verify of the extracted XAdES with the data files, the ASiC and
# XAdES XSDs, openssl ocsp -respin / openssl crl on every embedded value, openssl ts -verify of each archive
# time-stamp over its input recomputed by Python (tests/xml/xades_ltv_check.py with the container's files,
# tests/cms/cades_referee.py with the ASiCManifest), openssl cms -verify -cades; the TS 119 102-2 XSD on the XML
# report. Then a changed file (named, extension refused), offline three years on (--at), the unpacking caps.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/asic/lib.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
LTV="$PY $ESEAL_SRC/tests/xml/xades_ltv_check.py"
REF="$PY $ESEAL_SRC/tests/cms/cades_referee.py"
XCHECK="$PY $ESEAL_SRC/tests/xml/xades_check.py"

P=$D/env
ESEAL_DEMO_PUBLISH_CRL=1 bash "$ESEAL_SRC/tests/lib/testenv-up.sh" "$P" >"$D/env.log" 2>&1 ||
	{ cat "$D/env.log" >&2; fail "private fixture"; }
trap 'bash "$ESEAL_SRC/tests/lib/testenv-down.sh" "$P" >/dev/null 2>&1 || true; _eseal_cleanup' EXIT
# From here on every helper (start_tsa, demo_tsa_cert, verify_json) works on the private fixture.
export SOFTHSM2_CONF=$P/softhsm2.conf ESEAL_CONFIG=$P/eseal.conf ESEAL_TESTENV=$P
TE=$P
PKI=$P/pki
ROOT=$PKI/root.pem
CA=$PKI/ca.pem
TSA_CHAIN=$PKI/tsa-chain.pem
TSA_URL=$(cat "$P/tsa.url")

delivery "$D/delivery"
sums "$D/delivery" >"$D/before.sum"
FILES="DRAWINGF/D0001.DWG DRAWINGF/D0001.P21 INDEX_C.XML INDE_C05.DTD OTHRS/ORG001/施工報告書.PDF PHOTO/PIC/P0000001.JPG"

# unpack CONTAINER DIR: unzip (not our code) into a new DIR.
unpack() { rm -rf "$2" && mkdir "$2" && (cd "$2" && unzip -q "$1") || fail "unzip $1"; }

# values_ok ORIGIN DIR: every OCSP response in DIR/ocsp-*.der good and readable by openssl ocsp, every CRL by openssl
# crl; at least NMIN responses (the seal's and the TSA's chains).
values_ok() {
	local what=$1 dir=$2 nmin=$3 n=0 f
	for f in "$dir"/ocsp-*.der; do
		[ -e "$f" ] || continue
		openssl ocsp -respin "$f" -resp_text -noverify >"$D/ocsp.txt" 2>&1 || fail "$what: $f: openssl ocsp: $(cat "$D/ocsp.txt")"
		grep -q "OCSP Response Status: successful" "$D/ocsp.txt" || fail "$what: unsuccessful OCSP response"
		grep -q "Cert Status: good" "$D/ocsp.txt" || fail "$what: an OCSP response is not good: $(cat "$D/ocsp.txt")"
		n=$((n + 1))
	done
	[ "$n" -ge "$nmin" ] || fail "$what: $n OCSP responses, want $nmin at least"
	for f in "$dir"/crl-*.der; do
		[ -e "$f" ] || continue
		openssl crl -inform DER -in "$f" -noout 2>"$D/crl.log" || fail "$what: $f: openssl crl: $(cat "$D/crl.log")"
	done
}

# xades_ok WHAT SIG BASE NATS: the XAdES SIG (absolute, or relative to BASE) over the files below BASE: xmlsec1, the XAdES 1.4.1 XSD, its validation
# data, and NATS archive time-stamps each verified by openssl ts over the input recomputed with the files' bytes.
xades_ok() {
	local what=$1 sig=$2 base=$3 nats=$4 i hex
	xmlsec1_verify "$sig" "$base" || fail "$what: xmlsec1 --verify: $(cat "$D/xmlsec.log")"
	[ "${sig#/}" != "$sig" ] || sig=$base/$sig
	$XCHECK extract "$sig" qp "$D/qp.xml"
	xmllint --noout --nonet --schema "$XSD/XAdES01903v141-201601.xsd" "$D/qp.xml" 2>"$D/xsd.log" ||
		fail "$what: QualifyingProperties fail the XAdES schemas: $(cat "$D/xsd.log")"
	rm -rf "$D/values" && mkdir "$D/values"
	$LTV values "$sig" "$D/values" >"$D/values.txt" || fail "$what: validation data"
	grep -q "ats=$nats\$" "$D/values.txt" || fail "$what: want $nats archive time-stamps: $(cat "$D/values.txt")"
	values_ok "$what" "$D/values" 2
	for ((i = 0; i < nats; i++)); do
		hex=$($LTV ats "$sig" "$D/ats.der" "$i" "$base") || fail "$what: archive time-stamp $i"
		openssl ts -verify -digest "$hex" -in "$D/ats.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
			>"$D/ts.log" 2>&1 || fail "$what: archive time-stamp $i does not cover the files and the seal: $(cat "$D/ts.log")"
	done
}

# cades_ok WHAT P7S DATA NATS: openssl cms -verify -cades over DATA, the OCSP responses it carries, and NATS
# archive-time-stamp-v3 tokens verified by openssl ts over the imprint the referee computes with DATA.
cades_ok() {
	local what=$1 p7s=$2 data=$3 nats=$4 line
	openssl cms -verify -cades -binary -inform DER -in "$p7s" -content "$data" -CAfile "$ROOT" -certfile "$CA" \
		-purpose any -out /dev/null 2>"$D/cms.log" || fail "$what: openssl cms -verify -cades: $(cat "$D/cms.log")"
	rm -rf "$D/cv" && mkdir "$D/cv"
	$REF "$p7s" --data "$data" --ocsp "$D/cv/ocsp" --ats "$D/cv/ats" >"$D/ref.txt" || fail "$what: referee"
	values_ok "$what" "$D/cv" 2
	[ "$(grep -c '^ats ' "$D/ref.txt")" = "$nats" ] || fail "$what: want $nats archive time-stamps: $(cat "$D/ref.txt")"
	while read -r _ i hex idx; do
		[ "$idx" = index-ok ] || fail "$what: ats-hash-index-v3 of token $i does not match"
		openssl ts -verify -digest "$hex" -in "$D/cv/ats-$i.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
			>"$D/ts.log" 2>&1 || fail "$what: archive-time-stamp-v3 $i: $(cat "$D/ts.log")"
	done < <(grep '^ats ' "$D/ref.txt")
}

# level_ok WANT FILE [verify options]: offline, TOTAL-PASSED at level WANT, renew_by given, every file covered.
level_ok() {
	local want=$1 file=$2
	shift 2
	verify_json 0 "$file" --offline "$@"
	$PY - "$OUT" "$want" $FILES <<'PY' || fail "$file: $(head -c 1500 "$OUT")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
s = r["seals"][0]
assert r["indication"] == "TOTAL-PASSED" and s["level"] == sys.argv[2], (r["indication"], s["level"])
assert s["renew_by"], "no renew_by"
assert r["not_covered"] == [], r["not_covered"]
assert set(s["files"]) <= set(sys.argv[3:]) and s["files"], s["files"]
PY
}

# --- sealed at B-LTA / B-LT in one call ---------------------------------------------------------------------------------
"$ESEAL" seal -p demo --level B-LTA --container asice "$D/delivery" -o "$D/xs-lta.asice" || fail "seal ASiC-E XAdES B-LTA"
zip_form "$D/xs-lta.asice" application/vnd.etsi.asic-e+zip
unpack "$D/xs-lta.asice" "$D/u"
xmllint --noout --nonet --schema "$XSD/en_31916201v010101.xsd" "$D/u/META-INF/signatures001.xml" 2>"$D/xsd.log" ||
	fail "signatures001.xml fails the ASiC schema: $(cat "$D/xsd.log")"
xades_ok "ASiC-E XAdES B-LTA" META-INF/signatures001.xml "$D/u" 1
level_ok B-LTA "$D/xs-lta.asice"
pass "ASiC-E XAdES sealed at B-LTA: zip form, ASiC/XAdES XSDs, xmlsec1, OCSP/CRL values, openssl ts over the files, offline B-LTA"

"$ESEAL" seal -p demo --level B-LT --container asice --format cades "$D/delivery" -o "$D/cs-lt.asice" || fail "seal ASiC-E CAdES B-LT"
zip_form "$D/cs-lt.asice" application/vnd.etsi.asic-e+zip
unpack "$D/cs-lt.asice" "$D/u"
xmllint --noout --nonet --schema "$XSD/en_31916201v010101.xsd" "$D/u/META-INF/ASiCManifest001.xml" 2>"$D/xsd.log" ||
	fail "the ASiCManifest fails the schema: $(cat "$D/xsd.log")"
cades_ok "ASiC-E CAdES B-LT" "$D/u/META-INF/signature001.p7s" "$D/u/META-INF/ASiCManifest001.xml" 0
level_ok B-LT "$D/cs-lt.asice"
pass "ASiC-E CAdES sealed at B-LT: ASiCManifest XSD, openssl cms -cades, OCSP values, offline B-LT"

"$ESEAL" seal -p demo --level B-LTA --container asics --format cades "$D/delivery/INDEX_C.XML" -o "$D/cs-lta.asics" ||
	fail "seal ASiC-S CAdES B-LTA"
zip_form "$D/cs-lta.asics" application/vnd.etsi.asic-s+zip
unpack "$D/cs-lta.asics" "$D/u"
cades_ok "ASiC-S CAdES B-LTA" "$D/u/META-INF/signature.p7s" "$D/u/INDEX_C.XML" 1
level_ok B-LTA "$D/cs-lta.asics"
pass "ASiC-S CAdES sealed at B-LTA: archive-time-stamp-v3 over the file (openssl ts), offline B-LTA"

"$ESEAL" seal -p demo --level B-LTA --placement detached "$D/delivery" -o "$D/fs-lta.xades.xml" || fail "folder seal B-LTA"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "the folder changed while it was sealed"
[ -z "$(ls -A "$D" | grep '^\.eseal-bt' || true)" ] || fail "a private B-T file was left beside the output"
xades_ok "folder seal B-LTA" "$D/fs-lta.xades.xml" "$D/delivery" 1
level_ok B-LTA "$D/fs-lta.xades.xml" --data-dir "$D/delivery"
pass "folder seal at B-LTA: the folder unchanged, xmlsec1 from the folder, openssl ts over its files, offline B-LTA"

# --- eseal extend: B-T -> B-LT -> B-LTA -> renewed ------------------------------------------------------------------------
"$ESEAL" seal -p demo --container asice "$D/delivery" -o "$D/x-bt.asice" || fail "ASiC-E XAdES B-T"
"$ESEAL" seal -p demo --container asice --format cades "$D/delivery" -o "$D/c-bt.asice" || fail "ASiC-E CAdES B-T"
"$ESEAL" seal -p demo --container asics "$D/delivery/INDEX_C.XML" -o "$D/s-bt.asics" || fail "ASiC-S XAdES B-T"
"$ESEAL" seal -p demo --placement detached "$D/delivery" -o "$D/f-bt.xades.xml" || fail "folder seal B-T"
for f in x-bt.asice c-bt.asice s-bt.asics; do
	verify_json 2 "$D/$f" --offline
	[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "$f: $(head -c 800 "$OUT")"
done
sha256sum "$D"/*-bt.* >"$D/bt.sum"
for spec in x:asice c:asice s:asics; do
	k=${spec%%:*} ext=${spec##*:}
	expect_exit 0 "$ESEAL" extend -p demo --level B-LT "$D/$k-bt.$ext" -o "$D/$k-lt.$ext"
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA "$D/$k-lt.$ext" -o "$D/$k-lta1.$ext"
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA "$D/$k-lta1.$ext" -o "$D/$k-lta2.$ext"
	mime=application/vnd.etsi.asic-e+zip
	[ "$ext" = asice ] || mime=application/vnd.etsi.asic-s+zip
	zip_form "$D/$k-lta2.$ext" "$mime"
	level_ok B-LT "$D/$k-lt.$ext"
	level_ok B-LTA "$D/$k-lta2.$ext"
done
expect_exit 0 "$ESEAL" extend -p demo --level B-LT --data-dir "$D/delivery" "$D/f-bt.xades.xml" -o "$D/f-lt.xades.xml"
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --data-dir "$D/delivery" "$D/f-lt.xades.xml" -o "$D/f-lta1.xades.xml"
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --data-dir "$D/delivery" "$D/f-lta1.xades.xml" -o "$D/f-lta2.xades.xml"
level_ok B-LT "$D/f-lt.xades.xml" --data-dir "$D/delivery"
level_ok B-LTA "$D/f-lta2.xades.xml" --data-dir "$D/delivery"
sha256sum -c --quiet "$D/bt.sum" || fail "an input of eseal extend was modified"
sums "$D/delivery" | cmp -s - "$D/before.sum" || fail "the folder changed while its seal was extended"

# the renewed files, by the referees: two archive time-stamps each, the second over the first
unpack "$D/x-lta2.asice" "$D/u"
[ "$(cmp -s "$D/u/INDEX_C.XML" "$D/delivery/INDEX_C.XML" && echo same)" = same ] || fail "a data file changed in extension"
xades_ok "ASiC-E XAdES renewed" META-INF/signatures001.xml "$D/u" 2
unpack "$D/s-lta2.asics" "$D/u"
xades_ok "ASiC-S XAdES renewed" META-INF/signatures.xml "$D/u" 2
unpack "$D/c-lta2.asice" "$D/u"
cades_ok "ASiC-E CAdES renewed" "$D/u/META-INF/signature001.p7s" "$D/u/META-INF/ASiCManifest001.xml" 2
xades_ok "folder seal renewed" "$D/f-lta2.xades.xml" "$D/delivery" 2
pass "eseal extend B-T -> B-LT -> B-LTA -> renewed: ASiC-E XAdES/CAdES, ASiC-S, folder seal; inputs untouched; referees agree"

# in bulk: containers through the batch's output group, one JSON line each
(cd "$D" && "$ESEAL" extend -p demo --level B-LTA --json --out-dir "$D/renewed" x-lta2.asice c-lta2.asice s-lta2.asics) \
	>"$D/bulk.json" || fail "bulk extend: $(cat "$D/bulk.json")"
[ "$(grep -c '"status":"sealed".*"format":"ASiC","level":"B-LTA"' "$D/bulk.json")" = 3 ] || fail "bulk: $(cat "$D/bulk.json")"
for f in x-lta2.asice c-lta2.asice s-lta2.asics; do level_ok B-LTA "$D/renewed/$f"; done
pass "eseal extend --out-dir of three containers: three JSON lines, each renewed B-LTA"

# --renew-before: a seal whose time-stamp proves long enough is left alone
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 30d --json "$D/x-lta2.asice" -o "$D/x-lta3.asice"
assert_grep '"status":"current"' "$OUT"
assert_no_file "$D/x-lta3.asice"
pass "extend --renew-before 30d of a fresh B-LTA container: current, nothing written"

# --- a changed file: verification names it, extension refuses --------------------------------------------------------------
for f in x-lta2.asice c-lta2.asice; do
	$PY - "$D/$f" "$D/bad-$f" <<'PY'
import sys, zipfile
zi, zo = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], "w")
for i in zi.infolist():
    d = zi.read(i)
    zo.writestr(i, d + b"\n" if i.filename == "DRAWINGF/D0001.P21" else d)
PY
	expect_exit 1 "$ESEAL" verify --offline --trust "$ROOT" "$D/bad-$f"
	assert_grep 'TOTAL-FAILED' "$OUT"
	assert_grep 'file DRAWINGF/D0001.P21 changed' "$OUT"
	expect_exit 65 "$ESEAL" extend -p demo --level B-LTA "$D/bad-$f" -o "$D/bad2-$f"
	assert_grep 'DRAWINGF/D0001.P21 changed.*refused' "$ERR"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "one line expected: $(cat "$ERR")"
	assert_no_file "$D/bad2-$f"
done
cp -a "$D/delivery" "$D/changed"
printf 'x' >>"$D/changed/PHOTO/PIC/P0000001.JPG"
expect_exit 1 "$ESEAL" verify --offline --trust "$ROOT" --data-dir "$D/changed" "$D/f-lta2.xades.xml"
assert_grep 'file PHOTO/PIC/P0000001.JPG changed' "$OUT"
expect_exit 65 "$ESEAL" extend -p demo --level B-LTA --data-dir "$D/changed" "$D/f-lta2.xades.xml" -o "$D/bad.xades.xml"
assert_grep 'P0000001.JPG changed.*refused' "$ERR"
assert_no_file "$D/bad.xades.xml"
pass "a file changed after B-LTA: verify exit 1 naming it (ASiC-E XAdES, CAdES, folder); extend refused 65, no output"

# --- the TS 119 102-2 report: each covered file, and one no seal covers --------------------------------------------------
cp -a "$D/delivery" "$D/extra"
printf 'added later\n' >"$D/extra/OTHRS/added.txt"
expect_exit 2 "$ESEAL" verify --offline --trust "$ROOT" --data-dir "$D/extra" --report "$D/folder.xml" "$D/f-lta2.xades.xml"
expect_exit 0 "$ESEAL" verify --offline --trust "$ROOT" --report "$D/asice.xml" "$D/c-lta2.asice"
for r in folder asice; do
	xmllint --noout --nonet --schema "$XSD/1910202xmlSchema.xsd" "$D/$r.xml" 2>"$D/xsd.log" ||
		fail "$r report fails the TS 119 102-2 schema: $(cat "$D/xsd.log")"
done
$PY - "$D/folder.xml" "$D/asice.xml" $FILES <<'PY' || fail "TS 119 102-2 reports"
import sys, urllib.parse
from lxml import etree
ns = {"vr": "http://uri.etsi.org/19102/v1.4.1#", "e": "urn:eseal:report:1"}
for path, extra in ((sys.argv[1], ["OTHRS/added.txt"]), (sys.argv[2], [])):
    t = etree.parse(path)
    refs = t.find(".//vr:SignatureValidationReport/vr:SignersDocument/vr:SignersDocumentRepresentation", ns)
    ids = refs.get("VOReference").split()
    uris = []
    for i in ids:
        vo = t.find(".//vr:ValidationObject[@id='%s']" % i, ns)
        assert vo.findtext("vr:ObjectType", namespaces=ns) == "urn:etsi:019102:validationObject:signedData"
        uris.append(urllib.parse.unquote(vo.findtext("vr:ValidationObjectRepresentation/vr:URI", namespaces=ns)))
    assert sorted(uris) == sorted(sys.argv[3:]), (path, uris)
    assert [e.text for e in t.iterfind(".//e:NotCoveredFile", ns)] == extra, path
    assert t.findtext(".//e:Level", namespaces=ns) == "B-LTA", path
    assert t.findtext(".//e:RenewBy", namespaces=ns), path
PY
pass "TS 119 102-2 XML (XSD-valid): SignersDocument names a signedData object per covered file; the added file marked"

# --- three years on, offline: the fixture's TSA (two years) has expired ---------------------------------------------------
AT=$(date -u -d '+3 years' +%Y-%m-%d)
TSA_END=$(date -u -d "$(openssl x509 -in "$PKI/tsa.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
verify_json 2 "$D/x-bt.asice" --offline --at "$AT"
for f in x-lta2.asice c-lta2.asice; do
	verify_json 2 "$D/$f" --offline --at "$AT"
	[ "$(jf "d['seals'][0]['sub_indication']")" = OUT_OF_BOUNDS_NO_POE ] || fail "$f at $AT: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][0]['renew_by']")" = "$TSA_END" ] || fail "$f: renew_by is not the TSA's expiry $TSA_END"
done
demo_tsa_cert "Long TSA" 4 "$D/tsa4.key" "$D/tsa4.pem"
TSA4=$(start_tsa ok --signer "$D/tsa4.pem" "$D/tsa4.key")
for f in x-lta2.asice c-lta2.asice; do
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --tsa "$TSA4" "$D/$f" -o "$D/long-$f"
	verify_json 0 "$D/long-$f" --offline --at "$AT" --trust "$D/tsa4.pem"
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "long-$f at $AT: $(head -c 1500 "$OUT")"
done
pass "offline at $AT: B-T and B-LTA of an expired TSA fail (NO_POE, renew_by = $TSA_END); renewed by a 4-year TSA: pass"

# --- unpacking caps: entries, and the room in TMPDIR -----------------------------------------------------------------------
$PY - "$D/many.asice" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("mimetype", "application/vnd.etsi.asic-e+zip")
    for i in range(50001):
        z.writestr("d/%d" % i, "")
PY
expect_exit 65 "$ESEAL" verify --trust "$ROOT" "$D/many.asice"
assert_grep 'more than 50000 entries' "$ERR"
if [ "$(id -u)" = 0 ] && mkdir "$D/small" && mount -t tmpfs -o size=16k tmpfs "$D/small" 2>/dev/null; then
	rc=0
	TMPDIR=$D/small "$ESEAL" verify --offline --trust "$ROOT" "$D/x-lta2.asice" >"$OUT" 2>"$ERR" || rc=$?
	umount "$D/small"
	[ "$rc" = 74 ] || fail "TMPDIR too small: exit $rc, want 74: $(cat "$ERR")"
	assert_grep 'unpacking needs [0-9]+ bytes but .*small has [0-9]+ free' "$ERR"
	pass "caps: 50,001 entries refused (65); a TMPDIR too small for the container refused before unpacking (74)"
else
	pass "caps: 50,001 entries refused (65) (the TMPDIR room check needs root to mount a small tmpfs: skipped)"
fi
