#!/bin/bash
# tests/cups/cupsd.sh: the e-Seal printer in a real CUPS. A private cupsd (own ServerRoot, spool, logs, ServerBin
# holding the standard filters and our backend) on 127.0.0.1:<free port>; discovery with lpinfo -v; the queue is
# added with lpadmin and the shipped PPD; PDFs and PostScript are printed with lp as users alice and bob; the sealed
# B-T PDFs in their folders pass pdfsig, qpdf, openssl ts -verify and eseal verify. Through the same cupsd: a raw
# non-PDF job is cancelled (queue stays up), a wrong PIN stops its queue, a TSA that is down gets the job retried.
# Exit 77 (skip) only if cupsd cannot start at all.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
command -v cupsd >/dev/null || skip "cupsd is not installed (apt-get install cups)"
for t in lpadmin lp lpstat; do
	command -v "$t" >/dev/null || fail "$t missing (apt-get install cups-client)"
done
[ "$(id -u)" -eq 0 ] || skip "a private cupsd that runs backends as lp needs root (this test runs as $(id -un))"

cups_sandbox
C=$(tmpdir)
chmod 755 "$C"
mkdir -p "$C/conf" "$C/spool/tmp" "$C/cache" "$C/state" "$C/log" "$C/bin/backend"
# ServerBin: the system's filters, CGI, notifiers, daemons... and a backend directory that holds only ours.
# cupsd checks a backend is root-owned and not writable by others, so it is a copy, not a link into the build.
for f in /usr/lib/cups/*; do
	[ "$(basename "$f")" = backend ] || ln -s "$f" "$C/bin/$(basename "$f")"
done
install -m 0755 "$BACKEND" "$C/bin/backend/eseal"
PORT=$(closed_port)
H=127.0.0.1:$PORT

cat >"$C/conf/cups-files.conf" <<EOF
# Private cupsd of tests/cups/cupsd.sh
ServerRoot $C/conf
RequestRoot $C/spool
TempDir $C/spool/tmp
CacheDir $C/cache
StateDir $C/state
ServerBin $C/bin
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
AccessLog $C/log/access_log
ErrorLog $C/log/error_log
PageLog $C/log/page_log
# cupsd runs a 0755 backend as User: the e-Seal printer never seals as root.
User lp
Group lp
SystemGroup root
FileDevice No
# cupsd hands its children a filtered environment: what the backend needs is passed explicitly.
SetEnv ESEAL_CONFIG $ESEAL_CONFIG
SetEnv SOFTHSM2_CONF $SOFTHSM2_CONF
# The wrongpin profile's key goes through the login-counting shim (tests/cms/p11_logins.sh).
SetEnv ESEAL_FAULT_REAL $MODULE
SetEnv ESEAL_FAULT_LOG $SB/logins
EOF
# The sanitizer settings of the test build (suppressions etc.), when there are any.
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
	[ -z "${!v:-}" ] || echo "SetEnv $v ${!v}" >>"$C/conf/cups-files.conf"
done
cat >"$C/conf/cupsd.conf" <<EOF
# Private cupsd of tests/cups/cupsd.sh: loopback only, no browsing, no authentication (a throw-away scheduler).
LogLevel debug
Listen $H
Browsing Off
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
JobRetryInterval 3600
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF

setsid cupsd -f -c "$C/conf/cupsd.conf" -s "$C/conf/cups-files.conf" </dev/null >"$C/log/cupsd.out" 2>&1 &
CUPSD_PID=$!
# Stop our cupsd (and wait: it writes its cache while exiting) before env.sh removes the scratch directory.
stop_cupsd() {
	local i
	kill -TERM "$CUPSD_PID" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$CUPSD_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$CUPSD_PID" 2>/dev/null || true
	wait "$CUPSD_PID" 2>/dev/null || true
}
trap 'stop_cupsd; _eseal_cleanup' EXIT
up=0
for i in $(seq 150); do
	if lpstat -h "$H" -r 2>/dev/null | grep >/dev/null "scheduler is running"; then
		up=1
		break
	fi
	kill -0 "$CUPSD_PID" 2>/dev/null || break
	sleep 0.2
done
if [ "$up" -ne 1 ]; then
	cat "$C/log/cupsd.out" >&2
	tail -20 "$C/log/error_log" >&2 2>/dev/null || true
	skip "cupsd could not start on $H (see its output above)"
fi
pass "private cupsd on $H"

# Discovery through the scheduler: cupsd runs the backend without arguments (as lp) and lists its device.
lpinfo -h "$H" -v >"$OUT" 2>"$ERR" || fail "lpinfo -v failed: $(cat "$ERR")"
assert_grep '^direct eseal:/$' "$OUT"
lpinfo -h "$H" -l -v >"$OUT" 2>"$ERR" || fail "lpinfo -l -v failed: $(cat "$ERR")"
assert_grep 'make-and-model = e-Seal printer$' "$OUT"
pass "lpinfo -v lists direct eseal:/"

lpadmin -h "$H" -p eSeal -E -v eseal:/demo -P "$ESEAL_SRC/plugins/cups/eseal.ppd" 2>"$ERR" ||
	fail "lpadmin failed: $(cat "$ERR")"
lpadmin -h "$H" -p eSealBadPin -E -v eseal:/wrongpin -P "$ESEAL_SRC/plugins/cups/eseal.ppd" 2>"$ERR" ||
	fail "lpadmin failed: $(cat "$ERR")"
lpadmin -h "$H" -p eSealNoTsa -E -v eseal:/notsa -P "$ESEAL_SRC/plugins/cups/eseal.ppd" 2>"$ERR" ||
	fail "lpadmin failed: $(cat "$ERR")"
lpstat -h "$H" -v eSeal >"$OUT"
assert_grep "device for eSeal: eseal:/demo" "$OUT"
pass "queues added with lpadmin and plugins/cups/eseal.ppd"

# submit USER TITLE lp-args...: prints the job id
submit() {
	local user=$1 title=$2
	shift 2
	lp -h "$H" -U "$user" -t "$title" "$@" >"$OUT" 2>"$ERR" || fail "lp failed: $(cat "$ERR")"
	sed -n 's/^request id is \([^ ]*\) .*/\1/p' "$OUT"
}

