# tests/cups/lib.sh: sourced by the CUPS backend tests after tests/lib/env.sh. The backend never runs as root (it
# becomes lp), so the fixture's token, PIN and certificates are copied into a sandbox that lp can use.
#
#   cups_sandbox          makes $SB (traversable by lp) with its own SoftHSM config + token copy, PIN, certificates,
#                         TMPDIR ($SB/tmp), output root $SB/out, and $SB/eseal.conf holding profiles:
#                           demo     B-T, output-dir = $SB/out/${USER}      demo-bb  the same at B-B
#                           visible  B-B with a visible seal on page 1
#                           wrongpin a PIN file with a wrong PIN, its key through the login-counting shim
#                                    (tests/cms/p11_logins.sh; needs ESEAL_FAULT_REAL, logs to $SB/logins)
#                           notsa    B-T with a TSA port nobody listens on ($NOTSA_PORT)
#                           home     B-T into ${HOME}/PDF      shared   B-B into $SB/shared/${USER} (root's folder)
#                           notoken  a key URI naming a token that is not there
#                         and exports ESEAL_CONFIG, SOFTHSM2_CONF, TMPDIR for the backend; DOC = a copy of
#                         samples/documents/report.pdf that lp can read.
#   run_backend CODE USER TITLE [FILE]   runs the backend as cupsd does (argv, DEVICE_URI, CONTENT_TYPE, PRINTER);
#                         stdin from $JOB_STDIN when no FILE; fails unless it exits with CODE (CUPS_BACKEND_*).
#   check_printed PDF [LEVEL]  the PDF referees (tests/pdf/pdf_check.sh) and `eseal verify`.
#   assert_no_pin FILE    the PIN appears nowhere in FILE.

source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/cms/p11_logins.sh"
source "$ESEAL_SRC/tests/lib/users.sh"

BACKEND=${ESEAL_CUPS_BACKEND:-$ESEAL_BUILD/cups-backend/eseal}
[ -x "$BACKEND" ] || fail "CUPS backend not built: $BACKEND"
# CUPS_BACKEND_* from <cups/backend.h>
B_OK=0 B_FAILED=1 B_STOP=4 B_CANCEL=5 B_RETRY=6
BACKEND_USER=$(id -un)
# Started as root the backend seals as lp and delivers to the job's (local) user: backend_root.sh and cupsd.sh test
# that with real users. The other tests run it as lp, as cupsd runs a backend installed 0755 (RUN_AS=() for root).
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
	BACKEND_USER=lp
	RUN_AS=(runuser -u lp --)
fi

# A loopback port nobody listens on (bound then released; nothing else of ours binds ports at random meanwhile).
closed_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cups_sandbox() {
	local port src
	# The scratch root is mktemp's 0700; lp must be able to pass through it to reach the sandbox.
	chmod 711 "$ESEAL_TMP_ROOT"
	SB=$(tmpdir)
	chmod 755 "$SB"
	mkdir -p "$SB/tmp" "$SB/out" "$SB/empty-tokens" "$SB/shared" "$SB/home"
	chmod 755 "$SB/shared" "$SB/home"
	# From the token this test was given (tests/lib/private-token.sh may have made it a private copy).
	src=$(sed -n 's/^directories.tokendir *= *//p' "${SOFTHSM2_CONF:-$TE/softhsm2.conf}")
	[ -d "$src" ] || fail "no token directory in ${SOFTHSM2_CONF:-$TE/softhsm2.conf}"
	cp -a "$src" "$SB/tokens"
	cp "$PIN_FILE" "$SB/pin"
	printf '%s\n' "0000-not-the-pin" >"$SB/wrong-pin"
	cp "$CHAIN" "$SB/chain.pem"
	cp "$ROOT" "$SB/root.pem"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$SB" >"$SB/softhsm2.conf"
	port=$(closed_port)
	NOTSA_PORT=$port
	cat >"$SB/eseal.conf" <<EOF
# Profiles of the CUPS backend tests (tests/cups/lib.sh).
[profile demo]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
tsa = $TSA_URL
tsa-ca = $SB/root.pem
level = B-T
reason = Printed on the e-Seal printer
output-dir = $SB/out/\${USER}

[profile demo-bb]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
level = B-B
output-dir = $SB/out/\${USER}

[profile visible]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
level = B-B
visible = yes
page = 1
output-dir = $SB/out/\${USER}

[profile wrongpin]
key = $(logins_uri eseal)
pin-file = $SB/wrong-pin
cert = $SB/chain.pem
tsa = $TSA_URL
tsa-ca = $SB/root.pem
level = B-T
output-dir = $SB/out/\${USER}

[profile notsa]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
tsa = http://127.0.0.1:$port/
tsa-ca = $SB/root.pem
tsa-timeout = 5
tsa-retries = 0
level = B-T
output-dir = $SB/out/\${USER}

[profile home]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
tsa = $TSA_URL
tsa-ca = $SB/root.pem
level = B-T
output-dir = \${HOME}/PDF

[profile shared]
key = $KEY_URI
pin-file = $SB/pin
cert = $SB/chain.pem
level = B-B
output-dir = $SB/shared/\${USER}

[profile notoken]
key = pkcs11:token=no-such-token;object=eseal;type=private?module-path=$MODULE
pin-file = $SB/pin
cert = $SB/chain.pem
level = B-B
output-dir = $SB/out/\${USER}
EOF
	chmod 644 "$SB/eseal.conf" "$SB/softhsm2.conf" "$SB/chain.pem" "$SB/root.pem"
	chmod 600 "$SB/pin" "$SB/wrong-pin"
	: >"$SB/logins"
	chmod 666 "$SB/logins" # the shim logs each C_Login here, as lp
	if [ "$(id -u)" -eq 0 ]; then
		chown -R lp:lp "$SB/tokens" "$SB/empty-tokens" "$SB/pin" "$SB/wrong-pin" "$SB/out" "$SB/tmp"
	fi
	chmod 700 "$SB/tmp"
	export ESEAL_CONFIG=$SB/eseal.conf SOFTHSM2_CONF=$SB/softhsm2.conf TMPDIR=$SB/tmp
	# What lp reads must not depend on the checkout being readable by lp (CI may check out under /root): the job
	# document and the sanitizers' suppression file are copied too.
	cp "$SAMPLES/documents/report.pdf" "$SB/report.pdf"
	chmod 644 "$SB/report.pdf"
	DOC=$SB/report.pdf
	if [[ "${LSAN_OPTIONS:-}" =~ suppressions=([^:]+) ]] && [ -r "${BASH_REMATCH[1]}" ]; then
		install -m 0644 "${BASH_REMATCH[1]}" "$SB/lsan.supp"
		export LSAN_OPTIONS=${LSAN_OPTIONS/suppressions=${BASH_REMATCH[1]}/suppressions=$SB/lsan.supp}
	fi
	PIN=$(cat "$SB/pin")
}

