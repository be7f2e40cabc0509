#!/bin/bash
# tests/timestamp/tsa_revocation.sh: sealing at B-T checks the TSA certificate's revocation status (profile key
# tsa-revocation, default require) before a token is used. A TSA whose certificate was revoked (tsa_server.py --mode
# revoked) is refused for PAdES, XAdES and CAdES: exit 78, one line naming the TSA certificate and its revocation time,
# no output, input untouched; a second, good TSA URL is used instead; a batch stops. A good TSA: a batch of several
# documents asks the OCSP responder once (private responders in a network namespace, on the fixture's ports, so their
# logs count this test's requests only); OCSP down but the CRL served: sealed; OCSP down and no CRL: exit 69. A TSA
# certificate naming no OCSP responder and no CRL (made here from the demo CA): 78 under require, sealed under off.
# Referees: `openssl ocsp` on the TSA certificates (same responders), `openssl ts -verify` on the tokens, `openssl cms
# -verify -cades`, pdfsig, xmlsec1.
source "$ESEAL_SRC/tests/lib/env.sh"
D=$(tmpdir)
CMS_TST="python3 $ESEAL_LIB_DIR/cms_tst.py"
SIGPY="python3 $ESEAL_SRC/tests/pdf/pdf_sig.py"
PDF=$D/in/report.pdf
XML=$D/in/invoice.xml
TXT=$D/in/site.txt
mkdir "$D/in" "$D/out"
cp "$SAMPLES/documents/report.pdf" "$PDF"
cp "$SAMPLES/documents/generic-ns.xml" "$XML"
printf 'site report 2026-12: TSA revocation at sealing\n' >"$TXT"
sums() { sha256sum "$PDF" "$XML" "$TXT"; }
sums >"$D/sums.before"

# profile NAME [KEY=VALUE...]: $D/NAME.conf holding [profile NAME] = the fixture's demo profile plus these keys
profile() {
	local name=$1
	shift
	demo_profile "$D/$name.conf" "$name" "$@"
	grep -q '^tsa-ca = ' "$D/$name.conf" || fail "the fixture's demo profile has no tsa-ca: $(cat "$D/$name.conf")"
}

# refused CODE REGEX SEAL-ARGS...: `eseal seal` of each of the PDF, XML and text file fails with CODE and a one-line
# message matching REGEX; no output, nothing left in the output directory, the inputs unchanged.
refused() {
	local code=$1 re=$2 f out
	shift 2
	for f in "$PDF" "$XML" "$TXT"; do
		out=$D/out/$(basename "$f").sealed
		[[ $f == *.txt ]] && out=$out.p7s
		expect_exit "$code" "$ESEAL" seal "$@" -o "$out" "$f"
		assert_grep "$re" "$ERR"
		[ "$(wc -l <"$ERR")" = 1 ] || fail "$(basename "$f"): the message is not one line: $(cat "$ERR")"
		assert_no_file "$out"
		[ -z "$(ls -A "$D/out")" ] || fail "$(basename "$f"): left in the output directory: $(ls -A "$D/out")"
	done
	sums | cmp -s - "$D/sums.before" || fail "an input was modified"
}

# token_of CMS NAME CN: the signature-time-stamp token of CMS (a .p7s, or a PAdES /Contents) passes the referee
# `openssl ts -verify` against the signature value and the fixture's root, and was signed by the TSA named CN.
token_of() {
	local cms=$1 name=$2 cn=$3
	$CMS_TST "$cms" --signature "$D/$name-sig.bin" --token "$D/$name-tst.der" || fail "no token in $(basename "$cms")"
	openssl ts -verify -data "$D/$name-sig.bin" -in "$D/$name-tst.der" -token_in -CAfile "$ROOT" -untrusted "$CA" \
		>"$D/ts.txt" 2>&1 || fail "referee openssl ts -verify rejects the token of $(basename "$cms"): $(cat "$D/ts.txt")"
	openssl ts -reply -in "$D/$name-tst.der" -token_in -text >"$D/$name-tst.txt" 2>/dev/null
	assert_grep "CN ?= ?$cn" "$D/$name-tst.txt"
}

# --- referee: the fixture's OCSP responder says the revoked TSA is revoked, the demo TSA good -----------------------
openssl ocsp -issuer "$CA" -cert "$PKI/tsa-revoked.pem" -url "$OCSP_URL" -CAfile "$ROOT" -timeout 5 >"$D/ocsp.txt" 2>&1 ||
	fail "openssl ocsp query failed: $(cat "$D/ocsp.txt")"
