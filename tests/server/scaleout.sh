#!/bin/bash
# tests/server/scaleout.sh: two `eseal serve` instances (same SoftHSM token, own audit logs and work dirs, no shared
# state) behind HAProxy on 127.0.0.1, loaded by wrk and a Python client; one instance SIGKILLed mid-run.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
for tool in haproxy wrk curl xmlsec1; do
	command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh)"
done
source "$ESEAL_SRC/tests/server/lib.sh"

LOAD_SECONDS=16
KILL_AFTER=6
WRK_CONNECTIONS=4

expect_exit 0 "$ESEAL" client add --clients-file "$D/clients" --name app --profile demo-bb
TOKEN=$(cat "$OUT")

# Each instance gets the same clients file (copied, as on separate machines) and the same token; nothing else shared.
config() { # NAME
	mkdir -p "$1/work"
	cp "$D/clients" "$1/clients"
	{
		printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s/%s/clients\naudit-log = %s/%s/audit.log\n' \
			"$D" "$1" "$D" "$1"
		printf 'work-dir = %s/%s/work\nmax-body = 1M\nmax-per-client = 64\n\n' "$D" "$1"
		sed -n '/^\[profile demo-bb\]$/,/^$/p' "$ESEAL_CONFIG"
	} >"$1.conf"
}
config A
config B
start_server A.conf A
start_server B.conf B

LB_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Retries and redispatch only on connection failures: a POST the dead instance may have sealed is never replayed.
cat >haproxy.cfg <<EOF
global
	maxconn 256
	stats socket $D/haproxy.sock mode 600 level admin
	log stdout format raw local0
defaults
	mode http
	log global
	log-format "request %b/%s %ST %tsc"
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	retries 3
	option redispatch 1
	retry-on conn-failure
frontend seal
	bind 127.0.0.1:$LB_PORT
	default_backend eseal
backend eseal
	balance roundrobin
	option httpchk GET /readyz
	http-check expect status 200
	default-server check inter 300ms fall 2 rise 1
	server a 127.0.0.1:$PORT_A
	server b 127.0.0.1:$PORT_B
EOF
haproxy -c -f haproxy.cfg >haproxy.check 2>&1 || fail "haproxy rejects its configuration: $(cat haproxy.check)"
haproxy -db -f haproxy.cfg </dev/null >haproxy.log 2>&1 &
echo "$!" >"$ESEAL_TMP_ROOT/haproxy.pid"
URL=http://127.0.0.1:$LB_PORT

# servers_state: "a=UP b=UP" from the stats socket.
servers_state() {
	python3 - "$D/haproxy.sock" <<'EOF'
import csv, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
rows = csv.DictReader(data.decode().lstrip("# ").splitlines())
print(" ".join(f"{r['svname']}={r['status']}" for r in rows if r["pxname"] == "eseal" and r["svname"] in ("a", "b")))
EOF
}
# (30 s: on a loaded machine the first health checks can be slow; a HAProxy that died, e.g. its port taken between
# the probe above and its bind, is named at once.)
for i in $(seq 300); do
	[ "$(servers_state 2>/dev/null)" = "a=UP b=UP" ] && break
	kill -0 "$(cat "$ESEAL_TMP_ROOT/haproxy.pid")" 2>/dev/null || fail "HAProxy exited: $(cat haproxy.log)"
	sleep 0.1
done
[ "$(servers_state)" = "a=UP b=UP" ] || fail "HAProxy does not see both instances ready: $(servers_state) $(cat haproxy.log)"
pass "two instances ready behind HAProxy (health checks on /readyz)"

