#!/bin/bash
# tests/cli/extend_renew.sh: `eseal extend --renew-before DURATION` leaves a long-term seal whose newest time-stamp
# proves long enough ("current", renew_by = that TSA certificate's notAfter as `openssl x509 -enddate` reads it, no
# output, input untouched) and renews one due within DURATION (a second archive time-stamp: pdfsig, openssl ts, openssl
# cms agree); in bulk with --json one line each with its status; bad durations are usage errors.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
TSA_END=$(date -u -d "$(openssl x509 -in "$PKI/tsa.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
# The fixture's TSA certificate lives two years: 180 days is well inside, three years beyond.
[ "$(date -u -d "$TSA_END" +%s)" -gt "$(date -u -d '+200 days' +%s)" ] &&
	[ "$(date -u -d "$TSA_END" +%s)" -lt "$(date -u -d '+3 years' +%s)" ] ||
	fail "the fixture's TSA certificate ends $TSA_END: this test needs 200 days to 3 years"

cp "$SAMPLES/documents/report.pdf" "$D/report.pdf"
printf 'bill of quantities, lot 7\n' >"$D/boq.txt"
"$ESEAL" seal -p demo -o "$D/bt.pdf" "$D/report.pdf"
"$ESEAL" seal -p demo --format cades -o "$D/boq.txt.p7s" "$D/boq.txt"
cp "$SAMPLES/documents/invoice-ubl.xml" "$D/in.xml"
"$ESEAL" seal -p demo --placement ubl -o "$D/invoice.xml" "$D/in.xml"
publish_crl root
mkdir "$D/lta"
cp "$D/boq.txt" "$D/lta/"
for f in bt.pdf boq.txt.p7s invoice.xml; do
	"$ESEAL" extend -p demo --level B-LTA -o "$D/lta/$f" "$D/$f"
done
pdfsig_lta "$D/lta/bt.pdf" 1 1

# Current: nothing written, the input as it was, the date the TSA certificate's expiry.
for f in bt.pdf boq.txt.p7s invoice.xml; do
	cp "$D/lta/$f" "$D/$f.before"
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 180d -o "$D/cur-$f" "$D/lta/$f"
	assert_no_file "$D/cur-$f"
	cmp -s "$D/lta/$f" "$D/$f.before" || fail "$f: input modified"
	[ "$(cat "$OUT")" = "$D/lta/$f: current until $TSA_END (not renewed: --renew-before 180d)" ] ||
		fail "$f: text line: $(cat "$OUT")"
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 180d --json -o "$D/cur-$f" "$D/lta/$f"
	assert_no_file "$D/cur-$f"
	python3 - "$OUT" "$TSA_END" "$D/lta/$f" <<'EOF' || fail "$f: JSON line: $(cat "$OUT")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["status"] == "current" and d["renew_by"] == sys.argv[2], d
assert d["input"] == sys.argv[3] and d["output"] is None and d["error"] is None, d
EOF
done
pass "--renew-before 180d: current until the TSA certificate's notAfter ($TSA_END), no output, input untouched"

# Due within three years: renewed, a second archive time-stamp over the first.
publish_crl root
mkdir "$D/renewed"
cp "$D/boq.txt" "$D/renewed/"
for f in bt.pdf boq.txt.p7s invoice.xml; do
	expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 3y -o "$D/renewed/$f" "$D/lta/$f"
	assert_file "$D/renewed/$f"
	[ ! -s "$OUT" ] || fail "$f: extended, yet: $(cat "$OUT")"
	verify_json 0 "$D/renewed/$f"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f renewed: $(head -c 800 "$OUT")"
done
qpdf --check "$D/renewed/bt.pdf" >/dev/null || fail "qpdf --check"
pdfsig_lta "$D/renewed/bt.pdf" 1 2
openssl cms -verify -cades -binary -inform DER -in "$D/renewed/boq.txt.p7s" -content "$D/boq.txt" -CAfile "$ROOT" \
	-purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify -cades rejects the renewed .p7s"
# archive-time-stamp-v3 (ETSI EN 319 122-1, 0.4.0.1733.2.4): one after the first extension, two after renewal.
for pair in "lta 1" "renewed 2"; do
	set -- $pair
	n=$(openssl cms -cmsout -print -inform DER -in "$D/$1/boq.txt.p7s" | grep -c "0.4.0.1733.2.4" || true)
	[ "$n" = "$2" ] || fail "$1/boq.txt.p7s: $n archive time-stamps, want $2"
done
for pair in "lta 1" "renewed 2"; do
	set -- $pair
	n=$(grep -o "<[A-Za-z0-9]*:\?ArchiveTimeStamp[ >]" "$D/$1/invoice.xml" | wc -l)
	[ "$n" = "$2" ] || fail "$1/invoice.xml: $n ArchiveTimeStamp elements, want $2"
done
xmllint --noout "$D/renewed/invoice.xml" || fail "xmllint rejects the renewed invoice"
pass "--renew-before 3y: renewed (second archive time-stamp; pdfsig, qpdf, openssl cms, xmllint agree)"

# Bulk: one due (the first generation), one current (just renewed) per format; one line each.
mkdir "$D/bulk" "$D/out"
cp "$D/lta/bt.pdf" "$D/bulk/due.pdf"
cp "$D/renewed/bt.pdf" "$D/bulk/fresh.pdf"
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 180d --json --out-dir "$D/out" \
	"$D/bulk/due.pdf" "$D/bulk/fresh.pdf"
python3 - "$OUT" "$D" "$TSA_END" <<'EOF' || fail "bulk 180d: $(cat "$OUT")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(lines) == 2, lines
by = {l["input"]: l for l in lines}
for name in ("due.pdf", "fresh.pdf"):
    l = by[sys.argv[2] + "/bulk/" + name]
    assert l["status"] == "current" and l["renew_by"] == sys.argv[3] and l["output"] is None, l
EOF
[ -z "$(find "$D/out" -type f)" ] || fail "current documents wrote: $(find "$D/out" -type f)"
pass "bulk --renew-before 180d: both current, nothing written"

# Bulk with a window beyond the TSA certificate's life: both due, both extended.
publish_crl root
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 3y --json --out-dir "$D/out" \
	"$D/bulk/due.pdf" "$D/bulk/fresh.pdf"
python3 - "$OUT" <<'EOF' || fail "bulk 3y: $(cat "$OUT")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(lines) == 2, lines
for l in lines:
    assert l["status"] == "sealed" and l["output"] is not None and "renew_by" not in l, l
EOF
pdfsig_lta "$D/out/due.pdf" 1 2
pdfsig_lta "$D/out/fresh.pdf" 1 3
pass "bulk --renew-before 3y: both extended"

# Mixed: a file renewed by a TSA whose certificate lives four years is current for a three-year window, beside the
# first generation (two-year TSA), due. The demo CA issues that TSA certificate (its database records it, so its
# OCSP responder knows it).
demo_tsa_cert "Renew TSA" 4 "$D/tsa4.key" "$D/tsa4.pem"
TSA4=$(start_tsa ok --signer "$D/tsa4.pem" "$D/tsa4.key")
TSA4_END=$(date -u -d "$(openssl x509 -in "$D/tsa4.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
"$ESEAL" extend -p demo --level B-LTA --tsa "$TSA4" -o "$D/bulk/long.pdf" "$D/lta/bt.pdf"
publish_crl root
expect_exit 0 "$ESEAL" extend -p demo --level B-LTA --renew-before 3y --json --out-dir "$D/mixed" \
	"$D/bulk/long.pdf" "$D/bulk/due.pdf"
python3 - "$OUT" "$TSA4_END" <<'EOF' || fail "mixed: $(cat "$OUT")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(lines) == 2, lines
by = {l["input"].rsplit("/", 1)[1]: l for l in lines}
assert by["long.pdf"]["status"] == "current" and by["long.pdf"]["renew_by"] == sys.argv[2], by
assert by["long.pdf"]["output"] is None, by
assert by["due.pdf"]["status"] == "sealed" and by["due.pdf"]["output"] is not None, by
assert "renew_by" not in by["due.pdf"], by
EOF
[ "$(find "$D/mixed" -type f)" = "$D/mixed/due.pdf" ] || fail "mixed: only due.pdf expected: $(find "$D/mixed" -type f)"
pdfsig_lta "$D/mixed/due.pdf" 1 2
pass "bulk mixing current (four-year TSA, renew_by $TSA4_END) and due: one JSON line each, one output"

# The newest time-stamp's TSA certificate revoked for a harmless reason after its genTime: the time-stamp stays valid
# but proves nothing after the revocation, so renew_by is the revocation time (as the OCSP responder states it) and
# the file is no longer current. (A second first: the CA records whole seconds, and a revocation in the second of
# the genTime is one the time-stamp cannot be shown to precede, which the verifier rightly refuses.)
sleep 1
(
	flock 9
	openssl ca -config "$PKI/openssl.cnf" -name issuing_ca -batch -revoke "$D/tsa4.pem" -crl_reason superseded \
		2>"$D/revoke.log"
) 9>"$TE/crl.lock" || fail "the demo CA cannot revoke the four-year TSA certificate: $(cat "$D/revoke.log")"
openssl ocsp -issuer "$PKI/ca.pem" -cert "$D/tsa4.pem" -url "$OCSP_URL" -CAfile "$ROOT" -resp_text \
	>"$D/ocsp.txt" 2>&1 || fail "openssl ocsp: $(cat "$D/ocsp.txt")"
REV=$(sed -n 's/^ *Revocation Time: //p' "$D/ocsp.txt" | head -1)
[ -n "$REV" ] || fail "openssl ocsp does not see the TSA certificate revoked: $(cat "$D/ocsp.txt")"
REV=$(date -u -d "$REV" +%Y-%m-%dT%H:%M:%SZ)
verify_json 0 "$D/bulk/long.pdf"
[ "$(jf "d['seals'][-1]['renew_by']")" = "$REV" ] ||
	fail "renew_by $(jf "d['seals'][-1]['renew_by']") is not the revocation time $REV: $(head -c 1500 "$OUT")"
"$ESEAL" extend -p demo --level B-LTA --renew-before 180d --json -o "$D/revoked-renewed.pdf" "$D/bulk/long.pdf" \
	>"$D/rev.json" 2>"$D/rev.err" || true
ST=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["status"])' "$D/rev.json")
[ "$ST" != current ] || fail "a file whose TSA certificate was revoked is still current: $(cat "$D/rev.json")"
pass "TSA certificate revoked (superseded) after the time-stamp: renew_by = the revocation time $REV, not current ($ST)"

# Bad durations: usage errors, one line, nothing written.
for bad in 180 6m 1.5y -3d d 2yy " 3d" 0x10d 99999y; do
	expect_exit 64 "$ESEAL" extend -p demo --level B-LTA --renew-before "$bad" -o "$D/bad.pdf" "$D/lta/bt.pdf"
	assert_grep "renew-before" "$ERR"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "'$bad': one line expected: $(cat "$ERR")"
	assert_no_file "$D/bad.pdf"
done
pass "bad durations: 64 with a one-line message"
