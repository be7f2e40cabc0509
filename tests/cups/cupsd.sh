#!/bin/bash
# tests/cups/cupsd.sh: the e-Seal printer in a real CUPS. A private cupsd (own ServerRoot, spool, logs, ServerBin
# holding the standard filters and our backend, installed 0700 so cupsd runs it as root) on 127.0.0.1:<free port>;
# discovery with lpinfo -v; the queue is added with lpadmin and the shipped PPD; PDFs and PostScript are printed with
# lp as two local test users (useradd); the sealed B-T PDFs land in each user's ~/PDF, readable by that user only
# (runuser), and pass pdfsig, qpdf, openssl ts -verify and eseal verify. Through the same cupsd: a raw non-PDF job is
# cancelled (queue stays up), a wrong PIN stops its queue, a job held while the TSA is down is sealed by itself once
# the TSA is back, within two (shortened) JobRetryIntervals. Exit 77 (skip) only if cupsd cannot start at all.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"
source "$ESEAL_SRC/tests/lib/cupsd.sh"

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
UA=esc-alice
UB=esc-bob
add_test_user "$UA"
add_test_user "$UB"
# Short, so that the automatic retry is seen within the test (CUPS's default is 300 s; the mechanism is the same).
RETRY_INTERVAL=15
# The notsa profile (a TSA port nobody listens on yet), delivering into the users' ~/PDF.
sed -n '/^\[profile notsa\]/,/^output-dir/p' "$SB/eseal.conf" |
	sed -e 's/^\[profile notsa\]/[profile notsa-home]/' -e 's|^output-dir = .*|output-dir = ${HOME}/PDF|' >"$SB/extra.conf"
