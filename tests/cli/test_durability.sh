#!/usr/bin/env bash
# tests/cli/test_durability.sh: the order of the system calls that make an output survive a crash, read from
# `strace -f` (a SIGKILL test cannot see it: the page cache outlives the process): every output's data is flushed
# (fsync, or the batch committer's syncfs) before the file gets its name (linkat), the single-file directory is
# fsynced after the name, and a batch reports a document sealed only after a flush that followed its name.
source "$ESEAL_SRC/tests/lib/env.sh"

command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps.sh installs it)"
D=$(tmpdir)
cd "$D"
CHECK="python3 $ESEAL_SRC/tests/cli/syscall_order.py"
# LeakSanitizer cannot run under ptrace; the other sanitizers can.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
trace() { # LOG CMD...: runs CMD under strace; stdout goes to $OUT, stderr to $ERR
	local log=$1
	shift
	strace -f -qq -s 2000 -e trace=write,pwrite64,fsync,fdatasync,syncfs,linkat,renameat,renameat2 -o "$log" \
		"$@" >"$OUT" 2>"$ERR" || fail "$*: $(cat "$ERR")"
}

python3 "$ESEAL_SRC/tests/bench/make_docs.py" invoices 12 "$D/in" >/dev/null
cp "$SAMPLES/documents/report.pdf" report.pdf
printf 'drawing\n' >drawing.dwg

trace single-xml.log "$ESEAL" seal --profile demo-bb in/inv-000001.xml -o one.xml
$CHECK single-xml.log --single || fail "single XAdES: $($CHECK single-xml.log --single 2>&1)"
echo old >replaced.pdf
trace single-pdf.log "$ESEAL" seal --profile demo-bb --force report.pdf -o replaced.pdf
$CHECK single-pdf.log --single || fail "single PAdES with --force"
trace single-p7s.log "$ESEAL" seal --profile demo-bb drawing.dwg -o drawing.dwg.p7s
$CHECK single-p7s.log --single || fail "single CAdES"
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
	one.xml >xmlsec.log 2>&1 || fail "xmlsec1 rejects the traced XAdES: $(cat xmlsec.log)"
pdfsig replaced.pdf >pdfsig.log 2>&1 || true
assert_grep "Total document signed" pdfsig.log
pass "single file (XAdES, PAdES over an existing file, CAdES): fsync of the data, then the name, then fsync of the directory"

(cd in && trace ../batch.log "$ESEAL" seal --profile demo-bb -j 3 --json --out-dir ../out -- *) || exit 1
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 12 ] || fail "batch under strace: $(cat "$OUT")"
$CHECK batch.log --batch --min-names 12 || fail "batch: flush/name/report order"
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
	out/inv-000007.xml >xmlsec.log 2>&1 || fail "xmlsec1 rejects a traced batch output: $(cat xmlsec.log)"
pass "batch of 12: each output flushed (syncfs) before its linkat, each sealed line written after the next flush"