# wait_done PRINTER: until no job of PRINTER is pending or processing (or 120 s).
wait_done() {
	local i
	for i in $(seq 240); do
		[ -z "$(lpstat -h "$H" -W not-completed -o "$1" 2>/dev/null)" ] && return 0
		# A stopped queue keeps its job pending: that is an end state too.
		lpstat -h "$H" -p "$1" 2>/dev/null | grep >/dev/null disabled && return 0
		sleep 0.5
	done
	lpstat -h "$H" -l -o "$1" >&2 || true
	tail -40 "$C/log/error_log" >&2
	fail "jobs on $1 did not finish within 120 s"
}

# job_log JOB-ID: the scheduler's log lines of one job; a backend ERROR: line is logged as "E [date] [Job N] msg".
# Written to $C/job.log rather than piped: `... | grep -q` under pipefail fails when grep stops reading early.
job_log() {
	grep -F "[Job ${1##*-}]" "$C/log/error_log" >"$C/job.log" || true
	echo "$C/job.log"
}

# --- PDF and PostScript printed through the queue come out sealed (B-T) in each user's folder ------------------------
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=ps2write -sOutputFile="$SB/memo.ps" "$DOC" ||
	fail "ghostscript could not make the PostScript test job"
j1=$(submit alice "Site report" -d eSeal "$DOC")
j2=$(submit bob "Memo" -d eSeal "$SB/memo.ps")
wait_done eSeal
for j in "$j1" "$j2"; do
	grep -q "Job completed" "$(job_log "$j")" || { tail -30 "$(job_log "$j")" >&2; fail "$j did not complete"; }
