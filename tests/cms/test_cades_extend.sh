#!/bin/bash
# tests/cms/test_cades_extend.sh: `eseal extend` on detached CAdES: B-T .p7s made by eseal and by OpenSSL raised to
# B-LT, B-LTA and B-LTA again (the data file beside the .p7s, or named with --data). Referees we did not write:
# openssl cms -verify, cms -print, ocsp -respin, ts -reply/-verify (the archive imprint computed by
# tests/cms/cades_referee.py), and eseal verify --offline. Bad input: exit class, one line, no output, input untouched.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"

REF="python3 $ESEAL_SRC/tests/cms/cades_referee.py"
ADD="python3 $ESEAL_SRC/tests/cms/cms_add_tst.py"
D=$(tmpdir)
cd "$D"
head -c 100000 /dev/urandom >doc.bin

extend() { # CODE LEVEL IN OUT [eseal extend options]: the demo profile's TSA and trust anchors
	local code=$1 level=$2 in=$3 out=$4
	shift 4
	expect_exit "$code" "$ESEAL" extend -p demo --level "$level" "$@" "$in" -o "$out"
}

gen_time() { # TOKEN.der: its genTime in seconds since the epoch
	local t
	t=$(openssl ts -reply -token_in -in "$1" -text 2>/dev/null | sed -n 's/^Time stamp: //p')
	[ -n "$t" ] || fail "openssl ts -reply cannot read $1"
	date -u -d "$t" +%s
}

# referee FILE DATA|- WANT_ATS: every outside check of an extended .p7s (DATA - : encapsulated content).
referee() {
	local f=$1 data=$2 want_ats=$3 content=() dopt=() n i tst_gen produced imprint st
	if [ "$data" != - ]; then
		content=(-content "$data")
		dopt=(--data "$data")
	fi
	openssl cms -verify -cades -binary "${content[@]}" -inform DER -in "$f" -CAfile "$ROOT" -purpose any \
		-out /dev/null 2>verify.err || fail "$f: openssl cms -verify: $(cat verify.err)"
	openssl cms -cmsout -print -inform DER -in "$f" >print.txt
	grep -q 'd.certificate:' print.txt || fail "$f: cms -print shows no certificate"
	grep -q 'd.other:' print.txt || fail "$f: cms -print shows no other revocation entry"
	grep -q 'otherRevInfoFormat: .*(1.3.6.1.5.5.7.16.2)' print.txt ||
		fail "$f: no id-ri-ocsp-response: $(grep -A3 'd.other' print.txt | head)"
	rm -f ocsp-*.der ats-*.der sig.bin
	$REF "$f" "${dopt[@]}" --ocsp ocsp --ats ats --signature sig.bin >ref.txt || fail "$f: referee cannot read it"
	read -r _ certs _ crls _ n _ ats <ref.txt
	[ "$n" -ge 2 ] || fail "$f: $n OCSP responses (want the seal's and the TSA's)"
	[ "$certs" -ge 4 ] || fail "$f: $certs certificates (want seal, CA, root, TSA)"
	[ "$ats" = "$want_ats" ] || fail "$f: $ats archive time-stamps, want $want_ats"
	# The signature time-stamp (the one before any archive time-stamp) and its genTime.
	python3 "$ESEAL_LIB_DIR/cms_tst.py" "$f" --token tst.der >/dev/null || fail "$f: no signature time-stamp"
	tst_gen=$(gen_time tst.der)
	for i in $(seq "$n"); do
		openssl ocsp -respin "ocsp-$i.der" -resp_text -noverify >ocsp.txt 2>&1 || fail "$f: OCSP response $i unreadable"
		grep -q 'Cert Status: good' ocsp.txt || fail "$f: OCSP response $i not good: $(cat ocsp.txt)"
		produced=$(date -u -d "$(sed -n 's/^ *Produced At: //p' ocsp.txt)" +%s)
		[ "$produced" -ge "$tst_gen" ] || fail "$f: OCSP response $i produced before the signature time-stamp"
	done
	for i in $(seq "$want_ats"); do
		read -r _ _ imprint st < <(grep "^ats $i " ref.txt)
		[ "$st" = index-ok ] || fail "$f: archive time-stamp $i: its hash index names an element not present"
		openssl ts -reply -token_in -in "ats-$i.der" -text >ats.txt 2>&1 || fail "$f: archive time-stamp $i unreadable"
		openssl ts -verify -digest "$imprint" -in "ats-$i.der" -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
			>ts.out 2>&1 || fail "$f: openssl ts -verify refuses archive time-stamp $i for the imprint: $(cat ts.out)"
		grep -q 'Verification: OK' ts.out || fail "$f: ts -verify: $(cat ts.out)"
		[ "$(gen_time "ats-$i.der")" -ge "$tst_gen" ] || fail "$f: archive time-stamp before the signature's"
	done
}

