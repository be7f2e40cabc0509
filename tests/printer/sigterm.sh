#!/bin/bash
# tests/printer/sigterm.sh: SIGTERM while a job is being sealed (its TSA answers after 4 s): eseal-printer finishes
# that job and the one queued behind it, writes both sealed files whole, and exits 0.
set -euo pipefail
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"
source "$ESEAL_SRC/tests/printer/lib.sh"
trap 'stop_all_apps; _eseal_cleanup' EXIT

CONF=$APPS/eseal.conf
slow=$(start_tsa slow --delay 4)
printer_conf "$CONF" <<EOT
slow tsa=$slow
EOT
DOC=$SAMPLES/documents/report.pdf
start_app term slow
j=$(submit "$URI_term" alice "In progress" application/pdf "$DOC")
wait_job "$URI_term" "$j" processing
j2=$(submit "$URI_term" bob "Queued" application/pdf "$DOC")
t0=$(date +%s)
stop_app term
t1=$(date +%s)
[ $((t1 - t0)) -ge 2 ] || fail "eseal-printer exited at once ($((t1 - t0)) s): it cannot have waited for the TSA"
printed_ok "$OUTROOT/alice/In progress.pdf"
printed_ok "$OUTROOT/bob/Queued.pdf"
grep -q "\[Job $j\] Completed" "$APPS/term/log" || fail "job $j not logged as completed"
grep -q "\[Job $j2\] Completed" "$APPS/term/log" || fail "job $j2 not logged as completed"
[ -z "$(find "$OUTROOT" -name '.*')" ] || fail "temporary files left: $(find "$OUTROOT" -name '.*')"
pass "SIGTERM during job $j: it and job $j2 sealed whole, exit 0 after $((t1 - t0)) s"
