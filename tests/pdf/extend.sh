#!/bin/bash
# tests/pdf/extend.sh: `eseal extend` on PDF (PAdES B-LT, B-LTA): an eseal B-T seal raised to B-LT, B-LTA and renewed;
# a Poppler (pdfsig) B-B signature raised to B-LT; bad input (unsigned, broken, revoked signer, encrypted, responders
# down, TSA down) refused with its exit class and one line, no output, input untouched.
# Referees: qpdf --check, pdfsig, openssl ts -verify over each document time-stamp's ByteRange, openssl ocsp / crl on
# every DSS stream, the VRI keys recomputed from the file's bytes (dss_dump.py), eseal verify --offline.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"

D=$(tmpdir)
DUMP="python3 $PDF_TESTS/dss_dump.py"
extend() { # LEVEL IN OUT [eseal extend options]: the demo profile's TSA and trust anchors
	local level=$1 in=$2 out=$3
	shift 3
	"$ESEAL" extend -p demo --level "$level" "$@" "$in" -o "$out"
}

# check_dss FILE NSIGS NVRI NOT_BEFORE: every DSS stream parses with openssl (OCSP: good, produced at or after
# NOT_BEFORE, a Unix time), no stream twice, NSIGS signatures of which the first NVRI (in file order) have a /VRI
# entry under the SHA-1 of their /Contents with certificates and a revocation answer, ESIC extension level 5.
check_dss() {
	local f=$1 nsigs=$2 nvri=$3 not_before=$4 d i k n key
	d=$(mktemp -d "$ESEAL_TMP_ROOT/dss.XXXXXX")
	$DUMP "$f" "$d" >"$d/facts" || fail "$f: dss_dump: $(cat "$d/facts")"
	grep -qx "esic 5" "$d/facts" || fail "$f: no /Extensions /ESIC level 5: $(cat "$d/facts")"
	[ "$(grep -c '^sig ' "$d/facts")" = "$nsigs" ] || fail "$f: $nsigs signatures expected: $(cat "$d/facts")"
	for key in $(awk '$1 == "sig" {print $2}' "$d/facts" | head -n "$nvri"); do
		awk -v k="$key" '$1 == "vri" && $2 == k && $3 > 0 && $4 + $5 > 0 {ok = 1} END {exit !ok}' "$d/facts" ||
			fail "$f: no VRI entry with certificates and revocation data for signature $key: $(cat "$d/facts")"
	done
	n=$(awk '$1 == "items" && $2 == "ocsp" {print $3}' "$d/facts")
	for ((i = 0; i < n; i++)); do
		openssl ocsp -respin "$d/ocsp-$i.der" -resp_text -noverify >"$d/ocsp-$i.txt" 2>&1 ||
			fail "$f: DSS OCSP $i does not parse: $(cat "$d/ocsp-$i.txt")"
		grep -q "Cert Status: good" "$d/ocsp-$i.txt" || fail "$f: DSS OCSP $i is not good"
		k=$(date -d "$(sed -n 's/^ *Produced At: //p' "$d/ocsp-$i.txt")" +%s)
		[ "$k" -ge "$not_before" ] || fail "$f: DSS OCSP $i produced at $k, before $not_before"
	done
	n=$(awk '$1 == "items" && $2 == "crl" {print $3}' "$d/facts")
	for ((i = 0; i < n; i++)); do
		openssl crl -inform DER -in "$d/crl-$i.der" -noout 2>/dev/null || fail "$f: DSS CRL $i does not parse"
	done
	n=$(awk '$1 == "items" && $2 == "cert" {print $3}' "$d/facts")
	[ "$n" -ge 2 ] || fail "$f: fewer than 2 certificates in the DSS"
	for ((i = 0; i < n; i++)); do
		openssl x509 -inform DER -in "$d/cert-$i.der" -noout 2>/dev/null || fail "$f: DSS certificate $i"
	done
	# no item twice
	[ "$(for x in "$d"/*.der; do sha256sum <"$x"; done | sort | uniq -d | wc -l)" = 0 ] ||
		fail "$f: an item is stored twice in the DSS"
}

# check_dts FILE INDEX: the signature INDEX (0-based) is a document time-stamp that openssl ts verifies over its
# ByteRange with the fixture's TSA chain.
check_dts() {
	local f=$1 idx=$2 d
	d=$(mktemp -d "$ESEAL_TMP_ROOT/dts.XXXXXX")
	python3 "$SIGPY" "$f" --index "$idx" --data "$d/data.bin" --cms "$d/tok.der" --dict >"$d/dict" 2>&1 ||
		fail "$f: signature $idx unreadable"
	grep -q "/Type /DocTimeStamp" "$d/dict" && grep -q "/SubFilter /ETSI.RFC3161" "$d/dict" ||
		fail "$f: signature $idx is not a document time-stamp: $(cat "$d/dict")"
	openssl ts -verify -data "$d/data.bin" -in "$d/tok.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
		>"$d/ts" 2>&1 || fail "$f: openssl ts rejects document time-stamp $idx: $(cat "$d/ts")"
}

