#!/bin/bash
# tests/printer/ipp.sh: eseal-printer, the PAPPL printer application, started on 127.0.0.1 and driven with ipptool:
# its IPP Everywhere attributes and e-Seal web page; PDF (sealed as sent), JPEG, PWG raster and Japanese text jobs,
# each a sealed PDF that pdfsig, qpdf, openssl and `eseal verify` accept, copied to drop-dir; Get-Jobs; bad input (not
# a PDF, empty, over the size cap, no token, token removed) ends as an aborted job with a message and no file; a TSA
# that is down keeps the job processing until it is back.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"
trap 'stop_all_apps; _eseal_cleanup' EXIT

CONF=$APPS/eseal.conf
TSA_PORT=$(free_port)
# SoftHSM cannot lose its device: the "removed" profile's key goes through tests/cms/p11_fault.c.
P11FAULT=$ESEAL_BUILD/tests/cms/libp11fault.so
[ -f "$P11FAULT" ] || fail "no fault-injecting PKCS#11 module at $P11FAULT"
printer_conf "$CONF" <<EOT
notoken key=pkcs11:token=no-such-token;object=eseal;type=private?module-path=$MODULE
tsadown tsa=http://127.0.0.1:$TSA_PORT/
removed key=pkcs11:token=eseal;object=eseal;type=private?module-path=$P11FAULT
EOT
W=$(tmpdir)

# --- the printer as a driverless client sees it ------------------------------------------------------------------
mkdir "$W/drop"
start_app main printer -o max-job-size=2M -o drop-dir="$W/drop"
ipptool -tv "$URI_main" get-printer-attributes.test >"$W/attrs" 2>&1 || fail "Get-Printer-Attributes: $(cat "$W/attrs")"
assert_grep 'document-format-preferred \(mimeMediaType\) = application/pdf$' "$W/attrs"
for f in application/pdf image/jpeg image/pwg-raster image/urf text/plain; do
	grep 'document-format-supported' "$W/attrs" | grep "$f" >/dev/null || fail "document-format-supported lacks $f"