assert_grep "tsa-revoked.pem: revoked" "$D/ocsp.txt"
rev_iso=$(date -u -d "$(sed -n 's/^[[:space:]]*Revocation Time: //p' "$D/ocsp.txt")" +%Y-%m-%dT%H:%M:%SZ)
openssl ocsp -issuer "$CA" -cert "$PKI/tsa.pem" -url "$OCSP_URL" -CAfile "$ROOT" -timeout 5 >"$D/ocsp-good.txt" 2>&1 || true
assert_grep "tsa.pem: good" "$D/ocsp-good.txt"
pass "referee openssl ocsp: tsa-revoked.pem revoked on $rev_iso, tsa.pem good"

# --- a revoked TSA: refused for PAdES, XAdES and CAdES, exit 78 ------------------------------------------------------
REV_URL=$(start_tsa revoked)
REV_RE="time-stamp refused: TSA $REV_URL: the TSA certificate CN=eseal Demo Revoked TSA,O=eseal Demo Trust Services,C=JP was revoked on $rev_iso \\(OCSP, superseded\\)"
refused 78 "$REV_RE" -p demo --tsa "$REV_URL"
pass "revoked TSA: PAdES, XAdES, CAdES refused (exit 78), one line naming the certificate and $rev_iso, no output"

# The same under tsa-revocation = off (the documented risk): sealed, and the token is cryptographically sound (openssl
# ts -verify), so it is the revocation that was refused; eseal verify then finds the time unproven.
profile off tsa-revocation=off
"$ESEAL" seal --config "$D/off.conf" -p off --tsa "$REV_URL" -o "$D/rev-off.p7s" "$TXT"
token_of "$D/rev-off.p7s" rev "eseal Demo Revoked TSA"
expect_exit 2 "$ESEAL" verify --trust "$ROOT" --data "$TXT" "$D/rev-off.p7s"
assert_grep "INDETERMINATE / REVOKED_NO_POE" "$OUT"
pass "tsa-revocation = off: the revoked TSA's token is used (ts -verify accepts it), eseal verify: REVOKED_NO_POE"

# A revoked first TSA and a good second one: sealed with the second (its token, referees cms -cades and ts -verify).
"$ESEAL" seal -p demo --tsa "$REV_URL" --tsa "$TSA_URL" -o "$D/failover.p7s" "$TXT"
openssl cms -verify -cades -binary -inform DER -in "$D/failover.p7s" -content "$TXT" -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>"$D/cms.err" || fail "referee openssl cms -verify -cades: $(cat "$D/cms.err")"
token_of "$D/failover.p7s" fo "eseal Demo TSA"
pass "revoked first TSA, good second: sealed with the second TSA's token (cms -verify -cades, ts -verify)"

# A batch with only the revoked TSA stops: nothing sealed, exit 78, every document reported.
cp "$TXT" "$D/in/second.txt"
expect_exit 78 "$ESEAL" seal -p demo --tsa "$REV_URL" --json --out-dir "$D/batch-rev" "$PDF" "$XML" "$TXT" \
	"$D/in/second.txt"
[ "$(grep -c '"status":"failed"' "$OUT")" = 4 ] || fail "batch: want 4 failed documents: $(cat "$OUT")"
[ -z "$(find "$D/batch-rev" -type f)" ] || fail "batch: outputs written: $(find "$D/batch-rev" -type f)"
grep -q "eseal Demo Revoked TSA.* revoked on $rev_iso" "$OUT" || fail "batch: no document names the revoked TSA"
rm "$D/in/second.txt"
pass "batch with the revoked TSA: exit 78, no output, all 4 documents reported failed"

# --- policy and profile errors ------------------------------------------------------------------------------------
profile bad tsa-revocation=maybe
expect_exit 64 "$ESEAL" seal --config "$D/bad.conf" -p bad -o "$D/out/x.p7s" "$TXT"
assert_grep "tsa-revocation: 'maybe' is not require or off" "$ERR"
profile noca
sed -i '/^tsa-ca = /d' "$D/noca.conf"
expect_exit 78 "$ESEAL" seal --config "$D/noca.conf" -p noca -o "$D/out/x.p7s" "$TXT"
assert_grep "no TSA trust anchors are set \(tsa-ca\); set tsa-ca, or tsa-revocation = off" "$ERR"
assert_no_file "$D/out/x.p7s"
profile noca-off tsa-revocation=off
sed -i '/^tsa-ca = /d' "$D/noca-off.conf"
"$ESEAL" seal --config "$D/noca-off.conf" -p noca-off -o "$D/noca-off.p7s" "$TXT"
pass "tsa-revocation: a bad value is a usage error (64); require without tsa-ca: 78 before sealing; off without: sealed"

