# tests/lib/env.sh: sourced by every script test: the fixture's paths as variables, and small assertion helpers.
# Needs ESEAL_TESTENV (set by ctest; the directory made by tests/lib/testenv-up.sh). Turns on `set -euo pipefail`.
#
# Variables: TE (=ESEAL_TESTENV), PKI, MODULE, KEY_URI (object eseal, RSA), KEY_URI_EC, KEY_URI_EXPIRED,
#   KEY_URI_REVOKED, PIN_FILE, SO_PIN_FILE, TSA_URL, OCSP_URL, CRL (DER), ESEAL_CONFIG (exported; profiles demo,
#   demo-bb, demo-ec), ROOT, CA, CHAIN, CHAIN_EC, TSA_CHAIN, DEV_KEY, DEV_CHAIN, ESEAL (the CLI), SAMPLES, SHARED.
# Helpers:
#   fail "msg"            print FAIL and exit 1          pass "msg"     print ok: msg
#   expect_exit CODE cmd  run cmd; fail unless it exits with CODE; its output is kept in $OUT and $ERR (files)
#   tmpdir                a new directory, removed when the script exits (ESEAL_KEEP_TMP=1 keeps it)
#   start_tsa MODE [args] start tests/lib/tsa_server.py in MODE (ok|garbage|http500|wrong-nonce|wrong-imprint|slow|
#                         rejection|untrusted|revoked; args e.g. --delay 5, --auth-file F with user:password,
#                         --signer CERT KEY); prints its URL; stopped when the script exits
#   pdfsig_check FILE N whole|part [--field NAME] [-- PDFSIG-OPTION...]  Poppler's pdfsig finds N valid signatures,
#                         all but the last say "Not total document signed", the last says "Total document signed"
#                         (whole: the file ends with it) or not (part: an update follows); tests/lib/pdfsig_check.awk
#   demo_profile FILE NAME [KEY=VALUE...]  writes a configuration FILE whose [profile NAME] is the fixture's demo
#                         profile (B-T, the fixture's TSA, tsa-ca) plus these keys (e.g. tsa-revocation=off)
#   assert_file F / assert_no_file F / assert_grep REGEX FILE
#   publish_crl root      the demo root CA publishes its next CRL now (validation data must be newer than a seal)
#   demo_tsa_cert CN YEARS KEY PEM  a TSA certificate from the demo issuing CA, valid YEARS years (its database
#                         records it, so its OCSP responder answers for it), key and certificate written to KEY and PEM;
#                         YEARS may be FROM..TO instead, two `date -d` expressions (e.g. "-400 days..-10 days")
#   demo_ocsp_cert CN FROM..TO KEY PEM  an OCSP responder certificate of the demo issuing CA valid FROM..TO
#   pdfsig_lta FILE NCMS NDTS  pdfsig finds NCMS valid signatures none covering the whole file, and NDTS document
#                         time-stamps (which Poppler 22 lists without validating: referee them with openssl ts)
#   dev_nss DIR           an NSS database in DIR holding the development key and chain as nickname "dev", for
#                         Poppler's pdfsig (-nssdir sql:DIR -nick dev): the signatures of a tool we did not write
set -euo pipefail

: "${ESEAL_TESTENV:?ESEAL_TESTENV is not set (run the test through ctest)}"
[ -s "$ESEAL_TESTENV/eseal.conf" ] || { echo "FAIL: $ESEAL_TESTENV is not a ready test environment" >&2; exit 1; }

# Loopback only: no proxy from the environment may get in between (libcurl and openssl honour http_proxy).
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

