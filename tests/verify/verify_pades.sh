#!/bin/bash
# tests/verify/verify_pades.sh: `eseal verify` on PDFs: our own PAdES seals (B-B, B-T, EC, visible, two seals,
# certified) and Poppler's pdfsig signatures pass; the known attacks on PDF validators (flipped byte, incremental
# saving / shadow hide and replace, catalog change, rewritten ByteRange, USF, Contents moved out of the gap,
# DocMDP violation) and certificate faults (untrusted root, expired, revoked) are reported with the right reason.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
PDF=$SAMPLES/documents/japanese.pdf
ATTACK="python3 $ESEAL_SRC/tests/verify/pdf_attack.py"

# --- genuine: our seals ---
"$ESEAL" seal -p demo -o "$D/bt.pdf" "$PDF"
"$ESEAL" seal -p demo-bb -o "$D/bb.pdf" "$PDF"
"$ESEAL" seal -p demo-ec -o "$D/ec.pdf" "$PDF"
"$ESEAL" seal -p demo --visible -o "$D/vis.pdf" "$SAMPLES/documents/report.pdf"
"$ESEAL" seal -p demo --visible --page last -o "$D/two.pdf" "$D/vis.pdf"
"$ESEAL" seal -p demo --certify no-changes -o "$D/cert.pdf" "$PDF"
pdfsig_all_valid "$D/bt.pdf" 1 whole

verify_json 0 "$D/bt.pdf"
expect_fields
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['format']")" = PAdES ] || fail "format"
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "bt level $(jf "d['seals'][0]['level']")"
[ "$(jf "d['seals'][0]['organization_identifier']")" = NTRJP-1234567890123 ] || fail "organization identifier"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = True ] || fail "covers whole document"
[ "$(jf "d['seals'][0]['timestamp_time'] is not None")" = True ] || fail "timestamp time"
[ "$(jf "d['seals'][0]['certificate_type']")" = e-seal ] || fail "e-Seal certificate kind"
pass "own PAdES B-T: TOTAL-PASSED, level B-T, NTRJP identifier, time-stamp time"

verify_json 0 "$D/bb.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "bb level"
[ "$(jf "d['seals'][0]['timestamp_time']")" = None ] || fail "bb has no time-stamp"
verify_json 0 "$D/ec.pdf"
verify_json 0 "$D/cert.pdf"
verify_json 0 "$D/two.pdf"
[ "$(jf "len(d['seals'])")" = 2 ] || fail "two seals expected"
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "first of two seals does not cover the file"
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "a second seal is an allowed change"
pass "own B-B, EC, certified, and two seals (second seal allowed after the first)"

# Text report: verdict first, then the organization and its identifier.
expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$D/bt.pdf"
[[ "$(head -1 "$OUT")" == *TOTAL-PASSED* ]] || fail "text report must start with the verdict"
[[ "$(sed -n 3p "$OUT")" == *"organization: "* ]] || fail "organization must come right after the verdict"
[[ "$(sed -n 4p "$OUT")" == *"organization identifier: NTRJP-1234567890123"* ]] || fail "identifier next"
pass "text report: verdict, organization, identifier first"

# --- genuine: Poppler's pdfsig (adbe.pkcs7.detached), NSS database with the development key ---
NSS=$D/nss
dev_nss "$NSS"
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$PDF" "$D/poppler.pdf" >/dev/null 2>&1
pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/bt.pdf" "$D/bt-poppler.pdf" >/dev/null 2>&1
verify_json 0 "$D/poppler.pdf"
expect_seal 0 TOTAL-PASSED None
verify_json 0 "$D/bt-poppler.pdf"
[ "$(jf "len(d['seals'])")" = 2 ] || fail "pdfsig's second signature must be found"
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "pdfsig's signature is an allowed change"
pass "pdfsig signatures pass, also added after our seal"

