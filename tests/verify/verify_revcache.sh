#!/bin/bash
# tests/verify/verify_revcache.sh: the verifier's revocation cache. One `eseal verify` over N XAdES + PAdES seals of
# the same key asks the OCSP responder and the CRL server a constant number of times (not once or twice per file),
# and reports exactly what one call per file reports (a revoked key's seal inside the batch stays REVOKED, the good
# ones after it stay TOTAL-PASSED). With both responders down (they accept and never answer), every file is
# INDETERMINATE/TRY_LATER as before, but the run costs about one timeout per responder, not one per file. A CRL server
# that replays an old CRL (expired an hour ago; OCSP unreachable) gives TRY_LATER, not a pass, and the stale CRL is
# not cached (fetched again for the next file); the same server with the current CRL passes (referee openssl crl).
# The responders run in a private network namespace on the ports baked into the fixture's certificates, so their
# logs count this test's requests only. Referees: xmlsec1 --verify and pdfsig on samples of the same files.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
N=20
TIMEOUT_S=5 # the verifier's default OCSP/CRL timeout (eseal_verifier_options.timeout_ms = 0)

# A network namespace of our own: root uses it directly, others through a user namespace.
if [ "$(id -u)" = 0 ]; then NS=(unshare -n); else NS=(unshare -rn); fi
"${NS[@]}" true 2>/dev/null || fail "cannot create a network namespace (${NS[*]}): needed to run private responders"

# --- the batch: N invoices sealed by the demo key (B-T), 3 PDFs, one invoice sealed by the revoked key ---
mkdir "$D/in" "$D/xml"
python3 "$ESEAL_SRC/tests/bench/make_docs.py" invoices "$N" "$D/in" >/dev/null
(cd "$D/in" && "$ESEAL" seal -p demo --json --out-dir "$D/xml" -- *.xml) >"$D/seal.json"
[ "$(grep -c '"status":"sealed"' "$D/seal.json")" = "$N" ] || fail "sealing the batch: $(head -c 800 "$D/seal.json")"
for i in 1 2 3; do
	"$ESEAL" seal -p demo -o "$D/doc$i.pdf" "$SAMPLES/documents/report.pdf"
done
"$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked.xml" \
	"$SAMPLES/documents/invoice-ubl.xml"
xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
	--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$D/xml/inv-000007.xml" >/dev/null 2>&1 ||
	fail "referee xmlsec1 rejects a sealed invoice of the batch"
pdfsig_check "$D/doc2.pdf" 1 whole
pass "batch of $N XAdES + 3 PAdES (demo key) + 1 XAdES (revoked key) sealed; xmlsec1 and pdfsig accept samples"

# The revoked seal sits in the middle: good certificates before and after it share the issuer and the responder.
FILES=()
for i in $(seq 0 $((N - 1))); do
	FILES+=("$D/xml/$(printf 'inv-%06d.xml' "$i")")
	[ "$i" = 9 ] && FILES+=("$D/revoked.xml" "$D/doc1.pdf" "$D/doc2.pdf" "$D/doc3.pdf")
done

# Reference: one `eseal verify` per file against the fixture's responders (a new verifier, an empty cache each).
: >"$D/ref.json"
for f in "${FILES[@]}"; do
	"$ESEAL" verify --json --trust "$ROOT" "$f" >>"$D/ref.json" || true
done

# ns_verify MODE OUT: runs `eseal verify --json` over FILES in a private network namespace where, on the fixture's
# OCSP and HTTP (CRL) ports, MODE=up runs our own responders (logs $D/ocsp.log, $D/www.log), MODE=down a
# listener that accepts connections and never answers, MODE=www:DIR only the CRL server, serving DIR (log $D/www.log). Writes the exit status and the seconds taken to OUT.rc/.time.
cat >"$D/ns.sh" <<'EOF'
set -euo pipefail
mode=$1 out=$2
shift 2
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
ip link set lo up
OP=$(cat "$TE/ocsp.port") HP=$(cat "$TE/http.port")
# Emptied here, not by the servers' redirections: those run in the background, and a log still saying "listening"
# from the previous call would let the verifier start before this call's servers listen.
: >"$D/ocsp.log"
: >"$D/www.log"
: >"$D/blackhole.log"
if [ "$mode" = up ]; then
	python3 "$LIB/ocsp_server.py" --dir "$TE" --port "$OP" </dev/null >"$D/ocsp.log" 2>&1 &
	pids+=($!)
	python3 "$LIB/tsa_server.py" --dir "$TE" --port "$HP" --www "$TE/www" </dev/null >"$D/www.log" 2>&1 &
	pids+=($!)
