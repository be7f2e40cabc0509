#!/usr/bin/env bash
# tests/cli/test_inputs.sh: every file eseal reads is opened without waiting and must be a regular file: a FIFO
# (no writer ever comes) or a device (/dev/zero never ends) given as a document, a list, a PIN, password, TSA
# credentials, certificate, trust, key, image, configuration or data file ends at once with a one-line error naming
# the file and what it is, and the documented exit code. Each command runs under `timeout 20`: a hang fails as 124.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
FIFO=$D/fifo
mkfifo "$FIFO"
DOC=$SAMPLES/documents/report.pdf
printf 'some data\n' >"$D/data.bin"

# refused CODE KIND WHAT CMD...: the command ends in time with CODE, and one stderr line names the FIFO (or device),
# what the file was for and its kind ("a FIFO"); no output file is left.
refused() {
	local code=$1 kind=$2 what=$3
	shift 3
	expect_exit "$code" timeout 20 "$@"
	grep -E >/dev/null "$what: $kind, not a regular file" "$ERR" || fail "$*: no message '$what: $kind': $(cat "$ERR")"
	[ "$(grep -c . "$ERR")" -eq 1 ] || fail "$*: not one line: $(cat "$ERR")"
	assert_no_file "$D/out.pdf"
	assert_no_file "$D/out.p7s"
}

# --- documents: seal and verify --------------------------------------------------------------------------------------
refused 65 "a FIFO" "$FIFO: cannot open" "$ESEAL" seal --profile demo-bb "$FIFO" -o "$D/out.p7s"
refused 65 "a FIFO" "$FIFO: cannot open" "$ESEAL" seal --profile demo-bb --format pdf "$FIFO" -o "$D/out.pdf"
refused 65 "a character device" "/dev/zero: cannot open" "$ESEAL" seal --profile demo-bb /dev/zero -o "$D/out.p7s"
refused 65 "a FIFO" "$FIFO: cannot open" "$ESEAL" seal --profile demo-bb --placement detached "$D/data.bin" "$FIFO" \
	-o "$D/out.xml"
assert_no_file "$D/out.xml"
pass "seal: a FIFO or /dev/zero as the document (auto format, PDF, detached XAdES) is refused at once (65)"

expect_exit 65 timeout 20 "$ESEAL" verify --trust "$ROOT" "$FIFO"
assert_grep "$FIFO: cannot read: a FIFO, not a regular file" "$ERR"
expect_exit 65 timeout 20 "$ESEAL" verify --json --trust "$ROOT" /dev/zero
python3 - "$OUT" <<'PY' || fail "verify /dev/zero: the JSON report does not name the refusal: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["file"] == "/dev/zero" and "a character device, not a regular file" in d["error"], d
PY
pass "verify: a FIFO or /dev/zero is not a document it can read (65), never waited on"

# A detached .p7s whose data file is a FIFO: the seal is found, its data is not (INDETERMINATE, covers nothing).
expect_exit 0 "$ESEAL" seal --profile demo-bb --format cades "$D/data.bin" -o "$D/data.p7s"
expect_exit 2 timeout 20 "$ESEAL" verify --json --trust "$ROOT" --data "$FIFO" "$D/data.p7s"
python3 - "$OUT" <<'PY' || fail "--data FIFO: $(cat "$OUT")"
import json, sys
s = json.load(open(sys.argv[1]))["seals"][0]
assert s["sub_indication"] == "SIGNED_DATA_NOT_FOUND" and s["covers_whole_document"] is False, s
assert any("a FIFO, not a regular file" in e for e in s["errors"]), s
PY
pass "verify --data FIFO: SIGNED_DATA_NOT_FOUND at once, covers_whole_document false"

# --- the files a seal needs besides the document -------------------------------------------------------------------
refused 78 "a FIFO" "$FIFO: cannot read the PIN file" "$ESEAL" seal --profile demo-bb --pin-file "$FIFO" "$DOC" \
	-o "$D/out.pdf"
(
	unset ESEAL_PIN
	refused 78 "a FIFO" "$FIFO: cannot read the pin-source file" "$ESEAL" seal --key "$KEY_URI&pin-source=file:$FIFO" \
		--cert "$CHAIN" "$DOC" -o "$D/out.pdf"
) || exit 1
refused 78 "a FIFO" "$FIFO: cannot read the password file" "$ESEAL" seal --profile demo-bb --password-file "$FIFO" \
	"$DOC" -o "$D/out.pdf"
