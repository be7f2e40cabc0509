#!/bin/bash
# tests/cups/faults.sh: every fault of the e-Seal printer gives the CUPS status that makes the scheduler do the right
# thing (STOP the queue for a token or profile the admin must fix, RETRY the job when a service is down, CANCEL a job
# that cannot be sealed), a clear ERROR: line without the PIN, and no stray file in the output folders or TMPDIR.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"

cups_sandbox

# expect_fault CODE ERROR-REGEX [STATE-REASON] -- run_backend args...: the status, the ERROR line, and no new file.
expect_fault() {
	local code=$1 re=$2 reason=$3 before
	shift 4
	before=$(count_files "$SB/out")
	run_backend "$code" "$@"
	assert_grep "^ERROR: $re" "$ERR"
	# The short sentence for staff (the state message they see), then one technical line.
	[ "$(grep -c '^ERROR:' "$ERR")" -eq 2 ] || fail "expected two ERROR: lines: $(cat "$ERR")"
	if [ -n "$reason" ]; then
		assert_grep "^STATE: \\+$reason\$" "$ERR"
	fi
	[ "$(count_files "$SB/out")" -eq "$before" ] || fail "a failed job left a file: $(find "$SB/out" -type f)"
	[ "$(count_files "$SB/tmp")" -eq 0 ] || fail "a failed job left a file in TMPDIR: $(ls -la "$SB/tmp")"
	if grep -q '^INFO: Sealed' "$ERR"; then
		fail "a failed job reports success"
	fi
}

# --- a working job first, so that every fault below is the fault and not the set-up ---------------------------------
run_backend "$B_OK" alice "Baseline" "$DOC"
assert_file "$SB/out/alice/Baseline.pdf"

# --- wrong PIN: STOP (retrying would lock the token); the token got exactly one C_Login ---------------------------------
logins_setup "$SB/logins"
DEVICE_URI=eseal:/wrongpin expect_fault "$B_STOP" ".*(PIN|pin)" eseal-token-error -- alice "Wrong PIN" "$DOC"
assert_logins 1 "$SB/logins" "CUPS backend, wrong PIN"
assert_no_pin "$ERR"
grep -qF -- "0000-not-the-pin" "$ERR" && fail "the wrong PIN appears in the log"
pass "wrong PIN -> STOP: $(grep '^ERROR:' "$ERR")"

# --- missing token: a URI naming no token, and a token store that is empty (HSM gone): STOP ---------------------------
DEVICE_URI=eseal:/notoken expect_fault "$B_STOP" ".*token" eseal-config-error -- alice "No token" "$DOC"
pass "token not there -> STOP: $(grep '^ERROR:' "$ERR")"
sed "s#^directories.tokendir *=.*#directories.tokendir = $SB/empty-tokens#" "$SB/softhsm2.conf" >"$SB/softhsm2-empty.conf"
SOFTHSM2_CONF=$SB/softhsm2-empty.conf expect_fault "$B_STOP" ".*token" eseal-config-error -- alice "Empty HSM" "$DOC"
pass "empty token store -> STOP: $(grep '^ERROR:' "$ERR")"

# --- TSA down (nobody listening) and TSA failing (HTTP 500): RETRY ---------------------------------------------------
DEVICE_URI=eseal:/notsa expect_fault "$B_RETRY" ".*127\.0\.0\.1" eseal-tsa-unavailable-warning -- alice "No TSA" "$DOC"
assert_grep '^INFO: will retry' "$ERR"
pass "TSA down -> RETRY: $(grep '^ERROR:' "$ERR")"
# What staff see (cupsd makes the first ERROR line the job's and the printer's state message) is one short sentence in
# the job's language: CUPS sets LANG from the job's attributes-natural-language. The technical line follows it.
LANG=ja_JP.UTF-8 DEVICE_URI=eseal:/notsa run_backend "$B_RETRY" alice "No TSA ja" "$DOC"
[ "$(grep '^ERROR:' "$ERR" | head -1)" = "ERROR: タイムスタンプサービスに現在接続できません。自動的に再試行します。" ] ||
	fail "ja job, TSA down: the first ERROR line is not the Japanese sentence: $(grep '^ERROR:' "$ERR" | head -1)"
