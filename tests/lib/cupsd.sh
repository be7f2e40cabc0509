# tests/lib/cupsd.sh: a private cupsd for the tests that print through a real CUPS (tests/cups/cupsd.sh: our back end
# and PPD; tests/printer/cups.sh: a driverless queue to eseal-printer). Sourced after tests/lib/env.sh; root only.
#
#   start_cupsd DIR   starts cupsd -f on 127.0.0.1:<free port> with everything in DIR: conf/ (ServerRoot), spool/,
#                     cache/, state/, log/ (access_log, error_log, cupsd.out), ServerBin DIR/bin and DataDir DIR/data.
#                     The caller may fill bin/ and data/ first (its own back end, filters, PPDs); a missing bin/ gets
#                     links to every entry of /usr/lib/cups, a missing data/ means /usr/share/cups. Lines in
#                     $CUPSD_FILES_EXTRA / $CUPSD_CONF_EXTRA are appended to cups-files.conf / cupsd.conf (SetEnv,
#                     JobRetryInterval...). Loopback only, no browsing, no authentication, User lp. Sets CUPSD_HOST
#                     (127.0.0.1:PORT) and CUPSD_PID, and returns once lpstat says the scheduler runs; returns 1 if
#                     it never does (its output and log on stderr): the caller skips or fails.
#   stop_cupsd        SIGTERM, waits for it (it writes its cache while exiting; 10 s), else SIGKILL. Call it from the
#                     EXIT trap, before env.sh removes the scratch directory; a second call does nothing.
CUPSD_PID=
CUPSD_HOST=

start_cupsd() {
	local c=$1 port i f data
	chmod 755 "$c"
	mkdir -p "$c/conf" "$c/spool/tmp" "$c/cache" "$c/state" "$c/log"
	if [ ! -d "$c/bin" ]; then
		mkdir "$c/bin"
		for f in /usr/lib/cups/*; do
			ln -s "$f" "$c/bin/$(basename "$f")"
		done
	fi
	data=/usr/share/cups
	[ -d "$c/data" ] && data=$c/data
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	CUPSD_HOST=127.0.0.1:$port
	cat >"$c/conf/cups-files.conf" <<EOT
# A private cupsd of the tests (tests/lib/cupsd.sh)
ServerRoot $c/conf
RequestRoot $c/spool
TempDir $c/spool/tmp
CacheDir $c/cache
StateDir $c/state
ServerBin $c/bin
DataDir $data
DocumentRoot /usr/share/cups/doc-root
AccessLog $c/log/access_log
ErrorLog $c/log/error_log
PageLog $c/log/page_log
# Filters and 0755 back ends run as User, never as root.
User lp
Group lp
SystemGroup root
FileDevice No
${CUPSD_FILES_EXTRA:-}
EOT
	cat >"$c/conf/cupsd.conf" <<EOT
# A private cupsd of the tests (tests/lib/cupsd.sh): loopback only, no browsing, no authentication.
LogLevel debug
Listen $CUPSD_HOST
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
${CUPSD_CONF_EXTRA:-}
EOT
	setsid cupsd -f -c "$c/conf/cupsd.conf" -s "$c/conf/cups-files.conf" </dev/null >"$c/log/cupsd.out" 2>&1 &
	CUPSD_PID=$!
	for i in $(seq 150); do
		lpstat -h "$CUPSD_HOST" -r 2>/dev/null | grep >/dev/null "scheduler is running" && return 0
		kill -0 "$CUPSD_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$c/log/cupsd.out" >&2
	tail -20 "$c/log/error_log" >&2 2>/dev/null || true
	return 1
}

stop_cupsd() {
	local i pid=$CUPSD_PID
	[ -n "$pid" ] || return 0
	CUPSD_PID=
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
