#!/bin/bash
# tests/xml/xml_read_policy.sh: the sealer reads XML under the verifier's own policy (xml/xml_read.c): a document
# nested 100,000 or 3,000 deep, or declaring an internal entity or an attribute list, is refused when sealing (65, no
# output, never a crash) with exactly the message `eseal verify` gives for it; a batch holding such a document
# seals the others. What both accept (256 levels, a text node above libxml2's default 10 MB limit) is sealed and
# verified, and xmlsec1 agrees.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
cd "$D"
SEAL=("$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo-bb)
referee() {
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$1" >"$D/xmlsec.log" 2>&1 ||
		fail "xmlsec1 rejects $1: $(tail -3 "$D/xmlsec.log")"
}

python3 - <<'PYEOF'
import base64, os
def nested(name, depth):
    with open(name, "w") as f:
        f.write('<?xml version="1.0"?>\n' + "<a>" * depth + "x" + "</a>" * depth + "\n")
nested("deep100k.xml", 100000)
nested("deep3000.xml", 3000)
nested("deep256.xml", 256)
with open("entity.xml", "w") as f:
    f.write('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY co "Sample &amp; Co.">]>\n<r>&co; <x a="1"/></r>\n')
with open("attlist.xml", "w") as f:
    f.write('<?xml version="1.0"?>\n<!DOCTYPE r [<!ATTLIST x ref ID #IMPLIED>]>\n<r><x ref="a"/></r>\n')
with open("attachment.xml", "w") as f:
    f.write('<?xml version="1.0"?>\n<delivery><file name="plan.pdf">%s</file></delivery>\n'
            % base64.b64encode(os.urandom(8 * 1024 * 1024)).decode())
PYEOF
[ "$(stat -c %s attachment.xml)" -gt 11000000 ] || fail "test set-up: the attachment is not above 10 MB"

# refused FILE REGEX: sealing exits 65 (no crash, no output) with REGEX; verify exits 65 with the same message.
refused() {
	local f=$1 re=$2 msg
	rm -f "$D/out.xml"
	expect_exit 65 "${SEAL[@]}" -o "$D/out.xml" "$f"
	assert_no_file "$D/out.xml"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$f: the message is not one line: $(head -c 600 "$ERR")"
	msg=$(sed -n "s|^eseal: $f: ||p" "$ERR")
	[ -n "$msg" ] || fail "$f: the message does not name the file: $(cat "$ERR")"
	grep -Eq -- "$re" <<<"$msg" || fail "$f: message '$msg' does not match '$re'"
	expect_exit 65 "$ESEAL" verify --json --trust "$ROOT" "$f"
	[ "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["error"])' "$OUT")" = "$msg" ] ||
		fail "$f: eseal verify says '$(cat "$OUT")', the sealer said '$msg'"
}
refused deep100k.xml "^elements nested more than 256 deep: refused"
refused deep3000.xml "^elements nested more than 256 deep: refused"
refused entity.xml "^the document declares entities \('co'\): refused"
refused attlist.xml "^the document's DTD declares attributes \(possible ID redefinition\): refused"
pass "100,000 and 3,000 levels deep, an internal entity, an ATTLIST: refused when sealing (65) with verify's message"

# A batch goes on past the refused document.
cp "$SAMPLES/documents/generic-ns.xml" a.xml
cp "$SAMPLES/documents/invoice-ubl.xml" b.xml
mkdir batch
expect_exit 65 "${SEAL[@]}" --json --out-dir batch a.xml deep100k.xml b.xml
cp "$OUT" batch.json
for f in a b; do
	assert_file "batch/$f.xml"
	referee "batch/$f.xml"
	expect_exit 0 "$ESEAL" verify --trust "$ROOT" "batch/$f.xml"
done
assert_no_file batch/deep100k.xml
python3 - batch.json <<'PYEOF' || fail "batch JSON: $(cat batch.json)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
by = {l["input"]: l for l in lines}
assert by["a.xml"]["status"] == "sealed" and by["b.xml"]["status"] == "sealed", by
assert by["deep100k.xml"]["status"] != "sealed" and "nested more than 256" in by["deep100k.xml"]["error"], by
PYEOF
pass "a batch with a 100,000-deep document: exit 65 for it, the others sealed and verified (xmlsec1 agrees)"

# What both sides accept: the deepest document allowed, and an attachment over libxml2's default text limit.
for f in deep256 attachment; do
	expect_exit 0 "${SEAL[@]}" -o "$D/$f-sealed.xml" "$f.xml"
	referee "$D/$f-sealed.xml"
	expect_exit 0 "$ESEAL" verify --trust "$ROOT" "$D/$f-sealed.xml"
done
pass "256 levels and an 11 MB text node: sealed and verified (xmlsec1 agrees)"
