#!/bin/bash
# tests/cups/backend_root.sh: the CUPS backend started as root (cupsd runs a backend installed 0700 as root) seals as
# lp and delivers the finished file to the job's user, as that user: while it waits for the job on stdin, the sealing
# process is lp in every id; the file lands in ~/PDF (or a per-user folder root creates under a root-only parent),
# owned by the user, mode 0600, readable by that user and not by another (runuser); a link planted in the user's
# folder, an unknown user and a root-owned per-user folder are refused with nothing written. Test users are made with
# useradd and removed at exit. Only root can do this, so as another user the test exits 77 (ctest: skipped).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: cups_backend_root needs root (it checks that a backend started as root becomes lp); run as $(id -un)" >&2
	exit 77
fi
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"
cups_sandbox
RUN_AS=()
LP_UID=$(id -u lp)
LP_GID=$(id -g lp)
U1=esr-amy
U2=esr-ben
add_test_user "$U1"
add_test_user "$U2"

# --- the job on stdin is held back until the test lets it go (a FIFO as gate): meanwhile the sealing process is lp
# in every id (real, effective, saved, file system); its parent (root) only waits for the finished file
mkfifo "$SB/gate"
gate_open() { timeout 10 bash -c 'echo go >"$1"' _ "$SB/gate" || true; }
( read -r _ <"$SB/gate"; cat "$DOC" ) | env DEVICE_URI=eseal:/home CONTENT_TYPE=application/pdf PRINTER=eSeal \
	"$BACKEND" 17 "$U1" "Owner check" 1 "media=A4" >"$SB/bg.out" 2>"$SB/bg.err" &
bpid=$!
ids=
for i in $(seq 100); do
	[ -r "/proc/$bpid/status" ] || { gate_open; fail "the backend (pid $bpid) ended without its job: $(cat "$SB/bg.err")"; }
	child=$(pgrep -P "$bpid" | head -1 || true)
	if [ -n "$child" ]; then
		ids=$(grep -E '^(Uid|Gid|Groups):' "/proc/$child/status" 2>/dev/null | tr -s '\t ' ' ' || true)
		grep -q "^Uid: $LP_UID $LP_UID $LP_UID $LP_UID$" <<<"$ids" && break
	fi
	sleep 0.1
done
gate_open
grep -q "^Uid: $LP_UID $LP_UID $LP_UID $LP_UID$" <<<"$ids" ||
	fail "the sealing process waiting for its job (child of $bpid) is not lp: $(tr '\n' ';' <<<"$ids")"
grep -q "^Gid: $LP_GID $LP_GID $LP_GID $LP_GID$" <<<"$ids" || fail "the sealing process's gids are not lp's: $ids"
grep -q "^Groups: $LP_GID *$" <<<"$ids" || fail "the sealing process keeps supplementary groups: $ids"
rc=0
wait "$bpid" || rc=$?
[ "$rc" = "$B_OK" ] || fail "the late job: exit $rc: $(cat "$SB/bg.err")"
assert_no_pin "$SB/bg.err"
OUTF="$SB/home/$U1/PDF/Owner check.pdf"
assert_grep "^INFO: Sealed \(PAdES, B-T\) as $OUTF$" "$SB/bg.err"
check_printed "$OUTF" B-T
assert_only_owner_reads "$U1" "$U2" "$OUTF"
[ "$(stat -c '%U %a' "$SB/home/$U1/PDF")" = "$U1 700" ] || fail "~/PDF: $(stat -c '%U %a' "$SB/home/$U1/PDF")"
[ -z "$(find "$SB/home/$U1" -name '.eseal-delivery-*')" ] || fail "a temporary file was left in ~/PDF"
[ -z "$(ls -A "$SB/tmp")" ] || fail "the sealing process left files in TMPDIR: $(ls -A "$SB/tmp")"
pass "started as root: sealed as lp (uid $LP_UID, no other group), delivered to ~$U1/PDF as $U1 (0600; $U2 cannot read)"