done
grep 'media-supported' "$W/attrs" | grep 'jis_b4_257x364mm' >/dev/null || fail "media-supported lacks B4"
grep 'media-supported' "$W/attrs" | grep 'iso_a3_297x420mm' >/dev/null || fail "media-supported lacks A3"
assert_grep 'printer-make-and-model \(textWithoutLanguage\) = eseal e-Seal printer' "$W/attrs"
assert_grep 'ipp-features-supported' "$W/attrs"
# The administrator's e-Seal page in PAPPL's web interface.
hp=${URI_main#ipp://}
hp=${hp%%/*}
curl -sf --noproxy '*' "http://$hp/eseal" >"$W/page.html" || fail "GET /eseal failed"
assert_grep '<th>Profile</th><td>printer</td>' "$W/page.html"
assert_grep '<th>Output folder</th><td>[^<]*/out/\$\{USER\}</td>' "$W/page.html"
assert_grep '<th>Key</th><td>not open' "$W/page.html"
pass "Get-Printer-Attributes: IPP Everywhere, PDF preferred, JPEG/PWG/URF/text accepted, A3 and B4"

# --- a PDF: sealed byte for byte as sent, in the owner's folder ------------------------------------------------
DOC=$SAMPLES/documents/report.pdf
j=$(submit "$URI_main" alice "Site report" application/pdf "$DOC")
wait_job "$URI_main" "$j" completed
assert_grep 'job-state-message \(textWithoutLanguage\) = Sealed as Site report.pdf' "$JS"
assert_grep 'job-originating-user-name \(nameWithoutLanguage\) = alice' "$JS"
printed_ok "$OUTROOT/alice/Site report.pdf"
cmp -n "$(stat -c %s "$DOC")" "$DOC" "$OUTROOT/alice/Site report.pdf" ||
	fail "the sealed PDF does not start with the document as sent (incremental update expected)"
cmp "$W/drop/alice - Site report.pdf" "$OUTROOT/alice/Site report.pdf" || fail "no identical copy in drop-dir"
curl -sf --noproxy '*' "http://$hp/eseal" >"$W/page.html" || fail "GET /eseal failed"
assert_grep '<th>Key</th><td>open \(logged in\)' "$W/page.html"
pass "PDF job $j -> out/alice/Site report.pdf (and a copy in drop-dir), the document as sent plus the seal"

# --- JPEG and PWG raster: an image-only PDF ------------------------------------------------------------------
pdftoppm -jpeg -r 40 -f 1 -l 1 "$DOC" "$W/page"
j=$(submit "$URI_main" bob "Photo" image/jpeg "$W/page-1.jpg")
wait_job "$URI_main" "$j" completed
printed_ok "$OUTROOT/bob/Photo.pdf"
pdfimages -list "$OUTROOT/bob/Photo.pdf" >"$W/images"
[ "$(tail -n +3 "$W/images" | wc -l)" -ge 1 ] || fail "the JPEG job's PDF holds no image"
[ -z "$(pdftotext "$OUTROOT/bob/Photo.pdf" - | tr -d '[:space:]\f')" ] || fail "the JPEG job's PDF holds text"
# 8-bit grey (cupsColorSpace 18 = sGray), what the printer's pwg-raster-document-type-supported offers.
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pwgraster -dcupsColorSpace=18 -dcupsBitsPerColor=8 -r72 \
	-sOutputFile="$W/doc.pwg" "$DOC" >/dev/null 2>&1 ||
	fail "ghostscript cannot make a PWG raster job"
j=$(submit "$URI_main" bob "Raster" image/pwg-raster "$W/doc.pwg")
wait_job "$URI_main" "$j" completed
printed_ok "$OUTROOT/bob/Raster.pdf"
[ "$(pdfinfo "$OUTROOT/bob/Raster.pdf" | sed -n 's/^Pages: *//p')" = "$(pdfinfo "$DOC" | sed -n 's/^Pages: *//p')" ] ||
	fail "the raster job's PDF has another page count than the document"
# The pages look like the document: page 1 of both rendered at 20 dpi differ by little on average (0-255 grey).
pdftoppm -gray -r 20 -f 1 -l 1 "$DOC" "$W/want"
pdftoppm -gray -r 20 -f 1 -l 1 "$OUTROOT/bob/Raster.pdf" "$W/got"
python3 - "$W"/want*.pgm "$W"/got*.pgm <<'EOT' || fail "the raster job's page does not look like the document"
import sys
def pgm(p):
    d = open(p, "rb").read().split(maxsplit=4)
    return int(d[1]), int(d[2]), d[4]
(w1, h1, a), (w2, h2, b) = pgm(sys.argv[1]), pgm(sys.argv[2])
w, h = min(w1, w2), min(h1, h2)
diff = sum(abs(a[y * w1 + x] - b[y * w2 + x]) for y in range(h) for x in range(w)) / (w * h)
dark = sum(1 for v in b if v < 128)
print("mean difference %.1f, dark pixels %d" % (diff, dark))
sys.exit(0 if diff < 12 and dark > 50 else 1)
EOT
pass "JPEG and PWG raster jobs -> sealed image-only PDFs (as many pages as sent)"

# --- Japanese text: laid out with a CJK font ----------------------------------------------------------------
printf '工事完了報告書\n現場: 東京都千代田区\nline three\n' >"$W/memo.txt"
j=$(submit "$URI_main" alice "Memo" text/plain "$W/memo.txt")
wait_job "$URI_main" "$j" completed
printed_ok "$OUTROOT/alice/Memo.pdf"
check_cjk_text "$OUTROOT/alice/Memo.pdf" '工事完了報告書' '現場: 東京都千代田区'
pass "Japanese text job -> a sealed PDF whose text pdftotext reads back"

# --- Get-Jobs lists them, with their owners -------------------------------------------------------------
ipptool -t "$URI_main" "$TESTS_PRINTER/get-jobs.test" >"$W/jobs" 2>&1 || fail "Get-Jobs: $(cat "$W/jobs")"
[ "$(grep -c 'job-state (enum) = completed' "$W/jobs")" -ge 4 ] || fail "Get-Jobs: $(cat "$W/jobs")"
assert_grep 'job-originating-user-name \(nameWithoutLanguage\) = bob' "$W/jobs"
pass "Get-Jobs lists the completed jobs and their owners"

# --- bad input: an aborted job with a message, never a file -------------------------------------------------
before=$(find "$OUTROOT" -type f | wc -l)
printf 'PK\003\004 not a pdf at all\n' >"$W/raw.bin"
j=$(submit "$URI_main" alice "Raw" application/pdf "$W/raw.bin")
wait_job "$URI_main" "$j" aborted
assert_grep 'job-state-message \(textWithoutLanguage\) = This document is not a PDF.' "$JS"
assert_grep 'document-format-error' "$JS"
j=$(submit "$URI_main" alice "Raw2" application/octet-stream "$W/raw.bin")
wait_job "$URI_main" "$j" aborted
assert_grep 'This document is not a PDF.' "$JS"
: >"$W/empty.pdf"
ipptool -t -d owner=alice -d title=Empty -d format=application/pdf -f "$W/empty.pdf" "$URI_main" \
	"$TESTS_PRINTER/print-job.test" >"$W/empty.out" 2>&1 </dev/null || true
if j=$(sed -n 's/^ *job-id (integer) = //p' "$W/empty.out") && [ -n "$j" ]; then
	wait_job "$URI_main" "$j" aborted
	assert_grep 'The document is empty.' "$JS"
else
	grep -q 'status-code = client-error' "$W/empty.out" || fail "0-byte job: $(cat "$W/empty.out")"
fi
# Over the cap (2M here): a PDF header and 3 MB of nothing, made sparse.
printf '%%PDF-1.7\n' >"$W/big.pdf"
truncate -s 3M "$W/big.pdf"
j=$(submit "$URI_main" alice "Big" application/pdf "$W/big.pdf")
wait_job "$URI_main" "$j" aborted
assert_grep 'The document is larger than this printer accepts.' "$JS"
grep -q 'limit (max-job-size) is 2097152' "$APPS/main/log" || fail "the log does not say which limit"
# Raster is streamed, not spooled: the cap applies to the PDF it becomes. Three pages of grey noise (which does not
# compress) at 150 dpi make some 2 MB each.
cat >"$W/noise.ps" <<'EOT'
%!PS
/s 1000 string def
3 { gsave 595 842 scale 1000 1000 8 [1000 0 0 1000 0 0] { 0 1 999 { s exch rand 256 mod put } for s } image
    grestore showpage } repeat
EOT
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pwgraster -dcupsColorSpace=18 -dcupsBitsPerColor=8 -r150 \
	-sOutputFile="$W/big.pwg" "$W/noise.ps" >/dev/null 2>&1 ||
	fail "ghostscript cannot make a PWG raster job"
j=$(submit "$URI_main" bob "Big raster" image/pwg-raster "$W/big.pwg")
wait_job "$URI_main" "$j" aborted
assert_grep 'The document is larger than this printer accepts.' "$JS"
[ "$(find "$OUTROOT" -type f | wc -l)" -eq "$before" ] || fail "a refused job wrote a file: $(find "$OUTROOT" -type f)"
[ "$(find "$W/drop" -type f | wc -l)" -eq 4 ] || fail "drop-dir should hold the 4 sealed prints: $(ls -A "$W/drop")"
[ -z "$(find "$OUTROOT" -name '.*')" ] || fail "a refused job left a temporary file: $(find "$OUTROOT" -name '.*')"
kill -0 "$PID_main" || fail "eseal-printer died on bad input"
pass "not a PDF (as PDF and as octet-stream), empty, over max-job-size -> aborted with a message, nothing written"

# --- no token: a configuration fault aborts the job, in the language configured (Japanese here) --------------
start_app notoken notoken -o language=ja
j=$(submit "$URI_notoken" alice "No token" application/pdf "$DOC")
wait_job "$URI_notoken" "$j" aborted
assert_grep 'eシールの鍵、証明書または信頼設定を使用できません' "$JS"
grep -q 'no-such-token' "$APPS/notoken/log" || fail "the log does not name the missing token"
j=$(submit "$URI_notoken" alice "Raw ja" application/pdf "$W/raw.bin")
wait_job "$URI_notoken" "$j" aborted
assert_grep 'この文書はPDFではありません。' "$JS"
[ "$(find "$OUTROOT" -type f | wc -l)" -eq "$before" ] || fail "a job without a token wrote a file"
pass "token not there -> job aborted with a Japanese message (detail in the log), nothing written"

# --- the token removed while signing (CKR_DEVICE_REMOVED): retried with the job processing, aborted after the limit ---
ESEAL_FAULT_REAL=$MODULE ESEAL_FAULT_SIGN=0x32 start_app removed removed -o retry-limit=4
j=$(submit "$URI_removed" alice "No HSM" application/pdf "$DOC")
wait_message "$URI_removed" "$j" 'HSM is not available'
assert_grep 'job-state \(enum\) = processing' "$JS"
assert_grep 'The HSM is not available at the moment; this will be retried.' "$JS"
wait_job "$URI_removed" "$j" aborted
assert_grep 'The HSM is not available at the moment' "$JS"
[ "$(grep -c 'attempt [0-9]*: .*CKR_DEVICE_REMOVED' "$APPS/removed/log")" -ge 2 ] ||
	fail "the removed token was not retried: $(grep attempt "$APPS/removed/log")"
[ "$(find "$OUTROOT" -type f | wc -l)" -eq "$before" ] || fail "a job without its HSM wrote a file"
pass "token removed -> job processing with the HSM message, retried, aborted after retry-limit, nothing written"

# --- TSA down: the job waits (processing, its message says it will retry) and completes once the TSA is up --------
start_app tsadown tsadown
j=$(submit "$URI_tsadown" alice "Later" application/pdf "$DOC")
wait_message "$URI_tsadown" "$j" 'will be retried'
assert_grep 'time-stamp service cannot be reached at the moment; this will be retried' "$JS"
# A second job is queued behind it, not refused.
j2=$(submit "$URI_tsadown" bob "Queued" application/pdf "$DOC")
sleep 2
job_state "$URI_tsadown" "$j"
assert_grep 'job-state \(enum\) = processing' "$JS"
start_tsa ok --port "$TSA_PORT" >/dev/null
wait_job "$URI_tsadown" "$j" completed
wait_job "$URI_tsadown" "$j2" completed
printed_ok "$OUTROOT/alice/Later.pdf"
printed_ok "$OUTROOT/bob/Queued.pdf"
grep -q 'attempt [0-9]*: .*' "$APPS/tsadown/log" || fail "the log does not show the failed attempts"
pass "TSA down -> job $j processing with a retry message, $j2 queued; TSA up -> both sealed without anyone acting"

# --- SIGTERM: the application finishes what it is doing, then exits 0 -------------------------------------------
stop_app main
stop_app notoken
stop_app tsadown
stop_app removed
grep -q 'Completed' "$APPS/main/log"
pass "SIGTERM: every application exited 0"
