#!/bin/bash
# tests/cms/test_cades_cli.sh: the CLI: detached CAdES B-T of a 300 KB binary file,
# checked by `openssl cms -verify` and `openssl ts -verify`; then each bad input with its exit code, message, no output.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cms/p11_logins.sh"

D=$(tmpdir)
cd "$D"
head -c 307200 /dev/urandom >big.bin
IN_SUM=$(sha256sum big.bin)

# --- B-T, exactly the issue's command line -----------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo --level B-T big.bin -o big.bin.p7s
assert_file big.bin.p7s
[ "$(sha256sum big.bin)" = "$IN_SUM" ] || fail "input modified"
openssl cms -verify -cades -binary -inform DER -in big.bin.p7s -content big.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>verify.err || fail "openssl cms -verify refused the .p7s: $(cat verify.err)"
pass "openssl cms -verify accepts the B-T .p7s"
# The referee must refuse a changed file, or its "yes" proves nothing.
# Flip the bits of byte 1000 (writing a fixed 'x' left the file unchanged when that byte already was 'x').
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[1000] ^= 0xFF; open(sys.argv[2], "wb").write(d)' \
	big.bin changed.bin
cmp -s big.bin changed.bin && fail "changed.bin is not changed"
if openssl cms -verify -cades -binary -inform DER -in big.bin.p7s -content changed.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null; then
	fail "openssl cms -verify accepted a changed file"
fi

# Signed attributes: exactly content-type, signing-time (CAdES-B, EN 319 122-1), message-digest,
# signing-certificate-v2 (in DER order); unsigned: exactly the signature time-stamp.
openssl cms -cmsout -print -inform DER -in big.bin.p7s >print.txt
attrs() { awk -v start="$1" -v stop="$2" '$1 == start {on = 1; next} $1 == stop {on = 0} on && $1 == "object:" {print $2}' print.txt | tr '\n' ' '; }
SIGNED=$(attrs signedAttrs: signatureAlgorithm:)
UNSIGNED=$(attrs unsignedAttrs: no-such-line)
[ "$SIGNED" = "contentType signingTime messageDigest id-smime-aa-signingCertificateV2 " ] ||
	fail "signed attributes are [$SIGNED]"
[ "$UNSIGNED" = "id-smime-aa-timeStampToken " ] || fail "unsigned attributes are [$UNSIGNED]"
grep -q "eContent: <ABSENT>" print.txt || fail "eContent is not absent (not detached)"
pass "signed attributes: $SIGNED; unsigned: $UNSIGNED"

# The token: its imprint must be SHA-256 of the signature value's octets. Both are located with asn1parse
# (SignerInfo fields are at depth 5; the token is the SEQUENCE inside the attribute's SET) and cut out with dd.
openssl asn1parse -inform DER -in big.bin.p7s >asn1.txt
read -r SIG_OFF SIG_HL SIG_LEN < <(awk '/d=5 .*prim: OCTET STRING/ {line = $0} END {print line}' asn1.txt |
	sed -E 's/^ *([0-9]+):d=5 +hl=([0-9]+) +l= *([0-9]+).*/\1 \2 \3/')
[ "${SIG_LEN:-0}" -eq 256 ] || fail "signature value not found (RSA-2048: 256 bytes), got '$SIG_LEN'"
dd if=big.bin.p7s of=sig.bin bs=1 skip=$((SIG_OFF + SIG_HL)) count="$SIG_LEN" status=none
read -r TOK_OFF TOK_HL TOK_LEN < <(awk '/id-smime-aa-timeStampToken/ {on = 1; next} on && /d=8 .*cons: SEQUENCE/ {print; exit}' asn1.txt |
	sed -E 's/^ *([0-9]+):d=8 +hl=([0-9]+) +l= *([0-9]+).*/\1 \2 \3/')
[ -n "${TOK_OFF:-}" ] || fail "time-stamp token not found in the .p7s"
dd if=big.bin.p7s of=token.der bs=1 skip="$TOK_OFF" count=$((TOK_HL + TOK_LEN)) status=none
SIG_HASH=$(openssl dgst -sha256 -r sig.bin | cut -d' ' -f1)
openssl ts -verify -digest "$SIG_HASH" -in token.der -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
	>ts.out 2>&1 || fail "openssl ts -verify refused the token: $(cat ts.out)"
grep -q "Verification: OK" ts.out || fail "openssl ts -verify: $(cat ts.out)"
OTHER_HASH=$(printf 'other' | openssl dgst -sha256 -r | cut -d' ' -f1)
if openssl ts -verify -digest "$OTHER_HASH" -in token.der -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
	>/dev/null 2>&1; then
	fail "openssl ts -verify accepted the token for another digest"
fi
pass "openssl ts -verify accepts the token for sha256(signature value)"

# --- B-B: no unsigned attributes ---------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb -o bb.p7s big.bin
openssl cms -verify -cades -binary -inform DER -in bb.p7s -content big.bin -CAfile "$ROOT" -purpose any -out /dev/null \
	2>verify.err || fail "B-B: openssl cms -verify: $(cat verify.err)"
openssl cms -cmsout -print -inform DER -in bb.p7s | grep -A1 'unsignedAttrs:' | grep >/dev/null '<ABSENT>' ||
	fail "B-B carries unsigned attributes"