elif [ "${mode%%:*}" = www ]; then
	python3 "$LIB/tsa_server.py" --dir "$TE" --port "$HP" --www "${mode#www:}" </dev/null >"$D/www.log" 2>&1 &
	pids+=($!)
else
	python3 -c 'import socket, sys, time
socks = []
for p in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(p)))
    s.listen(1024)
    socks.append(s)
print("listening", flush=True)
time.sleep(600)' "$OP" "$HP" </dev/null >"$D/blackhole.log" 2>&1 &
	pids+=($!)
fi
for i in $(seq 100); do
	if [ "$mode" = up ]; then
		grep -q listening "$D/ocsp.log" 2>/dev/null && grep -q listening "$D/www.log" 2>/dev/null && break
	elif [ "${mode%%:*}" = www ]; then
		grep -q listening "$D/www.log" 2>/dev/null && break
	else
		grep -q listening "$D/blackhole.log" 2>/dev/null && break
	fi
	sleep 0.1
done
t0=$(date +%s.%N)
rc=0
"$ESEAL" verify --json --trust "$ROOT" "$@" >"$out" || rc=$?
t1=$(date +%s.%N)
echo "$rc" >"$out.rc"
python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1" >"$out.time"
EOF
ns_verify() {
	ns_verify_files "$@" "${FILES[@]}"
}
ns_verify_files() { # MODE OUT FILE...
	TE=$TE LIB=$ESEAL_SRC/tests/lib D=$D ESEAL=$ESEAL ROOT=$ROOT "${NS[@]}" bash "$D/ns.sh" "$@"
}

# --- responders up: few requests, same verdicts as one call per file ---
ns_verify up "$D/batch.json"
[ "$(cat "$D/batch.json.rc")" = 1 ] || fail "batch: exit $(cat "$D/batch.json.rc"), want 1 (the revoked seal): $(head -c 800 "$D/batch.json")"
python3 - "$D/ref.json" "$D/batch.json" <<'PY' || fail "the batch's reports differ from one call per file"
import json, sys
# validation_time is each call's clock ("now"): the only field that may differ.
ref = [dict(json.loads(l), validation_time=None) for l in open(sys.argv[1])]
got = [dict(json.loads(l), validation_time=None) for l in open(sys.argv[2])]
assert len(ref) == len(got) == len(set(r["file"] for r in ref)), (len(ref), len(got))
for r, g in zip(ref, got):
    if r != g:
        sys.exit("%s: alone %s\nin the batch %s" % (r["file"], json.dumps(r), json.dumps(g)))
for r in got:
    s = r["seals"][0]
    want = ("TOTAL-FAILED", "REVOKED") if r["file"].endswith("revoked.xml") else ("TOTAL-PASSED", None)
    if (s["indication"], s["sub_indication"]) != want or len(r["seals"]) != 1:
        sys.exit("%s: %s/%s, want %s/%s" % ((r["file"], s["indication"], s["sub_indication"]) + want))
PY
grep -q 'revoked on .*OCSP' <<<"$(grep revoked.xml "$D/batch.json")" || fail "the revoked seal's reason names no OCSP revocation"
ocsp=$(grep -c '"POST ' "$D/ocsp.log" || true)
crl=$(grep -c '"GET /[a-z]*\.crl' "$D/www.log" || true)
# Without the cache: 2 OCSP requests per file (signing and TSA certificate) and 2 CRLs (the CA's, in both chains).
# With it: one per certificate (demo e-Seal, revoked e-Seal, TSA) and one for the root's CRL of the CA certificate.
[ "$ocsp" -ge 1 ] && [ "$ocsp" -le 4 ] || fail "OCSP responder asked $ocsp times for ${#FILES[@]} files, want 1..4"
[ "$crl" -le 2 ] || fail "CRLs fetched $crl times for ${#FILES[@]} files, want <= 2"
pass "${#FILES[@]} files in one call: $ocsp OCSP requests, $crl CRL fetches (not ~$((2 * ${#FILES[@]})) each); reports identical to one call per file, revoked seal TOTAL-FAILED/REVOKED"

