#!/bin/bash
# tests/cups/backend.sh: the CUPS backend run exactly as cupsd runs it (argv job user title copies options [file],
# DEVICE_URI, CONTENT_TYPE, PRINTER; the job as a file and on stdin): the sealed PDF lands in the user's folder and
# passes pdfsig, qpdf --check, openssl ts -verify (B-T) and eseal verify. Also: discovery, names from titles,
# no overwrite, and nothing left in TMPDIR. (The drop from root to lp: backend_root.sh.)
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/cups/lib.sh"

cups_sandbox
sha_before=$(sha256sum <"$DOC")

# --- discovery: no arguments -> one device line (backend(7)), exit 0 -----------------------------------------------
expect_exit "$B_OK" "$BACKEND"
assert_grep '^direct eseal:/ "e-Seal printer" "e-Seal printer \(eseal\)"' "$OUT"
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "discovery must print one line: $(cat "$OUT")"
pass "discovery: $(cat "$OUT")"

# --- wrong argument count: usage, CUPS_BACKEND_FAILED ---------------------------------------------------------------
expect_exit "$B_FAILED" "$BACKEND" 1 alice
assert_grep '^Usage: .* job-id user title copies options \[file\]' "$ERR"
pass "bad argv -> usage, FAILED"

# --- the job as a file (argv[6]) -------------------------------------------------------------------------------------
run_backend "$B_OK" alice "Quarterly report.pdf" "$DOC"
OUTF="$SB/out/alice/Quarterly report.pdf"
assert_file "$OUTF"
assert_grep "^INFO: Sealed \(PAdES, B-T\) as $SB/out/alice/Quarterly report.pdf" "$ERR"
assert_grep '^STATE: -eseal-' "$ERR"
check_printed "$OUTF" B-T
[ "$(sha256sum <"$DOC")" = "$sha_before" ] || fail "the input document was modified"
[ "$(stat -c %a "$SB/out/alice")" = 700 ] || fail "per-user folder is not 0700: $(stat -c %a "$SB/out/alice")"
[ "$(stat -c %U "$SB/out/alice")" = "$BACKEND_USER" ] || fail "per-user folder not owned by $BACKEND_USER"
[ "$(stat -c %U "$OUTF")" = "$BACKEND_USER" ] || fail "sealed file not owned by $BACKEND_USER (root not dropped?)"
pass "file job: sealed B-T in $SB/out/alice, owned by $BACKEND_USER, pdfsig/qpdf/ts/eseal verify agree"

# --- the job on stdin: same title again -> "Quarterly report (2).pdf", the first one untouched -----------------------
sha_first=$(sha256sum <"$OUTF")
JOB_STDIN=$DOC run_backend "$B_OK" alice "Quarterly report.pdf"
assert_file "$SB/out/alice/Quarterly report (2).pdf"
check_printed "$SB/out/alice/Quarterly report (2).pdf" B-T
[ "$(sha256sum <"$OUTF")" = "$sha_first" ] || fail "an existing sealed file was overwritten"
JOB_STDIN=$DOC run_backend "$B_OK" alice "Quarterly report"
assert_file "$SB/out/alice/Quarterly report (3).pdf"
pass "stdin job: sealed; same title -> (2), (3); nothing overwritten"

# --- stdin spool leaves nothing behind in TMPDIR --------------------------------------------------------------------
[ "$(count_files "$SB/tmp")" -eq 0 ] || fail "files left in TMPDIR: $(ls -la "$SB/tmp")"
pass "TMPDIR empty after stdin jobs"