pass "B-B verifies and carries no time-stamp"

# --- ECDSA (P-256, B-T) and RSA-PSS keys: the referee accepts both -----------------------------------------------
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-ec -o ec.p7s big.bin
openssl cms -verify -cades -binary -inform DER -in ec.p7s -content big.bin -CAfile "$ROOT" -purpose any -out /dev/null \
	2>verify.err || fail "ECDSA: openssl cms -verify: $(cat verify.err)"
openssl cms -cmsout -print -inform DER -in ec.p7s | grep >/dev/null 'ecdsa-with-SHA256' || fail "ECDSA: wrong signatureAlgorithm"
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --sig-scheme pss -o pss.p7s big.bin
openssl cms -verify -cades -binary -inform DER -in pss.p7s -content big.bin -CAfile "$ROOT" -purpose any -out /dev/null \
	2>verify.err || fail "PSS: openssl cms -verify: $(cat verify.err)"
openssl cms -cmsout -print -inform DER -in pss.p7s | grep >/dev/null 'rsassaPss' || fail "PSS: wrong signatureAlgorithm"
pass "ECDSA B-T and RSA-PSS .p7s verify"

# --- a file over 2 GiB (sparse, so no disk is used): streamed, no 32-bit size anywhere ----------------------------
truncate -s $((2147483648 + 4097)) huge.bin
printf 'tail' >>huge.bin
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb -o huge.bin.p7s huge.bin
openssl cms -verify -cades -binary -inform DER -in huge.bin.p7s -content huge.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>verify.err || fail "2 GiB file: openssl cms -verify: $(cat verify.err)"
rm -f huge.bin
pass "a 2 GiB + 4 KiB file is sealed and verifies"

# --- an existing output is never replaced without --force --------------------------------------------------------
echo keep >exists.p7s
ino=$(stat -c %i exists.p7s)
expect_exit 74 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb -o exists.p7s big.bin
[ "$(cat exists.p7s)" = keep ] || fail "existing output was modified"
assert_grep "exists.p7s" "$ERR"
# With --force it is replaced: a new file (new inode) holding a seal that verifies, not the old bytes.
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb --force -o exists.p7s big.bin
[ "$(stat -c %i exists.p7s)" != "$ino" ] || fail "--force wrote into the existing file instead of replacing it"
openssl cms -verify -cades -binary -inform DER -in exists.p7s -content big.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>verify.err || fail "--force: the replacing .p7s does not verify: $(cat verify.err)"
pass "an existing output is kept without --force and replaced (new inode, verifies) with it"

# --- bad inputs: exit code, one clear line naming what and why, and no output file ------------------------------
# fault NAME CODE REGEX args...: seals big.bin to NAME.p7s with the demo profile plus args.
fault() {
	local name=$1 code=$2 regex=$3
	shift 3
	expect_exit "$code" "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo "$@" -o "$name.p7s" big.bin
	assert_no_file "$name.p7s"
	assert_grep "$regex" "$ERR"
	[ "$(wc -l <"$ERR")" -le 2 ] || fail "$name: message is not short: $(cat "$ERR")"
	ls -A | grep >/dev/null '^\.eseal-tmp' && fail "$name: a temporary file was left behind"
	pass "$name: exit $code, $(head -c 200 "$ERR")"
}

DEAD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
DEAD="http://127.0.0.1:$DEAD_PORT/"
fault tsa-down 69 "TSA $DEAD: unreachable" --tsa "$DEAD"
URL=$(start_tsa garbage)
fault tsa-garbage 69 "TSA $URL: answer is not an RFC 3161 TimeStampResp" --tsa "$URL"
URL=$(start_tsa http500)
fault tsa-http500 69 "TSA $URL: HTTP status 500" --tsa "$URL"
URL=$(start_tsa wrong-nonce)
fault tsa-wrong-nonce 69 "TSA $URL: wrong nonce" --tsa "$URL"
URL=$(start_tsa wrong-imprint)
fault tsa-wrong-imprint 69 "TSA $URL: message imprint mismatch" --tsa "$URL"
# A dead first TSA and a working second one: sealed.
expect_exit 0 "$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo --tsa "$DEAD" --tsa "$TSA_URL" -o failover.p7s big.bin
openssl cms -verify -cades -binary -inform DER -in failover.p7s -content big.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "failover .p7s does not verify"
pass "dead first TSA, working second: sealed"

WRONG_PIN=$D/wrong-pin
( umask 077; echo 99999999 >"$WRONG_PIN" )
# Through the fault shim, which counts the C_Login calls the token gets: exactly one, never retried.
logins_setup "$D/logins"
fault wrong-pin 77 "PIN|login" --key "$(logins_uri eseal)" --pin-file "$WRONG_PIN"
assert_logins 1 "$D/logins" "CAdES with a wrong PIN"
grep -q 99999999 "$ERR" && fail "the PIN appears in the message"
fault unknown-object 78 "not found" --key "pkcs11:token=eseal;object=no-such-key;type=private?module-path=$MODULE"
fault cert-mismatch 78 "does not match" --cert "$PKI/other.pem"
fault expired 78 "expired" --key "$KEY_URI_EXPIRED" --cert "$PKI/expired.pem"

[ "$(sha256sum big.bin)" = "$IN_SUM" ] || fail "input modified"
pass "input untouched throughout"
