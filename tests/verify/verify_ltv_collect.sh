#!/bin/bash
# tests/verify/verify_ltv_collect.sh: the validation data a long-term seal gets (cms/ltv_collect.c through
# tests/verify/ltv_collect_tool): the chains of the seal and of its time-stamp's TSA, and for each certificate below
# the root an answer issued after the time-stamp; referees openssl ocsp, openssl crl, openssl ts. A CRL older than
# the seal is refused until the CA publishes its next one (69, saying when it is due); a revoked signer gives 65; a
# signature without time-stamp 65. (Unreachable responders: tests/cms/test_cades_extend.sh and tests/xml, in a
# private network namespace.)
source "$ESEAL_SRC/tests/lib/env.sh"
D=$(tmpdir)
TOOL=$ESEAL_BUILD/tests/verify/ltv_collect_tool
printf 'site report 2026-12: steel frame inspected\n' >"$D/report.txt"
# From the seal to the first collection no other test may publish the root's CRL (it must stay older than the seal).
crl_hold
"$ESEAL" seal -p demo --format cades -o "$D/report.txt.p7s" "$D/report.txt"

# The signature time-stamp's genTime, read by OpenSSL from the token inside the .p7s.
python3 - "$D/report.txt.p7s" "$D/tst.der" <<'PY'
import subprocess, sys
out = subprocess.run(["openssl", "asn1parse", "-inform", "DER", "-in", sys.argv[1]], capture_output=True, text=True,
                     check=True).stdout.splitlines()
# the attribute value following the id-smime-aa-timeStampToken OID is the token (a SEQUENCE)
for i, line in enumerate(out):
    if "id-smime-aa-timeStampToken" in line:
        for nxt in out[i + 1:]:
            if "cons: SEQUENCE" in nxt:
                off = int(nxt.split(":")[0])
                der = open(sys.argv[1], "rb").read()
                hl = int(nxt.split("hl=")[1].split()[0]); l = int(nxt.split(" l=")[1].split()[0])
                open(sys.argv[2], "wb").write(der[off:off + hl + l])
                sys.exit(0)
sys.exit("no time-stamp token in the .p7s")
PY
gen=$(openssl ts -reply -token_in -in "$D/tst.der" -text 2>/dev/null | sed -n 's/^Time stamp: //p')
[ -n "$gen" ] || fail "openssl ts cannot read the seal's time-stamp"
gen_s=$(date -d "$gen" +%s)

# The demo root's CRL (the issuing CA's only revocation source) was published when the fixture was made: older than
# the seal, it cannot show the CA certificate's status after it. The error says when the next one is due.
mkdir "$D/early"
expect_exit 69 "$TOOL" "$ROOT" "$D/report.txt.p7s" "$D/early"
crl_release
assert_grep "CRL was issued .* before the time-stamp .*; the next one is due 20[0-9-]+T" "$ERR"
# The next one is due at the CRL's nextUpdate (the demo CA publishes every 30 days), not at its lastUpdate.
issued=$(sed -n 's/.*the CRL was issued \([^,]*\),.*/\1/p' "$ERR")
due=$(sed -n 's/.*the next one is due \([^ ]*\) .*/\1/p' "$ERR")
[ $(($(date -d "$due" +%s) - $(date -d "$issued" +%s))) -ge $((29 * 86400)) ] ||
	fail "the next CRL ($due) is not the one after the CRL issued $issued"
assert_grep "eSeal Demo e-Seal CA|eseal Demo e-Seal CA" "$ERR"
pass "a CRL older than the seal: 69, naming the CA certificate and when the next CRL is due"

publish_crl root
mkdir "$D/ok"
expect_exit 0 "$TOOL" "$ROOT" "$D/report.txt.p7s" "$D/ok"
# Certificates: the seal's (eseal.pem), the issuing CA, the root; the TSA's chain: TSA, issuing CA, root.
for c in "$PKI/eseal.pem" "$CA" "$ROOT"; do
	fp=$(openssl x509 -in "$c" -noout -fingerprint -sha256)
	found=0
	for f in "$D"/ok/cert-*.der; do
		[ "$(openssl x509 -inform DER -in "$f" -noout -fingerprint -sha256)" = "$fp" ] && found=1
	done
	[ $found = 1 ] || fail "the seal's chain lacks $(openssl x509 -in "$c" -noout -subject)"
done
[ "$(ls "$D"/ok/cert-*.der | wc -l)" = 3 ] || fail "the seal's chain: expected 3 certificates"
[ "$(ls "$D"/ok/tsa-cert-*.der | wc -l)" = 3 ] || fail "the TSA's chain: expected 3 certificates"
# One OCSP response for the seal's certificate, one for the TSA's, each good and produced after genTime; the
# issuing CA's status from the root's new CRL (one for each chain, the same CRL).
[ "$(ls "$D"/ok/ocsp-*.der | wc -l)" = 1 ] && [ "$(ls "$D"/ok/tsa-ocsp-*.der | wc -l)" = 1 ] ||
	fail "expected one OCSP response per chain"
for f in "$D"/ok/ocsp-0.der "$D"/ok/tsa-ocsp-0.der; do
	openssl ocsp -respin "$f" -resp_text -noverify >"$D/ocsp.txt" 2>&1 || fail "openssl ocsp cannot read $f"
	assert_grep "Cert Status: good" "$D/ocsp.txt"
	upd=$(sed -n 's/^ *This Update: //p' "$D/ocsp.txt" | head -1)
	[ "$(date -d "$upd" +%s)" -ge "$gen_s" ] || fail "$f: thisUpdate $upd before the time-stamp $gen"
done
openssl ocsp -respin "$D/ok/ocsp-0.der" -resp_text -noverify | grep "$(openssl x509 -in "$PKI/eseal.pem" -noout -serial |
	cut -d= -f2)" >/dev/null || fail "the seal's OCSP response is not about the seal's certificate"
for f in "$D"/ok/crl-0.der "$D"/ok/tsa-crl-0.der; do
	openssl crl -inform DER -in "$f" -noout -issuer | grep "Demo Root CA" >/dev/null || fail "$f: not the root's CRL"
	upd=$(openssl crl -inform DER -in "$f" -noout -lastupdate | cut -d= -f2)
	[ "$(date -d "$upd" +%s)" -ge "$gen_s" ] || fail "$f: lastUpdate $upd before the time-stamp $gen"
	openssl crl -inform DER -in "$f" -CAfile "$ROOT" -noout 2>&1 | grep "verify OK" >/dev/null || fail "$f: signature"
done
pass "chains of seal and TSA, OCSP good and CRL issued after the time-stamp (openssl ocsp, crl, ts agree)"

# A revoked seal certificate (the sealer lets it seal: the key is the organization's to use): 65 naming it.
"$ESEAL" seal -p demo --format cades --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked.p7s" \
	"$D/report.txt"
publish_crl root
mkdir "$D/rev"
expect_exit 65 "$TOOL" "$ROOT" "$D/revoked.p7s" "$D/rev"
assert_grep "seal certificate .* was revoked on .*\(OCSP" "$ERR"
[ -z "$(ls "$D/rev")" ] || fail "revoked: nothing may be written"
pass "revoked seal certificate: 65 naming it"

# A signature without a time-stamp (B-B): 65.
"$ESEAL" seal -p demo-bb --format cades -o "$D/bb.p7s" "$D/report.txt"
mkdir "$D/bb"
expect_exit 65 "$TOOL" "$ROOT" "$D/bb.p7s" "$D/bb"
assert_grep "no signature time-stamp" "$ERR"
pass "B-B: 65"
