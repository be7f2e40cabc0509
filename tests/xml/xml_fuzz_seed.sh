#!/bin/bash
# tests/xml/xml_fuzz_seed.sh: the fuzz stage's XML seeds (tests/fuzz/mkseed_xml.sh) include signatures that xmlsec1
# verifies, and a seed that cannot be made stops the script with a reason instead of vanishing: xmlsec1 failing to
# sign, or signing something that does not verify.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
MKSEED="$ESEAL_SRC/tests/fuzz/mkseed_xml.sh"
bash "$MKSEED" "$D/seeds" >"$D/log" 2>&1 || fail "mkseed_xml.sh failed: $(cat "$D/log")"
for f in xmlsec-enveloped xmlsec-ubl; do
	assert_file "$D/seeds/$f.xml"
	grep -q "<ds:SignatureValue>[A-Za-z0-9+/]" "$D/seeds/$f.xml" || fail "$f seed holds no signature value"
done
grep -q "here()/ancestor::sig:UBLDocumentSignatures" "$D/seeds/xmlsec-ubl.xml" || fail "UBL seed lacks UBL's XPath"
[ "$(ls "$D/seeds"/*.xml | wc -l)" -ge 5 ] || fail "seeds missing: $(ls "$D/seeds")"
pass "XML fuzz seeds: the samples and two xmlsec1 signatures (enveloped, UBL) that verify"

# A stand-in xmlsec1 first on PATH: failing to sign, then "signing" into an unsigned copy.
mkdir "$D/bin"
REAL=$(command -v xmlsec1)
cat >"$D/bin/xmlsec1" <<SH
#!/bin/bash
[ "\$1" = --sign ] || exec "$REAL" "\$@"
[ "\$XMLSEC_FAKE" = fail ] && { echo "fake xmlsec1: cannot load key" >&2; exit 1; }
while [ \$# -gt 1 ]; do [ "\$1" = --output ] && out=\$2; shift; done
cp "\$1" "\$out"
SH
chmod +x "$D/bin/xmlsec1"
expect_exit 1 env PATH="$D/bin:$PATH" XMLSEC_FAKE=fail bash "$MKSEED" "$D/lost1"
assert_grep "mkseed_xml: xmlsec1 cannot sign the enveloped seed: fake xmlsec1: cannot load key" "$ERR"
expect_exit 1 env PATH="$D/bin:$PATH" XMLSEC_FAKE=copy bash "$MKSEED" "$D/lost2"
assert_grep "mkseed_xml: the signed enveloped seed does not verify" "$ERR"
pass "a signed XML seed that cannot be made fails the seed step loudly (xmlsec1 failing, or its output not verifying)"
