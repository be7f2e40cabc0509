#!/bin/bash
# tests/cli/seal_long_term.sh: `eseal seal --level B-LT|B-LTA` for PDF, XML and CAdES in one call, against a
# private fixture whose root CA publishes a CRL whenever asked (ESEAL_DEMO_PUBLISH_CRL: the issuing CA's status
# then has data newer than the seal's time-stamp). Referees: pdfsig, qpdf --check, xmlsec1 --verify, openssl cms
# -verify -cades. On the shared fixture (root CRL older than any seal) sealing at B-LT fails 69 naming when the next
# CRL is due, leaving no output and no private directory.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)

# The shared fixture first: the demo root CRL was published before any seal.
cp "$SAMPLES/documents/report.pdf" "$D/in.pdf"
cp "$D/in.pdf" "$D/in.pdf.orig"
crl_hold
expect_exit 69 "$ESEAL" seal -p demo --level B-LT -o "$D/shared.pdf" "$D/in.pdf"
crl_release
assert_grep "CRL was issued .* before the time-stamp .*; the next one is due" "$ERR"
[ "$(wc -l <"$ERR")" = 1 ] || fail "one line expected: $(cat "$ERR")"
assert_no_file "$D/shared.pdf"
[ -z "$(ls -A "$D" | grep eseal-bt || true)" ] || fail "a private B-T directory was left behind"
cmp -s "$D/in.pdf" "$D/in.pdf.orig" || fail "input modified"
pass "CRL older than the seal: 69 with the next CRL's date, no output, nothing left behind"

demo_profile "$D/notrust.conf" notrust
sed -i '/^trust = /d' "$D/notrust.conf"
expect_exit 64 "$ESEAL" seal --config "$D/notrust.conf" -p notrust --level B-LTA -o "$D/x.pdf" "$D/in.pdf"
assert_grep "level B-LTA needs the trust anchors of the seal's chain" "$ERR"
expect_exit 64 "$ESEAL" extend -p demo -o "$D/x.pdf" "$D/in.pdf"
assert_grep "level B-LT or --level B-LTA is required" "$ERR"
pass "usage: no trust anchors for B-LTA, extend without a long-term level"

# A private fixture whose root publishes on demand.
P=$D/env
ESEAL_DEMO_PUBLISH_CRL=1 bash "$ESEAL_SRC/tests/lib/testenv-up.sh" "$P" >"$D/env.log" 2>&1 ||
	{ cat "$D/env.log" >&2; fail "private fixture"; }
trap 'bash "$ESEAL_SRC/tests/lib/testenv-down.sh" "$P" >/dev/null 2>&1 || true; _eseal_cleanup' EXIT
export SOFTHSM2_CONF=$P/softhsm2.conf
C=$P/eseal.conf
PROOT=$P/pki/root.pem

"$ESEAL" seal --config "$C" -p demo --level B-LTA -o "$D/lta.pdf" "$D/in.pdf"
qpdf --check "$D/lta.pdf" >/dev/null || fail "qpdf --check"
pdfsig_lta "$D/lta.pdf" 1 1
expect_exit 0 "$ESEAL" verify --json --offline --trust "$PROOT" "$D/lta.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "PDF level: $(head -c 800 "$OUT")"
[ "$(jf "d['seals'][0]['indication']")" = TOTAL-PASSED ] || fail "PDF: $(head -c 800 "$OUT")"
pass "PDF sealed at B-LTA: offline TOTAL-PASSED B-LTA; pdfsig: the seal valid, one document time-stamp; qpdf clean"

cp "$SAMPLES/documents/invoice-ubl.xml" "$D/invoice.xml"
"$ESEAL" seal --config "$C" -p demo --level B-LT --placement ubl -o "$D/lt.xml" "$D/invoice.xml"
xmlsec1 --verify --trusted-pem "$PROOT" --untrusted-pem "$P/pki/ca.pem" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
	--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$D/lt.xml" >/dev/null 2>&1 || fail "xmlsec1 --verify rejects the B-LT invoice"
expect_exit 0 "$ESEAL" verify --json --offline --trust "$PROOT" "$D/lt.xml"
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "XML level: $(head -c 800 "$OUT")"
pass "UBL invoice sealed at B-LT: offline TOTAL-PASSED B-LT; xmlsec1 agrees"

printf 'drawing set rev. C\n' >"$D/drawings.txt"
"$ESEAL" seal --config "$C" -p demo --level B-LTA --format cades -o "$D/drawings.txt.p7s" "$D/drawings.txt"
openssl cms -verify -cades -binary -inform DER -in "$D/drawings.txt.p7s" -content "$D/drawings.txt" \
	-CAfile "$PROOT" -purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify -cades"
expect_exit 0 "$ESEAL" verify --json --offline --trust "$PROOT" "$D/drawings.txt.p7s"
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "CAdES level: $(head -c 800 "$OUT")"
pass "CAdES sealed at B-LTA: offline TOTAL-PASSED B-LTA; openssl cms -cades agrees"

# Bulk: three documents at B-LT in one call, one JSON line each, level B-LT.
mkdir "$D/in" "$D/out"
cp "$D/in.pdf" "$D/in/a.pdf"
cp "$D/invoice.xml" "$D/in/b.xml"
cp "$D/drawings.txt" "$D/in/c.txt"
(cd "$D/in" && "$ESEAL" seal --config "$C" -p demo --level B-LT --json --out-dir "$D/out" a.pdf b.xml c.txt) >"$D/bulk.json"
[ "$(grep -c '"status":"sealed"' "$D/bulk.json")" = 3 ] || fail "bulk: $(cat "$D/bulk.json")"
[ "$(grep -c '"level":"B-LT"' "$D/bulk.json")" = 3 ] || fail "bulk level: $(cat "$D/bulk.json")"
for f in a.pdf b.xml c.txt.p7s; do
	data=()
	[ "$f" != c.txt.p7s ] || data=(--data "$D/in/c.txt")
	expect_exit 0 "$ESEAL" verify --json --offline --trust "$PROOT" "${data[@]}" "$D/out/$f"
	[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "bulk $f: $(head -c 800 "$OUT")"
done
[ -z "$(find "$D/out" -name '.eseal-bt-*')" ] || fail "bulk: private directories left behind"
pass "bulk at B-LT: three formats, JSON lines, offline B-LT each"