# --- a TSA certificate naming no OCSP responder and no CRL (issued here by the demo CA): 78 under require -----------
cat >"$D/bare.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/bare.key" -subj "/O=eseal Test/CN=Bare TSA" -out "$D/bare.csr" \
	2>/dev/null
openssl x509 -req -in "$D/bare.csr" -CA "$CA" -CAkey "$PKI/ca/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
	-days 30 -extfile "$D/bare.ext" -out "$D/bare.pem" 2>/dev/null
openssl x509 -in "$D/bare.pem" -noout -ext authorityInfoAccess,crlDistributionPoints 2>&1 |
	grep -E "OCSP|URI" && fail "the bare TSA certificate names a revocation location"
openssl verify -CAfile "$ROOT" -untrusted "$CA" "$D/bare.pem" >/dev/null || fail "the bare TSA does not chain to the root"
BARE_URL=$(start_tsa ok --signer "$D/bare.pem" "$D/bare.key")
refused 78 "time-stamp refused: TSA $BARE_URL: the TSA certificate CN=Bare TSA,O=eseal Test names no OCSP responder and no CRL distribution point" \
	-p demo --tsa "$BARE_URL"
"$ESEAL" seal --config "$D/off.conf" -p off --tsa "$BARE_URL" -o "$D/bare-off.p7s" "$TXT"
token_of "$D/bare-off.p7s" bare "Bare TSA"
pass "TSA certificate without AIA/CDP: 78 under require (PAdES, XAdES, CAdES), sealed under off (ts -verify accepts)"

# --- private responders on the fixture's ports, in a network namespace of our own ------------------------------------
if [ "$(id -u)" = 0 ]; then NS=(unshare -n); else NS=(unshare -rn); fi
"${NS[@]}" true 2>/dev/null || fail "cannot create a network namespace (${NS[*]}): needed to run private responders"
# ns MODE CMD...: runs CMD in the namespace after starting, on the fixture's ports: MODE=all the OCSP responder (log
# $D/ns-ocsp.log) and the TSA that also serves the CRLs (log $D/ns-tsa.log); MODE=no-ocsp the TSA and CRLs only;
# MODE=no-revocation the TSA only (its CRL directory empty). CMD's exit status goes to $D/ns.rc, its output to
# $D/ns.out and $D/ns.err; then, with MODE=all, the referee `openssl ocsp` asks the same responder about the TSA
# certificate ($D/ns-referee.txt; the responder's log at that point is kept as $D/ns-ocsp-eseal.log).
cat >"$D/ns.sh" <<'EOF'
set -uo pipefail
mode=$1
shift
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
ip link set lo up
OP=$(cat "$TE/ocsp.port") HP=$(cat "$TE/http.port")
# Emptied here, not by the servers' redirections: those run in the background, and a log still saying "listening"
# from the previous call would let the command start before this call's servers listen.
: >"$D/ns-ocsp.log"
: >"$D/ns-tsa.log"
mkdir -p "$D/empty-www"
www=$TE/www
[ "$mode" = no-revocation ] && www=$D/empty-www
python3 "$LIB/tsa_server.py" --dir "$TE" --port "$HP" --www "$www" </dev/null >"$D/ns-tsa.log" 2>&1 &
pids+=($!)
if [ "$mode" = all ]; then
	python3 "$LIB/ocsp_server.py" --dir "$TE" --port "$OP" </dev/null >"$D/ns-ocsp.log" 2>&1 &
	pids+=($!)
fi
for i in $(seq 100); do
	grep -q listening "$D/ns-tsa.log" && { [ "$mode" != all ] || grep -q listening "$D/ns-ocsp.log"; } && break
	sleep 0.1
done
rc=0
"$@" >"$D/ns.out" 2>"$D/ns.err" || rc=$?
echo "$rc" >"$D/ns.rc"
if [ "$mode" = all ]; then
	cp "$D/ns-ocsp.log" "$D/ns-ocsp-eseal.log"
	openssl ocsp -issuer "$PKI/ca.pem" -cert "$PKI/tsa.pem" -url "http://127.0.0.1:$OP" -CAfile "$PKI/root.pem" \
		-timeout 5 >"$D/ns-referee.txt" 2>&1
fi
EOF
ns() {
	TE=$TE PKI=$PKI LIB=$ESEAL_LIB_DIR D=$D "${NS[@]}" bash "$D/ns.sh" "$@"
}