cat "$SB/extra.conf" >>"$SB/eseal.conf"
C=$(tmpdir)
mkdir -p "$C/bin/backend"
# ServerBin: the system's filters, CGI, notifiers, daemons... and a backend directory that holds only ours.
# cupsd checks a backend is root-owned and not writable by others, so it is a copy, not a link into the build.
mkdir -p "$C/bin/filter"
for f in /usr/lib/cups/*; do
	case "$(basename "$f")" in
	backend | filter) ;;
	*) ln -s "$f" "$C/bin/$(basename "$f")" ;;
	esac
done
# filter/: the system's filters and ours (a root-owned copy, as cupsd wants).
for f in /usr/lib/cups/filter/*; do
	ln -s "$f" "$C/bin/filter/$(basename "$f")"
done
TEXTTOPDF=$ESEAL_BUILD/cups-filter/eseal-texttopdf
[ -x "$TEXTTOPDF" ] || fail "the text filter is not built: $TEXTTOPDF"
install -m 0755 "$TEXTTOPDF" "$C/bin/filter/eseal-texttopdf"
# 0700: cupsd runs it as root; it seals as lp and delivers each file as the job's user (the recommended install).
install -m 0700 "$BACKEND" "$C/bin/backend/eseal"
# DataDir: the system's (mime types, banners, ...) plus model/, which cups-driverd searches for PPDs: our PPD sits
# there as cmake --install lays it out under <datadir>/ppd (eseal/eseal.ppd).
mkdir -p "$C/data/model/eseal"
for f in /usr/share/cups/*; do
	[ "$(basename "$f")" = model ] || ln -s "$f" "$C/data/$(basename "$f")"
done
install -m 0644 "$ESEAL_SRC/plugins/cups/eseal.ppd" "$C/data/model/eseal/eseal.ppd"

# cupsd hands its children a filtered environment: what the backend needs is passed explicitly. The wrongpin
# profile's key goes through the login-counting shim (tests/cms/p11_logins.sh).
CUPSD_FILES_EXTRA="SetEnv ESEAL_CONFIG $ESEAL_CONFIG
SetEnv SOFTHSM2_CONF $SOFTHSM2_CONF
SetEnv ESEAL_LOCALEDIR ${ESEAL_LOCALEDIR:?}
SetEnv ESEAL_FAULT_REAL $MODULE
SetEnv ESEAL_FAULT_LOG $SB/logins"
# The sanitizer settings of the test build (suppressions etc.), when there are any.
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
	[ -z "${!v:-}" ] || CUPSD_FILES_EXTRA+=$'\n'"SetEnv $v ${!v}"
done
CUPSD_CONF_EXTRA="JobRetryInterval $RETRY_INTERVAL"
CLEANUP_HOOKS+=(stop_cupsd)
start_cupsd "$C" || skip "cupsd could not start (see its output above)"
H=$CUPSD_HOST
pass "private cupsd on $H"

# Discovery through the scheduler: cupsd runs the backend without arguments (as lp) and lists its device.
lpinfo -h "$H" -v >"$OUT" 2>"$ERR" || fail "lpinfo -v failed: $(cat "$ERR")"
assert_grep '^direct eseal:/$' "$OUT"
lpinfo -h "$H" -l -v >"$OUT" 2>"$ERR" || fail "lpinfo -l -v failed: $(cat "$ERR")"
assert_grep 'make-and-model = e-Seal printer$' "$OUT"
pass "lpinfo -v lists direct eseal:/"

# The PPD as cupsd's driver list shows it (lpinfo -m, the web interface's "Make and model"), added by that name.
lpinfo -h "$H" -m >"$OUT" 2>"$ERR" || fail "lpinfo -m failed: $(cat "$ERR")"
assert_grep '^eseal/eseal.ppd .*e-Seal printer' "$OUT"
# -I filters: eseal-texttopdf lives in this test's ServerBin, not /usr/lib/cups/filter where cupstestppd looks.
cupstestppd -I filters "$ESEAL_SRC/plugins/cups/eseal.ppd" >"$C/cupstestppd" 2>&1 || fail "cupstestppd: $(cat "$C/cupstestppd")"
for size in A3 B4 B5; do
	grep -q "^\*PageSize $size/" "$ESEAL_SRC/plugins/cups/eseal.ppd" || fail "the PPD has no $size"
done
grep -q '^\*ja.Translation PageSize/用紙サイズ' "$ESEAL_SRC/plugins/cups/eseal.ppd" || fail "the PPD has no Japanese"
pass "lpinfo -m lists eseal/eseal.ppd; cupstestppd passes; A3/B4/B5 and Japanese translations"
lpadmin -h "$H" -p eSeal -E -v eseal:/home -m eseal/eseal.ppd 2>"$ERR" || fail "lpadmin -m failed: $(cat "$ERR")"
lpoptions -h "$H" -p eSeal -l >"$OUT" 2>"$ERR" || fail "lpoptions failed: $(cat "$ERR")"
assert_grep '^PageSize/Page Size: .*A3.*B4.*B5' "$OUT"
lpadmin -h "$H" -p eSealBadPin -E -v eseal:/wrongpin -P "$ESEAL_SRC/plugins/cups/eseal.ppd" 2>"$ERR" ||
	fail "lpadmin failed: $(cat "$ERR")"
lpadmin -h "$H" -p eSealNoTsa -E -v eseal:/notsa-home -P "$ESEAL_SRC/plugins/cups/eseal.ppd" 2>"$ERR" ||
	fail "lpadmin failed: $(cat "$ERR")"
lpstat -h "$H" -v eSeal >"$OUT"
assert_grep "device for eSeal: eseal:/home" "$OUT"
pass "queues added with lpadmin and plugins/cups/eseal.ppd"

# submit USER TITLE lp-args...: prints the job id
submit() {
	local user=$1 title=$2
	shift 2
	lp -h "$H" -U "$user" -t "$title" "$@" >"$OUT" 2>"$ERR" || fail "lp failed: $(cat "$ERR")"
	# "request id is eSeal-1 (1 file(s))", or in the client's language: the QUEUE-N token.
	grep -oE '[A-Za-z0-9_]+-[0-9]+' "$OUT" | head -1
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
j1=$(submit "$UA" "Site report" -d eSeal "$DOC")
j2=$(submit "$UB" "Memo" -d eSeal "$SB/memo.ps")
wait_done eSeal
for j in "$j1" "$j2"; do
	grep -q "Job completed" "$(job_log "$j")" || { tail -30 "$(job_log "$j")" >&2; fail "$j did not complete"; }
done
grep -q "Started filter" "$(job_log "$j1")" && fail "$j1: the PDF went through a filter; it must reach the backend unconverted"
grep -q "Started filter .*/gstopdf" "$(job_log "$j2")" || fail "$j2: PostScript did not go through gstopdf"
FA="$SB/home/$UA/PDF/Site report.pdf"
FB="$SB/home/$UB/PDF/Memo.pdf"
check_printed "$FA" B-T
check_printed "$FB" B-T
# The PDF arrived byte for byte: the sealed file starts with the original (incremental update).
check_prefix "$DOC" "$FA"
assert_only_owner_reads "$UA" "$UB" "$FA"
assert_only_owner_reads "$UB" "$UA" "$FB"
[ "$(stat -c '%U %a' "$SB/home/$UA/PDF")" = "$UA 700" ] || fail "~$UA/PDF is not $UA's, 0700"
pass "lp PDF ($j1) and PostScript ($j2) -> sealed B-T in ~$UA/PDF and ~$UB/PDF, each readable by its user only"

