#!/bin/bash
# tests/printer/cups.sh: eseal-printer as a Linux client's CUPS sees it. A private cupsd (tests/lib/cupsd.sh: own
# ServerRoot, spool and logs, the system's filters and backends) on 127.0.0.1; `lpadmin -m everywhere` makes a
# driverless queue pointing at the application's ipp://127.0.0.1:PORT/ipp/print; lp prints a PDF and a text file
# (which CUPS converts to PDF) as alice; the sealed PDFs land in out/alice and pass pdfsig, qpdf, openssl and
# `eseal verify`. Exit 77 (skip) if cupsd cannot run here (not root).
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"
source "$ESEAL_SRC/tests/lib/cupsd.sh"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
command -v cupsd >/dev/null || skip "cupsd is not installed (apt-get install cups)"
[ "$(id -u)" -eq 0 ] || skip "a private cupsd needs root (this test runs as $(id -un))"
for t in lpadmin lp lpstat; do
	command -v "$t" >/dev/null || fail "$t missing (apt-get install cups-client)"
done

trap 'stop_cupsd; stop_all_apps; _eseal_cleanup' EXIT
CONF=$APPS/eseal.conf
printer_conf "$CONF" </dev/null
start_app viacups printer

C=$(tmpdir)
start_cupsd "$C" || skip "cupsd could not start (see its output above)"
H=$CUPSD_HOST

# Driverless: lpadmin asks the application for its attributes and makes the queue from them, no PPD of ours.
lpadmin -h "$H" -p eSeal -E -v "$URI_viacups" -m everywhere >"$APPS/lpadmin" 2>&1 ||
	fail "lpadmin -m everywhere failed: $(cat "$APPS/lpadmin")"
lpstat -h "$H" -v eSeal | grep "$URI_viacups" >/dev/null || fail "queue eSeal does not point at $URI_viacups"
# cupsd writes the queue's generated PPD shortly after lpadmin returns.
for i in $(seq 50); do
	[ -s "$C/conf/ppd/eSeal.ppd" ] && break
	sleep 0.2
done
grep -q '^\*cupsFilter2: "application/vnd.cups-pdf application/pdf ' "$C/conf/ppd/eSeal.ppd" ||
	fail "the generated queue does not send PDF: $(grep cupsFilter "$C/conf/ppd/eSeal.ppd")"
pass "lpadmin -m everywhere -> queue eSeal for $URI_viacups (PDF)"

DOC=$SAMPLES/documents/report.pdf
printf 'Letter to the site office\nsecond line\n' >"$APPS/letter.txt"
chmod 644 "$APPS/letter.txt"
chmod 711 "$ESEAL_TMP_ROOT" "$APPS"
lp -h "$H" -U alice -t "Via CUPS" -d eSeal "$DOC" >"$APPS/lp1" 2>&1 || fail "lp: $(cat "$APPS/lp1")"
lp -h "$H" -U alice -t "Letter" -d eSeal "$APPS/letter.txt" >"$APPS/lp2" 2>&1 || fail "lp: $(cat "$APPS/lp2")"
for i in $(seq 300); do
	[ -f "$OUTROOT/alice/Via CUPS.pdf" ] && [ -f "$OUTROOT/alice/Letter.pdf" ] && break
	sleep 0.3
done
[ -f "$OUTROOT/alice/Via CUPS.pdf" ] ||
	fail "no sealed file from the CUPS queue: $(lpstat -h "$H" -l -o eSeal; tail -30 "$C/log/error_log")"
[ -f "$OUTROOT/alice/Letter.pdf" ] || fail "no sealed file for the text job: $(tail -30 "$C/log/error_log")"
printed_ok "$OUTROOT/alice/Via CUPS.pdf"
printed_ok "$OUTROOT/alice/Letter.pdf"
# The client's CUPS turned the text into PDF (texttopdf, whose fonts pdftotext cannot map back): a page is all we
# check of its content.
[ "$(pdfinfo "$OUTROOT/alice/Letter.pdf" | sed -n 's/^Pages: *//p')" -ge 1 ] || fail "the text job's PDF has no page"
for i in $(seq 100); do
	[ -z "$(lpstat -h "$H" -W not-completed -o eSeal 2>/dev/null)" ] && break
	sleep 0.3
done
[ -z "$(lpstat -h "$H" -W not-completed -o eSeal)" ] || fail "CUPS jobs not completed: $(lpstat -h "$H" -o eSeal)"
pass "lp through the driverless queue: a PDF and a text file sealed into out/alice, CUPS jobs completed"
stop_app viacups