# --- the same title again: a second file, the first untouched; as a file job (argv[6])
sha_first=$(sha256sum <"$OUTF")
DEVICE_URI=eseal:/home run_backend "$B_OK" "$U1" "Owner check" "$DOC"
assert_only_owner_reads "$U1" "$U2" "$SB/home/$U1/PDF/Owner check (2).pdf"
[ "$(sha256sum <"$OUTF")" = "$sha_first" ] || fail "the first file was changed"
pass "same title again -> 'Owner check (2).pdf', the first one untouched"

# --- a per-user folder under a root-only parent: root creates it for the user (0700), the file is the user's
DEVICE_URI=eseal:/shared run_backend "$B_OK" "$U2" "Shared" "$DOC"
check_printed "$SB/shared/$U2/Shared.pdf" B-B
[ "$(stat -c '%U %a' "$SB/shared/$U2")" = "$U2 700" ] || fail "shared/$U2: $(stat -c '%U %a' "$SB/shared/$U2")"
assert_only_owner_reads "$U2" "$U1" "$SB/shared/$U2/Shared.pdf"
pass "per-user folder $SB/shared/$U2 made by root for $U2 (0700), file readable by $U2 only"

# --- a link the user planted as ~/PDF (here: into the other user's folder) is not followed; nothing is written
mv "$SB/home/$U1/PDF" "$SB/home/$U1/PDF.old"
ln -s "$SB/shared/$U2" "$SB/home/$U1/PDF"
chown -h "$U1:$U1" "$SB/home/$U1/PDF"
before=$(count_files "$SB/shared")
LANG=C DEVICE_URI=eseal:/home run_backend "$B_CANCEL" "$U1" "Planted" "$DOC"
assert_grep "^ERROR: .*'PDF' is a symbolic link; refusing to write there" "$ERR"
[ "$(grep '^ERROR:' "$ERR" | head -1)" = "ERROR: The document was sealed but could not be saved in your folder; ask the administrator." ] ||
	fail "staff message for a failed delivery: $(grep '^ERROR:' "$ERR" | head -1)"
[ "$(count_files "$SB/shared")" -eq "$before" ] || fail "a planted link was followed"
pass "a symbolic link planted as ~/PDF -> refused (cancelled), nothing written behind it"

# --- a job user who is not a local user: refused before sealing, nothing written
before=$(count_files "$SB")
LANG=ja_JP.UTF-8 DEVICE_URI=eseal:/home run_backend "$B_CANCEL" "esr-nobody-here" "Stranger" "$DOC"
assert_grep "^ERROR: .*'esr-nobody-here' is not a local user" "$ERR"
[ "$(grep '^ERROR:' "$ERR" | head -1)" = "ERROR: eシールプリンターのサーバーにあなたのユーザー名が登録されていません。管理者に連絡してください。" ] ||
	fail "ja staff message for an unknown user: $(grep '^ERROR:' "$ERR" | head -1)"
[ "$(count_files "$SB")" -eq "$before" ] || fail "a job of an unknown user wrote a file"
pass "unknown user -> cancelled, nothing written; the staff sentence in Japanese for a ja job"

# --- a root-owned per-user folder that exists already is the admin's: not given away, not written
mkdir -m 755 "$SB/shared/$U1"
DEVICE_URI=eseal:/shared run_backend "$B_CANCEL" "$U1" "Root check" "$DOC"
assert_grep "^ERROR: .*'$U1' belongs to uid 0, not to the delivering uid $(id -u "$U1")" "$ERR"
[ "$(count_files "$SB/shared/$U1")" -eq 0 ] || fail "wrote into a root-owned folder"
[ "$(stat -c %U "$SB/shared/$U1")" = root ] || fail "a root-owned folder was given away"
pass "an existing root-owned per-user folder -> refused, left as it was"
