#!/usr/bin/env bash
# tests/cli/test_batch.sh: bulk sealing: one process, N threads, mixed formats, a JSON line per document,
# per-document failures that don't stop the batch, batch-wide failures that do, and no partial file after a signal.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cms/p11_logins.sh"

D=$(tmpdir)
IN=$D/in
mkdir -p "$IN/sub"
python3 "$ESEAL_SRC/tests/bench/make_docs.py" invoices 20 "$IN"
for i in 1 2 3 4 5; do cp "$SAMPLES/documents/report.pdf" "$IN/sub/report-$i.pdf"; done
cp "$SAMPLES/documents/site-plan.png" "$IN/site-plan.png"
head -c 5000 /dev/urandom >"$IN/drawing.dwg"
printf '<?xml version="1.0"?>\n<Invoice><unclosed>\n' >"$IN/broken.xml"
head -c 300 "$SAMPLES/documents/report.pdf" >"$IN/sub/truncated.pdf"
TOTAL=29

xmlsec_ok() {
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$1" >"$D/xmlsec.log" 2>&1
}

# 1. Mixed batch: every document accounted for; the two bad ones fail alone, with their file named.
cd "$IN"
expect_exit 65 "$ESEAL" seal --profile demo-bb -j 3 --json --out-dir "$D/out" -- *.xml *.png *.dwg sub/*
[ "$(wc -l <"$OUT")" -eq "$TOTAL" ] || fail "expected $TOTAL JSON lines, got $(wc -l <"$OUT")"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq $((TOTAL - 2)) ] || fail "expected $((TOTAL - 2)) sealed: $(cat "$OUT")"
python3 - "$OUT" <<'PY' || fail "JSON lines are not what the issue asks for"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    for k in ("input", "output", "status", "error", "level", "ms"):
        assert k in d, (k, d)
    assert d["status"] in ("sealed", "failed"), d
    if d["status"] == "failed":
        assert d["input"] in d["error"] and d["output"] is None, d
    else:
        assert d["error"] is None and d["level"] == "B-B", d
PY
grep '"status":"failed"' "$OUT" | grep >/dev/null '"input":"broken.xml"' || fail "broken.xml did not fail"
grep '"status":"failed"' "$OUT" | grep >/dev/null '"input":"sub/truncated.pdf"' || fail "truncated.pdf did not fail"
assert_no_file "$D/out/broken.xml"
assert_no_file "$D/out/sub/truncated.pdf"
pass "mixed batch: $((TOTAL - 2)) sealed, 2 bad inputs failed alone, exit 65"

# Referees on outputs of every format.
xmlsec_ok "$D/out/inv-000007.xml" || fail "xmlsec1 rejects a batch XAdES output: $(cat "$D/xmlsec.log")"
pdfsig_check "$D/out/sub/report-3.pdf" 1 whole
qpdf --check "$D/out/sub/report-3.pdf" >/dev/null || fail "qpdf --check rejects a batch PAdES output"
openssl cms -verify -cades -binary -inform DER -in "$D/out/drawing.dwg.p7s" -content "$IN/drawing.dwg" \
	-CAfile "$ROOT" -purpose any -out /dev/null 2>"$D/cms.log" || fail "openssl cms rejects drawing.dwg.p7s: $(cat "$D/cms.log")"
pass "outputs pass xmlsec1, pdfsig + qpdf --check, openssl cms -verify"

# 2. Existing outputs are never overwritten unless --force.
before=$(sha256sum "$D/out/inv-000001.xml")
expect_exit 74 "$ESEAL" seal --profile demo-bb -j 2 --json --out-dir "$D/out" inv-000001.xml inv-000002.xml
[ "$(grep -c '"status":"failed"' "$OUT")" -eq 2 ] || fail "re-sealing into existing outputs must fail: $(cat "$OUT")"
assert_grep "exists" "$OUT"
[ "$(sha256sum "$D/out/inv-000001.xml")" = "$before" ] || fail "an existing output was modified"
ino=$(stat -c %i "$D/out/inv-000001.xml")
expect_exit 0 "$ESEAL" seal --profile demo-bb -j 2 --force --out-dir "$D/out" inv-000001.xml inv-000002.xml
[ "$(sha256sum "$D/out/inv-000001.xml")" != "$before" ] || fail "--force did not replace the output"
[ "$(stat -c %i "$D/out/inv-000001.xml")" != "$ino" ] || fail "--force rewrote the output in place, not atomically"
xmlsec_ok "$D/out/inv-000001.xml" || fail "xmlsec1 rejects the replaced output"
pass "existing outputs kept without --force, replaced with it"

# Thread counts outside 1..256 are usage errors naming the option (the library caps threads at 256).
expect_exit 64 "$ESEAL" seal --profile demo-bb -j 0 --out-dir "$D/none" inv-000001.xml
assert_grep "\-\-jobs: '0' is not a number from 1 to 256" "$ERR"
expect_exit 64 "$ESEAL" seal --profile demo-bb --tsa-inflight 257 --out-dir "$D/none" inv-000001.xml
assert_grep "\-\-tsa-inflight: '257' is not a number from 1 to 256" "$ERR"
assert_no_file "$D/none"

# 2a. Two inputs that map to one output (absolute paths keep only their name): one is sealed, the other fails and
#     names both, also with --force, where it would otherwise replace the first seal.
mkdir -p "$D/twin/a" "$D/twin/b"
cp "$IN/drawing.dwg" "$D/twin/a/same.bin"
printf 'another drawing\n' >"$D/twin/b/same.bin"
expect_exit 64 "$ESEAL" seal --profile demo-bb -j 2 --force --json --out-dir "$D/twin/out" "$D/twin/a/same.bin" \
	"$D/twin/b/same.bin"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 1 ] || fail "twin outputs: want exactly one sealed: $(cat "$OUT")"
assert_grep "is also the output of" "$OUT"
winner=$(python3 -c 'import json,sys; print([d["input"] for d in map(json.loads, open(sys.argv[1])) if d["status"] == "sealed"][0])' "$OUT")
openssl cms -verify -cades -binary -inform DER -in "$D/twin/out/same.bin.p7s" -content "$winner" -CAfile "$ROOT" \
	-purpose any -out /dev/null 2>"$D/cms.log" || fail "the twin that was reported sealed does not verify: $(cat "$D/cms.log")"
pass "two inputs with one output name: one sealed (openssl cms -verify), the other refused naming both"

# 2b. Resuming a stopped batch: --skip-existing leaves the documents whose outputs exist (byte for byte) and seals
#     the rest; skipped documents are reported, not failed.
mkdir -p "$D/resume"
expect_exit 0 "$ESEAL" seal --profile demo-bb -j 2 --out-dir "$D/resume" inv-000001.xml inv-000002.xml
kept=$(sha256sum "$D/resume/inv-000001.xml" "$D/resume/inv-000002.xml")
expect_exit 0 "$ESEAL" seal --profile demo-bb -j 2 --skip-existing --json --out-dir "$D/resume" -- inv-00000[1-5].xml
[ "$(grep -c '"status":"skipped"' "$OUT")" -eq 2 ] || fail "--skip-existing: expected 2 skipped: $(cat "$OUT")"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 3 ] || fail "--skip-existing: expected 3 sealed: $(cat "$OUT")"
grep '"status":"skipped"' "$OUT" | grep >/dev/null "\"output\":\"$D/resume/inv-000001.xml\"" ||
	fail "a skipped line must name the existing output: $(cat "$OUT")"
[ "$(sha256sum "$D/resume/inv-000001.xml" "$D/resume/inv-000002.xml")" = "$kept" ] || fail "a skipped output changed"
xmlsec_ok "$D/resume/inv-000005.xml" || fail "xmlsec1 rejects an output sealed on resume: $(cat "$D/xmlsec.log")"
expect_exit 0 "$ESEAL" seal --profile demo-bb --skip-existing --out-dir "$D/resume" -- inv-00000[1-5].xml
assert_grep "5 documents skipped" "$ERR"
expect_exit 64 "$ESEAL" seal --profile demo-bb --skip-existing --force --out-dir "$D/resume" inv-000001.xml
expect_exit 64 "$ESEAL" seal --profile demo-bb --skip-existing -o "$D/x.xml" inv-000001.xml
pass "--skip-existing resumes a batch: existing outputs untouched and reported skipped, the rest sealed"

# 2c. A progress line (done/total, rate, ETA) when stderr is a terminal (script(1) gives the batch one); when it is
#     a file or pipe (a log), no progress but one summary line at the end.
script -qec "\"$ESEAL\" seal --profile demo-bb -j 2 --out-dir \"$D/tty\" -- inv-00000[1-4].xml" /dev/null \
	>"$D/tty.log" </dev/null || fail "batch on a terminal failed: $(cat "$D/tty.log")"
grep -aE >/dev/null $'\r4/4 sealed or failed, [0-9.]+ docs/s, ETA [0-9]+ s' "$D/tty.log" ||
	fail "no progress line on a terminal: $(cat -v "$D/tty.log")"
expect_exit 0 "$ESEAL" seal --profile demo-bb -j 2 --out-dir "$D/notty" -- inv-00000[1-4].xml
[ "$(wc -l <"$ERR")" = 1 ] && grep -Eq '^eseal: batch done: 4 sealed, 0 failed, 0 skipped in [0-9]+\.[0-9] s$' "$ERR" ||
	fail "a batch writing to a file prints one summary line, nothing else: $(cat -v "$ERR")"
! grep -aq 'batch done' "$D/tty.log" || fail "a terminal gets the progress line, not the summary: $(cat -v "$D/tty.log")"
expect_exit 65 "$ESEAL" seal --profile demo-bb --skip-existing --out-dir "$D/notty" -- inv-00000[1-5].xml broken.xml
grep -Eq '^eseal: batch done: 1 sealed, 1 failed, 4 skipped in [0-9]+\.[0-9] s$' "$ERR" ||
	fail "summary of a mixed batch: $(cat "$ERR")"
pass "progress line on a terminal, one summary line otherwise"

# 2d. A mirrored tree of many directories needs no descriptor per directory: 80 subdirectories under a limit of 32
#     open files (the batch once kept every output directory open until its end). Waiting outputs hold two
#     descriptors each: the batch bounds them and its threads by the limit it has (a fast build without sanitizers
#     once ran out under 64; 32 catches that on a slow machine too).
for i in $(seq -w 1 80); do
	mkdir -p "$D/tree/d$i"
	cp inv-000001.xml "$D/tree/d$i/inv.xml"
done
(cd "$D/tree" && ulimit -n 32 && find . -name inv.xml | "$ESEAL" seal --profile demo-bb -j 2 --json --from - \
	--out-dir "$D/tree-out") >"$OUT" 2>"$ERR" || fail "80 directories under ulimit -n 32: $(head -3 "$OUT" "$ERR")"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 80 ] || fail "80 directories: not all sealed: $(grep -m3 failed "$OUT")"
xmlsec_ok "$D/tree-out/d80/inv.xml" || fail "xmlsec1 rejects a mirrored output: $(cat "$D/xmlsec.log")"
pass "80 output directories sealed under a limit of 32 open files"

# 3. --from - with NUL-separated names (find -print0), subdirectories mirrored, --suffix.
find . -name 'report-*.pdf' -print0 | sort -z >"$D/list"
expect_exit 0 "$ESEAL" seal --profile demo-bb --suffix sealed --json --from - --out-dir "$D/from" <"$D/list"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 5 ] || fail "--from -: expected 5 sealed: $(cat "$OUT")"
assert_file "$D/from/sub/report-5.sealed.pdf"
pass "--from - (NUL separated), mirrored subdirectories, --suffix"

# 3b. The profile's detached placement: XML and other files get a detached XAdES file (NAME.xades.xml), PDFs
#     stay PAdES; xmlsec1 resolves the relative reference from the signature's folder.
expect_exit 0 "$ESEAL" seal --profile demo-bb --placement detached --json --out-dir "$D/det" inv-000004.xml drawing.dwg \
	sub/report-1.pdf
assert_file "$D/det/drawing.dwg.xades.xml"
assert_file "$D/det/inv-000004.xml.xades.xml"
assert_file "$D/det/sub/report-1.pdf"
(cd "$D/det" && xmlsec_ok drawing.dwg.xades.xml) || fail "xmlsec1 rejects the detached XAdES: $(cat "$D/xmlsec.log")"
pass "--placement detached: XAdES beside XML and binary inputs, PAdES for PDFs"

# 4. A failure that would fail every document stops the batch: TSA down for B-T (exit 69), wrong PIN (exit 77).
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_exit 69 "$ESEAL" seal --profile demo --tsa "http://127.0.0.1:$dead_port/" -j 2 --json --out-dir "$D/tsa" -- inv-*.xml
[ "$(wc -l <"$OUT")" -eq 20 ] || fail "TSA down: every document needs a JSON line, got $(wc -l <"$OUT")"
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 0 ] || fail "TSA down: nothing may be sealed"
assert_grep "batch stopped" "$OUT"
# B-T runs 4 x 2 workers: each may have started one document before the first failure; none may start another.
[ "$(grep -vc 'batch stopped' "$OUT")" -le 8 ] || fail "TSA down: the batch went on after the TSA failed: $(cat "$OUT")"
[ -z "$(ls -A "$D/tsa")" ] || fail "TSA down left files: $(ls -A "$D/tsa")"
( umask 077; printf 'wrong-pin\n' >"$D/badpin" )
# Through the fault shim, which counts the C_Login calls the token gets: one, never a retry that could lock it.
logins_setup "$D/logins"
expect_exit 77 "$ESEAL" seal --profile demo-bb --key "$(logins_uri eseal)" --pin-file "$D/badpin" -j 2 --json \
	--out-dir "$D/pin" -- inv-*.xml
assert_logins 1 "$D/logins" "batch with a wrong PIN"
[ "$(grep -c '"error_class":"pin"' "$OUT")" -eq 20 ] || fail "wrong PIN: every document needs a failed line: $(cat "$OUT")"
grep -q "wrong-pin" "$OUT" "$ERR" && fail "the PIN appears in the output"
[ ! -e "$D/pin" ] || [ -z "$(ls -A "$D/pin")" ] || fail "wrong PIN left files"
pass "TSA down stops the batch (69) with a line per document; wrong PIN: one C_Login, a line per document (77), PIN never shown"

# 5. B-T: time-stamp requests overlap (a slow TSA must not serialize the batch): with 2 workers and
#    --tsa-inflight 6, the TSA sees 6 requests waiting at once; tokens verify with openssl ts -verify.
slow=$(start_tsa slow --delay 0.7)
expect_exit 0 "$ESEAL" seal --profile demo --tsa "$slow" -j 2 --tsa-inflight 6 --json --out-dir "$D/bt" -- inv-00000*.xml \
	inv-00001[0-1].xml
[ "$(grep -c '"status":"sealed"' "$OUT")" -eq 12 ] || fail "B-T batch: expected 12 sealed: $(cat "$OUT")"
max=$(sed -n 's/^inflight \([0-9]*\)$/\1/p' "$ESEAL_TMP_ROOT"/tsa.*/log | sort -n | tail -1)
[ "${max:-0}" -ge 6 ] || fail "B-T batch: at most ${max:-0} time-stamp requests were in flight, want 6"
xmlsec_ok "$D/bt/inv-000003.xml" || fail "xmlsec1 rejects a B-T batch output: $(cat "$D/xmlsec.log")"
"$ESEAL" verify --trust "$ROOT" --json "$D/bt/inv-000003.xml" >"$D/v.json" || fail "eseal verify rejects a B-T output"
assert_grep '"level": "B-T"' "$D/v.json"
pass "B-T batch: $max time-stamp requests in flight at once against a slow TSA"