# unchanged FILE SUM: the input was not modified
unchanged() { echo "$2" | sha256sum -c --quiet || fail "$1 modified"; }

# --- an eseal B-T seal: B-LT, B-LTA, B-LTA renewed ---------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --profile demo -o "$D/bt.pdf" "$REPORT"
# Offline, a B-T seal cannot be validated (no revocation data) and does not reach B-LT.
verify_json 2 "$D/bt.pdf" --offline
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "B-T seal offline: level $(jf "d['seals'][0]['level']")"
gen=$(jf "d['seals'][0]['timestamp_time']")
gen=$(date -d "$gen" +%s)
# The root CA's CRL (the only revocation data for the issuing CA's certificate) must be newer than the seal.
sleep 1
publish_crl root
sum=$(sha256sum "$D/bt.pdf")
expect_exit 0 extend B-LT "$D/bt.pdf" "$D/lt.pdf"
unchanged "$D/bt.pdf" "$sum"
check_prefix "$D/bt.pdf" "$D/lt.pdf"
qpdf_ok "$D/lt.pdf"
pdfsig_check "$D/lt.pdf" 1 part
check_dss "$D/lt.pdf" 1 1 "$gen"
verify_json 0 "$D/lt.pdf" --offline
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "B-LT offline: level $(jf "d['seals'][0]['level']")"
pass "B-T seal -> B-LT: DSS with fresh OCSP answers, VRI, ESIC; pdfsig, qpdf, offline B-LT"

# The verifier's side: a DSS that answers for the signer's chain but not for the TSA's is no B-LT (online, the seal
# passes: the level rests on what the file carries).
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$D/signer.ocsp" -noverify >/dev/null 2>&1
python3 "$ESEAL_SRC/tests/verify/pdf_lta.py" dss "$D/bt.pdf" "$D/lt-partial.pdf" --cert "$PKI/eseal.pem" --cert "$CA" \
	--cert "$ROOT" --ocsp "$D/signer.ocsp" --crl "$TE/www/root.crl"
verify_json 0 "$D/lt-partial.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "DSS without the TSA's data: level $(jf "d['seals'][0]['level']")"
[ "$(jf "any('not B-LT' in w and 'eseal Demo TSA' in w for w in d['seals'][0]['warnings'])")" = True ] ||
	fail "no warning naming the TSA certificate: $(head -c 1500 "$OUT")"
pass "verifier: a DSS without the TSA chain's data stays B-T, naming what is missing"

expect_exit 0 extend B-LTA "$D/lt.pdf" "$D/lta.pdf"
check_prefix "$D/lt.pdf" "$D/lta.pdf"
qpdf_ok "$D/lta.pdf"
pdfsig_lta "$D/lta.pdf" 1 1
check_dts "$D/lta.pdf" 1
verify_json 0 "$D/lta.pdf" --offline
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "B-LTA offline: level $(jf "d['seals'][0]['level']")"
pass "B-LT -> B-LTA: document time-stamp verified by openssl ts; offline B-LTA"

sleep 1
publish_crl root # newer than the first document time-stamp, whose TSA chain it covers
expect_exit 0 extend B-LTA "$D/lta.pdf" "$D/lta2.pdf"
check_prefix "$D/lta.pdf" "$D/lta2.pdf"
qpdf_ok "$D/lta2.pdf"
pdfsig_lta "$D/lta2.pdf" 1 2
check_dts "$D/lta2.pdf" 1
check_dts "$D/lta2.pdf" 2
check_dss "$D/lta2.pdf" 3 2 "$gen"
verify_json 0 "$D/lta2.pdf" --offline
expect_seal 0 TOTAL-PASSED None
expect_seal 1 TOTAL-PASSED None
expect_seal 2 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "renewed B-LTA offline: level $(jf "d['seals'][0]['level']")"
pass "B-LTA renewed: validation data for the first document time-stamp, then a second one"

# --- a Poppler B-B signature: a document time-stamp first, then the DSS --------------------------------------------
dev_nss "$D/nss"
pdfsig -add-signature -nssdir "sql:$D/nss" -nick dev "$REPORT" "$D/poppler.pdf" >/dev/null 2>&1 ||
	fail "pdfsig cannot sign"