ESEAL_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TE=$ESEAL_TESTENV
PKI=$TE/pki
MODULE=$(cat "$TE/module")
KEY_URI="pkcs11:token=eseal;object=eseal;type=private?module-path=$MODULE"
KEY_URI_EC="pkcs11:token=eseal;object=eseal-ec;type=private?module-path=$MODULE"
KEY_URI_EXPIRED="pkcs11:token=eseal;object=expired;type=private?module-path=$MODULE"
KEY_URI_REVOKED="pkcs11:token=eseal;object=revoked;type=private?module-path=$MODULE"
PIN_FILE=$TE/pin
SO_PIN_FILE=$TE/so-pin
TSA_URL=$(cat "$TE/tsa.url")
OCSP_URL=$(cat "$TE/ocsp.url")
CRL=$TE/crl/ca.crl
ROOT=$PKI/root.pem
CA=$PKI/ca.pem
CHAIN=$PKI/chain.pem
CHAIN_EC=$PKI/chain-ec.pem
TSA_CHAIN=$PKI/tsa-chain.pem
DEV_KEY=$PKI/dev-eseal.key
DEV_CHAIN=$PKI/dev-chain.pem
SAMPLES=${ESEAL_SRC:-$(cd "$ESEAL_LIB_DIR/../.." && pwd)}/samples
SHARED=${ESEAL_SHARED:-$(cd "$ESEAL_LIB_DIR/../.." && pwd)/../shared}
export ESEAL_CONFIG=$TE/eseal.conf
# tests run through tests/lib/private-token.sh get a private copy of the token; keep it.
export SOFTHSM2_CONF=${SOFTHSM2_CONF:-$TE/softhsm2.conf}
ESEAL=${ESEAL_BIN:-${ESEAL_BUILD:-}/plugins/cli/eseal}