assert_grep '^ERROR: .*127\.0\.0\.1' "$ERR"
LANG=C DEVICE_URI=eseal:/notsa run_backend "$B_RETRY" alice "No TSA en" "$DOC"
[ "$(grep '^ERROR:' "$ERR" | head -1)" = "ERROR: The time-stamp service cannot be reached at the moment; this will be retried." ] ||
	fail "en job, TSA down: the first ERROR line is not the English sentence: $(grep '^ERROR:' "$ERR" | head -1)"
pass "TSA down: the staff sentence in the job's language (ja / en), then the technical ERROR line"
url500=$(start_tsa http500)
sed "/^\[profile notsa\]/,/^\[/ s#^tsa = .*#tsa = $url500#" "$SB/eseal.conf" >"$SB/eseal-500.conf"
ESEAL_CONFIG=$SB/eseal-500.conf DEVICE_URI=eseal:/notsa expect_fault "$B_RETRY" ".*" eseal-tsa-unavailable-warning -- \
	alice "TSA 500" "$DOC"
pass "TSA answering HTTP 500 -> RETRY: $(grep '^ERROR:' "$ERR")"

# --- the HSM fails while signing (device removed, device error): RETRY, the job waits for the token -------------------
# SoftHSM cannot lose its device, so the key goes through tests/cms/p11_fault.c, which passes every call to SoftHSM
# and answers C_Sign with the fault. A control run through the same shim without a fault seals: the shim is not it.
P11FAULT=$ESEAL_BUILD/tests/cms/libp11fault.so
[ -f "$P11FAULT" ] || fail "no fault-injecting PKCS#11 module at $P11FAULT"
sed "/^\[profile demo-bb\]/,/^\[/ s#module-path=[^&;]*#module-path=$P11FAULT#" "$SB/eseal.conf" >"$SB/eseal-fault.conf"
grep -q "module-path=$P11FAULT" "$SB/eseal-fault.conf" || fail "the fault profile does not use the shim"
ESEAL_CONFIG=$SB/eseal-fault.conf ESEAL_FAULT_REAL=$MODULE DEVICE_URI=eseal:/demo-bb \
	run_backend "$B_OK" alice "Through the shim" "$DOC"
assert_file "$SB/out/alice/Through the shim.pdf"
for fault in 0x32:CKR_DEVICE_REMOVED 0x30:CKR_DEVICE_ERROR; do
	rv=${fault%%:*}
	# The ERROR line names what the token said: office staff pass it to whoever runs the HSM.
	ESEAL_CONFIG=$SB/eseal-fault.conf ESEAL_FAULT_REAL=$MODULE ESEAL_FAULT_SIGN=$rv DEVICE_URI=eseal:/demo-bb \
		expect_fault "$B_RETRY" ".*${fault#*:}" eseal-hsm-unavailable-warning -- alice "HSM fault $rv" "$DOC"
	assert_grep '^INFO: will retry' "$ERR"
	pass "HSM C_Sign fault $rv -> RETRY: $(grep '^ERROR:' "$ERR")"
done

# --- jobs that are not PDF: CANCEL (stdin and file; text, PostScript, empty) -------------------------------------------
printf 'Dear all,\nplain text.\n' >"$SB/letter.txt"
printf '%%!PS-Adobe-3.0\n%%%%Pages: 1\nshowpage\n' >"$SB/page.ps"
: >"$SB/empty"
JOB_STDIN=$SB/letter.txt expect_fault "$B_CANCEL" "job 17: not a PDF" "" -- alice "Letter" 
JOB_STDIN=$SB/page.ps expect_fault "$B_CANCEL" "job 17: not a PDF" "" -- alice "PS"
expect_fault "$B_CANCEL" "job 17: not a PDF" "" -- alice "PS file" "$SB/page.ps"
JOB_STDIN=$SB/empty expect_fault "$B_CANCEL" "job 17: empty job" "" -- alice "Empty"
# PDF magic followed by garbage: the sealer refuses it (input class), still CANCEL and no file.
{ printf '%%PDF-1.7\n'; head -c 4096 /dev/urandom; } >"$SB/broken.pdf"
expect_fault "$B_CANCEL" "job 17" "" -- alice "Broken" "$SB/broken.pdf"
# The job file named in argv: never through a link, never anything but a regular file.
ln -s "$DOC" "$SB/link.pdf"
expect_fault "$B_CANCEL" "$SB/link.pdf: the job file is a symbolic link" "" -- alice "Link" "$SB/link.pdf"
mkfifo -m 644 "$SB/fifo.pdf"
expect_fault "$B_CANCEL" "$SB/fifo.pdf: the job file is not a regular file" "" -- alice "Fifo" "$SB/fifo.pdf"
pass "non-PDF, broken PDF, linked or non-regular job files -> CANCEL, nothing written, TMPDIR empty"

