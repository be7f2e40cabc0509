#!/bin/bash
# tests/printer/cups.sh: eseal-printer as a Linux client's CUPS sees it. A private cupsd (own ServerRoot, spool and
# logs, the system's filters and backends) on 127.0.0.1; `lpadmin -m everywhere` makes a driverless queue pointing at
# the application's ipp://127.0.0.1:PORT/ipp/print; lp prints a PDF and a text file (which CUPS converts to PDF) as alice; the sealed PDFs land in
# out/alice and pass pdfsig, qpdf, openssl and `eseal verify`. Exit 77 (skip) if cupsd cannot run here (not root).
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
command -v cupsd >/dev/null || skip "cupsd is not installed (apt-get install cups)"
[ "$(id -u)" -eq 0 ] || skip "a private cupsd needs root (this test runs as $(id -un))"
for t in lpadmin lp lpstat; do
	command -v "$t" >/dev/null || fail "$t missing (apt-get install cups-client)"
done

CONF=$APPS/eseal.conf
printer_conf "$CONF" </dev/null
start_app viacups printer

C=$(tmpdir)
chmod 755 "$C"
mkdir -p "$C/conf" "$C/spool/tmp" "$C/cache" "$C/state" "$C/log" "$C/bin"
for f in /usr/lib/cups/*; do
	ln -s "$f" "$C/bin/$(basename "$f")"
done
PORT=$(free_port)
H=127.0.0.1:$PORT
cat >"$C/conf/cups-files.conf" <<EOT
# Private cupsd of tests/printer/cups.sh
ServerRoot $C/conf
RequestRoot $C/spool
TempDir $C/spool/tmp
CacheDir $C/cache
StateDir $C/state
ServerBin $C/bin
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
AccessLog $C/log/access_log
ErrorLog $C/log/error_log
PageLog $C/log/page_log
User lp
Group lp
SystemGroup root
EOT
cat >"$C/conf/cupsd.conf" <<EOT
# Private cupsd of tests/printer/cups.sh: loopback only, no browsing, no authentication.
LogLevel debug
Listen $H
Browsing Off
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOT
setsid cupsd -f -c "$C/conf/cupsd.conf" -s "$C/conf/cups-files.conf" </dev/null >"$C/log/cupsd.out" 2>&1 &
CUPSD_PID=$!
stop_cupsd() {
	local i
	kill -TERM "$CUPSD_PID" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$CUPSD_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$CUPSD_PID" 2>/dev/null || true
}
trap 'stop_cupsd; stop_all_apps; _eseal_cleanup' EXIT
up=0
for i in $(seq 150); do
	if lpstat -h "$H" -r 2>/dev/null | grep >/dev/null "scheduler is running"; then
		up=1
		break
	fi
	kill -0 "$CUPSD_PID" 2>/dev/null || break
	sleep 0.2
done
[ "$up" -eq 1 ] || skip "cupsd could not start on $H: $(cat "$C/log/cupsd.out")"

# Driverless: lpadmin asks the application for its attributes and makes the queue from them, no PPD of ours.
lpadmin -h "$H" -p eSeal -E -v "$URI_viacups" -m everywhere >"$APPS/lpadmin" 2>&1 ||
	fail "lpadmin -m everywhere failed: $(cat "$APPS/lpadmin")"
lpstat -h "$H" -v eSeal | grep -q "$URI_viacups" || fail "queue eSeal does not point at $URI_viacups"
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
