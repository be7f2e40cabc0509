#!/usr/bin/env bash
# tests/cli/test_seal_cli.sh: the `eseal` command's own contract: usage errors, format/name mismatches, exit codes,
# no output on failure, and help/man/README generated from (or checked against) the one option table.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
echo "hello" >"$D/fake.pdf"
cp "$D/fake.pdf" "$D/fake.before"

expect_exit 65 "$ESEAL" seal --profile demo-bb "$D/fake.pdf" -o "$D/out.pdf"
assert_grep "fake.pdf: named .pdf but not a PDF" "$ERR"
assert_no_file "$D/out.pdf"
cmp -s "$D/fake.pdf" "$D/fake.before" || fail "the input was modified"
expect_exit 0 "$ESEAL" seal --profile demo-bb --format cades "$D/fake.pdf" -o "$D/fake.pdf.p7s"
openssl cms -verify -cades -binary -inform DER -in "$D/fake.pdf.p7s" -content "$D/fake.pdf" -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>/dev/null || fail "openssl cms rejects the --format cades output"
pass "a non-PDF named .pdf is refused (65) unless --format cades is given"

printf 'PK\003\004binary' >"$D/fake.xml"
expect_exit 65 "$ESEAL" seal --profile demo-bb "$D/fake.xml" -o "$D/out.xml"
assert_grep "named .xml but not XML" "$ERR"
assert_no_file "$D/out.xml"
pass "a non-XML named .xml is refused (65)"

expect_exit 64 "$ESEAL" seal --profile demo-bb "$SAMPLES/documents/report.pdf"
assert_grep "no output" "$ERR"
expect_exit 64 "$ESEAL" seal --profile demo-bb --no-such-flag "$SAMPLES/documents/report.pdf" -o "$D/x.pdf"
expect_exit 64 "$ESEAL" seal --profile demo-bb --level B-Z "$SAMPLES/documents/report.pdf" -o "$D/x.pdf"
assert_grep "level" "$ERR"
expect_exit 64 "$ESEAL" seal --profile no-such-profile "$SAMPLES/documents/report.pdf" -o "$D/x.pdf"
assert_grep "no \[profile no-such-profile\]" "$ERR"
expect_exit 64 "$ESEAL" frobnicate
expect_exit 74 "$ESEAL" seal --profile demo-bb "$D/missing.pdf" -o "$D/x.pdf"
assert_grep "missing.pdf" "$ERR"
assert_no_file "$D/x.pdf"
pass "usage errors exit 64, an unreadable input 74, each with a message naming what is wrong"

# Options after the input, as the issue writes the command.
expect_exit 0 "$ESEAL" seal "$SAMPLES/documents/report.pdf" -o "$D/r.pdf" --profile demo-bb
pdfsig_check "$D/r.pdf" 1 whole
pass "options may follow the input"

# A short option's value may start with "--" and is still a value, not an option.
(cd "$D" && expect_exit 0 "$ESEAL" seal --profile demo-bb "$SAMPLES/documents/report.pdf" -o --dash.pdf)
assert_file "$D/--dash.pdf"
pdfsig_check "$D/--dash.pdf" 1 whole
pass "-o takes a value that starts with --"

# The PIN never reaches argv: there is no flag for it.
# getopt_long would take `--pin` for `--pin-file` and print the "file name" (the PIN) in an error: refused.
expect_exit 64 "$ESEAL" seal --pin 987654 --profile demo-bb "$SAMPLES/documents/report.pdf" -o "$D/p.pdf"
grep -q 987654 "$ERR" "$OUT" && fail "the would-be PIN was echoed"
expect_exit 64 "$ESEAL" seal --lev B-T --profile demo-bb "$SAMPLES/documents/report.pdf" -o "$D/p.pdf"
assert_no_file "$D/p.pdf"
pass "no --pin flag exists and abbreviated options are refused without echoing values"

# Help, man page and README come from / are checked against the option table.
"$ESEAL" seal --help >"$D/help"
"$ESEAL" --man | sed 's/\\-/-/g' >"$D/man"
grep -q '^\.TH ESEAL 1' "$D/man" || fail "--man is not a man page"
for opt in $(grep -oE -- '--[a-z0-9-]+' "$D/help" | sort -u); do
	grep -qF -- "$opt" "$D/man" || fail "man page lacks $opt"
	grep -qF -- "$opt" "$ESEAL_SRC/README.md" || fail "README.md does not document eseal seal $opt"
done
pass "every seal option is in --help, the man page and README.md"
