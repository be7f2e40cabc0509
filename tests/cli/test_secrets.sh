#!/usr/bin/env bash
# tests/cli/test_secrets.sh: secrets stay secret: ESEAL_PIN leaves the environment at start (not in
# /proc/PID/environ while sealing), a PIN file others may read is warned about (naming file and mode), a PIN typed
# where a file name belongs is shown only as that missing file's name, a wrong PIN is tried exactly once (counted at
# the token) and with --json every document still gets its line, and TSA credentials in a URL are never printed.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cms/p11_logins.sh"

PIN=$(cat "$PIN_FILE")
D=$(tmpdir)
cd "$D"
printf 'a document\n' >doc.bin
printf 'another\n' >doc2.bin

# --- ESEAL_PIN is taken out of the environment before anything runs ----------------------------------------------
# The batch waits on a list FIFO we hold open (a writer exists, so it blocks in read) while we look at its environ.
mkfifo list
exec 3<>list
ESEAL_PIN=$PIN "$ESEAL" seal --key "$KEY_URI" --cert "$CHAIN" --json --from list --out-dir "$D/env" 3<&- >"$D/env.json" \
	2>"$D/env.err" &
pid=$!
for _ in $(seq 200); do
	ls -l "/proc/$pid/fd" 2>/dev/null | grep "$D/list" >/dev/null && break
	sleep 0.05
done
ls -l "/proc/$pid/fd" | grep "$D/list" >/dev/null || fail "eseal never opened the list"
tr '\0' '\n' <"/proc/$pid/environ" >"$D/environ"
printf 'doc.bin\n' >&3
exec 3>&-
wait "$pid" || fail "sealing with ESEAL_PIN failed: $(cat "$D/env.err")"
grep -q '^ESEAL_PIN=' "$D/environ" && fail "ESEAL_PIN is still in /proc/$pid/environ while sealing"
grep -qF -- "$PIN" "$D/environ" && fail "the PIN's value is still in /proc/$pid/environ while sealing"
grep -q '^ESEAL_CONFIG=' "$D/environ" || fail "the environment was not read (no ESEAL_CONFIG either)"
assert_grep '"status":"sealed"' "$D/env.json"
openssl cms -verify -cades -binary -inform DER -in "$D/env/doc.bin.p7s" -content doc.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>"$D/cms.err" || fail "the .p7s sealed with ESEAL_PIN does not verify: $(cat "$D/cms.err")"
pass "ESEAL_PIN is used, yet gone from /proc/PID/environ (name and value) while the batch runs"

# --- a PIN file others may read: sealed, with a warning naming the file and its mode -------------------------------
cp "$PIN_FILE" pin-open
for mode in 0644 0640 0600; do
	chmod "$mode" pin-open
	expect_exit 0 "$ESEAL" seal --profile demo-bb --pin-file "$D/pin-open" --force doc.bin -o doc.bin.p7s
	case $mode in
	0644) assert_grep "warning: $D/pin-open: the PIN file is accessible by others \(mode 0644\)" "$ERR" ;;
	0640) assert_grep "warning: $D/pin-open: the PIN file is accessible by its group \(mode 0640\)" "$ERR" ;;
	0600) [ ! -s "$ERR" ] || fail "a 0600 PIN file needs no warning: $(cat "$ERR")" ;;
	esac
	grep -qF -- "$PIN" "$ERR" "$OUT" && fail "the PIN was printed"
done
pass "PIN file mode 0644 / 0640: sealed with a warning naming file and mode (as ssh does); 0600: quiet"

# --- a PIN where a file name belongs ------------------------------------------------------------------------------
for form in "--pin-file 736251" "--pin-file=736251"; do
	# shellcheck disable=SC2086 # the form is two words or one on purpose
	expect_exit 78 "$ESEAL" seal --profile demo-bb $form doc.bin -o typed.p7s
	assert_grep "736251: cannot read the PIN file: No such file or directory" "$ERR"
	[ "$(grep -o 736251 "$ERR" | wc -l)" -eq 1 ] || fail "$form: the value is shown other than once, as the file: $(cat "$ERR")"
	[ ! -s "$OUT" ] || fail "$form: something on stdout: $(cat "$OUT")"
	assert_no_file typed.p7s
done
pass "--pin-file 736251: fails (78) naming the missing file, the value shown once, as that file name"

