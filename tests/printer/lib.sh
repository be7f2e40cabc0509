# tests/printer/lib.sh: sourced by the printer application tests after tests/lib/env.sh and tests/pdf/pdf_check.sh.
#
#   printer_conf FILE      writes $ESEAL_CONFIG's demo profile as [profile printer] (B-T, output-dir $OUTROOT/${USER})
#                          and more profiles given as NAME KEY=VALUE... lines on stdin
#   start_app NAME PROFILE [-o OPT=VALUE...]  starts eseal-printer on 127.0.0.1:<free port> with spool and log in
#                          $APPS/NAME, authentication off unless an auth-service option is given; waits until it
#                          answers Get-Printer-Attributes. Sets URI_<NAME> and PID_<NAME>; stopped when the script ends
#   stop_app NAME          SIGTERM, then waits (75 s at most); fails unless it exits 0
#   submit URI OWNER TITLE FORMAT FILE  Print-Job with ipptool; prints the job id (fails if refused)
#   job_state URI ID       job-state, job-state-message, job-state-reasons and owner into $JS (file)
#   wait_job URI ID STATE  until the job reaches STATE (completed|aborted|canceled|processing...), 90 s at most
#   wait_message URI ID TEXT  until the job's state message holds TEXT (grep -E), 30 s at most; leaves it in $JS
#   printed_ok PDF         the referees (check_sealed, B-T) and `eseal verify` on a sealed print
#   as_service USER        root only: eseal-printer started from now on runs as USER (setpriv), as the systemd unit runs
#                          it as User=eseal: its binary, a token copy, the PIN and certificates of $CONF (rewritten) in
#                          a folder USER can use, $OUTROOT USER's and mode 0711 (users pass, only USER lists), each
#                          app's spool and log USER's
APP=${ESEAL_PRINTER_APP:-$ESEAL_BUILD/plugins/printer/eseal-printer}
[ -x "$APP" ] || fail "printer application not built: $APP"
command -v ipptool >/dev/null || fail "ipptool missing (apt-get install cups-ipp-utils)"
TESTS_PRINTER=$ESEAL_SRC/tests/printer
APPS=$(tmpdir)
OUTROOT=$APPS/out
mkdir -p "$OUTROOT"
JS=$APPS/job-state
STARTED_APPS=()
APP_AS=()
# PAPPL's process-lifetime allocations are suppressed for the application alone, not for every test.
if [ -n "${LSAN_OPTIONS:-}" ]; then
	cat "$ESEAL_SRC/tests/lsan.supp" "$ESEAL_SRC/tests/printer/lsan.supp" >"$APPS/lsan.supp"
	APP_LSAN="suppressions=$APPS/lsan.supp:print_suppressions=0"
else
	APP_LSAN=
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

printer_conf() {
	local file=$1 name kvs kv
	demo_profile "$APPS/demo.conf" printer "output-dir=$OUTROOT/\${USER}"
	grep -v '^$' "$APPS/demo.conf" >"$file"
	while read -r name kvs; do
		[ -n "$name" ] || continue
		printf '\n[profile %s]\n' "$name" >>"$file"
		grep -v '^\[profile' "$APPS/demo.conf" | grep -v '^$' >"$APPS/profile.tmp"
		for kv in $kvs; do
			# a key given again replaces the demo profile's
			grep -v "^${kv%%=*} = " "$APPS/profile.tmp" >"$APPS/profile.tmp2" || true
			mv "$APPS/profile.tmp2" "$APPS/profile.tmp"
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$APPS/profile.tmp"
		done
		cat "$APPS/profile.tmp" >>"$file"
	done
}

