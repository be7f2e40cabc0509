#!/bin/bash
# tests/xml/xml_bad_input.sh: hostile or broken XML (malformed, XXE, external parameter entity, billion laughs,
# unwritable output, wrong placement) is refused with a one-line message naming the file, the documented exit
# code, no output file and the input untouched. Entity declarations of any kind are refused (xml_read_policy.sh
# holds the rest of the reading policy the sealer shares with the verifier).
source "$ESEAL_SRC/tests/lib/env.sh"

PY=/usr/bin/python3
CHECK="$PY $ESEAL_SRC/tests/xml/xades_check.py"
D=$(tmpdir)
cd "$D"
SEAL=("$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb)

# refused CODE REGEX FILE [CLI args]: exit CODE, stderr matches REGEX and names FILE, no output, input unchanged.
refused() {
	local code=$1 re=$2 f=$3 before
	shift 3
	before=$(sha256sum <"$f")
	rm -rf "$D/out"
	mkdir "$D/out"
	expect_exit "$code" "${SEAL[@]}" "$@" -o "$D/out/sealed.xml" "$f"
	assert_grep "$re" "$ERR"
	grep -qF "$(basename "$f")" "$ERR" || fail "message does not name $f: $(cat "$ERR")"
	[ "$(wc -l <"$ERR")" -le 2 ] || fail "message for $f is not short: $(cat "$ERR")"
	[ -z "$(ls -A "$D/out")" ] || fail "output left behind for $f: $(ls -A "$D/out")"
	[ "$(sha256sum <"$f")" = "$before" ] || fail "$f was modified"
}

printf '<?xml version="1.0"?>\n<a><b></a>\n' >malformed.xml
refused 65 "not well-formed XML: line 2" malformed.xml
pass "malformed XML"

printf '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>\n' >xxe.xml
refused 65 "declares entities \('x'\): refused \(XXE" xxe.xml
! grep -q "root:" "$ERR" || fail "XXE leaked /etc/passwd into the message"
pass "XXE (file:///etc/passwd) refused"

# An external parameter entity pointing at a listener of ours: refused, and never fetched.
python3 - "$D/port" "$D/hits" <<'PYEOF' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5); s.settimeout(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
try:
    c, _ = s.accept(); open(sys.argv[2], "w").write("hit"); c.close()
except socket.timeout:
    pass
PYEOF
listener=$!
for i in $(seq 100); do [ -s "$D/port" ] && break; sleep 0.05; done
port=$(cat "$D/port")
printf '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY %% p SYSTEM "http://127.0.0.1:%s/evil.dtd"> %%p;]>\n<r>x</r>\n' "$port" >xxe-pe.xml
refused 65 "declares entities \('p'\)" xxe-pe.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:%s/r.dtd">\n<r>x</r>\n' "$port" >ext-dtd.xml
expect_exit 0 "${SEAL[@]}" -o "$D/ext-dtd-sealed.xml" ext-dtd.xml
grep -q "<!DOCTYPE r SYSTEM \"http://127.0.0.1:$port/r.dtd\">" "$D/ext-dtd-sealed.xml" || fail "DOCTYPE not kept"
kill "$listener" 2>/dev/null || true
wait "$listener" 2>/dev/null || true
assert_no_file "$D/hits"
pass "external parameter entity refused; an external DTD is kept but never fetched"

{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE lolz ['
	echo ' <!ENTITY lol "lol">'
	prev=lol
	for i in 1 2 3 4 5 6 7 8 9; do
		printf ' <!ENTITY lol%s "' $i
		for j in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' $prev; done
		echo '">'
		prev=lol$i
	done
	echo ']>'
	echo '<lolz>&lol9;</lolz>'
} >laughs.xml
/usr/bin/time -f "%M" -o "$D/laughs.rss" "${SEAL[@]}" -o "$D/laughs-sealed.xml" laughs.xml 2>"$D/laughs.err" &&
	fail "billion laughs accepted"
assert_no_file "$D/laughs-sealed.xml"
grep -q "laughs.xml: the document declares entities ('lol'): refused (XXE / entity expansion" "$D/laughs.err" ||
	fail "billion laughs message: $(cat "$D/laughs.err")"
[ "$(tail -1 "$D/laughs.rss")" -lt 300000 ] || fail "billion laughs took $(tail -1 "$D/laughs.rss") KB"
pass "billion laughs refused in bounded memory ($(tail -1 "$D/laughs.rss") KB)"

# A byte Shift_JIS cannot decode (CP932's NEC special "①", banned from electronic deliverables anyway): refused
# with the encoding named, rather than sealed over text some verifiers would decode differently.
printf '<?xml version="1.0" encoding="Shift_JIS"?>\n<a>\x87\x40</a>\n' >cp932.xml
refused 65 "character encoding: input conversion failed" cp932.xml
pass "undecodable Shift_JIS byte refused"

# Outputs that cannot be written: missing directory, an existing directory, a read-only file system.
cp "$SAMPLES/documents/generic-ns.xml" doc.xml
expect_exit 74 "${SEAL[@]}" -o "$D/missing/dir/out.xml" doc.xml
assert_grep "missing/dir/out.xml" "$ERR"
mkdir "$D/isdir.xml"
expect_exit 74 "${SEAL[@]}" -o "$D/isdir.xml" doc.xml
mkdir "$D/ro"
if mount -t tmpfs -o ro tmpfs "$D/ro" 2>/dev/null; then
	expect_exit 74 "${SEAL[@]}" -o "$D/ro/out.xml" doc.xml
	assert_grep "Read-only file system" "$ERR"
	umount "$D/ro"
fi
expect_exit 74 "${SEAL[@]}" -o "$D/out.xml" "$D/no-such-input.xml"
assert_no_file "$D/out.xml"
pass "unwritable output and missing input: exit 74, no output"

# An encoding libxml2 reads but cannot write back readably (UTF-7, UTF-32, HZ: the declaration itself comes out
# encoded) is refused before an output exists; a sealed file no reader can open would have exit 0.
printf '<?xml version="1.0" encoding="UTF-7"?>\n<a>x</a>\n' >utf7.xml
refused 65 "its encoding UTF-7 cannot be written back readably" utf7.xml
pass "UTF-7 document refused (its sealed form would not be readable)"

# Placement that does not fit the document.
refused 65 "placement ubl needs a UBL" doc.xml --placement ubl
refused 65 "placement fatturapa needs a FatturaElettronica" doc.xml --placement fatturapa
pass "placement mismatch refused"

# B-T with a TSA that answers HTTP 500: retry-later exit code, message names the document, no output.
bad_tsa=$(start_tsa http500)
expect_exit 69 "${SEAL[@]}" --level B-T --tsa "$bad_tsa" --tsa-ca "$ROOT" -o "$D/bt.xml" doc.xml
assert_grep "doc.xml" "$ERR"
assert_no_file "$D/bt.xml"
pass "failing TSA: exit 69, no output"