# --- a wrong PIN: tried once at the token, and every document of a --json batch gets its line -------------------
( umask 077; echo 0000-wrong-0000 >wrong-pin )
logins_setup "$D/logins"
expect_exit 77 "$ESEAL" seal --key "$(logins_uri eseal)" --cert "$CHAIN" --pin-file "$D/wrong-pin" doc.bin -o w.p7s
assert_logins 1 "$D/logins" "single file, wrong PIN"
assert_grep "CKR_PIN_INCORRECT" "$ERR"
logins_setup "$D/logins"
expect_exit 77 "$ESEAL" seal --key "$(logins_uri eseal)" --cert "$CHAIN" --pin-file "$D/wrong-pin" -j 2 --json \
	--out-dir "$D/wp" doc.bin doc2.bin
assert_logins 1 "$D/logins" "batch, wrong PIN"
python3 - "$OUT" <<'PY' || fail "wrong PIN with --json: not a failed line per document: $(cat "$OUT")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert sorted(d["input"] for d in lines) == ["doc.bin", "doc2.bin"], lines
for d in lines:
    assert d["status"] == "failed" and d["error_class"] == "pin" and d["output"] is None, d
    assert d["input"] in d["error"] and "CKR_PIN_INCORRECT" in d["error"], d
PY
grep -q 0000-wrong-0000 "$OUT" "$ERR" && fail "the wrong PIN was printed"
[ ! -e "$D/wp" ] || [ -z "$(ls -A "$D/wp")" ] || fail "a wrong PIN left files"
# A profile that cannot be loaded fails the same way: each document accounted for.
expect_exit 64 "$ESEAL" seal --profile no-such-profile --json --out-dir "$D/np" doc.bin doc2.bin
[ "$(grep -c '"error_class":"usage"' "$OUT")" -eq 2 ] || fail "unknown profile with --json: $(cat "$OUT")"
pass "wrong PIN: one C_Login at the token, exit 77, a failed JSON line for each document; a bad profile too"

# --- TSA credentials in a URL are never printed --------------------------------------------------------------------
no_credentials() { # after each command: neither user, password nor a wrong password anywhere it printed
	if grep -E -q "s3cr3t-pw|wr0ng-pw|alice" "$ERR" "$OUT"; then fail "$1: TSA credentials were printed: $(cat "$ERR" "$OUT")"; fi
}
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_exit 69 "$ESEAL" seal --profile demo --tsa "http://alice:s3cr3t-pw@127.0.0.1:$dead_port/" doc.bin -o tsa.p7s
assert_grep "TSA http://\*\*\*@127.0.0.1:$dead_port/: unreachable" "$ERR"
no_credentials "unreachable TSA"
expect_exit 69 "$ESEAL" seal --profile demo --tsa "http://alice:s3cr3t-pw@127.0.0.1:$dead_port/" --json \
	--out-dir "$D/tsaj" doc.bin
assert_grep '"error":".*TSA http://\*\*\*@127.0.0.1' "$OUT"
no_credentials "unreachable TSA, JSON"
expect_exit 64 "$ESEAL" seal --profile demo --tsa "ftp://alice:s3cr3t-pw@127.0.0.1/" doc.bin -o tsa.p7s
assert_grep "tsa: 'ftp://\*\*\*@127.0.0.1/' is not an http:// or https:// URL" "$ERR"
no_credentials "refused URL"
# A TSA that wants HTTP basic authentication, credentials in the URL: they work, and a wrong password is not shown.
printf 'alice:s3cr3t-pw\n' >tsa-auth
url=$(start_tsa ok --auth-file "$D/tsa-auth")
hostpart=${url#http://}
expect_exit 0 "$ESEAL" seal --profile demo --tsa "http://alice:s3cr3t-pw@$hostpart" doc.bin -o tsa-ok.p7s
openssl cms -verify -cades -binary -inform DER -in tsa-ok.p7s -content doc.bin -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>"$D/cms.err" || fail "B-T through an authenticating TSA: $(cat "$D/cms.err")"
expect_exit 69 "$ESEAL" seal --profile demo --tsa "http://alice:wr0ng-pw@$hostpart" doc.bin -o tsa-bad.p7s
assert_grep "TSA http://\*\*\*@$hostpart" "$ERR"
no_credentials "wrong TSA password"
pass "TSA URL credentials work but are shown as ***@ in messages and JSON, also in a refused URL"
