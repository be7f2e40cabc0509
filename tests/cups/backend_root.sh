#!/bin/bash
# tests/cups/backend_root.sh: the CUPS backend never seals as root. Started as root (cupsd runs a backend installed
# 0700 as root; an administrator may run it by hand) it becomes lp before it reads the job: while it waits for the job
# on stdin, /proc shows every uid and gid of the process as lp's; a root-owned per-user folder, which root could
# write, is refused; the sealed file belongs to lp. Only root can start a process as root, so as another user this
# test says so and exits 77, which ctest reports as skipped (not passed); CI runs as root, where it runs.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: cups_backend_root needs root (it checks that a backend started as root becomes lp); run as $(id -un)" >&2
	exit 77
fi
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"
cups_sandbox
LP_UID=$(id -u lp)
LP_GID=$(id -g lp)

# --- the job on stdin is held back until the test lets it go (a FIFO as gate): meanwhile the waiting backend is lp
# in every id (real, effective, saved, file system)
mkfifo "$SB/gate"
gate_open() { timeout 10 bash -c 'echo go >"$1"' _ "$SB/gate" || true; }
( read -r _ <"$SB/gate"; cat "$DOC" ) | env DEVICE_URI=eseal:/demo CONTENT_TYPE=application/pdf PRINTER=eSeal \
	"$BACKEND" 17 erin "Owner check" 1 "media=A4" >"$SB/bg.out" 2>"$SB/bg.err" &
bpid=$!
ids=
for i in $(seq 100); do
	[ -r "/proc/$bpid/status" ] || { gate_open; fail "the backend (pid $bpid) ended without its job: $(cat "$SB/bg.err")"; }
	ids=$(grep -E '^(Uid|Gid|Groups):' "/proc/$bpid/status" | tr -s '\t ' ' ')
	grep -q "^Uid: $LP_UID $LP_UID $LP_UID $LP_UID$" <<<"$ids" && break
	sleep 0.1
done
gate_open
grep -q "^Uid: $LP_UID $LP_UID $LP_UID $LP_UID$" <<<"$ids" ||
	fail "the backend waiting for its job (pid $bpid) is not lp: $(tr '\n' ';' <<<"$ids")"
grep -q "^Gid: $LP_GID $LP_GID $LP_GID $LP_GID$" <<<"$ids" || fail "the backend's gids are not lp's: $ids"
grep -q "^Groups: $LP_GID *$" <<<"$ids" || fail "the backend keeps supplementary groups: $ids"
rc=0
wait "$bpid" || rc=$?
[ "$rc" = "$B_OK" ] || fail "the late job: exit $rc: $(cat "$SB/bg.err")"
assert_no_pin "$SB/bg.err"
OUTF="$SB/out/erin/Owner check.pdf"
check_printed "$OUTF" B-T
[ "$(stat -c %U:%G "$OUTF")" = lp:lp ] || fail "the sealed file belongs to $(stat -c %U:%G "$OUTF"), not lp:lp"
pass "started as root: lp (uid $LP_UID, gid $LP_GID, no other group) while waiting for the job; sealed file lp:lp"

# --- a root-owned per-user folder: a process still root could write there; the backend refuses it
mkdir -m 755 "$SB/out/dave"
run_backend "$B_CANCEL" dave "Root check" "$DOC"
assert_grep "^ERROR: .*'dave' belongs to uid 0, not to the backend's uid $LP_UID" "$ERR"
[ "$(count_files "$SB/out/dave")" -eq 0 ] || fail "wrote into a root-owned folder"
pass "run as root: a root-owned folder refused (the backend is not root)"