# --- load: wrk (keep-alive, bounded time) and a Python client recording every answer, A killed mid-run -------------
cp "$SAMPLES/documents/invoice-ubl.xml" in.xml
cat >post.lua <<EOF
wrk.method = "POST"
wrk.path = "/v1/seal?profile=demo-bb"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/xml"
local f = io.open("$D/in.xml", "rb")
wrk.body = f:read("*a")
f:close()
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
	end
	for s, n in pairs(total) do io.write(string.format("status %d %d\n", s, n)) end
	local e = summary.errors
	io.write(string.format("errors connect=%d read=%d write=%d timeout=%d\n", e.connect, e.read, e.write, e.timeout))
end
EOF
wrk -t2 -c$WRK_CONNECTIONS -d${LOAD_SECONDS}s --timeout 30s -s post.lua "$URL/v1/seal?profile=demo-bb" \
	>wrk.out 2>&1 &
WRK=$!

# One request at a time; each document unique (a comment after the root) so the audit logs can be matched to it.
mkdir answers
python3 - "$URL" "$TOKEN" in.xml answers "$LOAD_SECONDS" >client.log 2>&1 <<'EOF' &
import hashlib, http.client, json, sys, time, urllib.parse
url, token, src, out, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
u = urllib.parse.urlsplit(url)
doc = open(src, "rb").read()
conn, n, end = None, 0, time.time() + seconds
records = []
while time.time() < end:
    n += 1
    body = doc + b"\n<!-- client request %d -->\n" % n
    rec = {"n": n, "start": time.time(), "document_sha256": hashlib.sha256(body).hexdigest()}
    try:
        if conn is None:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("POST", "/v1/seal?profile=demo-bb", body=body,
                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/xml"})
        r = conn.getresponse()
        answer = r.read()
        rec["status"] = r.status
        if r.status == 200:
            rec["output_sha256"] = hashlib.sha256(answer).hexdigest()
            open("%s/%d.xml" % (out, n), "wb").write(answer)
        else:
            rec["answer"] = answer[:300].decode(errors="replace")
        if r.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = None
    except (OSError, http.client.HTTPException) as e:
        rec["status"] = "connection error: %s" % e
        if conn is not None:
            conn.close()
        conn = None
    rec["end"] = time.time()
    records.append(rec)
json.dump(records, open(out + ".json", "w"))
EOF
CLIENT=$!

sleep "$KILL_AFTER"
[ -s A/audit.log ] && [ -s B/audit.log ] || fail "the load is not spread over both instances"
KILLED_AT=$(date +%s.%N)
kill -KILL "$PID_A"
wait "$PID_A" 2>/dev/null || true
for i in $(seq 50); do
	[ "$(servers_state)" = "a=DOWN b=UP" ] && break
	sleep 0.1
done
[ "$(servers_state)" = "a=DOWN b=UP" ] || fail "HAProxy did not mark the killed instance down: $(servers_state)"
DOWN_AT=$(date +%s.%N)
wait "$WRK" || fail "wrk failed: $(cat wrk.out)"
wait "$CLIENT" || fail "the client loop failed: $(cat client.log)"
pass "load for ${LOAD_SECONDS}s (wrk -c$WRK_CONNECTIONS and a client loop), instance A SIGKILLed after ${KILL_AFTER}s"

# --- what the clients saw: 200s, and only retryable failures, no more than the requests A held -------------------
WRK_200=$(sed -n 's/^status 200 \([0-9]*\)$/\1/p' wrk.out)
[ -n "$WRK_200" ] && [ "$WRK_200" -gt 0 ] || fail "wrk got no 200: $(cat wrk.out)"
# A request sent to A just before or just after the kill (on a kept-alive connection HAProxy had not yet seen
# closed) ends in a 502 or in HAProxy closing the client's connection, never retried: A may have sealed it. A wrk
# connection can count both (the 502, then the closed connection), hence two per connection at most.
python3 - wrk.out "$WRK_CONNECTIONS" <<'EOF' || fail "wrk saw failures it should not have: $(cat wrk.out)"
import re, sys
text, conns = open(sys.argv[1]).read(), int(sys.argv[2])
statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
errors = {k: int(v) for k, v in re.findall(r"(connect|read|write|timeout)=(\d+)", text)}
assert set(statuses) <= {200, 502, 503}, statuses
assert errors["timeout"] == 0, errors
assert sum(n for s, n in statuses.items() if s != 200) + sum(errors.values()) <= 2 * conns, (statuses, errors)
EOF
# HAProxy's log names the instance of each request: every failure the clients saw was a request held by A (its
# connection aborted by the kill), apart from connections wrk itself closed at the end of its run (state C...).
python3 - haproxy.log <<'EOF' || fail "HAProxy logged failures on the surviving instance: $(grep -v ' 200 ' haproxy.log)"
import re, sys
requests = re.findall(r"^request (\S+) (-?\d+) (\S+)$", open(sys.argv[1]).read(), re.M)
assert len(requests) > 100, len(requests)
failed = [r for r in requests if (r[1] != "200" or r[2] != "----") and not r[2].startswith("C")]
assert all(r[0] == "eseal/a" for r in failed), failed
EOF
# The client loop's failures: only while A was dead and not yet out of HAProxy's rotation.
python3 - answers.json "$KILLED_AT" "$DOWN_AT" <<'EOF' ||
import json, sys
records, killed, down = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3])
failed = [r for r in records if r["status"] != 200]
for r in failed:
    assert r["status"] in (502, 503) or str(r["status"]).startswith("connection error"), r
    assert r["end"] >= killed and r["start"] <= down, ("a failure outside the kill", killed, down, r)