# offline_level FILE DATA|- LEVEL: eseal verify --offline says TOTAL-PASSED at LEVEL.
offline_level() {
	local f=$1 data=$2 want=$3 dopt=()
	[ "$data" != - ] && dopt=(--data "$data")
	verify_json 0 "$f" --offline "${dopt[@]}"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = "$want" ] || fail "$f: offline level $(jf "d['seals'][0]['level']"), want $want"
}

# --- eseal's own B-T detached .p7s -------------------------------------------------------------------------------
"$ESEAL" seal -p demo --format cades -o doc.bin.p7s doc.bin
cp doc.bin.p7s bt-orig.p7s
# The issuing CA's status comes from the root's CRL: one issued after the time-stamp must exist (a CA publishes on
# its schedule; the test does so now).
publish_crl root
expect_exit 2 "$ESEAL" verify --json --offline --trust "$ROOT" doc.bin.p7s
[ "$(jf "d['seals'][0]['level']")" != B-LT ] || fail "a B-T seal offline reaches B-LT"
pass "B-T offline: not B-LT ($(jf "d['seals'][0]['indication']"))"

extend 0 B-LT doc.bin.p7s lt.p7s
cmp -s doc.bin.p7s bt-orig.p7s || fail "the input .p7s was modified"
referee lt.p7s doc.bin 0
offline_level lt.p7s doc.bin B-LT
pass "eseal B-T -> B-LT: openssl cms/ocsp referees; offline TOTAL-PASSED B-LT"

extend 0 B-LTA lt.p7s lta.p7s --data doc.bin
referee lta.p7s doc.bin 1
offline_level lta.p7s doc.bin B-LTA
publish_crl root # renewal: validation data for the archive time-stamp's TSA, issued after it
extend 0 B-LTA lta.p7s lta2.p7s --data doc.bin
referee lta2.p7s doc.bin 2
offline_level lta2.p7s doc.bin B-LTA
# the same in one step from B-T
extend 0 B-LTA doc.bin.p7s direct.p7s
referee direct.p7s doc.bin 1
pass "B-LT -> B-LTA -> B-LTA again (and B-T -> B-LTA): ts -verify over the referee's imprint; offline B-LTA"

# A covered element changed: the last byte of the first OCSP response (inside its signature or certificates).
python3 - lta.p7s tampered.p7s <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["ESEAL_SRC"] + "/tests/cms")
import cades_referee as r
buf = bytearray(open(sys.argv[1], "rb").read())
d = r.signed_data(bytes(buf))
o = [c for c in d["crls"] if c[0] == 0xA1][0]
pos = bytes(buf).index(o) + len(o) - 1
buf[pos] ^= 0x01
open(sys.argv[2], "wb").write(buf)
PY
$REF tampered.p7s --data doc.bin | grep 'index-bad' >/dev/null || fail "the referee does not see the change"
verify_json 1 tampered.p7s --offline --data doc.bin
expect_seal 0 TOTAL-FAILED HASH_FAILURE "archive time-stamp 1 invalid"
pass "a changed element the archive time-stamp covers: TOTAL-FAILED/HASH_FAILURE"

# --- OpenSSL's B-T: cms -sign -cades, a token from the fixture's TSA by openssl ts, spliced in by cms_add_tst.py ----
tsa_token() { # SHA256_HEX OUT: a token from the fixture's TSA by openssl ts and curl
	openssl ts -query -digest "$1" -sha256 -cert -out q.tsq 2>/dev/null
	curl -sf --max-time 20 -H 'Content-Type: application/timestamp-query' --data-binary @q.tsq "$TSA_URL" -o r.tsr ||
		fail "the TSA does not answer curl"
	openssl ts -reply -in r.tsr -token_out -out "$2" 2>/dev/null || fail "openssl ts -reply: no token"
}
openssl_bt() { # OUT [cms -sign options]: B-T made with OpenSSL (the splice of the unsigned attribute is ours)
	local out=$1
	shift
	openssl cms -sign -cades -binary -outform DER -in doc.bin -signer "$PKI/dev-eseal.pem" -inkey "$DEV_KEY" \
		-certfile "$CA" -md sha256 "$@" -out bb-ossl.p7s
	$REF bb-ossl.p7s --signature ossl-sig.bin >/dev/null
	tsa_token "$(openssl dgst -sha256 -r ossl-sig.bin | cut -d' ' -f1)" ossl-tok.der
	$ADD bb-ossl.p7s ossl-tok.der "$out"
}
openssl_bt ossl.p7s
publish_crl root
verify_json 0 ossl.p7s --data doc.bin
[ "$(jf "d['seals'][0]['timestamp_time']")" != None ] || fail "the OpenSSL B-T has no time-stamp"
extend 0 B-LT ossl.p7s ossl-lt.p7s --data doc.bin
referee ossl-lt.p7s doc.bin 0
offline_level ossl-lt.p7s doc.bin B-LT
extend 0 B-LTA ossl-lt.p7s ossl-lta.p7s --data doc.bin
referee ossl-lta.p7s doc.bin 1
offline_level ossl-lta.p7s doc.bin B-LTA
publish_crl root
extend 0 B-LTA ossl-lta.p7s ossl-lta2.p7s --data doc.bin
referee ossl-lta2.p7s doc.bin 2
offline_level ossl-lta2.p7s doc.bin B-LTA
pass "OpenSSL B-T -> B-LT -> B-LTA -> B-LTA again: referees and offline verify"

