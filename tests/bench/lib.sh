# tests/bench/lib.sh: sourced by the benchmark scripts: timing arithmetic, the wait for the previous run's clean-up,
# and the loopback TSA's own rate, so every script measures its limits the same way.

now() { date +%s.%N; }
rate() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" "$@"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$@"; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$@"; }

# On ext4 without a journal (this VM's root file system) the kernel skips inodes freed in the last 60 s, or 360 s
# while their inode table block is dirty, when it allocates new ones (fs/ext4/ialloc.c, recently_deleted()). Right
# after a mass deletion in the same block group, such as the previous run's clean-up, every output's creation scans
# past thousands of them and the run measures that instead of eseal. So a run waits until its predecessor's
# clean-up is 6 minutes old (BENCH_NO_WAIT=1 skips the wait); bench_cleaned marks a clean-up.
BENCH_STAMP=/tmp/eseal-bench.cleaned
bench_wait_for_cleanup() {
	local age
	[ -f "$BENCH_STAMP" ] && [ -z "${BENCH_NO_WAIT:-}" ] || return 0
	age=$(($(date +%s) - $(stat -c %Y "$BENCH_STAMP")))
	if [ "$age" -lt 360 ]; then
		echo "== the previous run deleted its files ${age} s ago; waiting $((360 - age)) s for the file system (see above)"
		sleep $((360 - age))
	fi
}
bench_cleaned() { touch "$BENCH_STAMP"; }

# tsa_rate TESTENV WORK N INFLIGHT: the loopback TSA's own rate without eseal, in tokens/s, on stdout: curl sends N
# requests with INFLIGHT in flight (as many as eseal keeps: --tsa-inflight, default 4 x jobs), and every answer
# must be a granted token. The TSA forks one `openssl ts -reply` per request, so it, not eseal, may be what bounds
# B-T sealing and B-LTA extension; this is the rate to read them against.
tsa_rate() {
	local te=$1 dir=$2/tsa-rate n=$3 inflight=$4 i f granted=0 t0 t1
	mkdir -p "$dir/tsr"
	head -c 4096 /dev/urandom >"$dir/data"
	openssl ts -query -data "$dir/data" -sha256 -cert -out "$dir/q.tsq" 2>/dev/null
	for i in $(seq 1 "$n"); do printf 'url = "%s"\noutput = "%s/tsr/%s.tsr"\n' "$(cat "$te/tsa.url")" "$dir" "$i"; done \
		>"$dir/curl.cfg"
	t0=$(now)
	curl -sS --no-progress-meter --fail --noproxy '*' --parallel --parallel-immediate --parallel-max "$inflight" \
		-H "Content-Type: application/timestamp-query" --data-binary "@$dir/q.tsq" -K "$dir/curl.cfg" >&2
	t1=$(now)
	for f in "$dir"/tsr/*.tsr; do
		openssl ts -reply -in "$f" -text 2>/dev/null | grep >/dev/null 'Status: Granted' && granted=$((granted + 1))
	done
	[ "$granted" = "$n" ] || { echo "FAIL: the TSA granted $granted of $n curl requests" >&2; return 1; }
	rate "$n" "$t0" "$t1"
}

# bench_record_row README HEADING ROW: appends ROW at the end of the first table after the "## HEADING..." line.
bench_record_row() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
path, heading, row = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("## " + heading))
last = max(i for i, l in enumerate(lines) if i > start and l.startswith("|") and
           all(not m.startswith("## ") for m in lines[start + 1:i]))
lines.insert(last + 1, row)
open(path, "w").write("\n".join(lines))
PY
}