# --- output folder that is a symlink (planted by the user): refused, nothing written anywhere --------------------------
mkdir "$SB/elsewhere"
[ "$(id -u)" -eq 0 ] && chown lp:lp "$SB/elsewhere"
ln -s "$SB/elsewhere" "$SB/out/mallory"
expect_fault "$B_CANCEL" "output-dir $SB/out/mallory: 'mallory' is a symbolic link; refusing" "" -- \
	mallory "Redirected" "$DOC"
[ "$(count_files "$SB/elsewhere")" -eq 0 ] || fail "the seal went through the planted link"
[ -L "$SB/out/mallory" ] || fail "the planted link was replaced"
# A link one level further down (output-dir = .../${USER}/inbox) is refused the same way.
mkdir -m 700 "$SB/out/erin"
[ "$(id -u)" -eq 0 ] && chown lp:lp "$SB/out/erin"
ln -s "$SB/elsewhere" "$SB/out/erin/inbox"
sed "s#^output-dir = .*#output-dir = $SB/out/\${USER}/inbox#" "$SB/eseal.conf" >"$SB/eseal-inbox.conf"
ESEAL_CONFIG=$SB/eseal-inbox.conf expect_fault "$B_CANCEL" ".*'inbox' is a symbolic link" "" -- erin "Deep" "$DOC"
[ "$(count_files "$SB/elsewhere")" -eq 0 ] || fail "the seal went through a deeper planted link"
# A plain file where the folder should be.
touch "$SB/out/frank"
expect_fault "$B_CANCEL" ".*'frank' is not a directory" "" -- frank "Not a dir" "$DOC"
pass "symlinked / non-directory output folders -> CANCEL, nothing written anywhere"

# --- broken profiles and configuration: STOP ------------------------------------------------------------------------
DEVICE_URI=eseal:/nosuch expect_fault "$B_STOP" ".*no \[profile nosuch\]" eseal-config-error -- alice "X" "$DOC"
ESEAL_CONFIG=$SB/missing.conf expect_fault "$B_STOP" ".*missing.conf: cannot read" eseal-config-error -- \
	alice "X" "$DOC"
printf '[profile demo]\nkey = %s\ncolour = red\n' "$KEY_URI" >"$SB/typo.conf"
ESEAL_CONFIG=$SB/typo.conf expect_fault "$B_STOP" ".*unknown setting 'colour'" eseal-config-error -- alice "X" "$DOC"
grep -v '^output-dir' "$SB/eseal.conf" >"$SB/nodir.conf"
ESEAL_CONFIG=$SB/nodir.conf expect_fault "$B_STOP" "output-dir: not set" eseal-config-error -- alice "X" "$DOC"
sed "s#^output-dir = .*#output-dir = $SB/not-created/\${USER}#" "$SB/eseal.conf" >"$SB/noroot.conf"
ESEAL_CONFIG=$SB/noroot.conf expect_fault "$B_STOP" ".*cannot open $SB/not-created" eseal-config-error -- \
	alice "X" "$DOC"
[ ! -e "$SB/not-created" ] || fail "the administrator's part of output-dir was created"
DEVICE_URI='eseal:/de;mo' expect_fault "$B_STOP" "device URI" eseal-config-error -- alice "X" "$DOC"
pass "unknown profile, missing config, typo, no output-dir, missing base folder, bad URI -> STOP"

# --- after all that, the queue would work again: the next job seals and clears the state reasons ---------------------
run_backend "$B_OK" alice "Baseline" "$DOC"
assert_file "$SB/out/alice/Baseline (2).pdf"
assert_grep '^STATE: -eseal-token-error,eseal-config-error' "$ERR"
check_printed "$SB/out/alice/Baseline (2).pdf" B-T
pass "a good job after the faults seals and clears the printer-state reasons"