# encapsulated content (cms -sign -nodetach): the archive imprint hashes the eContent
openssl_bt ossl-enc.p7s -nodetach
publish_crl root
extend 0 B-LTA ossl-enc.p7s ossl-enc-lta.p7s
referee ossl-enc-lta.p7s - 1
offline_level ossl-enc-lta.p7s - B-LTA
pass "OpenSSL encapsulated B-T -> B-LTA"

# --- crafted: an archive time-stamp over the B-T, the validation data added after it (not covered by it) ---------
read -r _ imp < <($REF bt-orig.p7s --data doc.bin --new-index craft-index.der | grep '^new ')
tsa_token "$imp" craft-tok.der
$ADD craft-tok.der craft-index.der craft-tok2.der 0.4.0.19122.1.5
$ADD bt-orig.p7s craft-tok2.der craft-ats.p7s 0.4.0.1733.2.4
$ADD --revinfo craft-ats.p7s lt.p7s craft.p7s
referee craft.p7s doc.bin 1
verify_json 0 craft.p7s --offline --data doc.bin
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-LT ] || fail "uncovered validation data: level $(jf "d['seals'][0]['level']"), want B-LT"
jf "'\\n'.join(d['seals'][0]['warnings'])" | grep 'not B-LTA: the archive time-stamps do not cover' >/dev/null ||
	fail "no warning about the uncovered validation data: $(head -c 1500 "$OUT")"
pass "validation data added after the archive time-stamp: B-LT, not B-LTA"

# --- bad input: exit class, one line naming the file, no output, input untouched ----------------------------------
bad() { # CODE LEVEL REGEX IN [eseal extend options]
	local code=$1 level=$2 re=$3 in=$4 sum
	shift 4
	sum=$(sha256sum "$in")
	rm -f bad-out.p7s
	extend "$code" "$level" "$in" bad-out.p7s "$@"
	assert_no_file bad-out.p7s
	[ "$(sha256sum "$in")" = "$sum" ] || fail "$in was modified"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "not one line: $(cat "$ERR")"
	grep -Eq -- "$re" "$ERR" || fail "message '$(cat "$ERR")' does not match '$re'"
}
bad 65 B-LT "doc.bin: not a CMS signature" doc.bin --data doc.bin
cp doc.bin changed.bin
printf 'x' >>changed.bin
bad 65 B-LT "does not verify \(TOTAL-FAILED\)" doc.bin.p7s --data changed.bin
"$ESEAL" seal -p demo-bb --format cades -o bb.p7s doc.bin
bad 65 B-LT "bb.p7s: needs a signature time-stamp \(B-T\) first" bb.p7s --data doc.bin
"$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" --format cades -o revoked.p7s doc.bin
bad 65 B-LTA "revoked.p7s: .*revoked" revoked.p7s --data doc.bin
pass "not a CMS, a broken seal, a B-B seal, a revoked signer: 65 with one line, no output, input untouched"

dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bad 69 B-LTA "127.0.0.1:$dead" lt.p7s --data doc.bin --tsa "http://127.0.0.1:$dead/"
pass "TSA down at B-LTA: 69 with one line, no output, input untouched"

# --data names the data of one .p7s: not a batch's, not a PDF's.
expect_exit 64 "$ESEAL" extend -p demo --level B-LT --data doc.bin --out-dir bad-dir lt.p7s
assert_grep "data FILE names the data of one .p7s" "$ERR"
assert_no_file bad-dir
cp "$SAMPLES/documents/report.pdf" report.pdf
expect_exit 64 "$ESEAL" extend -p demo --level B-LT --data doc.bin report.pdf -o bad-out.pdf
assert_grep "report.pdf: a data file is given only to extend a detached .p7s" "$ERR"
assert_no_file bad-out.pdf
pass "--data with --out-dir, or for a PDF: 64 (usage), no output"

# Responders down: no network at all (a private namespace), so OCSP and CRL cannot be asked: retry later.
if [ "$(id -u)" = 0 ]; then NS=(unshare -n); else NS=(unshare -rn); fi
sum=$(sha256sum doc.bin.p7s)
rc=0
"${NS[@]}" bash -c 'ip link set lo up; exec "$@"' _ "$ESEAL" extend -p demo --level B-LT doc.bin.p7s -o down.p7s >"$OUT" 2>"$ERR" || rc=$?
[ "$rc" = 69 ] || fail "responders down: exit $rc, want 69: $(cat "$ERR")"
assert_no_file down.p7s
[ "$(sha256sum doc.bin.p7s)" = "$sum" ] || fail "input modified"
[ "$(wc -l <"$ERR")" = 1 ] || fail "not one line: $(cat "$ERR")"
grep -q "doc.bin.p7s" "$ERR" || fail "the message names no file: $(cat "$ERR")"
pass "responders down: 69 ($(cat "$ERR"))"
