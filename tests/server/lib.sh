# tests/server/lib.sh: sourced by the tests of `eseal serve` after tests/lib/env.sh, from inside their directory:
# make_certs (the service's certificate from the fixture's issuing CA, a client's, a foreign one) and start_server.

# make_certs: server.pem/.key (IP 127.0.0.1) and server-chain.pem, client.pem/.key (clientAuth), both from the demo
# issuing CA, and foreign.pem/.key (self-signed: a CA the service does not know).
make_certs() {
	issue() { # NAME SUBJECT EXTENSIONS
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
			-subj "$2" 2>/dev/null || fail "cannot make a request for $1"
		printf '%s\n' "$3" >"$1.ext"
		openssl x509 -req -in "$1.csr" -CA "$CA" -CAkey "$PKI/ca/ca.key" -set_serial "0x$(openssl rand -hex 12)" \
			-days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null || fail "cannot issue $1"
		cat "$1.pem" "$CA" >"$1-chain.pem"
	}
	issue server "/O=eseal test/CN=eseal serve" \
		"$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1')"
	issue client "/O=eseal test/CN=app client" \
		"$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth')"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout foreign.key -out foreign.pem -days 2 \
		-subj "/O=somebody else/CN=foreign client" 2>/dev/null || fail "cannot make the foreign client certificate"
	openssl verify -CAfile "$ROOT" -untrusted "$CA" -purpose sslserver server.pem >/dev/null || fail "server.pem"
	chmod 600 server.key
}

# start_server CONF NAME: starts eseal serve in the background; sets PORT_<NAME> and PID_<NAME>.
start_server() {
	local conf=$1 name=$2 i port=
	: >"$name.log" # before the background shell opens it: the loop below reads it at once
	setsid "$ESEAL" serve --config "$conf" </dev/null >"$name.out" 2>"$name.log" &
	eval "PID_$name=$!"
	echo "$!" >"$ESEAL_TMP_ROOT/serve-$name.pid"
	for i in $(seq 300); do
		port=$(sed -n 's/.*listening on https*:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$name.log")
		[ -n "$port" ] && break
		kill -0 "$(eval echo "\$PID_$name")" 2>/dev/null || fail "eseal serve ($name) died: $(cat "$name.log")"
		sleep 0.1
	done
	[ -n "$port" ] || fail "eseal serve ($name) did not start: $(cat "$name.log")"
	eval "PORT_$name=$port"
}