# --- attacks ---
attack() { # mode expected-exit indication sub regex
	$ATTACK "$1" "$D/bt.pdf" "$D/att-$1.pdf"
	verify_json "$2" "$D/att-$1.pdf"
	expect_seal 0 "$3" "$4" "$5"
	pass "attack $1: $3/$4"
}
attack flip 1 TOTAL-FAILED HASH_FAILURE "changed after sealing"
attack byterange 1 TOTAL-FAILED FORMAT_FAILURE "ByteRange"
attack byterange-usf 1 TOTAL-FAILED FORMAT_FAILURE "ByteRange"
attack contents-moved 1 TOTAL-FAILED FORMAT_FAILURE "signature wrapping"
attack no-contents 1 TOTAL-FAILED FORMAT_FAILURE "Contents missing"
for m in shadow-replace shadow-hide shadow-font form-value; do
	$ATTACK "$m" "$D/bt.pdf" "$D/att-$m.pdf"
	qpdf --check "$D/att-$m.pdf" >/dev/null || fail "$m: the attack file must be a valid PDF for the test to mean anything"
	verify_json 1 "$D/att-$m.pdf"
	[ "$(jf "d['seals'][0]['modified_after']")" = True ] || fail "$m: modified_after expected"
	[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "$m: covers_whole_document"
	[ "$(jf "d['indication']")" = TOTAL-FAILED ] || fail "$m: file verdict"
done
verify_json 1 "$D/att-shadow-replace.pdf"
errors_match 0 "page content stream"
verify_json 1 "$D/att-shadow-hide.pdf"
errors_match 0 "Annots"
verify_json 1 "$D/att-shadow-font.pdf"
errors_match 0 "Font \\(object"
verify_json 1 "$D/att-form-value.pdf"
errors_match 0 "OpenAction"
pass "incremental saving / shadow hide / shadow replace / catalog change: modified after sealing"
$ATTACK shadow-replace "$D/poppler.pdf" "$D/att-poppler.pdf"
verify_json 1 "$D/att-poppler.pdf"
pass "page content replaced after a pdfsig signature"

# --- every object a reader of the signed revision meets is compared, whatever the last update claims ---
# Each refused file is also checked with tools we did not write: qpdf reads it, Poppler still finds the seal's
# signature valid over its bytes (what is wrong is only the later update), and pdftotext or pdftoppm shows that
# what a reader sees did change. Every verify runs under timeout: a verifier that never finishes fails the test.
vjson() { # CODE FILE: verify_json under a 60 s timeout (timeout's 124 is not an expected code)
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" "$2"
}
text_differs() { # SEALED ATTACK: pdftotext shows a reader another text
	cmp -s <(pdftotext "$1" - 2>/dev/null) <(pdftotext "$2" - 2>/dev/null) &&
		fail "pdftotext sees no change between $(basename "$1") and $(basename "$2"): the test would mean nothing"
	return 0
}
qpdf_reads() { # FILE [WARNING-REGEX]: qpdf --check passes, or (when the attack needs it) only warns as expected
	local rc=0
	qpdf --check "$1" >"$D/qpdf.txt" 2>&1 || rc=$?
	[ "$rc" = 0 ] && return 0
	[ "$rc" = 3 ] && [ -n "${2:-}" ] && grep -Eq -- "$2" "$D/qpdf.txt" && ! grep -Eqi "error" "$D/qpdf.txt" ||
		fail "qpdf --check on $(basename "$1"): exit $rc: $(tail -3 "$D/qpdf.txt")"
}
refused() { # SEALED ATTACK REASON-REGEX: verify fails the seal as modified after sealing, naming the reason
	vjson 1 "$2"
	expect_seal 0 TOTAL-FAILED None "$3"
	[ "$(jf "d['seals'][0]['modified_after']")" = True ] || fail "$(basename "$2"): modified_after expected"
	pdfsig_all_valid "$2" 1 part
}

# The comparison does not stop at the final trailer's /Size (the attacker writes it): page content replaced and
# /Size 1.
$ATTACK size-shrink "$D/bt.pdf" "$D/att-size.pdf"
qpdf_reads "$D/att-size.pdf" "reported number of objects \\(1\\)"
text_differs "$D/bt.pdf" "$D/att-size.pdf"
refused "$D/bt.pdf" "$D/att-size.pdf" "page content stream"
errors_match 0 "/Size shrank"
pass "attack size-shrink: content replaced with the final /Size 1 is found, and the shrunk /Size reported"

# A stream's dictionary is compared, not only its data: /Decode added to the visible seal's stamp image.
$ATTACK stream-dict "$D/vis.pdf" "$D/att-dict.pdf"
qpdf_reads "$D/att-dict.pdf"
renders_differ "$D/vis.pdf" "$D/att-dict.pdf"
refused "$D/vis.pdf" "$D/att-dict.pdf" "stream .*\\(object [0-9]+\\) changed"
pass "attack stream-dict: an image's dictionary changed (same data, inverted picture) is found"

# Objects of generation 1: a content stream 'N 1 obj' sealed, then redefined. The sealed file itself must pass.
$ATTACK gen1-prepare "$SAMPLES/documents/report.pdf" "$D/gen1.pdf"
qpdf_reads "$D/gen1.pdf"
"$ESEAL" seal -p demo -o "$D/gen1-sealed.pdf" "$D/gen1.pdf"
pdftotext "$D/gen1-sealed.pdf" - | grep >/dev/null "Amount: 1,000 JPY" || fail "the generation-1 content is not shown"
vjson 0 "$D/gen1-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
$ATTACK gen1-redefine "$D/gen1-sealed.pdf" "$D/att-gen1.pdf"
qpdf_reads "$D/att-gen1.pdf"
text_differs "$D/gen1-sealed.pdf" "$D/att-gen1.pdf"
refused "$D/gen1-sealed.pdf" "$D/att-gen1.pdf" "page content stream"
pass "attack gen1-redefine: a generation-1 content stream redefined after sealing is found"
# The same number written at generation 0: QPDF keeps reading 'N 1 R' as signed, but the newest cross-reference
# entry is what other readers take; Ghostscript draws the new text.
$ATTACK gen1-renumber "$D/gen1-sealed.pdf" "$D/att-renum.pdf"
qpdf_reads "$D/att-renum.pdf"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=txtwrite -sOutputFile=- "$D/att-renum.pdf" 2>/dev/null |
	grep -q "Amount: 9,999,999 JPY" || fail "gen1-renumber: Ghostscript does not show the new text: the test would mean nothing"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=txtwrite -sOutputFile=- "$D/gen1-sealed.pdf" 2>/dev/null |
	grep -q "Amount: 1,000 JPY" || fail "gen1-renumber: Ghostscript does not show the sealed text"
refused "$D/gen1-sealed.pdf" "$D/att-renum.pdf" "writes object [0-9]+ at generation 0, the number of [0-9]+ 1 R"
pass "attack gen1-renumber: a signed generation-1 object's number reused at generation 0 is found"

# A reference to an object the signed revision does not define: giving it content later is a change.
$ATTACK dangling-prepare "$SAMPLES/documents/report.pdf" "$D/dangling.pdf"
"$ESEAL" seal -p demo -o "$D/dangling-sealed.pdf" "$D/dangling.pdf"
vjson 0 "$D/dangling-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
$ATTACK dangling-define "$D/dangling-sealed.pdf" "$D/att-dangling.pdf"
qpdf_reads "$D/att-dangling.pdf"
text_differs "$D/dangling-sealed.pdf" "$D/att-dangling.pdf"
refused "$D/dangling-sealed.pdf" "$D/att-dangling.pdf" "undefined when signed"
pass "attack dangling-define: an object named but undefined when signed, defined later, is found"

# A /DSS whose data are existing objects redefined as arrays of 3000 references to each other: answered (and the
# redefinitions reported) within the timeout, not after billions of steps.
$ATTACK dss-fanout "$D/vis.pdf" "$D/att-dss.pdf"
qpdf_reads "$D/att-dss.pdf" "ignoring non-stream in an array of streams"
text_differs "$D/vis.pdf" "$D/att-dss.pdf"
refused "$D/vis.pdf" "$D/att-dss.pdf" "page .*\\(object [0-9]+\\) changed"
pass "attack dss-fanout: a DSS naming existing objects thousands of times is walked once and the changes reported"

pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$D/cert.pdf" "$D/cert-more.pdf" >/dev/null 2>&1
verify_json 1 "$D/cert-more.pdf"
errors_match 0 "DocMDP P=1"
pass "a signature after a no-changes certification breaks it"

# --- certificate faults ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/o.key" -subj "/CN=Other Root" -days 2 -out "$D/other-root.pem" \
	2>/dev/null
expect_exit 2 "$ESEAL" verify --json --trust "$D/other-root.pem" "$D/bt.pdf"
expect_seal 0 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND "trust anchor"
expect_exit 2 "$ESEAL" verify --json "$D/bt.pdf"
expect_seal 0 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND "no trust anchors"
pass "untrusted root and no --trust: INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
expect_exit 0 "$ESEAL" verify --json --trust "$CA" "$D/bt.pdf"
pass "an intermediate CA given with --trust is an anchor"

"$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked-bt.pdf" "$PDF"
"$ESEAL" seal -p demo-bb --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked-bb.pdf" "$PDF"
verify_json 1 "$D/revoked-bt.pdf"
expect_seal 0 TOTAL-FAILED REVOKED "revoked on .*OCSP"
verify_json 2 "$D/revoked-bb.pdf"
expect_seal 0 INDETERMINATE REVOKED_NO_POE "revoked"
pass "revoked certificate (loopback OCSP responder): B-T TOTAL-FAILED/REVOKED, B-B INDETERMINATE/REVOKED_NO_POE"

# The expired fixture key can only seal while its certificate was valid: seal at a past time.
notafter=$(openssl x509 -in "$PKI/expired.pem" -noout -enddate | cut -d= -f2)
past=$(date -u -d "$notafter - 2 days" '+%Y-%m-%d %H:%M:%S')
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 faketime "$past" \
	"$ESEAL" seal -p demo-bb --key "$KEY_URI_EXPIRED" --cert "$PKI/expired-chain.pem" -o "$D/expired.pdf" "$PDF"
verify_json 2 "$D/expired.pdf"
expect_seal 0 INDETERMINATE OUT_OF_BOUNDS_NO_POE "expired"
pass "expired certificate without time-stamp: INDETERMINATE/OUT_OF_BOUNDS_NO_POE"

# --offline: no OCSP/CRL fetching; our file carries no revocation data, so the status is unknown.
verify_json 2 "$D/bt.pdf" --offline
expect_seal 0 INDETERMINATE TRY_LATER "revocation"
pass "--offline without carried revocation data: INDETERMINATE/TRY_LATER"

# Input errors: not a PDF, unreadable, no seal; the input is never modified.
sha=$(sha256sum "$D/bt.pdf")
printf '%%PDF-1.7\ngarbage\n' >"$D/garbage.pdf"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" "$D/garbage.pdf"
assert_grep "garbage.pdf" "$ERR"
expect_exit 74 "$ESEAL" verify --trust "$ROOT" "$D/missing.pdf"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" "$PDF"
assert_grep "no signature" "$OUT"
expect_exit 64 "$ESEAL" verify --bogus "$D/bt.pdf"
expect_exit 64 "$ESEAL" verify --at yesterday "$D/bt.pdf"
expect_exit 64 "$ESEAL" verify
[ "$(sha256sum "$D/bt.pdf")" = "$sha" ] || fail "input modified"
pass "exit codes: 65 malformed, 74 unreadable, 65 no seal, 64 usage"

# --- B-LT and B-LTA: DSS with the chain, an OCSP response and the CRL, then a document time-stamp ---
LTA="python3 $ESEAL_SRC/tests/verify/pdf_lta.py"
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$D/ocsp.der" -noverify >/dev/null 2>&1
$LTA dss "$D/bt.pdf" "$D/lt.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --cert "$ROOT" --ocsp "$D/ocsp.der" --crl "$CRL" \
	$(lt_fresh "$D")
$LTA dts "$D/lt.pdf" "$D/lta.pdf" --tsa "$TSA_URL"
qpdf --check "$D/lta.pdf" >/dev/null || fail "qpdf rejects the B-LTA file"
# Referee for the document time-stamp: openssl ts -verify over the ByteRange bytes.
python3 - "$D/lta.pdf" "$D/dts-data.bin" "$D/dts-token.der" <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read()
m = list(re.finditer(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]", d))[-1]
a, b, c = (int(x) for x in m.groups())
open(sys.argv[2], "wb").write(d[:a] + d[b:b + c])
tok = bytes.fromhex(d[a + 1:b - 1].decode())
n = tok[1] & 0x7f if tok[1] & 0x80 else 0  # DER length of the outer SEQUENCE, not the zero padding
size = 2 + n + (int.from_bytes(tok[2:2 + n], "big") if n else tok[1])
open(sys.argv[3], "wb").write(tok[:size])
PY
openssl ts -verify -data "$D/dts-data.bin" -in "$D/dts-token.der" -token_in -CAfile "$ROOT" \
	-untrusted "$TSA_CHAIN" >/dev/null 2>&1 || fail "referee openssl ts rejects the document time-stamp"
verify_json 0 "$D/lt.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "B-LT level: $(head -c 600 "$OUT")"
verify_json 0 "$D/lta.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "B-LTA level"
[ "$(jf "d['seals'][1]['type']")" = document-timestamp ] || fail "document time-stamp seal"
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "DSS and document time-stamp are allowed changes"
verify_json 0 "$D/lta.pdf" --offline
expect_seal 0 TOTAL-PASSED None
pass "B-LT (DSS) and B-LTA (document time-stamp): levels, and --offline validates from the DSS OCSP response"

# A byte changed inside the DSS after the document time-stamp was made: the time-stamp fails, the seal does not.
python3 - "$D/lta.pdf" "$D/lta-flip.pdf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
p = d.index(b"/Type /DSS")
p = d.rindex(b"stream\n", 0, p) + 40
d[p] ^= 1
open(sys.argv[2], "wb").write(d)
PY
verify_json 1 "$D/lta-flip.pdf"
expect_seal 1 TOTAL-FAILED HASH_FAILURE "document time-stamp"
pass "document time-stamp over changed bytes: TOTAL-FAILED/HASH_FAILURE"

# Encrypted PDF (empty user password) sealed by our sealer: verifies; a flipped byte is still caught.
qpdf --encrypt "" owner-secret 256 -- "$SAMPLES/documents/report.pdf" "$D/enc.pdf"
"$ESEAL" seal -p demo -o "$D/enc-sealed.pdf" "$D/enc.pdf"
verify_json 0 "$D/enc-sealed.pdf"
expect_seal 0 TOTAL-PASSED None
$ATTACK flip "$D/enc-sealed.pdf" "$D/enc-flip.pdf"
verify_json 1 "$D/enc-flip.pdf"
expect_seal 0 TOTAL-FAILED HASH_FAILURE
qpdf --encrypt "user-secret" owner-secret 256 -- "$SAMPLES/documents/report.pdf" "$D/encu.pdf"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" "$D/encu.pdf"
assert_grep "password" "$ERR"
pass "encrypted PDFs: empty user password verified, other passwords reported"

# Validation time (--at) and proof of existence: in 2040 the certificates have expired, the TSA's too: the B-T
# time-stamp proved the seal existed while they were valid only until its own TSA certificate expired (renew_by), so
# the seal should have been extended before then (tests/cli/extend_time_travel.sh has the seal that was); the B-B
# seal never had such a proof.
verify_json 2 "$D/bt.pdf" --at 2040-01-01
expect_seal 0 INDETERMINATE OUT_OF_BOUNDS_NO_POE "should have been extended \\(eseal extend\\) before"
[ "$(jf "d['seals'][0]['renew_by'] < '2040'")" = True ] || fail "renew_by: $(head -c 800 "$OUT")"
[ "$(jf "d['validation_time']")" = 2040-01-01T00:00:00Z ] || fail "validation_time: $(head -c 800 "$OUT")"
verify_json 2 "$D/bb.pdf" --at 2040-01-01
expect_seal 0 INDETERMINATE OUT_OF_BOUNDS_NO_POE "expired"
verify_json 2 "$D/bt.pdf" --at 2001-01-01
expect_seal 0 INDETERMINATE NOT_YET_VALID "not valid before"
pass "--at: time-stamp as proof of existence after expiry; B-B without it; before validity"

# CRLs carried in the DSS (no OCSP response): offline validation uses them, for a good and a revoked certificate.
$LTA dss "$D/bt.pdf" "$D/lt-crl.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --crl "$CRL"
verify_json 0 "$D/lt-crl.pdf" --offline
expect_seal 0 TOTAL-PASSED None
$LTA dss "$D/revoked-bt.pdf" "$D/revoked-lt.pdf" --cert "$PKI/revoked.pem" --cert "$CA" --crl "$CRL"
verify_json 1 "$D/revoked-lt.pdf" --offline
expect_seal 0 TOTAL-FAILED REVOKED "CRL carried in the file"
pass "--offline with a DSS CRL: good certificate passes, revoked certificate TOTAL-FAILED/REVOKED"