pdfsig_check "$D/poppler.pdf" 1 whole
# The document time-stamp that gives the signature its time is made during the call, so the root CA's CRL must be
# newer than that: published dated 90 s ahead (the collector accepts data up to 5 minutes in the future, as clocks
# differ). A real CA's CRL is that new only after its next publication: until then the call asks to retry later.
t0=$(date +%s)
(
	flock 9
	faketime -f "+90s" openssl ca -config "$PKI/openssl.cnf" -name root_ca -gencrl -out "$PKI/.root.crl.pem" \
		2>/dev/null &&
		openssl crl -in "$PKI/.root.crl.pem" -outform DER -out "$PKI/.root.crl.der" &&
		mv "$PKI/.root.crl.der" "$TE/www/root.crl"
) 9>"$TE/crl.lock" || fail "the root CA could not publish a CRL"
expect_exit 0 extend B-LT "$D/poppler.pdf" "$D/poppler-lt.pdf"
qpdf_ok "$D/poppler-lt.pdf"
pdfsig_lta "$D/poppler-lt.pdf" 1 1
check_dts "$D/poppler-lt.pdf" 1
check_dss "$D/poppler-lt.pdf" 2 2 "$t0"
verify_json 0 "$D/poppler-lt.pdf" --offline
expect_seal 0 TOTAL-PASSED None
# B-LT, not B-LTA: the document time-stamp came before the DSS, so none covers it.
[ "$(jf "d['seals'][0]['level']")" = B-LT ] ||
	fail "Poppler signature + document time-stamp + DSS: level $(jf "d['seals'][0]['level']")"
pass "Poppler B-B signature -> document time-stamp + DSS: B-LT"

# --- bad input: exit class, one-line message, no output, input untouched ------------------------------------------
refused() { # CODE REGEX IN [eseal extend options]
	local code=$1 re=$2 in=$3 sum
	shift 3
	sum=$(sha256sum "$in")
	rm -f "$D/out.pdf"
	expect_exit "$code" extend B-LTA "$in" "$D/out.pdf" "$@"
	assert_no_file "$D/out.pdf"
	unchanged "$in" "$sum"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "not one line: $(cat "$ERR")"
	assert_grep "$re" "$ERR"
	grep -qF -- "$in" "$ERR" || fail "the message does not name $in: $(cat "$ERR")"
}
refused 65 "no seal" "$REPORT"
cp "$D/bt.pdf" "$D/broken.pdf"
python3 - "$D/broken.pdf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
p = d.index(b"/BaseFont /Helvetica") + 11
d[p] ^= 0x20
open(sys.argv[1], "wb").write(d)
PY
refused 65 "does not verify" "$D/broken.pdf"
expect_exit 0 "$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked.pdf" \
	"$REPORT"
refused 65 "revoked" "$D/revoked.pdf"
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
refused 69 "127.0.0.1:$dead" "$D/lt.pdf" --tsa "http://127.0.0.1:$dead/"
# Responders down: no network at all (a private network namespace without loopback), so OCSP and CRL cannot be
# asked: retry later.
sum=$(sha256sum "$D/bt.pdf")
expect_exit 69 unshare -rn "$ESEAL" extend -p demo --level B-LT "$D/bt.pdf" -o "$D/out.pdf"
assert_no_file "$D/out.pdf"
unchanged "$D/bt.pdf" "$sum"
[ "$(wc -l <"$ERR")" = 1 ] || fail "responders down: not one line: $(cat "$ERR")"
grep -qF "$D/bt.pdf" "$ERR" || fail "responders down: the message does not name the file: $(cat "$ERR")"
qpdf --encrypt "" owner 256 -- "$D/bt.pdf" "$D/enc.pdf" 2>/dev/null || true
expect_exit 65 extend B-LT "$D/enc.pdf" "$D/out.pdf"
assert_grep "encrypted" "$ERR"
assert_no_file "$D/out.pdf"
# A signature over a file with an entry pointing at no header of its object (made by openssl, mkseed_pdf.py): the
# verifier warns, and any update would leave readers rebuilding the table (its seals then fail verification).
python3 - "$REPORT" "$D/report-damaged.pdf" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"\n3 0 obj") == 1
open(sys.argv[2], "wb").write(b.replace(b"\n3 0 obj", b"\n3 5 obj"))
PY
python3 "$ESEAL_SRC/tests/fuzz/mkseed_pdf.py" "$D/report-damaged.pdf" "$D/signed-damaged.pdf" "$DEV_KEY" "$DEV_CHAIN"
refused 65 "damaged PDF \(the cross-reference entry of object 3 points at no header of it\).*breaks any signature" \
	"$D/signed-damaged.pdf"
pass "refused: unsigned (65), broken seal (65), revoked signer (65), TSA down (69), responders down (69), encrypted (65), damaged (65); no output"