# --- a UTF-8 Japanese text file: through our text filter to a sealed PDF whose text is the Japanese text ------------
printf '%s\n' "Quarterly memo" "四半期報告書：売上は前年比１２％増加しました。" "カタカナ、ひらがな、漢字。" >"$SB/memo-ja.txt"
chmod 644 "$SB/memo-ja.txt"
j6=$(submit "$UA" "Memo ja" -d eSeal "$SB/memo-ja.txt")
wait_done eSeal
grep -q "Job completed" "$(job_log "$j6")" || { tail -30 "$(job_log "$j6")" >&2; fail "$j6 did not complete"; }
grep -q "Started filter .*/eseal-texttopdf" "$(job_log "$j6")" || fail "$j6: the text did not go through eseal-texttopdf"
FJ="$SB/home/$UA/PDF/Memo ja.pdf"
check_printed "$FJ" B-T
check_cjk_text "$FJ" "四半期報告書：売上は前年比１２％増加しました。" "カタカナ、ひらがな、漢字。"
pass "UTF-8 Japanese text ($j6) -> eseal-texttopdf -> sealed B-T; pdftotext shows the Japanese lines"

# --- a raw job that is not a PDF: cancelled, the queue stays enabled, nothing written --------------------------------
before=$(count_files "$SB/home")
printf 'not a pdf\n' >"$SB/raw.bin"
j3=$(submit "$UA" "Raw" -d eSeal -o raw "$SB/raw.bin")
wait_done eSeal
grep -q "^E .*not a PDF" "$(job_log "$j3")" || { tail -20 "$(job_log "$j3")" >&2; fail "$j3: no ERROR line about the input"; }
grep -qi "cancel" "$(job_log "$j3")" || fail "$j3 was not cancelled"
lpstat -h "$H" -p eSeal | grep >/dev/null "enabled" || fail "a bad job must not stop the queue: $(lpstat -h "$H" -p eSeal)"
[ "$(count_files "$SB/home")" -eq "$before" ] || fail "a cancelled job wrote a file"
pass "raw non-PDF job $j3 -> cancelled, queue still enabled"

# --- wrong PIN: the queue stops (no retry that would lock the token), the job waits, nothing written -----------------
# Printed from a Japanese desktop: lp sends attributes-natural-language ja-jp, CUPS gives the backend LANG ja_JP.UTF-8.
j4=$(LANG=ja_JP.UTF-8 submit "$UA" "Pin" -d eSealBadPin "$DOC")
wait_done eSealBadPin
lpstat -h "$H" -p eSealBadPin | grep >/dev/null disabled || fail "wrong PIN must stop the queue: $(lpstat -h "$H" -p eSealBadPin)"
assert_logins 1 "$SB/logins" "wrong PIN through cupsd"
grep -q "^E .*PIN" "$(job_log "$j4")" || { tail -20 "$(job_log "$j4")" >&2; fail "$j4: no ERROR line about the PIN"; }
[ -n "$(lpstat -h "$H" -W not-completed -o eSealBadPin)" ] || fail "$j4 must stay queued for when the admin fixes the PIN"
[ "$(count_files "$SB/home")" -eq "$before" ] || fail "a failed job wrote a file"
pass "wrong PIN ($j4) -> queue eSealBadPin stopped, job kept"
# What staff see: the job's printer-state-message (ipptool, Get-Job-Attributes) and the queue's state message
# (lpstat -l -p) are the one Japanese sentence for a wrong PIN; the technical detail is in the error log only.
PIN_JA="HSMがPINを受け付けませんでした。管理者に連絡してください（鍵のロックを防ぐため再試行しません）。"
cat >"$C/job-attrs.test" <<'EOF2'
{
	NAME "job state message"
	OPERATION Get-Job-Attributes
	GROUP operation-attributes-tag
	ATTR charset attributes-charset utf-8
	ATTR naturalLanguage attributes-natural-language en
	ATTR uri printer-uri $uri
	ATTR integer job-id $job_id
	ATTR name requesting-user-name root
	ATTR keyword requested-attributes job-printer-state-message,job-state
	STATUS successful-ok
	DISPLAY job-printer-state-message
}
EOF2
ipptool -t -d "job_id=${j4##*-}" "ipp://$H/printers/eSealBadPin" "$C/job-attrs.test" >"$C/job-attrs.out" 2>&1 ||
	{ cat "$C/job-attrs.out" >&2; fail "ipptool Get-Job-Attributes failed"; }
