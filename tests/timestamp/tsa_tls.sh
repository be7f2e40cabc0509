#!/bin/bash
# tests/timestamp/tsa_tls.sh: time-stamping over HTTPS: a loopback TLS TSA (tests/lib/tsa_server.py --tls) with a
# throw-away server certificate for IP 127.0.0.1; sealing works when its CA is trusted through the profile key
# tsa-tls-ca (referees: openssl cms -verify, openssl ts -verify), and every TLS failure is a TSA error (exit 69) with
# one line naming the URL and the TLS reason, no output file, no retry.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
head -c 20000 /dev/urandom >doc.bin

# --- throw-away TLS PKI: a CA, the server certificate for 127.0.0.1, one for another host name, a foreign CA ------
mkca() { # NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" -days 2 \
		-subj "/O=eseal test/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || fail "cannot make CA $1"
}
mkserver() { # NAME SAN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "/O=eseal test/CN=TSA TLS" 2>/dev/null || fail "cannot make a request for $1"
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
		"$2" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA tls-ca.pem -CAkey tls-ca.key -CAcreateserial -days 2 -extfile "$1.ext" \
		-out "$1.pem" 2>/dev/null || fail "cannot issue $1"
}
mkca tls-ca "TSA TLS CA"
mkca other-ca "Some Other CA"
mkserver server "IP:127.0.0.1"
mkserver wronghost "DNS:tsa.invalid"
openssl verify -CAfile tls-ca.pem -purpose sslserver server.pem >/dev/null || fail "server.pem does not verify"

