#!/usr/bin/env bash
# tests/cli/test_seal_cli.sh: the `eseal` command's own contract: usage errors, format/name mismatches, exit codes,
# no output on failure, and help/man/README generated from (or checked against) the one option table.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
echo "hello" >"$D/fake.pdf"
cp "$D/fake.pdf" "$D/fake.before"

expect_exit 65 "$ESEAL" seal --profile demo-bb "$D/fake.pdf" -o "$D/out.pdf"
assert_grep "fake.pdf: named .pdf but not a PDF" "$ERR"
# The library says what is wrong; the command line adds which of its flags mends it.
assert_grep "in a detached CAdES .use --format cades to seal it as a file.$" "$ERR"
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

# One meaning per short option: -j is --jobs in every command (verify's JSON output is --json only).
V=$(tmpdir)
for n in 1 2 3; do
	"$ESEAL" seal --profile demo-bb "$SAMPLES/documents/report.pdf" -o "$V/r$n.pdf" 2>"$V/seal.err" ||
		fail "sealing r$n.pdf: $(cat "$V/seal.err")"
done
expect_exit 64 "$ESEAL" verify --trust "$ROOT" "$V/r1.pdf" -j
assert_grep "option requires an argument" "$ERR"
expect_exit 64 "$ESEAL" verify --trust "$ROOT" -j "$V/r1.pdf" "$V/r2.pdf"
assert_grep "jobs .*r1.pdf: expected a number of files to verify at once, 1 to 256 .JSON output is --json." "$ERR"
expect_exit 64 "$ESEAL" verify --trust "$ROOT" -j 0 "$V/r1.pdf"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" --json "$V/r1.pdf" "$V/r2.pdf" "$V/r3.pdf"
cp "$OUT" "$V/one.json"
expect_exit 0 "$ESEAL" verify --trust "$ROOT" -j 3 --json "$V/r1.pdf" "$V/r2.pdf" "$V/r3.pdf"
[ "$(jq -r .file "$OUT" | tr '\n' ' ')" = "$V/r1.pdf $V/r2.pdf $V/r3.pdf " ] ||
	fail "verify -j 3: reports not in the order of the files: $(jq -r .file "$OUT")"
[ "$(jq -r .indication "$OUT" | sort -u)" = TOTAL-PASSED ] || fail "verify -j 3: $(cat "$OUT")"
[ "$(jq -c 'del(.seals[].chain, .validation_time)' "$OUT")" = "$(jq -c 'del(.seals[].chain, .validation_time)' "$V/one.json")" ] ||
	fail "verify -j 3 reports differ from -j 1"
expect_exit 2 "$ESEAL" verify -j 2 "$V/r1.pdf" "$V/r2.pdf"
[ "$(grep -c '^/.*\.pdf: INDETERMINATE$' "$OUT")" = 2 ] || fail "verify -j 2 without trust: $(cat "$OUT")"
grep -q -- '-j, --jobs' "$D/man" || fail "the man page does not show -j, --jobs"
pass "-j is --jobs everywhere: verify -j N verifies N files at once, reports in file order; -j without a number is 64"

# The version, three ways.
want="eseal $(sed -n 's/^#define ESEAL_VERSION "\(.*\)"$/\1/p' "$ESEAL_SRC/include/eseal/eseal.h")"
for form in --version -V version; do
	expect_exit 0 "$ESEAL" "$form"
	[ "$(cat "$OUT")" = "$want" ] || fail "eseal $form printed '$(cat "$OUT")', not '$want'"
done
"$ESEAL" --help | grep -- 'eseal version | --version | -V' >/dev/null || fail "--help does not list the version forms"
pass "eseal --version, -V and version print '$want'"
