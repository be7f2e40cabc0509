#!/bin/bash
# tests/lib/testenv-up.sh DIR: the shared ctest fixture `testenv`: a fresh demo PKI and SoftHSM2 token
# (samples/demo/mkpki.sh), the loopback TSA and OCSP responder (samples/demo/services.sh), eseal.conf, then a
# self-check that fails loudly if any part is missing. What DIR then holds is described in tests/lib/env.sh.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
HERE=$(cd "$(dirname "$0")" && pwd)
DEMO=$(cd "$HERE/../../samples/demo" && pwd)
DIR=$1

# Fresh per run: stop what an earlier run left, then start from an empty directory. Refuse to wipe a directory
# that is not ours.
if [ -e "$DIR" ]; then
	if [ -n "$(ls -A "$DIR")" ] && [ ! -e "$DIR/.eseal-testenv" ]; then
		echo "testenv-up: $DIR exists and is not a test environment; not touching it" >&2
		exit 73
	fi
	"$HERE/testenv-down.sh" "$DIR"
	rm -rf "$DIR"
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
touch "$DIR/.eseal-testenv"

t0=$(date +%s)
"$DEMO/mkpki.sh" "$DIR"
"$DEMO/services.sh" start "$DIR"

# --- self-check -------------------------------------------------------------------------------------------------
die() { echo "testenv-up: SELF-CHECK FAILED: $*" >&2; "$HERE/testenv-down.sh" "$DIR" || true; exit 1; }
for f in pki/root.pem pki/ca.pem pki/eseal.pem pki/chain.pem pki/eseal-ec.pem pki/chain-ec.pem pki/tsa.pem \
	pki/tsa-chain.pem pki/trust.pem pki/dev-eseal.key pki/dev-chain.pem pki/expired.pem pki/revoked.pem \
	pki/other.pem pki/tsa-revoked.pem pki/tsa-revoked.key softhsm2.conf pin so-pin module tsa.url ocsp.url crl/ca.crl \
	eseal.conf tsa.pid ocsp.pid; do
	[ -s "$DIR/$f" ] || die "$DIR/$f missing"
done
[ ! -e "$DIR/pki/eseal.key" ] || die "pki/eseal.key must not exist (the key lives in the token)"
[ "$(stat -c %a "$DIR/pin")" = 600 ] || die "pin is not mode 0600"
objs=$(SOFTHSM2_CONF=$DIR/softhsm2.conf pkcs11-tool --module "$(cat "$DIR/module")" --token-label eseal \
	--login --pin "$(cat "$DIR/pin")" --list-objects 2>/dev/null) || die "pkcs11-tool cannot list the token"
for label in eseal eseal-ec expired revoked; do
	n=$(printf '%s\n' "$objs" | grep -c "label: *$label\$" || true)
	# private key, public key, certificate
	[ "$n" -eq 3 ] || die "token object '$label': expected key pair + certificate, found $n objects"
done
[ "$(printf '%s\n' "$objs" | grep -c '^Private Key Object')" -eq 4 ] || die "token does not hold 4 private keys"
[ "$(printf '%s\n' "$objs" | grep -c '^Certificate Object')" -eq 4 ] || die "token does not hold 4 certificates"
openssl crl -inform DER -in "$DIR/crl/ca.crl" -noout -text | grep >/dev/null "Key Compromise" || die "CRL does not list revoked"
openssl x509 -in "$DIR/pki/expired.pem" -noout -checkend 0 >/dev/null && die "expired.pem is not expired"
"$DEMO/services.sh" check "$DIR" || die "TSA/OCSP check"
echo "testenv-up: $DIR ready in $(($(date +%s) - t0))s (TSA $(cat "$DIR/tsa.url"), OCSP $(cat "$DIR/ocsp.url"))"