# 6. Signals: SIGINT/SIGTERM finish what is in progress and start nothing new; SIGKILL leaves no partial file
#    either, because outputs only get a name when complete. Every output that exists must be whole and valid.
python3 "$ESEAL_SRC/tests/bench/make_docs.py" invoices 400 "$D/many"
for sig in INT TERM KILL; do
	out=$D/sig-$sig
	(cd "$D/many" && exec "$ESEAL" seal --profile demo-bb -j 2 --json --out-dir "$out" -- *) >"$D/sig.json" 2>"$D/sig.err" &
	pid=$!
	for _ in $(seq 200); do
		[ "$(ls "$out" 2>/dev/null | wc -l)" -ge 20 ] && break
		sleep 0.02
	done
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	n=$(ls "$out" | wc -l)
	[ "$n" -lt 400 ] || fail "SIG$sig arrived after the batch finished; make the batch larger"
	case $sig in
	INT) [ "$rc" -eq 130 ] || fail "SIGINT: exit $rc, want 130" ;;
	TERM) [ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, want 143" ;;
	KILL) [ "$rc" -eq 137 ] || fail "SIGKILL: exit $rc, want 137" ;;
	esac
	if [ "$sig" != KILL ]; then
		[ "$(wc -l <"$D/sig.json")" -eq 400 ] || fail "SIG$sig: every document needs a JSON line"
		[ "$(grep -c '"status":"sealed"' "$D/sig.json")" -eq "$n" ] || fail "SIG$sig: JSON and outputs disagree"
		assert_grep "interrupted" "$D/sig.json"
		# Not attempted is not a fault of eseal's: the class says to seal them again, never "internal".
		grep '"status":"failed"' "$D/sig.json" | grep -v >/dev/null '"error_class":"cancelled"' &&
			fail "SIG$sig: a document the signal kept from starting must be error_class cancelled"
	fi
	ls -A "$out" | grep -v '^inv-[0-9]*\.xml$' && fail "SIG$sig left stray files"
	# A "sealed" line is printed only once the output is on disk under its name, even if the batch dies next.
	python3 - "$D/sig.json" <<'PY' || fail "SIG$sig: a document reported sealed has no complete output"
