#!/bin/bash
# tests/server/csc_batch.sh: a bulk seal through a csc: key gathers the hashes of documents sealed at once into few
# signHash calls (counted in the real service's audit log), every output refereed (xmlsec1, pdfsig, qpdf, eseal
# verify); csc-batch = 1 sends one call per document; -j 1 does not wait for company; a failed call fails each
# document it carried with the service's error (69), and the batch ends.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
source "$ESEAL_SRC/tests/server/lib.sh"
make_certs

CLIENTS=$D/clients
expect_exit 0 "$ESEAL" client add --clients-file "$CLIENTS" --name app --profile demo-bb
install -m 600 "$OUT" token
{
	printf '[server]\nlisten = 127.0.0.1:0\nclients-file = %s\naudit-log = %s/audit.log\n' "$CLIENTS" "$D"
	printf 'tls-cert = %s/server-chain.pem\ntls-key = %s/server.key\nwork-dir = %s\nmax-per-client = 64\n\n' \
		"$D" "$D" "$D"
	sed -n '/^\[profile demo-bb\]$/,/^$/p' "$ESEAL_CONFIG"
} >serve.conf
start_server serve.conf S
URL="https://127.0.0.1:$PORT_S/csc/v2"
cat >client.conf <<CONF
[profile remote]
key = csc:$URL?credential=demo-bb
csc-token-file = $D/token
csc-ca = $ROOT
level = B-B

[profile remote-single]
key = csc:$URL?credential=demo-bb
csc-token-file = $D/token
csc-ca = $ROOT
level = B-B
csc-batch = 1
CONF

# docs DIR: 20 small XML invoices and 20 PDFs, each different.
docs() {
	mkdir -p "$1"
	for i in $(seq 20); do
		sed "s|</cbc:ID>|-$i-$RANDOM</cbc:ID>|" "$SAMPLES/documents/invoice-ubl.xml" >"$1/inv$i.xml"
		cp "$SAMPLES/documents/report.pdf" "$1/rep$i.pdf"
		printf '%% %s %s\n' "$i" "$RANDOM" >>"$1/rep$i.pdf"
	done
}
# signhash_lines: the service's signHash audit lines so far, as "N_HASHES RESULT" per call.
signhash_lines() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "signHash":
        print(len(e["hashes"]), e["result"])' audit.log
}
# refereed DIR: every output of DIR verifies with xmlsec1 or pdfsig (+ qpdf), and with eseal verify.
refereed() {
	local f n=0
	for f in $(find "$1" -name '*.xml'); do
		xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
			--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$f" >/dev/null 2>&1 ||
			fail "xmlsec1 rejects $f"
		n=$((n + 1))
	done
	for f in $(find "$1" -name '*.pdf'); do
		pdfsig_check "$f" 1 whole
		qpdf --check "$f" >/dev/null || fail "qpdf --check rejects $f"
		n=$((n + 1))
	done
	[ "$n" = 40 ] || fail "$1 holds $n sealed documents, not 40"
	expect_exit 0 timeout 120 "$ESEAL" verify --json --trust "$ROOT" $(find "$1" -name '*.xml' -o -name '*.pdf')
	python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(r) == 40 and all(x["indication"] == "TOTAL-PASSED" for x in r), [x.get("indication") for x in r]' "$OUT" ||
		fail "eseal verify does not report 40 seals TOTAL-PASSED"
}

# --- batched: 40 documents, -j 8, fewer signHash calls than documents -----------------------------------------------
docs in
expect_exit 0 timeout 150 "$ESEAL" seal --config client.conf -p remote -j 8 --out-dir out in/*
signhash_lines >calls1
calls=$(wc -l <calls1)
hashes=$(awk '{s += $1} END {print s}' calls1)
[ "$hashes" = 40 ] || fail "the service signed $hashes hashes for 40 documents: $(cat calls1)"
grep -qv ' ok$' calls1 && fail "a signHash call failed: $(cat calls1)"
[ "$calls" -lt 40 ] || fail "40 documents took $calls signHash calls: no batching ($(tr '\n' ' ' <calls1))"
refereed out
pass "40 documents (-j 8) through csc: in $calls signHash calls (hashes per call: $(cut -d' ' -f1 calls1 | sort -n | uniq -c | awk '{printf "%sx%s ", $1, $2}')), every output refereed"

# --- csc-batch = 1: one call per document ---------------------------------------------------------------------------
: >audit.log
expect_exit 0 timeout 150 "$ESEAL" seal --config client.conf -p remote-single -j 8 --out-dir out1 in/*
signhash_lines >calls2
[ "$(wc -l <calls2)" = 40 ] && [ "$(cut -d' ' -f1 calls2 | sort -u)" = 1 ] ||
	fail "csc-batch = 1 did not send one hash per call: $(tr '\n' ' ' <calls2)"
refereed out1
pass "csc-batch = 1: 40 signHash calls of one hash each, every output refereed"

# --- -j 1: nobody to wait for, so no waiting (each call one hash, no slower than csc-batch = 1) ----------------------
: >audit.log
mkdir -p one
cp in/inv1.xml in/inv2.xml in/inv3.xml in/rep1.pdf one/
expect_exit 0 timeout 60 "$ESEAL" seal --config client.conf -p remote -j 1 --out-dir out2 one/*
[ "$(signhash_lines | wc -l)" = 4 ] || fail "-j 1: $(signhash_lines | wc -l) calls for 4 documents"
pass "-j 1 through a batching signer: 4 documents, 4 calls, no deadlock"

# --- a call that fails fails each document it carried, with the service's explanation (69) -------------------------
d=$(mktemp -d "$D/mis.XXXXXX")
setsid python3 "$ESEAL_SRC/tests/server/csc_misbehaving.py" batch503 "$PKI/eseal.pem" "$d/port" </dev/null \
	>"$d/log" 2>&1 &
echo "$!" >"$ESEAL_TMP_ROOT/mis-batch503.pid"
for i in $(seq 100); do
	[ -s "$d/port" ] && break
	sleep 0.05
done
[ -s "$d/port" ] || fail "csc_misbehaving.py did not start: $(cat "$d/log")"
printf '[profile bare]\nlevel = B-B\n' >bare.conf
mkdir -p few
cp in/inv1*.xml few/
n=$(ls few | wc -l)
expect_exit 69 timeout 60 "$ESEAL" seal --config bare.conf -p bare --key "csc:http://127.0.0.1:$(cat "$d/port")/csc/v2?credential=x" \
	--csc-token-file token -j 8 --json --out-dir out3 few/*
[ "$(grep -c '"status":"remote"\|"class":"remote"\|remote' "$OUT")" -ge "$n" ] ||
	fail "not every document failed with the remote error: $(cat "$OUT")"
[ "$(grep -c 'HSM offline' "$OUT")" -ge "$n" ] || fail "the service's explanation is not in each document's error: $(cat "$OUT")"
[ -z "$(find out3 -type f 2>/dev/null)" ] || fail "a failed batch wrote outputs"
mcalls=$(grep -c signHash "$d/calls")
[ "$mcalls" -lt "$n" ] || fail "$n documents took $mcalls signHash calls to the failing service"
pass "a failing service (503 at signHash): each of $n documents fails with its explanation (69) after $mcalls calls"