refused 78 "a FIFO" "$FIFO: cannot read the certificate file" "$ESEAL" seal --profile demo-bb --cert "$FIFO" "$DOC" \
	-o "$D/out.pdf"
refused 78 "a FIFO" "$FIFO: cannot read the key file" "$ESEAL" seal --key "$FIFO" --cert "$DEV_CHAIN" "$DOC" \
	-o "$D/out.pdf"
refused 78 "a FIFO" "$FIFO: cannot load TSA trust anchors" "$ESEAL" seal --profile demo --tsa-ca "$FIFO" "$DOC" \
	-o "$D/out.pdf"
refused 78 "a FIFO" "$FIFO: cannot load the CA certificates for the TSA's TLS" "$ESEAL" seal --profile demo \
	--tsa-tls-ca "$FIFO" "$DOC" -o "$D/out.pdf"
refused 78 "a FIFO" "$FIFO: cannot read the TSA credentials file" "$ESEAL" seal --profile demo --tsa-auth-file "$FIFO" \
	"$DOC" -o "$D/out.pdf"
refused 64 "a FIFO" "$FIFO: cannot open the seal image" "$ESEAL" seal --profile demo-bb --visible --image "$FIFO" \
	"$DOC" -o "$D/out.pdf"
refused 64 "a FIFO" "$FIFO: cannot read configuration" "$ESEAL" seal --config "$FIFO" --profile demo-bb "$DOC" \
	-o "$D/out.pdf"
refused 64 "a character device" "/dev/zero: cannot read configuration" "$ESEAL" seal --config /dev/zero \
	--profile demo-bb "$DOC" -o "$D/out.pdf"
refused 64 "a FIFO" "$FIFO: cannot read trust anchors" "$ESEAL" verify --trust "$FIFO" "$DOC"
pass "PIN, pin-source, password, certificate, key, TSA anchors/TLS CA/credentials: FIFO refused (78); image, config, trust (64)"

# --- batch input lists: a pipe is a stream (read to its end, bounded), a device is refused ------------------------
expect_exit 0 timeout 20 "$ESEAL" seal --profile demo-bb --json --from <(printf '%s\n' "$D/data.bin") --out-dir "$D/piped"
assert_grep '"status":"sealed"' "$OUT"
assert_file "$D/piped/data.bin.p7s"
# A FIFO nobody writes to reads as an empty list at once instead of waiting for a writer.
expect_exit 0 timeout 20 "$ESEAL" seal --profile demo-bb --json --from "$FIFO" --out-dir "$D/nowriter"
[ ! -s "$OUT" ] || fail "--from FIFO without a writer: nothing to seal, yet: $(cat "$OUT")"
refused 64 "a character device" "/dev/zero: cannot read input list" "$ESEAL" seal --profile demo-bb --from /dev/zero \
	--out-dir "$D/zero"
# stdin that never ends: bounded (64 MiB), not read forever.
expect_exit 64 timeout 20 "$ESEAL" seal --profile demo-bb --from - --out-dir "$D/zero" </dev/zero
assert_grep "standard input: cannot read input list: larger than 67108864 bytes" "$ERR"
assert_no_file "$D/zero"
pass "--from: <(...) read as a stream, a FIFO without writer is empty at once, /dev/zero refused, endless stdin bounded"

# A FIFO among a batch's documents fails alone (65), the others are sealed.
cp "$D/data.bin" "$D/other.bin"
expect_exit 65 timeout 20 "$ESEAL" seal --profile demo-bb -j 2 --json --out-dir "$D/mixed" "$D/data.bin" "$FIFO" \
	"$D/other.bin"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 2 ] || fail "batch with a FIFO: want 2 sealed: $(cat "$OUT")"
grep '"status":"failed"' "$OUT" | grep >/dev/null '"error_class":"input"' || fail "the FIFO must fail as input: $(cat "$OUT")"
assert_grep "a FIFO, not a regular file" "$OUT"
pass "batch: the FIFO fails alone (65), the other documents are sealed"
