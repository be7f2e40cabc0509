#!/bin/bash
# samples/demo/services.sh start|stop|check DIR: the loopback services of a demo/test directory made by mkpki.sh:
# the TSA (tests/lib/tsa_server.py, also serving the CRLs and CA certificates) and the OCSP responder
# (tests/lib/ocsp_server.py: `openssl ocsp -index` over the issuing CA's database), on the 127.0.0.1 ports that
# mkpki.sh baked into the certificates (DIR/http.port, DIR/ocsp.port). Pids in DIR/tsa.pid and DIR/ocsp.pid, logs
# in DIR/tsa.log and DIR/ocsp.log. `stop` is idempotent; `check` exits non-zero unless both answer correctly.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 start|stop|check DIR" >&2; exit 64; }
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$(cd "$HERE/../../tests/lib" && pwd)
ACTION=$1
DIR=$(cd "$2" 2>/dev/null && pwd) || { [ "$ACTION" = stop ] && exit 0; echo "services: no directory $2" >&2; exit 66; }

# Loopback only: no proxy from the environment may get in between (openssl and libcurl honour http_proxy).
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# running PID: the process exists, is not a zombie (our daemons are reparented; a zombie still answers kill -0)
# and is one of our servers (a stale pid file must not make us signal an unrelated process).
running() {
	local st
	st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep >/dev/null '_server\.py'
}
alive() { [ -s "$1" ] && running "$(cat "$1")"; }

stop_one() { # PIDFILE
	local pid i
	[ -s "$1" ] || { rm -f "$1"; return 0; }
	pid=$(cat "$1")
	if running "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 50); do
			running "$pid" || break
			sleep 0.1
		done
		running "$pid" && kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$1"
}

# One TSA round trip and two OCSP questions, judged by openssl itself.
check() {
	local t
	t=$(mktemp -d)
	head -c 4096 /dev/urandom >"$t/data"
	openssl ts -query -data "$t/data" -sha256 -cert -out "$t/q.tsq" 2>/dev/null
	python3 "$LIB/http_post.py" "$(cat "$DIR/tsa.url")" application/timestamp-query "$t/q.tsq" "$t/r.tsr" ||
		{ rm -rf "$t"; echo "services: TSA at $(cat "$DIR/tsa.url") does not answer" >&2; return 1; }
	openssl ts -verify -in "$t/r.tsr" -queryfile "$t/q.tsq" -CAfile "$DIR/pki/root.pem" \
		-untrusted "$DIR/pki/ca.pem" >/dev/null 2>"$t/err" ||
		{ cat "$t/err" >&2; rm -rf "$t"; echo "services: TSA reply does not verify" >&2; return 1; }
	rm -rf "$t"
	openssl ocsp -issuer "$DIR/pki/ca.pem" -cert "$DIR/pki/eseal.pem" -url "$(cat "$DIR/ocsp.url")" \
		-CAfile "$DIR/pki/root.pem" -timeout 5 2>/dev/null | grep >/dev/null "eseal.pem: good" ||
		{ echo "services: OCSP does not say eseal.pem is good" >&2; return 1; }
	openssl ocsp -issuer "$DIR/pki/ca.pem" -cert "$DIR/pki/revoked.pem" -url "$(cat "$DIR/ocsp.url")" \
		-CAfile "$DIR/pki/root.pem" -timeout 5 2>/dev/null | grep >/dev/null "revoked.pem: revoked" ||
		{ echo "services: OCSP does not say revoked.pem is revoked" >&2; return 1; }
}

case $ACTION in
start)
	for f in http.port ocsp.port tsa.url ocsp.url pki/tsa.pem pki/ocsp.pem; do
		[ -s "$DIR/$f" ] || { echo "services: $DIR/$f missing (run samples/demo/mkpki.sh $DIR first)" >&2; exit 66; }
	done
	alive "$DIR/tsa.pid" || {
		rm -f "$DIR/tsa.pid"
		# setsid + all fds redirected: the daemon must not keep a caller's pipe (ctest, $(...)) open.
		# ESEAL_DEMO_PUBLISH_CRL=1: the root CA publishes a CRL whenever asked (see tsa_server.py).
		setsid python3 "$LIB/tsa_server.py" --dir "$DIR" --port "$(cat "$DIR/http.port")" --www "$DIR/www" \
			--pid-file "$DIR/tsa.pid" ${ESEAL_DEMO_PUBLISH_CRL:+--publish-root-crl} </dev/null \
			>>"$DIR/tsa.log" 2>&1 &
	}
	alive "$DIR/ocsp.pid" || {
		rm -f "$DIR/ocsp.pid"
		setsid python3 "$LIB/ocsp_server.py" --dir "$DIR" --port "$(cat "$DIR/ocsp.port")" \
			--pid-file "$DIR/ocsp.pid" </dev/null >>"$DIR/ocsp.log" 2>&1 &
	}
	for i in $(seq 100); do
		alive "$DIR/tsa.pid" && alive "$DIR/ocsp.pid" && break
		sleep 0.1
	done
	if ! alive "$DIR/tsa.pid" || ! alive "$DIR/ocsp.pid"; then
		echo "services: TSA or OCSP did not start; logs:" >&2
		tail -n 5 "$DIR/tsa.log" "$DIR/ocsp.log" >&2 || true
		exit 69
	fi
	check || { tail -n 5 "$DIR/tsa.log" "$DIR/ocsp.log" >&2 || true; exit 69; }
	echo "services: TSA $(cat "$DIR/tsa.url") and OCSP $(cat "$DIR/ocsp.url") up"
	;;
stop)
	stop_one "$DIR/tsa.pid"
	stop_one "$DIR/ocsp.pid"
	;;
check)
	check
	;;
*)
	echo "usage: $0 start|stop|check DIR" >&2
	exit 64
	;;
esac
