#!/bin/bash
# tests/interop/tsa_same_second.sh: a signature time-stamp and the document (PAdES) or archive (CAdES) time-stamp over
# it made in the same second (two TSAs whose clocks faketime stops at one instant), one TSA's certificate valid one
# year, the other's four: the verdict, the level and the date to renew by do not depend on which token is met first
# (the one that proves longer counts: the four-year TSA's), and two runs give the same report. Referee: pdfsig (the
# signature and the document time-stamp valid).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
command -v faketime >/dev/null || fail "faketime is needed (Debian package faketime)"
D=$(tmpdir)

demo_tsa_cert "One-year TSA" 1 "$D/tsa1.key" "$D/tsa1.pem"
demo_tsa_cert "Long TSA" 4 "$D/tsa4.key" "$D/tsa4.pem"
# (the TSAs' clocks stand at this second: every token they make has this genTime)
FROZEN=$(date -u '+%Y-%m-%d %H:%M:%S')
TSA1=$(TZ=UTC TSA_FAKETIME=$FROZEN start_tsa ok --signer "$D/tsa1.pem" "$D/tsa1.key")
TSA4=$(TZ=UTC TSA_FAKETIME=$FROZEN start_tsa ok --signer "$D/tsa4.pem" "$D/tsa4.key")
sleep 1 # (a genTime of the same second as real time would prove nothing about the freeze)
TSA4_END=$(date -u -d "$(openssl x509 -in "$D/tsa4.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)

cp "$SAMPLES/documents/report.pdf" "$D/report.pdf"
printf 'bill of quantities, lot 9\n' >"$D/boq.txt"
# sig: the TSA of the signature time-stamp; lta: the TSA of the document / archive time-stamp.
for order in "1 4" "4 1"; do
	set -- $order
	sig=TSA$1 lta=TSA$2
	mkdir "$D/bt-$1$2" "$D/lta-$1$2"
	cp "$D/boq.txt" "$D/bt-$1$2/"
	cp "$D/boq.txt" "$D/lta-$1$2/"
	"$ESEAL" seal -p demo --tsa "${!sig}" -o "$D/bt-$1$2.pdf" "$D/report.pdf"
	"$ESEAL" seal -p demo --tsa "${!sig}" --format cades -o "$D/bt-$1$2/boq.txt.p7s" "$D/boq.txt"
done
publish_crl root # (after the time-stamps: revocation data of the CA issued after them)
for order in "1 4" "4 1"; do
	set -- $order
	lta=TSA$2
	"$ESEAL" extend -p demo --level B-LTA --tsa "${!lta}" -o "$D/lta-$1$2.pdf" "$D/bt-$1$2.pdf"
	"$ESEAL" extend -p demo --level B-LTA --tsa "${!lta}" -o "$D/lta-$1$2/boq.txt.p7s" "$D/bt-$1$2/boq.txt.p7s"
done
pdfsig_lta "$D/lta-14.pdf" 1 1
pdfsig_lta "$D/lta-41.pdf" 1 1

for f in lta-14.pdf lta-41.pdf lta-14/boq.txt.p7s lta-41/boq.txt.p7s; do
	for run in 1 2; do
		OUT=$D/$f.$run.json
		expect_exit 0 "$ESEAL" verify --json --trust "$ROOT" --trust "$D/tsa1.pem" --trust "$D/tsa4.pem" "$D/$f"
	done
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "$f: $(head -c 1500 "$OUT")"
	# both tokens in the same second, the one that proves longer counts, in either order
	[ "$(jf "d['seals'][0]['timestamp_time'][:19]")" = "${FROZEN/ /T}" ] || fail "$f: the signature time-stamp's genTime is not $FROZEN: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][0]['renew_by']")" = "$TSA4_END" ] || fail "$f: renew_by $(jf "d['seals'][0]['renew_by']"), want the four-year TSA's $TSA4_END"
	# the same report twice (but the validation time)
	strip='import json,sys; d=json.loads(open(sys.argv[1]).readline()); d.pop("validation_time", None); print(json.dumps(d, sort_keys=True))'
	[ "$(python3 -c "$strip" "$D/$f.1.json")" = "$(python3 -c "$strip" "$D/$f.2.json")" ] || fail "$f: two runs differ"
done
for o in 14 41; do
	OUT=$D/lta-$o.pdf.1.json
	[ "$(jf "d['seals'][1]['timestamp_time'][:19]")" = "${FROZEN/ /T}" ] || fail "lta-$o.pdf: the document time-stamp is not of $FROZEN: $(head -c 1500 "$OUT")"
done
pass "signature and document / archive time-stamps of one second, in either order: TOTAL-PASSED B-LTA, renew by the longer proof"
