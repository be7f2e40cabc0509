#!/bin/bash
# tests/cli/extend_bulk.sh: `eseal extend --out-dir D --json` over good B-T seals (PDF, XML, CAdES) mixed with bad
# files (unsigned, broken, revoked signer): one JSON line each, exit 65 (the earliest failure's class), the good ones
# at B-LTA (eseal verify --offline, qpdf, pdfsig, xmlsec1, openssl cms), no output for the bad, inputs untouched;
# anchors the chain does not reach: 78.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
DOCS=$SAMPLES/documents
mkdir "$D/in"
cd "$D"

# Good: eseal B-T seals of each format (the CAdES data file beside its .p7s, where extend looks for it).
"$ESEAL" seal -p demo -o in/a-good.pdf "$DOCS/report.pdf"
"$ESEAL" seal -p demo --placement ubl -o in/c-good.xml "$DOCS/invoice-ubl.xml"
head -c 50000 /dev/urandom >in/e-data.bin
"$ESEAL" seal -p demo --format cades -o in/e-data.bin.p7s in/e-data.bin
# Bad: a PDF without a seal, an XML seal whose amount changed, a seal by a revoked certificate.
cp "$DOCS/report.pdf" in/b-unsigned.pdf
sed 's/<cbc:PayableAmount currencyID="\([A-Z]*\)">[0-9.]*</<cbc:PayableAmount currencyID="\1">1.00</' \
	in/c-good.xml >in/d-broken.xml
cmp -s in/d-broken.xml in/c-good.xml && fail "the broken copy is unchanged"
"$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o in/f-revoked.pdf "$DOCS/report.pdf"
# Validation data must be issued after the seals' time-stamps.
sleep 1
publish_crl root

inputs=(in/a-good.pdf in/b-unsigned.pdf in/c-good.xml in/d-broken.xml in/e-data.bin.p7s in/f-revoked.pdf)
(cd in && sha256sum ./*) >sums
expect_exit 65 "$ESEAL" extend -p demo --level B-LTA -j 2 --out-dir out --json "${inputs[@]}"
(cd in && sha256sum -c --quiet ../sums) || fail "an input was modified"
[ "$(wc -l <"$OUT")" = ${#inputs[@]} ] || fail "want ${#inputs[@]} JSON lines: $(cat "$OUT")"
python3 - "$OUT" <<'PY' || fail "JSON lines: $(cat "$OUT")"
import json, sys
lines = {}
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert d["input"] not in lines, "two lines for " + d["input"]
    lines[d["input"]] = d
want = {
    "in/a-good.pdf": (None, "PAdES"), "in/c-good.xml": (None, "XAdES"), "in/e-data.bin.p7s": (None, "CAdES"),
    "in/b-unsigned.pdf": ("no seal", None), "in/d-broken.xml": ("does not verify", None),
    "in/f-revoked.pdf": ("revoked", None),
}
assert set(lines) == set(want), sorted(lines)
for name, (error, fmt) in want.items():
    d = lines[name]
    if error is None:
        assert d["status"] in ("sealed", "extended") and d["error"] is None, d
        assert d["output"] == "out/" + name and d["level"] == "B-LTA" and d["format"] == fmt, d
    else:
        assert d["status"] == "failed" and d["output"] is None and d["error_class"] == "input", d
        assert error in d["error"] and name in d["error"] and "\n" not in d["error"], d
PY
for f in b-unsigned.pdf d-broken.xml f-revoked.pdf; do
	assert_no_file "out/in/$f"
done
pass "bulk: one JSON line per file, exit 65, the bad files named with their reason and no output, inputs untouched"

qpdf --check out/in/a-good.pdf >/dev/null || fail "qpdf --check"
pdfsig_lta out/in/a-good.pdf 1 1
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
	--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" out/in/c-good.xml >xmlsec.log 2>&1 ||
	fail "xmlsec1 --verify: $(cat xmlsec.log)"
openssl cms -verify -cades -binary -inform DER -in out/in/e-data.bin.p7s -content in/e-data.bin -CAfile "$ROOT" \
	-purpose any -out /dev/null 2>cms.log || fail "openssl cms -verify -cades: $(cat cms.log)"
for f in a-good.pdf c-good.xml e-data.bin.p7s; do
	data=()
	[ "$f" = e-data.bin.p7s ] && data=(--data in/e-data.bin)
	verify_json 0 "out/in/$f" --offline "${data[@]}"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f: offline level $(jf "d['seals'][0]['level']")"
done
pass "bulk: the good PDF, XML and CAdES at B-LTA offline; qpdf, pdfsig, xmlsec1, openssl cms agree"

# Anchors the seal's chain does not reach: the configuration is wrong, not the file (78), and nothing is written.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -subj /CN=other-root \
	-days 2 -out other.pem 2>/dev/null || fail "openssl req"
sum=$(sha256sum in/a-good.pdf)
expect_exit 78 "$ESEAL" extend -p demo --level B-LT --trust other.pem --tsa-ca other.pem in/a-good.pdf -o out78.pdf
[ "$(wc -l <"$ERR")" = 1 ] || fail "not one line: $(cat "$ERR")"
assert_grep "in/a-good.pdf" "$ERR"
assert_no_file out78.pdf
[ "$(sha256sum in/a-good.pdf)" = "$sum" ] || fail "input modified"
pass "anchors the chain does not reach: 78 ($(cat "$ERR"))"
