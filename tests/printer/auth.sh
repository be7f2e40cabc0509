#!/bin/bash
# tests/printer/auth.sh: eseal-printer with PAPPL's PAM authentication on: a job without credentials is refused
# (client-error-not-authenticated), a user outside the print group is refused (forbidden), and an authenticated job's
# owner, and so its folder, is the user who logged in, whatever requesting-user-name the client claims.
# The accepting part needs a PAM service of our own in /etc/pam.d (root only; removed at exit) whose pam_permit lets
# the system user "lp" in with any password; without root only the refusals are checked.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"
PAM_FILE=
cleanup() {
	stop_all_apps
	[ -z "$PAM_FILE" ] || rm -f "$PAM_FILE"
	_eseal_cleanup
}
trap cleanup EXIT

CONF=$APPS/eseal.conf
printer_conf "$CONF" </dev/null
DOC=$SAMPLES/documents/report.pdf
service=eseal-printer-test-$$
if [ "$(id -u)" -eq 0 ] && [ -d /etc/pam.d ] && [ -w /etc/pam.d ]; then
	PAM_FILE=/etc/pam.d/$service
	printf '# eseal tests/printer/auth.sh (removed when the test ends)\nauth required pam_permit.so\naccount required pam_permit.so\n' >"$PAM_FILE"
fi
start_app auth printer -o auth-service="$service" -o print-group=lp
hostport=${URI_auth#ipp://}

# No credentials: refused before any job exists.
print_job "$APPS/anon" "$URI_auth" alice Anonymous application/pdf "$DOC" && fail "a job without credentials was accepted"
assert_grep 'client-error-not-authenticated' "$APPS/anon"
ipptool -t "$URI_auth" "$TESTS_PRINTER/get-jobs.test" >"$APPS/jobs" 2>&1 </dev/null || true
grep -q 'job-id' "$APPS/jobs" && fail "a refused job was queued: $(cat "$APPS/jobs")"
pass "Print-Job without credentials -> client-error-not-authenticated, no job"

if [ -z "$PAM_FILE" ]; then
	echo "SKIP: accepting part (needs root to add a PAM service)" >&2
	stop_app auth
	exit 0
fi
# A user PAM accepts but who is not in the print group.
print_job "$APPS/daemon" "ipp://daemon:x@$hostport" alice Daemon application/pdf "$DOC" &&
	fail "a user outside print-group could print"
assert_grep 'client-error-forbidden' "$APPS/daemon"
pass "authenticated user outside print-group -> client-error-forbidden"

# lp logs in but claims to be alice: the job, and the file, are lp's.
j=$(submit "ipp://lp:any-password@$hostport" alice "Claimed" application/pdf "$DOC")
wait_job "ipp://lp:any-password@$hostport" "$j" completed
assert_grep 'job-originating-user-name \(nameWithoutLanguage\) = lp$' "$JS"
printed_ok "$OUTROOT/lp/Claimed.pdf"
[ ! -e "$OUTROOT/alice" ] || fail "the claimed name got a folder: $(ls -la "$OUTROOT/alice")"
pass "authenticated lp claiming to be alice -> owner lp, sealed into out/lp/"
stop_app auth