# Profiles: the fixture's demo profile (key in the token, B-T, tsa-ca) plus the TLS trust under test.
profile() { # NAME [tsa-tls-ca FILE]
	printf '[profile %s]\nkey = %s\npin-file = %s\ncert = %s\ntsa-ca = %s\nlevel = B-T\n' "$1" "$KEY_URI" "$PIN_FILE" \
		"$CHAIN" "$ROOT"
	[ $# -lt 2 ] || printf 'tsa-tls-ca = %s\n' "$2"
	echo
}
{
	profile tls "$D/tls-ca.pem"
	profile system
	profile other "$D/other-ca.pem"
	profile missing "$D/no-such-ca.pem"
	profile notpem "$D/doc.bin"
} >tls.conf

# start_https CERT KEY: a TLS TSA; prints its https:// URL. log_of URL: that server's log.
start_https() {
	local url
	url=$(start_tsa ok --tls "$D/$1" "$D/$2")
	echo "https${url#http}"
}
log_of() {
	local port=${1##*:} p
	port=${port%/}
	for p in "$ESEAL_TMP_ROOT"/tsa.*/port; do
		[ "$(cat "$p")" = "$port" ] && { echo "$(dirname "$p")/log"; return; }
	done
	fail "no log for $1"
}
URL=$(start_https server.pem server.key)
WRONGHOST_URL=$(start_https wronghost.pem wronghost.key)

# --- (a) trusted through tsa-tls-ca: sealed, and the token is judged by openssl ----------------------------------
expect_exit 0 "$ESEAL" seal --config tls.conf --profile tls --tsa "$URL" -o ok.p7s doc.bin
assert_file ok.p7s
grep -Eq '"POST / HTTP/1.1" 200' "$(log_of "$URL")" || fail "the TLS TSA did not answer: $(cat "$(log_of "$URL")")"
openssl cms -verify -cades -binary -inform DER -in ok.p7s -content doc.bin -CAfile "$ROOT" -purpose any -out /dev/null \
	2>verify.err || fail "openssl cms -verify refused the .p7s: $(cat verify.err)"
python3 "$ESEAL_LIB_DIR/cms_tst.py" ok.p7s --signature sig.bin --token token.der || fail "no time-stamp token in ok.p7s"
SIG_HASH=$(openssl dgst -sha256 -r sig.bin | cut -d' ' -f1)
openssl ts -verify -digest "$SIG_HASH" -in token.der -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" >ts.out 2>&1 ||
	fail "openssl ts -verify refused the token: $(cat ts.out)"
grep -q "Verification: OK" ts.out || fail "openssl ts -verify: $(cat ts.out)"
OTHER_HASH=$(printf 'other' | openssl dgst -sha256 -r | cut -d' ' -f1)
if openssl ts -verify -digest "$OTHER_HASH" -in token.der -token_in -CAfile "$ROOT" -untrusted "$TSA_CHAIN" \
	>/dev/null 2>&1; then
	fail "openssl ts -verify accepted the token for another digest"
fi
pass "https TSA trusted through tsa-tls-ca: sealed; openssl cms -verify and ts -verify accept"
# The same trust from the command line: --tsa-tls-ca overrides a profile without the key.
expect_exit 0 "$ESEAL" seal --config tls.conf --profile system --tsa-tls-ca "$D/tls-ca.pem" --tsa "$URL" -o cli.p7s doc.bin
openssl cms -verify -cades -binary -inform DER -in cli.p7s -content doc.bin -CAfile "$ROOT" -purpose any -out /dev/null \
	2>verify.err || fail "openssl cms -verify refused cli.p7s: $(cat verify.err)"
pass "--tsa-tls-ca on the command line trusts the https TSA"

# --- (b) TLS failures: exit 69, one line with the URL and the TLS reason, nothing written, no second round --------
tls_fault() { # NAME PROFILE URL REGEX
	local name=$1 prof=$2 url=$3 regex=$4 log hs posts
	log=$(log_of "$url")
	hs=$(grep -c "TLS handshake" "$log" || true)
	posts=$(grep -c '"POST ' "$log" || true)
	expect_exit 69 "$ESEAL" seal --config tls.conf --profile "$prof" --tsa "$url" -o "$name.p7s" doc.bin
	assert_no_file "$name.p7s"
	ls -A | grep >/dev/null '^\.eseal-tmp' && fail "$name: a temporary file was left behind"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$name: not one line: $(cat "$ERR")"
	assert_grep "TSA $url: TLS: server certificate not accepted \(.*$regex.*\)" "$ERR"
	# Nothing was sent to a server we do not trust.
	[ "$(grep -c '"POST ' "$log" || true)" -eq "$posts" ] || fail "$name: the request was sent anyway"
	# Permanent: the profile's tsa-retries = 1 must not make a second attempt. (The server refuses the handshake
	# when the client rejects its chain; a host name mismatch curl finds after a completed handshake.)
	hs=$(($(grep -c "TLS handshake" "$log" || true) - hs))
	[ "$hs" -eq 1 ] || fail "$name: $hs TLS handshakes, expected 1 (no retry)"
	pass "$name: exit 69, $(cat "$ERR")"
}
tls_fault system-bundle system "$URL" "unable to get local issuer certificate"
tls_fault other-ca other "$URL" "unable to get local issuer certificate"
tls_fault wrong-host tls "$WRONGHOST_URL" "subject name matches target host name '127\.0\.0\.1'"
# Control: the same chain failure as a refused handshake on the server's side, i.e. the check is the client's.
grep -q "TLS handshake failed" "$(log_of "$URL")" || fail "the server saw no refused handshake"

# --- a tsa-tls-ca that is no CA file is a configuration error naming it, before any connection --------------------
expect_exit 78 "$ESEAL" seal --config tls.conf --profile missing --tsa "$URL" -o missing.p7s doc.bin
assert_no_file missing.p7s
assert_grep "$D/no-such-ca.pem: cannot load the CA certificates for the TSA's TLS" "$ERR"
expect_exit 78 "$ESEAL" seal --config tls.conf --profile notpem --tsa "$URL" -o notpem.p7s doc.bin
assert_no_file notpem.p7s
assert_grep "$D/doc.bin: cannot load the CA certificates for the TSA's TLS" "$ERR"
pass "unusable tsa-tls-ca: exit 78 naming the file"