# --- hostile titles: no path escape, no hidden files, no control characters, bounded length -------------------------
run_backend "$B_OK" bob "../../../etc/x"$'\t'$'\e[31m'"red/.pdf" "$DOC"
[ "$(count_files "$SB/out/bob")" -eq 1 ] || fail "expected one file for bob"
name=$(ls "$SB/out/bob")
case "$name" in
	.* | */* | *$'\t'* | *$'\e'*) fail "unsafe output name: $(printf %q "$name")" ;;
esac
[ "$name" = "_.._.._etc_x[31mred_.pdf" ] || fail "unexpected sanitised name: $(printf %q "$name")"
long=$(printf 'Ü%.0s' $(seq 300))
run_backend "$B_OK" bob "$long" "$DOC"
n=$(ls "$SB/out/bob" | LC_ALL=C awk '{ print length($0) }' | sort -n | tail -1)
[ "$n" -le 200 ] || fail "name of $n bytes is too long"
python3 -c 'import os,sys; [n.encode().decode("utf-8") for n in os.listdir(sys.argv[1])]' "$SB/out/bob" ||
	fail "a truncated name is not valid UTF-8"
run_backend "$B_OK" bob "..." "$DOC"
assert_file "$SB/out/bob/print-17.pdf"
pass "hostile titles: sanitised in place (longest $n bytes), UTF-8 kept whole, empty -> print-17.pdf"

# --- B-B profile, URI forms ------------------------------------------------------------------------------------------
DEVICE_URI=eseal://demo-bb/ run_backend "$B_OK" carol "Memo" "$DOC"
check_printed "$SB/out/carol/Memo.pdf" B-B
pass "eseal://demo-bb/ -> profile demo-bb, B-B"

# --- user names that cannot be folder names are refused (CANCEL), nothing written ------------------------------------
before=$(count_files "$SB/out")
run_backend "$B_CANCEL" "../alice" "Escape" "$DOC"
assert_grep "^ERROR: .*user name" "$ERR"
run_backend "$B_CANCEL" ".hidden" "Escape" "$DOC"
[ "$(count_files "$SB/out")" -eq "$before" ] || fail "a refused job wrote a file"
[ ! -e "$SB/out/.hidden" ] || fail "a hidden folder was created"
pass "user '../alice' and '.hidden' -> CANCEL, nothing written"

# The backend never running as root is tests/cups/backend_root.sh (its own test: skipped, and said so, when not root).

# --- a visible seal from the profile: the page looks different after sealing (pdftoppm is the referee) -------------
DEVICE_URI=eseal:/visible run_backend "$B_OK" carol "Stamped" "$DOC"
check_printed "$SB/out/carol/Stamped.pdf" B-B
pdftoppm -r 30 -f 1 -l 1 -png "$DOC" "$SB/before"
pdftoppm -r 30 -f 1 -l 1 -png "$SB/out/carol/Stamped.pdf" "$SB/after"
pdftoppm -r 30 -f 1 -l 1 -png "$SB/out/carol/Memo.pdf" "$SB/invisible"
cmp -s "$SB"/before*.png "$SB"/invisible*.png || fail "an invisible seal changed how the page looks"
cmp -s "$SB"/before*.png "$SB"/after*.png && fail "the profile's visible seal does not show on the page"
pass "profile visible = yes -> the stamp shows on page 1 (pdftoppm); invisible seal leaves the page as it was"
# A page with no blank area: sealed all the same (see-through stamp), and the library's warning reaches the CUPS log.
printf '%s\n' '%!PS' '<< /PageSize [595 842] >> setpagedevice' '0.5 setgray 0 0 595 842 rectfill' 'showpage' >"$SB/full.ps"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$SB/full.pdf" "$SB/full.ps" || fail "gs: full.pdf"
chmod 644 "$SB/full.pdf"
DEVICE_URI=eseal:/visible run_backend "$B_OK" carol "Full page" "$SB/full.pdf"
assert_grep '^WARNING: .*page 1 has no blank area for the visible seal' "$ERR"
assert_file "$SB/out/carol/Full page.pdf"
pass "a page with no blank area -> sealed, WARNING: line for the CUPS log"

# --- the shipped example profile loads (the job then stops at its not-yet-created folder, before any key use) -------
if [ ! -e /srv/eseal/sealed ]; then
	install -m 0644 "$ESEAL_SRC/samples/printer/eseal.conf" "$SB/sample.conf"
	# alice is no local user here: the profile parsed and the job reached the choice of the user's folder.
	ESEAL_CONFIG=$SB/sample.conf DEVICE_URI=eseal:/office run_backend "$B_CANCEL" alice "X" "$DOC"
	assert_grep "^ERROR: output-dir \\\$\{HOME\}/PDF: user 'alice' has no absolute home folder" "$ERR"
	pass "samples/printer/eseal.conf parses; profile office reaches the output-folder check"
fi

# --- cmake --install puts the backend where CUPS looks for it, mode 0700 (cupsd runs it as root; it seals as lp) ----
inst=$(tmpdir)
cmake --install "$ESEAL_BUILD" --prefix "$inst/usr" >"$OUT" 2>&1 || fail "cmake --install failed: $(cat "$OUT")"
[ -x "$inst/usr/lib/cups/backend/eseal" ] || fail "backend not installed to <prefix>/lib/cups/backend/eseal"
[ "$(stat -c %a "$inst/usr/lib/cups/backend/eseal")" = 700 ] || fail "installed backend is not mode 0700"
# The install rewrites the program's search path (the build tree's, where the renderer module is): the code is compared.
objcopy -O binary --only-section=.text "$inst/usr/lib/cups/backend/eseal" "$inst/installed.text" &&
	objcopy -O binary --only-section=.text "$BACKEND" "$inst/built.text" || fail "objcopy cannot read the backends"
cmp -s "$inst/installed.text" "$inst/built.text" || fail "installed backend differs from the built one"
assert_file "$inst/usr/share/ppd/eseal/eseal.ppd"
assert_grep '^\*cupsFilter: "application/pdf 0 -"' "$inst/usr/share/ppd/eseal/eseal.ppd"
[ -x "$inst/usr/lib/cups/filter/eseal-texttopdf" ] || fail "text filter not installed to <prefix>/lib/cups/filter"
pass "cmake --install: <prefix>/lib/cups/backend/eseal (0700), lib/cups/filter/eseal-texttopdf, share/ppd/eseal/eseal.ppd"