import json, sys
for line in open(sys.argv[1]):
    if not line.endswith("\n"):
        continue  # SIGKILL may cut the last line short
    d = json.loads(line)
    if d["status"] == "sealed" and b"</ds:Signature>" not in open(d["output"], "rb").read():
        sys.exit("%s: reported sealed, output incomplete" % d["input"])
PY
	for f in "$out"/*.xml; do
		grep -q "</ds:Signature>" "$f" || fail "SIG$sig left a partial output: $f"
	done
	for f in $(ls "$out"/*.xml | sort | tail -3); do
		xmlsec_ok "$f" || fail "SIG$sig: $f does not verify: $(cat "$D/xmlsec.log")"
	done
	pass "SIG$sig after $n of 400: exit $rc, only complete, valid outputs"
done

# 7. The token's files vanish while a batch runs (SoftHSM's token directory removed, as when a token is pulled or an
#    HSM is reset): the batch stops as HSM-transient (75: retry later), not as a configuration error (78).
cp -a "$(sed -n 's/^directories.tokendir = //p' "$SOFTHSM2_CONF")" "$D/vanish-tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	"$D/vanish-tokens" >"$D/vanish.conf"
out=$D/vanish-out
(cd "$D/many" && SOFTHSM2_CONF=$D/vanish.conf exec "$ESEAL" seal --profile demo-bb -j 2 --json --out-dir "$out" -- *) \
	>"$D/vanish.json" 2>"$D/vanish.err" &
pid=$!
for _ in $(seq 200); do
	[ "$(ls "$out" 2>/dev/null | wc -l)" -ge 20 ] && break
	sleep 0.02
done
rm -rf "$D/vanish-tokens"
rc=0
wait "$pid" || rc=$?
[ "$(ls "$out" | wc -l)" -lt 400 ] || fail "the token vanished after the batch finished; make the batch larger"
[ "$rc" -eq 75 ] || fail "token gone mid-batch: exit $rc, want 75: $(grep -m2 failed "$D/vanish.json")"
grep '"status":"failed"' "$D/vanish.json" | grep -v >/dev/null '"error_class":"hsm"' &&
	fail "token gone mid-batch: every failure must be class hsm: $(grep -m3 failed "$D/vanish.json")"
[ "$(wc -l <"$D/vanish.json")" -eq 400 ] || fail "token gone mid-batch: every document needs a JSON line"
pass "token files removed mid-batch: exit 75, every failed document error_class hsm"
