#!/bin/bash
# tests/fuzz/campaign.sh: the long fuzz campaign outside CI: run.sh's build and seeds, each target in turn for
# SECONDS under nice -n 19 in libFuzzer's fork mode with one worker (it goes on after a crash, keeping every artifact),
# then a table row per target (wall and fuzzing time, executions, coverage, corpus, findings) in $FB/campaign.md.
#   tests/fuzz/campaign.sh [SECONDS_PER_TARGET]     (default 1800; ESEAL_FUZZ_TARGETS picks targets as in run.sh)
#   ESEAL_FUZZ_MERGE=1: afterwards, merge what adds coverage into tests/fuzz/corpus/<target>/ (files up to
#   ESEAL_FUZZ_SEED_MAX bytes, default 8192), for a reviewed commit.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FB=${ESEAL_FUZZ_BUILD:-$SRC/build-fuzz}
SECS=${1:-1800}
TARGETS=${ESEAL_FUZZ_TARGETS:-pdf_seal xml_seal pdf xml cms tsa}
SEED_MAX=${ESEAL_FUZZ_SEED_MAX:-8192}
TABLE=$FB/campaign.md

prog_of() {
	case $1 in
	tsa) echo fuzz_tsa_response ;;
	*_seal) echo "fuzz_$1" ;;
	*) echo "fuzz_$1_verify" ;;
	esac
}

mkdir -p "$FB"
[ -f "$TABLE" ] ||
	printf '| target | wall | fuzzing | executions | exec/s | cov | ft | corpus (size) | crash/oom/timeout |\n%s\n' \
		'|---|---|---|---|---|---|---|---|---|' >"$TABLE"
for t in $TARGETS; do
	start=$(date +%s)
	ESEAL_FUZZ_TARGETS=$t ESEAL_FUZZ_SECONDS=$SECS ESEAL_JOBS=1 \
		ESEAL_FUZZ_FLAGS="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1" \
		nice -n 19 bash "$SRC/tests/fuzz/run.sh"
	wall=$(($(date +%s) - start))
	# Fork mode's last status line: "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: O/T/X time: S ..."
	line=$(grep -E "^#[0-9]+: cov:" "$FB/fuzz-$t.log" | tail -1)
	execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$line")
	fuzzed=$(sed -E 's/.* time: ([0-9]+)s.*/\1/' <<<"$line")
	oom_to_crash=$(sed -E 's/.* oom\/timeout\/crash: ([0-9]+)\/([0-9]+)\/([0-9]+).*/\3\/\1\/\2/' <<<"$line")
	# Fork mode counts coverage its own way: the figures in the table are those of one plain pass over everything
	# the target has now (grown corpus, run-time seeds, committed corpus), comparable with CI's lines.
	prog=$(prog_of "$t")
	dirs=("$FB/corpus-$t" "$FB/seeds/$t")
	[ -d "$SRC/tests/fuzz/corpus/$prog" ] && dirs+=("$SRC/tests/fuzz/corpus/$prog")
	nice -n 19 "$FB/tests/fuzz/$prog" -runs=0 -timeout=20 -rss_limit_mb=2048 -max_len=262144 "${dirs[@]}" \
		>"$FB/coverage-$t.log" 2>&1
	line=$(grep -E "INITED" "$FB/coverage-$t.log" | tail -1)
	cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$line")
	ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$line")
	corp=$(sed -E 's/.* corp: ([0-9]+)\/([0-9a-zA-Z]+).*/\1 (\2)/' <<<"$line")
	printf '| %s | %dm | %ds | %s | %s | %s | %s | %s | %s |\n' "$prog" $((wall / 60)) "$fuzzed" "$execs" \
		"$((execs / (fuzzed > 0 ? fuzzed : 1)))" "$cov" "$ft" "$corp" "$oom_to_crash" >>"$TABLE"
	if [ "${ESEAL_FUZZ_MERGE:-0}" = 1 ]; then
		mkdir -p "$SRC/tests/fuzz/corpus/$prog"
		small=$FB/merge-$t
		rm -rf "$small"
		mkdir -p "$small"
		find "$FB/corpus-$t" -type f -size -$((SEED_MAX + 1))c -exec cp {} "$small/" \;
		nice -n 19 "$FB/tests/fuzz/$prog" -merge=1 -timeout=20 -rss_limit_mb=2048 \
			"$SRC/tests/fuzz/corpus/$prog" "$small" >"$FB/merge-$t.log" 2>&1 ||
			echo "campaign: merge of $t failed (see $FB/merge-$t.log)" >&2
	fi
done
cat "$TABLE"
