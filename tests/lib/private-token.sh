#!/bin/bash
# tests/lib/private-token.sh CMD [ARGS...]: runs CMD with SOFTHSM2_CONF pointing at a private copy of the fixture's
# token, removed afterwards. Why: SoftHSM2 rewrites token.object on a failed (and the next successful) login, and a
# process reading the token at that moment finds "no initialised token"; tests that try a wrong PIN would make
# parallel tests fail at random. With a copy per test process, no test can disturb another.
set -euo pipefail

: "${ESEAL_TESTENV:?ESEAL_TESTENV is not set}"
d=$(mktemp -d "${TMPDIR:-/tmp}/eseal-token.XXXXXX")
trap 'rm -rf "$d"' EXIT
cp -a "$ESEAL_TESTENV/tokens" "$d/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	"$d" >"$d/softhsm2.conf"
export SOFTHSM2_CONF=$d/softhsm2.conf
"$@"