start_app() {
	local name=$1 profile=$2 port d i auth=(-o auth-service=none)
	shift 2
	port=$(free_port)
	d=$APPS/$name
	mkdir -p "$d/spool"
	[ ${#APP_AS[@]} -eq 0 ] || chown -R "${APP_AS[1]#--reuid=}" "$d"
	case " $* " in *auth-service=*) auth=() ;; esac
	LSAN_OPTIONS=$APP_LSAN setsid "${APP_AS[@]}" "$APP" server -o config="$CONF" -o profile="$profile" -o listen-hostname=127.0.0.1 \
		-o server-port="$port" -o spool-directory="$d/spool" -o log-file="$d/log" -o log-level=debug \
		-o dnssd=no -o retry-interval=1 "${auth[@]}" "$@" </dev/null >"$d/out" 2>&1 &
	printf -v "PID_$name" '%s' $!
	printf -v "URI_$name" '%s' "ipp://127.0.0.1:$port/ipp/print"
	STARTED_APPS+=("$!")
	for i in $(seq 100); do
		ipptool -T 5 "ipp://127.0.0.1:$port/ipp/print" get-printer-attributes.test >/dev/null 2>&1 && return 0
		kill -0 "$!" 2>/dev/null || fail "eseal-printer $name exited at start: $(cat "$d/out")"
		sleep 0.2
	done
	fail "eseal-printer $name does not answer on port $port: $(tail -5 "$d/log")"
}

stop_app() {
	local pidvar=PID_$1 pid rc=0 i
	pid=${!pidvar}
	kill -TERM "$pid"
	for i in $(seq 750); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "eseal-printer $1 still runs 75 s after SIGTERM"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "eseal-printer $1 exited $rc after SIGTERM: $(tail -20 "$APPS/$1/out")"
}

stop_all_apps() {
	local pid
	for pid in "${STARTED_APPS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
}

# print_job OUT URI OWNER TITLE FORMAT FILE: ipptool's Print-Job into OUT, its exit status returned. With credentials
# in the URI, ipptool sends the document, gets PAPPL's 401 challenge and sends it again; PAPPL answers the 401 before
# it has read the document and closes the connection, so now and then ipptool is still writing and reports
# "Unable to finish request" with no answer at all. That is the transport, not a verdict: try again (8 times).
print_job() {
	local out=$1 uri=$2 owner=$3 title=$4 format=$5 file=$6 try rc
	for try in 1 2 3 4 5 6 7 8; do
		rc=0
		ipptool -t -d owner="$owner" -d title="$title" -d format="$format" -f "$file" "$uri" \
			"$TESTS_PRINTER/print-job.test" >"$out" 2>&1 </dev/null || rc=$?
		grep -q 'Unable to finish request' "$out" || return "$rc"
		sleep 1
	done
	return "$rc"
}

submit() {
	local uri=$1 owner=$2 title=$3 format=$4 file=$5
	print_job "$APPS/submit.out" "$uri" "$owner" "$title" "$format" "$file" ||
		fail "Print-Job of $file ($format) refused: $(cat "$APPS/submit.out")"
	sed -n 's/^ *job-id (integer) = //p' "$APPS/submit.out"
}

job_state() {
	ipptool -t -d job="$2" "$1" "$TESTS_PRINTER/job-state.test" >"$JS" 2>&1 </dev/null ||
		fail "Get-Job-Attributes $2 failed: $(cat "$JS")"
}

wait_job() {
	local uri=$1 id=$2 state=$3 i
	for i in $(seq 450); do
		job_state "$uri" "$id"
		grep -q "job-state (enum) = $state\$" "$JS" && return 0
		# an end state other than the one expected
		if [ "$state" != completed ] && grep -q "job-state (enum) = completed" "$JS"; then break; fi
		if [ "$state" != aborted ] && grep -q "job-state (enum) = aborted" "$JS"; then break; fi
		sleep 0.2
	done
	fail "job $id did not reach $state: $(cat "$JS")"
}

wait_message() {
	local i
	for i in $(seq 150); do
		job_state "$1" "$2"
		grep -Eq "job-state-message .*$3" "$JS" && return 0
		sleep 0.2
	done
	fail "job $2 never said '$3': $(cat "$JS")"
}

as_service() {
	local u=$1 s=$APPS/service tokens key
	chmod 711 "$ESEAL_TMP_ROOT" "$APPS"
	mkdir -p "$s"
	install -m 0755 "$APP" "$s/eseal-printer"
	APP=$s/eseal-printer
	tokens=$(sed -n 's/^directories.tokendir *= *//p' "$SOFTHSM2_CONF")
	cp -a "$tokens" "$s/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$s" >"$s/softhsm2.conf"
	export SOFTHSM2_CONF=$s/softhsm2.conf
	install -m 0600 "$PIN_FILE" "$s/pin"
	install -m 0644 "$CHAIN" "$s/chain.pem"
	install -m 0644 "$ROOT" "$s/root.pem"
	for key in pin-file cert tsa-ca trust; do
		grep -q "^$key = " "$CONF" || continue
		case $key in
		pin-file) sed -i "s|^$key = .*|$key = $s/pin|" "$CONF" ;;
		cert) sed -i "s|^$key = .*|$key = $s/chain.pem|" "$CONF" ;;
		*) sed -i "s|^$key = .*|$key = $s/root.pem|" "$CONF" ;;
		esac
	done
	chown -R "$u" "$s/tokens" "$s/pin" "$OUTROOT"
	chmod 644 "$CONF" "$s/softhsm2.conf"
	chmod 711 "$OUTROOT"
	[ ! -f "$APPS/lsan.supp" ] || chmod 644 "$APPS/lsan.supp"
	APP_AS=(setpriv "--reuid=$u" "--regid=$(id -g "$u")" --init-groups --)
}

printed_ok() {
	local pdf=$1 d
	check_sealed "$pdf" 1 B-T
	d=$(tmpdir)
	"$ESEAL" verify --trust "$ROOT" --json "$pdf" >"$d/verify" 2>"$d/verify.err" ||
		fail "eseal verify failed on $pdf: $(cat "$d/verify" "$d/verify.err")"
	assert_grep '"indication": *"TOTAL-PASSED"' "$d/verify"
}
