#!/bin/bash
# tests/cms/test_signer_cli.sh: the signer through the `eseal` CLI: `token list` (no login, no secrets, bad module),
# and the PIN sources a pipeline uses (ESEAL_PIN, the URI's pin-source) with each .p7s checked by `openssl cms -verify`.
source "$ESEAL_SRC/tests/lib/env.sh"

PIN=$(cat "$PIN_FILE")
D=$(tmpdir)

# --- token list ---------------------------------------------------------------------------------------------------
expect_exit 0 "$ESEAL" token list --module "$MODULE"
assert_grep '^module: ' "$OUT"
assert_grep 'token: label="eseal" .*flags=.*login-required' "$OUT"
assert_grep 'certificate: label="eseal" id=01 subject=".*NTRJP-1234567890123' "$OUT"
assert_grep 'certificate: label="eseal-ec" id=02' "$OUT"
assert_grep 'public key: label="eseal" id=01 type=RSA-2048' "$OUT"
assert_grep 'private keys are visible only after login' "$OUT"
grep -qF -- "$PIN" "$OUT" "$ERR" && fail "token list printed the PIN"
pass "token list (module path): slots, token, certificates, public keys; no PIN"

# The modules registered with p11-kit (Debian's softhsm2 registers itself): the same token shows up.
expect_exit 0 "$ESEAL" token list
assert_grep 'token: label="eseal"' "$OUT"
pass "token list (registered modules)"

expect_exit 78 "$ESEAL" token list --module "$D/no-such-module.so"
assert_grep "no-such-module.so" "$ERR"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected a one-line error, got: $(cat "$ERR")"
pass "token list with a missing module: exit 78, one line naming it"

# --- PIN sources through the CLI ------------------------------------------------------------------------------------
head -c 4096 /dev/urandom >"$D/data.bin"
seal_and_verify() { # name, then extra CLI arguments
	local name=$1
	shift
	expect_exit 0 "$ESEAL" seal --format cades --level B-B --cert "$CHAIN" -o "$D/$name.p7s" "$@" "$D/data.bin"
	openssl cms -verify -cades -binary -inform DER -in "$D/$name.p7s" -content "$D/data.bin" -CAfile "$ROOT" \
		-purpose any -out /dev/null 2>"$D/verify.err" || fail "$name: openssl cms -verify: $(cat "$D/verify.err")"
}
ESEAL_PIN=$PIN seal_and_verify env --key "$KEY_URI"
pass "PIN from ESEAL_PIN; openssl cms -verify accepts the .p7s"
(unset ESEAL_PIN; seal_and_verify pin-source --key "$KEY_URI&pin-source=file:$PIN_FILE") || exit 1
pass "PIN from the URI's pin-source; openssl cms -verify accepts the .p7s"

# No PIN anywhere: exit 77 (PIN class, never retried), no output, message says where a PIN could come from.
(
	unset ESEAL_PIN
	expect_exit 77 "$ESEAL" seal --format cades --level B-B --cert "$CHAIN" --key "$KEY_URI" -o "$D/none.p7s" \
		"$D/data.bin"
	assert_grep "no PIN" "$ERR"
) || exit 1
assert_no_file "$D/none.p7s"
pass "no PIN source: exit 77, no output"