assert len(failed) <= 2, failed
ok = [r for r in records if r["status"] == 200]
assert any(r["end"] < killed for r in ok) and any(r["start"] > down for r in ok), "no 200 before and after the kill"
EOF
	fail "the client loop saw failures it should not have: $(cat client.log)"
CLIENT_200=$(ls answers | wc -l)
pass "wrk: $WRK_200 answers 200, failures only 502/503 or connection errors, all on the killed instance; client loop: $CLIENT_200 answers 200"

# --- every 200 is a valid seal: xmlsec1 on every answer of the client loop ------------------------------------------
checked=0
for f in $(ls answers | sort -n); do
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "answers/$f" >/dev/null 2>&1 ||
		fail "xmlsec1 rejects answer $f"
	checked=$((checked + 1))
done
[ "$checked" -ge 3 ] || fail "too few answers to check: $checked"
pass "xmlsec1 accepts all $checked answers 200 of the client loop"

# --- the audit logs together account for every 200 -----------------------------------------------------------------
python3 - answers.json A/audit.log B/audit.log "$WRK_200" <<'EOF' || fail "audit logs do not account for the answers"
import json, sys
records = json.load(open(sys.argv[1]))
ok = []
for log in sys.argv[2:4]:
    for line in open(log):
        try:
            entry = json.loads(line)
        except ValueError:
            assert log.startswith("A/") and not line.endswith("\n"), ("a broken audit line", log, line)
            continue
        if entry["result"] == "ok":
            ok.append(entry)
pairs = {(e["document_sha256"], e["output_sha256"]) for e in ok}
for r in records:
    if r["status"] == 200:
        assert (r["document_sha256"], r["output_sha256"]) in pairs, ("a 200 not in any audit log", r)
client_200 = sum(1 for r in records if r["status"] == 200)
assert len(ok) >= client_200 + int(sys.argv[4]), (len(ok), client_200, sys.argv[4])
assert all(e["client"] == "app" and e["profile"] == "demo-bb" for e in ok)
print(len(ok))
EOF
pass "every 200 of the client loop is in an audit log (document and output SHA-256); ok lines >= all 200s"

# B is still in service after the run.
code=$(curl -sS -o last.xml -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @in.xml \
	"$URL/v1/seal?profile=demo-bb") || fail "curl through HAProxy failed after the run"
[ "$code" = 200 ] || fail "after the run: $code $(cat last.xml)"
pass "the surviving instance keeps sealing through HAProxy"
