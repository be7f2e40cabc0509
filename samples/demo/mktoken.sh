#!/bin/bash
# samples/demo/mktoken.sh DIR: a fresh SoftHSM2 token under DIR (own softhsm2.conf and token directory) holding the
# demo e-Seal keys, generated INSIDE the token, plus a CSR per key (DIR/pki/csr/LABEL.csr) for mkpki.sh to certify.
#
# Token label `eseal`; random user PIN in DIR/pin, SO PIN in DIR/so-pin (both mode 0600); DIR/module holds the path
# of libsofthsm2.so. Keys: eseal (RSA-2048, id 01), eseal-ec (P-256, id 02), expired (RSA-2048, id 03),
# revoked (RSA-2048, id 04). A private key never leaves the token: the CSR is signed by the token through
# GnuTLS' certtool, which speaks PKCS#11 natively (Debian 12's OpenSSL 3 has no PKCS#11 engine by default).
# Called by mkpki.sh; usable alone. The certificates are written to the token later by mkpki.sh (same id + label).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
mkdir -p "$1"
DIR=$(cd "$1" && pwd)

MODULE=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
	/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so; do
	[ -e "$m" ] && { MODULE=$m; break; }
done
[ -n "$MODULE" ] || { echo "mktoken: libsofthsm2.so not found (apt-get install softhsm2)" >&2; exit 69; }

rm -rf "$DIR/tokens" "$DIR/pki/csr"
mkdir -p "$DIR/tokens" "$DIR/pki/csr"
cat >"$DIR/softhsm2.conf" <<CONF
# SoftHSM2 configuration of the eseal demo/test token (created by samples/demo/mktoken.sh).
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF=$DIR/softhsm2.conf
printf '%s\n' "$MODULE" >"$DIR/module"

# PINs: random, files readable by the owner only. The PIN file holds the PIN and a newline.
(
	umask 077
	openssl rand -hex 8 >"$DIR/pin"
	openssl rand -hex 8 >"$DIR/so-pin"
)
chmod 600 "$DIR/pin" "$DIR/so-pin"
PIN=$(cat "$DIR/pin")
SOPIN=$(cat "$DIR/so-pin")

softhsm2-util --init-token --free --label eseal --pin "$PIN" --so-pin "$SOPIN" >/dev/null

p11() { pkcs11-tool --module "$MODULE" --token-label eseal --login --pin "$PIN" "$@"; }

# label id key-type
KEYS=(
	"eseal 01 rsa:2048"
	"eseal-ec 02 EC:prime256v1"
	"expired 03 rsa:2048"
	"revoked 04 rsa:2048"
)
printf 'cn = "eseal token key"\n' >"$DIR/pki/csr/template"
for k in "${KEYS[@]}"; do
	set -- $k
	p11 --keypairgen --key-type "$3" --id "$2" --label "$1" --usage-sign >/dev/null
	GNUTLS_PIN=$PIN certtool --generate-request --provider "$MODULE" \
		--load-privkey "pkcs11:token=eseal;object=$1;type=private" \
		--template "$DIR/pki/csr/template" --outfile "$DIR/pki/csr/$1.csr" >/dev/null 2>&1 ||
		{ echo "mktoken: certtool could not make a CSR for $1" >&2; exit 70; }
	openssl req -in "$DIR/pki/csr/$1.csr" -verify -noout 2>/dev/null ||
		{ echo "mktoken: CSR for $1 does not verify" >&2; exit 70; }
done
echo "mktoken: token 'eseal' in $DIR/tokens with keys: eseal eseal-ec expired revoked"