# A batch of six documents (2 PDF, 2 XML, 2 files), -j 4 (16 requests to the TSA in flight): one OCSP request.
mkdir "$D/many"
for i in 1 2; do
	cp "$PDF" "$D/many/report-$i.pdf"
	cp "$XML" "$D/many/invoice-$i.xml"
	printf 'drawing %s\n' "$i" >"$D/many/drawing-$i.dwg"
done
ns all "$ESEAL" seal -p demo -j 4 --json --out-dir "$D/many-out" "$D/many/"*
[ "$(cat "$D/ns.rc")" = 0 ] || fail "batch with the good TSA: exit $(cat "$D/ns.rc"): $(cat "$D/ns.out" "$D/ns.err")"
[ "$(grep -c '"status":"sealed"' "$D/ns.out")" = 6 ] || fail "batch: want 6 sealed: $(cat "$D/ns.out")"
tokens=$(grep -c '"POST / ' "$D/ns-tsa.log" || true)
ocsp=$(grep -c '"POST / ' "$D/ns-ocsp-eseal.log" || true)
crl=$(grep -c '"GET /root\.crl' "$D/ns-tsa.log" || true)
[ "$tokens" = 6 ] || fail "the TSA was asked $tokens times, want 6: $(cat "$D/ns-tsa.log")"
[ "$ocsp" = 1 ] || fail "the OCSP responder was asked $ocsp times for 6 documents, want 1: $(cat "$D/ns-ocsp-eseal.log")"
# The TSA's issuing CA names only a CRL (of the root): fetched once too.
[ "$crl" = 1 ] || fail "the root's CRL was fetched $crl times, want 1: $(cat "$D/ns-tsa.log")"
assert_grep "tsa.pem: good" "$D/ns-referee.txt"
pdfsig_check "$D/many-out/report-2.pdf" 1 whole
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$D/many-out/invoice-1.xml" >/dev/null 2>&1 ||
	fail "referee xmlsec1 rejects invoice-1.xml"
openssl cms -verify -cades -binary -inform DER -in "$D/many-out/drawing-1.dwg.p7s" -content "$D/many/drawing-1.dwg" \
	-CAfile "$ROOT" -purpose any -out /dev/null 2>"$D/cms.err" || fail "referee openssl cms -cades: $(cat "$D/cms.err")"
$SIGPY "$D/many-out/report-1.pdf" --cms "$D/p-cms.der" 2>"$D/sigpy" || fail "pdf_sig.py: $(cat "$D/sigpy")"
token_of "$D/p-cms.der" pades "eseal Demo TSA"
pass "good TSA, batch of 6 (PAdES, XAdES, CAdES): $tokens tokens, $ocsp OCSP request, $crl CRL fetch; referees agree"

# OCSP responder down, the CRL still served: the TSA certificate's status comes from the CA's CRL.
ns no-ocsp "$ESEAL" seal -p demo -o "$D/crl-only.p7s" "$TXT"
[ "$(cat "$D/ns.rc")" = 0 ] || fail "OCSP down, CRL served: exit $(cat "$D/ns.rc"): $(cat "$D/ns.err")"
[ "$(grep -c '"GET /ca\.crl' "$D/ns-tsa.log" || true)" = 1 ] || fail "the CA's CRL was not fetched: $(cat "$D/ns-tsa.log")"
pass "OCSP responder down, CRL served: sealed (the status came from the CA's CRL)"

# OCSP responder down and no CRL to be had: status unknown, exit 69 (retry later), no output.
ns no-revocation "$ESEAL" seal -p demo -o "$D/out/unknown.p7s" "$TXT"
[ "$(cat "$D/ns.rc")" = 69 ] || fail "no OCSP, no CRL: exit $(cat "$D/ns.rc"), want 69: $(cat "$D/ns.err")"
grep -Eq "time-stamp failed: TSA http://127\.0\.0\.1:[0-9]+/: revocation status of the TSA certificate CN=eseal Demo TSA,O=eseal Demo Trust Services,C=JP unknown: http://127\.0\.0\.1:[0-9]+: .*[Cc]onnect" "$D/ns.err" ||
	fail "no OCSP, no CRL: message: $(cat "$D/ns.err")"
[ "$(wc -l <"$D/ns.err")" = 1 ] || fail "no OCSP, no CRL: the message is not one line: $(cat "$D/ns.err")"
assert_no_file "$D/out/unknown.p7s"
sums | cmp -s - "$D/sums.before" || fail "an input was modified"
pass "OCSP responder down and no CRL: exit 69 naming the TSA certificate and the unreachable responder, no output"