# --- responders down (accept, never answer): TRY_LATER as before, in about one timeout per responder ---
ns_verify down "$D/down.json"
[ "$(cat "$D/down.json.rc")" = 2 ] || fail "responders down: exit $(cat "$D/down.json.rc"), want 2: $(head -c 800 "$D/down.json")"
python3 - "$D/down.json" "${#FILES[@]}" <<'PY' || fail "responders down: wrong verdicts"
import json, re, sys
got = [json.loads(l) for l in open(sys.argv[1])]
assert len(got) == int(sys.argv[2]), len(got)
for r in got:
    s = r["seals"][0]
    if (s["indication"], s["sub_indication"]) != ("INDETERMINATE", "TRY_LATER"):
        sys.exit("%s: %s/%s, want INDETERMINATE/TRY_LATER" % (r["file"], s["indication"], s["sub_indication"]))
    if not any(re.search(r"revocation status of the signing certificate unknown: .*(Timeout|not asked again)", e)
               for e in s["errors"]):
        sys.exit("%s: no reason naming the unanswered responder: %s" % (r["file"], s["errors"]))
PY
t=$(cat "$D/down.json.time")
# Two responders (OCSP, CRL server) time out once each; without the negative cache every file waits for both.
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 3 * $TIMEOUT_S else 1)" "$t" ||
	fail "responders down: ${#FILES[@]} files took ${t}s, want < $((3 * TIMEOUT_S))s (one timeout per responder)"
pass "responders down: all ${#FILES[@]} files INDETERMINATE/TRY_LATER in ${t}s (< 3 x ${TIMEOUT_S}s timeout)"

# --- a replayed old CRL over plain http: the CRL server answers with a CRL of the issuing CA made two hours ago and
# valid one hour (gencrl under faketime); the OCSP responder is unreachable. Two B-B seals (no time-stamp: no TSA).
mkdir "$D/www-stale" "$D/crl"
cp "$TE/www/"* "$D/www-stale/"
gencrl "$D/crl" "$D/www-stale/ca.crl" 1 faketime -f -2h
next=$(openssl crl -inform DER -in "$D/www-stale/ca.crl" -noout -nextupdate | cut -d= -f2)
[ "$(date -u -d "$next" +%s)" -lt "$(($(date -u +%s) - 3000))" ] || fail "referee openssl crl: nextUpdate $next is not an hour ago"
openssl crl -inform DER -in "$TE/www/ca.crl" -noout -nextupdate >"$D/next.txt"
[ "$(date -u -d "$(cut -d= -f2 "$D/next.txt")" +%s)" -gt "$(date -u +%s)" ] || fail "the fixture's CRL is not current"
for i in 1 2; do
	"$ESEAL" seal -p demo-bb -o "$D/bb$i.pdf" "$SAMPLES/documents/report.pdf"
done
ns_verify_files "www:$D/www-stale" "$D/stale.json" "$D/bb1.pdf" "$D/bb2.pdf"
[ "$(cat "$D/stale.json.rc")" = 2 ] || fail "stale CRL: exit $(cat "$D/stale.json.rc"), want 2: $(head -c 1500 "$D/stale.json")"
python3 - "$D/stale.json" <<'PY' || fail "stale CRL: wrong verdicts"
import json, re, sys
got = [json.loads(l) for l in open(sys.argv[1])]
assert len(got) == 2, len(got)
for r in got:
    s = r["seals"][0]
    if (s["indication"], s["sub_indication"]) != ("INDETERMINATE", "TRY_LATER"):
        sys.exit("%s: %s/%s, want INDETERMINATE/TRY_LATER" % (r["file"], s["indication"], s["sub_indication"]))
    if not any(re.search(r"signing certificate unknown: .*CRL outside its validity period \(issued .*, next update .*\)"
                         r": not current \(http://127\.0\.0\.1:\d+/ca\.crl\)", e) for e in s["errors"]):
        sys.exit("%s: no reason naming the stale CRL: %s" % (r["file"], s["errors"]))
PY
[ "$(grep -c '"GET /ca\.crl' "$D/www.log" || true)" = 2 ] ||
	fail "the stale CRL must be fetched once per file (never cached): $(grep GET "$D/www.log" || true)"
ns_verify_files "www:$TE/www" "$D/current.json" "$D/bb1.pdf" "$D/bb2.pdf"
[ "$(cat "$D/current.json.rc")" = 0 ] || fail "current CRL: exit $(cat "$D/current.json.rc"), want 0: $(head -c 1500 "$D/current.json")"
[ "$(grep -c '"GET /ca\.crl' "$D/www.log" || true)" = 1 ] || fail "the current CRL should be fetched once and cached"
pass "replayed stale CRL over http (OCSP down): INDETERMINATE/TRY_LATER, not cached; the current CRL passes and is cached"