grep -qF "job-printer-state-message (textWithoutLanguage) = $PIN_JA" "$C/job-attrs.out" ||
	{ cat "$C/job-attrs.out" >&2; fail "$j4: job-printer-state-message is not the Japanese sentence"; }
lpstat -h "$H" -l -p eSealBadPin >"$C/lpstat-p" 2>&1 || true
grep -qF "$PIN_JA" "$C/lpstat-p" || { cat "$C/lpstat-p" >&2; fail "eSealBadPin's state message is not the Japanese sentence"; }
pass "wrong PIN, ja job: job-printer-state-message and the queue's message are the Japanese sentence (ipptool, lpstat)"

# --- TSA down: the job is held for a retry (JobRetryInterval), the queue stays enabled, nothing written; once the TSA
# is back the job is sealed by itself within two retry intervals (no lp -H resume, no new job to wake the scheduler)
j5=$(LANG=ja_JP.UTF-8 submit "$UA" "Later" -d eSealNoTsa "$DOC")
for i in $(seq 120); do
	grep -q "Backend returned status" "$(job_log "$j5")" && break
	sleep 0.5
done
grep -q "Backend returned status 6 (retry job later)" "$(job_log "$j5")" ||
	{ tail -20 "$(job_log "$j5")" >&2; fail "$j5: TSA down must make the backend ask for a retry"; }
grep -q "^E .*TSA" "$(job_log "$j5")" || fail "$j5: no ERROR line about the TSA"
lpstat -h "$H" -p eSealNoTsa | grep >/dev/null enabled || fail "TSA down must not stop the queue"
lpstat -h "$H" -l -o eSealNoTsa >"$C/held" 2>&1 || true
[ -n "$(lpstat -h "$H" -W not-completed -o eSealNoTsa)" ] || fail "$j5 must stay queued for the retry"
[ "$(count_files "$SB/home")" -eq "$before" ] || fail "a job waiting for a retry wrote a file"
ipptool -t -d "job_id=${j5##*-}" "ipp://$H/printers/eSealNoTsa" "$C/job-attrs.test" >"$C/job-attrs.out" 2>&1 ||
	{ cat "$C/job-attrs.out" >&2; fail "ipptool Get-Job-Attributes failed"; }
grep -qF "タイムスタンプサービスに現在接続できません。自動的に再試行します。" "$C/job-attrs.out" ||
	{ cat "$C/job-attrs.out" >&2; fail "$j5: job-printer-state-message is not the Japanese TSA sentence"; }
pass "TSA down ($j5) -> held for a retry, queue eSealNoTsa still enabled, nothing written; ja state message"

start_tsa ok --port "$NOTSA_PORT" >/dev/null
t0=$(date +%s)
limit=$((2 * RETRY_INTERVAL + 5))
done5=-1
while [ $(($(date +%s) - t0)) -le "$limit" ]; do
	if grep -q "Job completed" "$(job_log "$j5")"; then
		done5=$(($(date +%s) - t0))
		break
	fi
	sleep 0.5
done
[ "$done5" -ge 0 ] || {
	lpstat -h "$H" -l -o eSealNoTsa >&2 || true
	tail -20 "$(job_log "$j5")" >&2
	fail "$j5 was not sealed by itself within 2 x JobRetryInterval ($limit s) after the TSA came back"
}
check_printed "$SB/home/$UA/PDF/Later.pdf" B-T
assert_only_owner_reads "$UA" "$UB" "$SB/home/$UA/PDF/Later.pdf"
pass "TSA back -> $j5 sealed by itself after $done5 s (JobRetryInterval $RETRY_INTERVAL s), no resume"

# --- nothing of the PIN in the scheduler's logs, no job data left in its TempDir -------------------------------------
for f in "$C"/log/*; do
	assert_no_pin "$f"
done
[ -z "$(ls -A "$C/spool/tmp" | grep eseal || true)" ] || fail "backend temp files left in $C/spool/tmp"
pass "no PIN in the cupsd logs; no temp files left"
