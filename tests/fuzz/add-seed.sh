#!/bin/bash
# tests/fuzz/add-seed.sh: turns a crash artifact into a committed regression seed: minimised while it still fails
# (before the fix; else kept as it is), then copied to tests/fuzz/corpus/<target>/NAME.seed, which run.sh runs in CI.
#   tests/fuzz/add-seed.sh TARGET ARTIFACT NAME      e.g. add-seed.sh fuzz_xml_seal build-fuzz/crash-xml_seal-1a2b utf7
#   (the fuzz build of run.sh in build-fuzz, or $ESEAL_FUZZ_BUILD; ESEAL_FUZZ_MINIMIZE_SECONDS, default 300)
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 TARGET ARTIFACT NAME" >&2; exit 64; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
FB=${ESEAL_FUZZ_BUILD:-$SRC/build-fuzz}
target=$1 artifact=$2 name=$3
prog=$FB/tests/fuzz/$target
[ -x "$prog" ] || { echo "add-seed: no $prog (run tests/fuzz/run.sh first)" >&2; exit 66; }
[ -f "$artifact" ] || { echo "add-seed: no artifact $artifact" >&2; exit 66; }
dest=$SRC/tests/fuzz/corpus/$target/$name.seed
[ ! -e "$dest" ] || { echo "add-seed: $dest exists" >&2; exit 73; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_odr_violation=0
export LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if "$prog" -runs=1 "$artifact" >"$work/check.log" 2>&1; then
	echo "add-seed: $artifact no longer fails (fixed?): committed as it is"
	cp "$artifact" "$work/min"
else
	# Smallest input that still fails the same way; libFuzzer keeps the last one it found.
	"$prog" -minimize_crash=1 -max_total_time="${ESEAL_FUZZ_MINIMIZE_SECONDS:-300}" -timeout=20 \
		-exact_artifact_path="$work/min" "$artifact" >"$work/min.log" 2>&1 || true
	[ -s "$work/min" ] || cp "$artifact" "$work/min"
	echo "add-seed: minimised $(stat -c %s "$artifact") -> $(stat -c %s "$work/min") bytes; it fails until fixed"
fi
mkdir -p "$(dirname "$dest")"
cp "$work/min" "$dest"
echo "add-seed: $dest (commit it with the fix)"