done
grep -q "Started filter" "$(job_log "$j1")" && fail "$j1: the PDF went through a filter; it must reach the backend unconverted"
grep -q "Started filter .*/gstopdf" "$(job_log "$j2")" || fail "$j2: PostScript did not go through gstopdf"
check_printed "$SB/out/alice/Site report.pdf" B-T
check_printed "$SB/out/bob/Memo.pdf" B-T
# The PDF arrived byte for byte: the sealed file starts with the original (incremental update).
check_prefix "$DOC" "$SB/out/alice/Site report.pdf"
[ "$(stat -c %U "$SB/out/alice/Site report.pdf")" = lp ] || fail "sealed file not written by lp"
[ "$(stat -c %a "$SB/out/alice")" = 700 ] || fail "alice's folder is not 0700"
pass "lp PDF ($j1) and PostScript ($j2) -> sealed B-T in out/alice and out/bob; pdfsig/qpdf/ts/eseal verify agree"

# --- a raw job that is not a PDF: cancelled, the queue stays enabled, nothing written --------------------------------
before=$(count_files "$SB/out")
printf 'not a pdf\n' >"$SB/raw.bin"
j3=$(submit alice "Raw" -d eSeal -o raw "$SB/raw.bin")
wait_done eSeal
grep -q "^E .*not a PDF" "$(job_log "$j3")" || { tail -20 "$(job_log "$j3")" >&2; fail "$j3: no ERROR line about the input"; }
grep -qi "cancel" "$(job_log "$j3")" || fail "$j3 was not cancelled"
lpstat -h "$H" -p eSeal | grep >/dev/null "enabled" || fail "a bad job must not stop the queue: $(lpstat -h "$H" -p eSeal)"
[ "$(count_files "$SB/out")" -eq "$before" ] || fail "a cancelled job wrote a file"
pass "raw non-PDF job $j3 -> cancelled, queue still enabled"

# --- wrong PIN: the queue stops (no retry that would lock the token), the job waits, nothing written -----------------
j4=$(submit alice "Pin" -d eSealBadPin "$DOC")
wait_done eSealBadPin
lpstat -h "$H" -p eSealBadPin | grep >/dev/null disabled || fail "wrong PIN must stop the queue: $(lpstat -h "$H" -p eSealBadPin)"
assert_logins 1 "$SB/logins" "wrong PIN through cupsd"
grep -q "^E .*PIN" "$(job_log "$j4")" || { tail -20 "$(job_log "$j4")" >&2; fail "$j4: no ERROR line about the PIN"; }
[ -n "$(lpstat -h "$H" -W not-completed -o eSealBadPin)" ] || fail "$j4 must stay queued for when the admin fixes the PIN"
[ "$(count_files "$SB/out")" -eq "$before" ] || fail "a failed job wrote a file"
pass "wrong PIN ($j4) -> queue eSealBadPin stopped, job kept"

# --- TSA down: the job is kept for a retry (JobRetryInterval), the queue stays enabled, nothing written -------------
j5=$(submit alice "Later" -d eSealNoTsa "$DOC")
for i in $(seq 120); do
	grep -q "Backend returned status" "$(job_log "$j5")" && break
	sleep 0.5
done
grep -q "Backend returned status 6 (retry job later)" "$(job_log "$j5")" ||
	{ tail -20 "$(job_log "$j5")" >&2; fail "$j5: TSA down must make the backend ask for a retry"; }
grep -q "^E .*TSA" "$(job_log "$j5")" || fail "$j5: no ERROR line about the TSA"
lpstat -h "$H" -p eSealNoTsa | grep >/dev/null enabled || fail "TSA down must not stop the queue"
[ -n "$(lpstat -h "$H" -W not-completed -o eSealNoTsa)" ] || fail "$j5 must stay queued for the retry"
[ "$(count_files "$SB/out")" -eq "$before" ] || fail "a job waiting for a retry wrote a file"
pass "TSA down ($j5) -> retry later, queue eSealNoTsa still enabled, job kept"

# --- nothing of the PIN in the scheduler's logs, no job data left in its TempDir -------------------------------------
for f in "$C"/log/*; do
	assert_no_pin "$f"
done
[ -z "$(ls -A "$C/spool/tmp" | grep eseal || true)" ] || fail "backend temp files left in $C/spool/tmp"
pass "no PIN in the cupsd logs; no temp files left"