# Per-script scratch root: everything made by tmpdir/start_tsa lives here and goes at exit (works from $(...) too).
ESEAL_TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/eseal-test.XXXXXX")
_eseal_cleanup() {
	local p
	for p in "$ESEAL_TMP_ROOT"/*.pid; do
		[ -s "$p" ] && kill -TERM "$(cat "$p")" 2>/dev/null || true
	done
	if [ "${ESEAL_KEEP_TMP:-0}" = 1 ]; then
		echo "kept $ESEAL_TMP_ROOT" >&2
	else
		rm -rf "$ESEAL_TMP_ROOT"
	fi
}
trap _eseal_cleanup EXIT
OUT=$ESEAL_TMP_ROOT/last.out
ERR=$ESEAL_TMP_ROOT/last.err

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

tmpdir() {
	mktemp -d "$ESEAL_TMP_ROOT/t.XXXXXX"
}

# expect_exit CODE cmd...: the command's stdout/stderr land in $OUT/$ERR for further checks.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >"$OUT" 2>"$ERR" || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "--- stdout:" >&2
		head -c 4000 "$OUT" >&2 || true
		echo "--- stderr:" >&2
		head -c 4000 "$ERR" >&2 || true
		fail "expected exit $want, got $got: $*"
	fi
}

assert_file() { [ -s "$1" ] || fail "expected file $1"; }

dev_nss() {
	mkdir -p "$1"
	certutil -N -d "sql:$1" --empty-password
	openssl pkcs12 -export -inkey "$DEV_KEY" -in "$DEV_CHAIN" -name dev -passout pass:x -out "$1/dev.p12"
	pk12util -i "$1/dev.p12" -d "sql:$1" -W x >/dev/null
}
assert_no_file() { [ ! -e "$1" ] || fail "file $1 must not exist"; }
assert_grep() { grep -Eq -- "$1" "$2" || fail "'$1' not found in $2: $(head -c 500 "$2")"; }

pdfsig_check() {
	local file=$1 n=$2 cover=$3 field= why
	shift 3
	if [ "${1:-}" = --field ]; then
		field=$2
		shift 2
	fi
	[ "${1:-}" != -- ] || shift
	why=$(pdfsig -nocert "$@" "$file" 2>&1 | awk -v n="$n" -v cover="$cover" -v field="$field" \
		-f "$ESEAL_LIB_DIR/pdfsig_check.awk") || fail "$file: $why"
}

# publish_crl root: the demo root CA publishes its next CRL now (www/root.crl, what the issuing CA's CRL DP names),
# as a CA does on its schedule: validation data for a long-term seal must be issued after the seal's time-stamp.
# Serialised (openssl ca keeps a crlnumber) and renamed into place (other tests may be reading it). Only the root's:
# ca.crl's next update is what other tests compare with.
# demo_cert EXTENSIONS CN YEARS|FROM..TO KEY PEM: a certificate of the demo issuing CA (see demo_tsa_cert).
demo_cert() {
	local ext=$1 cn=$2 validity=$3 key=$4 pem=$5 dates
	if [[ $validity == *..* ]]; then
		dates="-startdate $(date -u -d "${validity%..*}" +%y%m%d%H%M%SZ) -enddate $(date -u -d "${validity#*..}" +%y%m%d%H%M%SZ)"
	else
		dates="-enddate $(date -u -d "+$validity years" +%y%m%d%H%M%SZ)"
	fi
	openssl req -new -newkey rsa:2048 -nodes -keyout "$key" -subj "/C=JP/O=eseal Demo Trust Services/CN=$cn" \
		-out "$pem.csr" 2>/dev/null
	(
		flock 9
		# shellcheck disable=SC2086 # two options and their values
		openssl ca -config "$PKI/openssl.cnf" -name issuing_ca -batch -notext -extensions "$ext" -in "$pem.csr" \
			-subj "/C=JP/O=eseal Demo Trust Services/CN=$cn" $dates -out "$pem" 2>"$pem.log"
	) 9>"$TE/crl.lock" || fail "the demo CA cannot issue the certificate $cn: $(cat "$pem.log")"
	rm -f "$pem.csr" "$pem.log"
}

demo_tsa_cert() {
	demo_cert v3_tsa "$@"
}

demo_ocsp_cert() {
	demo_cert v3_ocsp "$@"
}

# crl_hold ... crl_release: between them no test publishes the shared fixture's root CRL (publish_crl waits), and the
# CRL on the server is at least a second older than anything time-stamped meanwhile. For checks that need "the root
# CRL predates the seal": other tests publish fresh ones on the shared fixture at any moment (ctest -j).
crl_hold() {
	exec 8>"$TE/crl.lock"
	flock 8
	sleep 1
}

crl_release() {
	flock -u 8
	exec 8>&-
}

publish_crl() {
	[ "$1" = root ] || fail "publish_crl: only the root CA's CRL may be published again"
	(
		flock 9
		openssl ca -config "$PKI/openssl.cnf" -name root_ca -gencrl -out "$PKI/.root.crl.pem" 2>/dev/null &&
			openssl crl -in "$PKI/.root.crl.pem" -outform DER -out "$PKI/.root.crl.der" &&
			mv "$PKI/.root.crl.der" "$TE/www/root.crl"
	) 9>"$TE/crl.lock" || fail "publish_crl: the root CA could not publish a CRL"
}

# pdfsig_lta FILE NCMS NDTS: Poppler finds NCMS signatures, all valid, none covering the whole file (later revisions
# follow each), and NDTS document time-stamps, which it lists without validating them ("Unable to validate this type
# of signature"): openssl ts -verify must referee those.
pdfsig_lta() {
	local f=$1 ncms=$2 ndts=$3 out
	out=$(pdfsig -nocert "$f" 2>&1) || fail "$f: pdfsig failed: $out"
	[ "$(grep -c "Signature Validation: Signature is Valid\." <<<"$out")" = "$ncms" ] ||
		fail "$f: pdfsig: $ncms valid signatures expected: $out"
	[ "$(grep -c "Signature Type: ETSI.CAdES.detached\|Signature Type: adbe.pkcs7.detached" <<<"$out")" = "$ncms" ] ||
		fail "$f: pdfsig: $ncms CMS signatures expected: $out"
	[ "$(grep -c "Signature Type: unknown" <<<"$out")" = "$ndts" ] ||
		fail "$f: pdfsig: $ndts document time-stamps expected: $out"
	[ "$(grep -c "^  - Not total document signed" <<<"$out")" -ge "$ncms" ] ||
		fail "$f: pdfsig: a signature claims to cover the whole file: $out"
}

demo_profile() {
	local file=$1 name=$2 kv
	shift 2
	sed -n '/^\[profile demo\]$/,/^$/p' "$ESEAL_CONFIG" | sed "s/^\[profile demo\]$/[profile $name]/" >"$file"
	grep -q '^key = ' "$file" || fail "no [profile demo] in $ESEAL_CONFIG"
	for kv in "$@"; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$file"
	done
}

# start_tsa MODE [tsa_server.py options]: a private TSA (e.g. misbehaving); prints its URL. With TSA_FAKETIME set
# ("YYYY-MM-DD hh:mm:ss"), its clock stands still at that time (faketime -f): every token has that genTime.
start_tsa() {
	local mode=$1 d i
	shift
	d=$(mktemp -d "$ESEAL_TMP_ROOT/tsa.XXXXXX")
	setsid ${TSA_FAKETIME:+faketime -f "$TSA_FAKETIME"} python3 "$ESEAL_LIB_DIR/tsa_server.py" --dir "$TE" --mode "$mode" --port-file "$d/port" \
		--pid-file "$ESEAL_TMP_ROOT/$(basename "$d").pid" "$@" </dev/null >"$d/log" 2>&1 &
	for i in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ] || fail "test TSA ($mode) did not start: $(cat "$d/log")"
	echo "http://127.0.0.1:$(cat "$d/port")/"
}
