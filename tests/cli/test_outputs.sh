#!/usr/bin/env bash
# tests/cli/test_outputs.sh: what eseal writes: an output is never more readable than its input (single file and
# batch), --force really replaces the file (new inode, new content that verifies), a symbolic link below --out-dir
# is refused and nothing lands where it points, and --json stays valid JSON for file names that are not UTF-8
# (U+FFFD shown, the exact bytes in *_hex), for seal and verify alike.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
umask 022
printf '<?xml version="1.0"?>\n<Invoice><ID>1</ID></Invoice>\n' >inv.xml
cp "$SAMPLES/documents/report.pdf" report.pdf
printf 'drawing\n' >drawing.dwg

mode_of() { stat -c %a "$1"; }

# --- modes ---------------------------------------------------------------------------------------------------------
for m in 600 640; do
	chmod "$m" inv.xml report.pdf drawing.dwg
	expect_exit 0 "$ESEAL" seal --profile demo-bb --force inv.xml -o "inv-$m.xml"
	expect_exit 0 "$ESEAL" seal --profile demo-bb --force report.pdf -o "report-$m.pdf"
	expect_exit 0 "$ESEAL" seal --profile demo-bb --force drawing.dwg -o "drawing-$m.dwg.p7s"
	expect_exit 0 "$ESEAL" seal --profile demo-bb --placement detached --force drawing.dwg inv.xml -o "det-$m.xml"
	expect_exit 0 "$ESEAL" seal --profile demo-bb --json --out-dir "batch-$m" inv.xml report.pdf drawing.dwg
	expect_exit 0 "$ESEAL" seal --profile demo-bb --placement detached --json --out-dir "batchdet-$m" drawing.dwg
	for f in "inv-$m.xml" "report-$m.pdf" "drawing-$m.dwg.p7s" "det-$m.xml" "batch-$m/inv.xml" "batch-$m/report.pdf" \
		"batch-$m/drawing.dwg.p7s" "batchdet-$m/drawing.dwg.xades.xml"; do
		[ "$(mode_of "$f")" = "$m" ] || fail "input mode $m gave $f mode $(mode_of "$f")"
	done
done
chmod 644 inv.xml report.pdf drawing.dwg
pass "outputs take the input's mode (600 stays 600, 640 stays 640): XAdES, PAdES, CAdES, detached XAdES, single and batch"

# --- --force replaces the file: another inode, the new content verifies -----------------------------------------
printf 'not a seal\n' >old.p7s
ino=$(stat -c %i old.p7s)
expect_exit 74 "$ESEAL" seal --profile demo-bb drawing.dwg -o old.p7s
[ "$(cat old.p7s)" = "not a seal" ] && [ "$(stat -c %i old.p7s)" = "$ino" ] || fail "without --force the file changed"
expect_exit 0 "$ESEAL" seal --profile demo-bb --force drawing.dwg -o old.p7s
[ "$(stat -c %i old.p7s)" != "$ino" ] || fail "--force wrote into the old file instead of replacing it atomically"
openssl cms -verify -cades -binary -inform DER -in old.p7s -content drawing.dwg -CAfile "$ROOT" -purpose any \
	-out /dev/null 2>cms.err || fail "--force: the replacing .p7s does not verify: $(cat cms.err)"
cp "$SAMPLES/documents/report.pdf" old.pdf
ino=$(stat -c %i old.pdf)
expect_exit 0 "$ESEAL" seal --profile demo-bb --force report.pdf -o old.pdf
[ "$(stat -c %i old.pdf)" != "$ino" ] || fail "--force (PDF): same inode"
pdfsig old.pdf >pdfsig.log 2>&1 || true
assert_grep "Signature is Valid" pdfsig.log
assert_grep "Total document signed" pdfsig.log
pass "--force: the old file stays without it; with it, a new inode whose seal verifies (openssl cms -cades, pdfsig)"

# --- a symbolic link below --out-dir is never followed ---------------------------------------------------------
mkdir -p in/sub out elsewhere
cp inv.xml in/sub/a.xml
ln -s ../elsewhere out/sub
(cd in && expect_exit 74 "$ESEAL" seal --profile demo-bb --json --out-dir ../out sub/a.xml) || exit 1
assert_grep '"error":"../out/sub/a.xml: output directory sub is a symbolic link or not a directory; refusing to follow it"' "$OUT"
[ -z "$(ls -A elsewhere)" ] || fail "a seal landed where the link points: $(ls -A elsewhere)"
rm out/sub
(cd in && expect_exit 0 "$ESEAL" seal --profile demo-bb --json --out-dir ../out sub/a.xml) || exit 1
[ -d out/sub ] && [ ! -L out/sub ] && [ -s out/sub/a.xml ] || fail "the mirrored directory was not made"
pass "--out-dir: a symlinked sub-directory is refused (74), nothing written where it points; a real one is used"

# --- --json with file names that are not UTF-8 ----------------------------------------------------------------------
bad=$(printf 'caf\xe9')
tab=$(printf 'tab\there')
cp inv.xml "$bad.xml"
cp inv.xml "$tab.xml"
expect_exit 0 "$ESEAL" seal --profile demo-bb --json --out-dir names -- "$bad.xml" "$tab.xml"
python3 - "$OUT" "$D/names" <<'PY' || fail "seal --json with a Latin-1 name is not valid JSON or loses the name: $(cat -v "$OUT")"
import json, os, sys
raw = open(sys.argv[1], "rb").read()
lines = [json.loads(l) for l in raw.decode("utf-8").splitlines()]  # strict UTF-8: any raw byte fails here
byname = {d["input"]: d for d in lines}
latin = byname["caf\ufffd.xml"]
assert bytes.fromhex(latin["input_hex"]) == b"caf\xe9.xml", latin
assert os.path.exists(bytes.fromhex(latin["output_hex"])), latin
tab = byname["tab\there.xml"]
assert "input_hex" not in tab and tab["status"] == "sealed", tab
assert b'"input":"tab\\there.xml"' in raw, raw
PY
expect_exit 0 "$ESEAL" verify --json --trust "$ROOT" "names/$bad.xml"
python3 - "$OUT" <<'PY' || fail "verify --json with a Latin-1 name: $(cat -v "$OUT")"
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
assert d["file"].endswith("caf\ufffd.xml") and bytes.fromhex(d["file_hex"]).endswith(b"caf\xe9.xml"), d
assert d["indication"] == "TOTAL-PASSED", d
PY
pass "--json: a Latin-1 name gives valid UTF-8 JSON with U+FFFD and the exact bytes in input_hex/output_hex/file_hex"

# --- exit codes of verify: no seal is not a sealed document (65), for every format ---------------------------------
expect_exit 65 "$ESEAL" verify --trust "$ROOT" report.pdf
assert_grep "no signature or document time-stamp found" "$OUT"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" inv.xml
assert_grep "no ds:Signature found" "$OUT"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" report.pdf "names/$bad.xml"
pass "verify of an unsealed PDF or XML exits 65 (not a sealed document it can read), also beside a good one"