# run_backend CODE USER TITLE [FILE]
run_backend() {
	local want=$1 user=$2 title=$3
	shift 3
	if [ $# -eq 0 ]; then
		expect_exit "$want" "${RUN_AS[@]}" env DEVICE_URI="${DEVICE_URI:-eseal:/demo}" CONTENT_TYPE=application/pdf \
			PRINTER=eSeal "$BACKEND" 17 "$user" "$title" 1 "${OPTIONS:-media=A4}" <"${JOB_STDIN:?}"
	else
		expect_exit "$want" "${RUN_AS[@]}" env DEVICE_URI="${DEVICE_URI:-eseal:/demo}" CONTENT_TYPE=application/pdf \
			PRINTER=eSeal "$BACKEND" 17 "$user" "$title" 1 "${OPTIONS:-media=A4}" "$1"
	fi
	assert_no_pin "$ERR"
}

assert_no_pin() {
	if grep -qF -- "${PIN:?}" "$1"; then
		fail "the PIN appears in $1"
	fi
}

# add_test_user NAME: a local user (tests/lib/users.sh) with the home folder $SB/home/NAME (0700, theirs), removed
# again at exit (userdel from the EXIT trap). A user left over by a killed run is removed first. Root only.
CLEANUP_HOOKS=()
_cups_cleanup() {
	local h
	for h in "${CLEANUP_HOOKS[@]}"; do
		"$h" || true
	done
	remove_local_users
}
trap '_cups_cleanup; _eseal_cleanup' EXIT
add_test_user() {
	add_local_user "$1" "$SB/home/$1"
}

# assert_only_owner_reads USER OTHER FILE: USER can read FILE (same bytes), OTHER cannot; the file is USER's, 0600.
assert_only_owner_reads() {
	local u=$1 o=$2 f=$3
	[ "$(stat -c '%U %a' "$f")" = "$u 600" ] || fail "$f: owner/mode $(stat -c '%U %a' "$f"), want $u 600"
	assert_reads "$u" "$f"
	assert_cannot_read "$o" "$f"
}

# check_printed PDF [LEVEL]: the PDF referees of tests/pdf/pdf_check.sh (pdfsig valid + whole document, qpdf
# --check, PAdES attributes, openssl cms -verify over the ByteRange, openssl ts -verify for B-T) on a file with
# exactly one seal, then `eseal verify` must say TOTAL-PASSED at LEVEL (default B-T).
check_printed() {
	local pdf=$1 level=${2:-B-T} d
	check_sealed "$pdf" 1 "$level"
	d=$(tmpdir)
	"$ESEAL" verify --trust "$ROOT" --json "$pdf" >"$d/verify" 2>"$d/verify.err" ||
		fail "eseal verify failed on $pdf: $(cat "$d/verify" "$d/verify.err")"
	assert_grep '"indication": *"TOTAL-PASSED"' "$d/verify"
	assert_grep "\"level\": *\"$level\"" "$d/verify"
}

# count_files DIR: regular files (and links) anywhere below DIR.
count_files() {
	find "$1" \( -type f -o -type l \) | wc -l
}
