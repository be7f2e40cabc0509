#!/bin/bash
# tests/printer/auth.sh: eseal-printer with PAPPL's PAM authentication on: a job without credentials is refused
# (client-error-not-authenticated), a user outside the print group is refused (forbidden), and an authenticated job's
# owner, and so its folder, is the user who logged in, whatever requesting-user-name the client claims. The sealed
# file is the owner's to read and no one else's: the application runs as a service account (lp here, as the unit's
# User=eseal), keeps the file, and gives the owner read access by POSIX ACL (getfacl; runuser cat as the owner and as
# another user; qpdf --check run by the owner).
# The accepting part needs root: a PAM service of our own in /etc/pam.d (removed at exit) whose pam_permit lets
# anyone in with any password, and two local users (tests/lib/users.sh); without root only the refusals are checked.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"
source "$ESEAL_SRC/tests/lib/users.sh"
PAM_FILE=
cleanup() {
	stop_all_apps
	[ -z "$PAM_FILE" ] || rm -f "$PAM_FILE"
	remove_local_users
	_eseal_cleanup
}
trap cleanup EXIT

CONF=$APPS/eseal.conf
printer_conf "$CONF" </dev/null
DOC=$SAMPLES/documents/report.pdf
UA=espa-alice
UB=espa-bob
service=eseal-printer-test-$$
if [ "$(id -u)" -eq 0 ] && [ -d /etc/pam.d ] && [ -w /etc/pam.d ]; then
	PAM_FILE=/etc/pam.d/$service
	printf '# eseal tests/printer/auth.sh (removed when the test ends)\nauth required pam_permit.so\naccount required pam_permit.so\n' >"$PAM_FILE"
	# Both may print: print-group is left at its default, users. Their primary group: PAPPL 1.3 reads glibc's
	# getgrouplist count as a failure and so sees no supplementary group (fixed in PAPPL 1.4).
	add_local_user "$UA" "$APPS/home/$UA" -N -g users
	add_local_user "$UB" "$APPS/home/$UB" -N -g users
	command -v getfacl >/dev/null || fail "getfacl missing (apt-get install acl)"
	as_service lp
fi
start_app auth printer -o auth-service="$service"
hostport=${URI_auth#ipp://}

# No credentials: refused before any job exists.
print_job "$APPS/anon" "$URI_auth" alice Anonymous application/pdf "$DOC" && fail "a job without credentials was accepted"
assert_grep 'client-error-not-authenticated' "$APPS/anon"
ipptool -t "$URI_auth" "$TESTS_PRINTER/get-jobs.test" >"$APPS/jobs" 2>&1 </dev/null || true
grep -q 'job-id' "$APPS/jobs" && fail "a refused job was queued: $(cat "$APPS/jobs")"
pass "Print-Job without credentials -> client-error-not-authenticated, no job"

if [ -z "$PAM_FILE" ]; then
	echo "SKIP: accepting part (needs root to add a PAM service and users)" >&2
	stop_app auth
	exit 0
fi
[ "$(ps -o user= -p "$PID_auth")" = lp ] || fail "eseal-printer does not run as lp: $(ps -o user= -p "$PID_auth")"
# A user PAM accepts but who is not in the print group.
print_job "$APPS/daemon" "ipp://daemon:x@$hostport" alice Daemon application/pdf "$DOC" &&
	fail "a user outside print-group could print"
# (PAPPL refuses before reading the document and closes the connection with it unread, which can reset it before
# ipptool reads the answer, every try: then ask without a document, which the same check refuses)
if grep -q 'Unable to finish request' "$APPS/daemon"; then
	ipptool -t -d owner=alice -d title=Daemon "ipp://daemon:x@$hostport" "$TESTS_PRINTER/create-job.test" \
		>"$APPS/daemon" 2>&1 </dev/null && fail "a user outside print-group could create a job"
fi
assert_grep 'client-error-forbidden' "$APPS/daemon"
pass "authenticated user outside print-group -> client-error-forbidden"

# Alice logs in but claims to be bob: the job, and the file, are alice's.
j=$(submit "ipp://$UA:any-password@$hostport" "$UB" "Claimed" application/pdf "$DOC")
wait_job "ipp://$UA:any-password@$hostport" "$j" completed
assert_grep "job-originating-user-name \(nameWithoutLanguage\) = $UA\$" "$JS"
FA=$OUTROOT/$UA/Claimed.pdf
printed_ok "$FA"
[ ! -e "$OUTROOT/$UB" ] || fail "the claimed name got a folder: $(ls -la "$OUTROOT/$UB")"
pass "authenticated $UA claiming to be $UB -> owner $UA, sealed into out/$UA/"

# Bob prints for himself.
j=$(submit "ipp://$UB:other-password@$hostport" "$UB" "Memo" application/pdf "$DOC")
wait_job "ipp://$UB:other-password@$hostport" "$j" completed
FB=$OUTROOT/$UB/Memo.pdf
printed_ok "$FB"

# Who may read: the service keeps the files (lp), the owner reads by a named ACL entry, nobody else gets anything.
for who in "$UA:$FA" "$UB:$FB"; do
	u=${who%%:*}
	f=${who#*:}
	[ "$(stat -c %U "$f")" = lp ] || fail "$f: owned by $(stat -c %U "$f"), not the service account lp"
	# getfacl ends its listing with an empty line.
	getfacl -cp "$f" >"$APPS/acl.raw" 2>&1 || fail "getfacl $f: $(cat "$APPS/acl.raw")"
	sed '/^$/d' "$APPS/acl.raw" >"$APPS/acl"
	printf 'user::rw-\nuser:%s:r--\ngroup::---\nmask::r--\nother::---\n' "$u" | diff - "$APPS/acl" >/dev/null ||
		fail "$f: ACL is not the owner's alone: $(cat "$APPS/acl")"
	getfacl -cp "$(dirname "$f")" >"$APPS/acl.raw" 2>&1 || fail "getfacl $(dirname "$f"): $(cat "$APPS/acl.raw")"
	sed '/^$/d' "$APPS/acl.raw" >"$APPS/acl"
	printf 'user::rwx\nuser:%s:r-x\ngroup::---\nmask::r-x\nother::---\n' "$u" | diff - "$APPS/acl" >/dev/null ||
		fail "$(dirname "$f"): ACL is not the owner's alone: $(cat "$APPS/acl")"
done
assert_reads "$UA" "$FA"
assert_reads "$UB" "$FB"
runuser -u "$UA" -- ls "$OUTROOT/$UA" | grep -x 'Claimed.pdf' >/dev/null || fail "$UA cannot list out/$UA"
runuser -u "$UA" -- qpdf --check "$FA" >"$APPS/qpdf" 2>&1 || fail "qpdf --check as $UA: $(cat "$APPS/qpdf")"
assert_cannot_read "$UB" "$FA"
assert_cannot_read "$UA" "$FB"
runuser -u "$UB" -- ls "$OUTROOT/$UA" >"$APPS/ls" 2>&1 && fail "$UB can list out/$UA: $(cat "$APPS/ls")"
assert_grep 'Permission denied' "$APPS/ls"
runuser -u "$UA" -- ls "$OUTROOT" >"$APPS/ls" 2>&1 && fail "$UA can list out/ (all users' folders): $(cat "$APPS/ls")"
pass "service lp keeps the files; $UA reads (cat, qpdf) Claimed.pdf, $UB cannot; $UB reads Memo.pdf, $UA cannot (ACLs)"
grep -q 'Running as root' "$APPS/auth/log" && fail "the application ran as root"
stop_app auth
