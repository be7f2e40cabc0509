#!/bin/bash
# tests/interop/xades_enveloped_alternatives.sh: the classic alternatives to URI="" + enveloped-signature that other
# XAdES producers write: URI="#xpointer(/)", URI="#xpointer(id('X'))" naming the root, and the XPath 1.0 transforms
# not(ancestor-or-self::ds:Signature) (every signature out) and XML-DSig's here() form (this one out). Each is signed
# by xmlsec1 from a template, refereed by xmlsec1 --verify, and must pass with the node set xmlsec computes named in
# `coverage`. Siblings that still fail: with every signature out of the digest, a forged ds:Signature carrying an
# amount, or an empty one splitting the covered amount's text (the reader sees "10"); wrapping through
# xpointer(id()) (the signed root moved into a wrapper, a duplicate Id); an XPointer we do not evaluate.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
ATTACK="python3 $ESEAL_SRC/tests/verify/xml_attack.py"
XP1() { echo "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>$1</ds:XPath></ds:Transform>"; }
HERE_FORM='count(ancestor-or-self::ds:Signature | here()/ancestor::ds:Signature[1]) &gt; count(ancestor-or-self::ds:Signature)'

# --- URI="#xpointer(/)" (the node set keeps comments; exclusive C14N without comments drops them again) ---
xs_invoice xpointer-root.xml "#xpointer(/)" "$XS_ENV$XS_EXC"
xs_referee_ok xpointer-root.xml
xs_eseal 0 xpointer-root.xml 0 TOTAL-PASSED True '^the whole document \(URI "#xpointer\(/\)"\)$'
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "xpointer(/): level $(jf "d['seals'][0]['level']")"
# ... and with C14N WithComments the comments are covered: xmlsec1 rejects an edited comment, and so do we.
xs_invoice xpointer-comments.xml "#xpointer(/)" "$XS_ENV<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"/>"
xs_referee_ok xpointer-comments.xml
xs_eseal 0 xpointer-comments.xml 0 TOTAL-PASSED True '^the whole document \(URI "#xpointer\(/\)"\) with its comments$'
sed 's/issued by the supplier/issued by the attacker/' xpointer-comments.xml >xpointer-comments-edit.xml
xs_referee_no xpointer-comments-edit.xml
verify_json 1 xpointer-comments-edit.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch: the document changed after sealing"
sed 's/issued by the supplier/issued by the attacker/' xpointer-root.xml >xpointer-root-comment.xml
xs_referee_ok xpointer-root-comment.xml
xs_eseal 0 xpointer-root-comment.xml 0 TOTAL-PASSED True
sed 's/>1000</>9000</' xpointer-root.xml >xpointer-root-amount.xml
xs_referee_no xpointer-root-amount.xml
verify_json 1 xpointer-root-amount.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch: the document changed after sealing"
pass "URI=#xpointer(/): TOTAL-PASSED B-B, comments covered only WithComments (as xmlsec1 judges); an edited amount fails"

# --- URI="#xpointer(id('inv'))" naming the root ---
xs_invoice xpointer-id.xml "#xpointer(id('inv'))" "$XS_ENV$XS_EXC" ' Id="inv"'
xs_referee_ok xpointer-id.xml
xs_eseal 0 xpointer-id.xml 0 TOTAL-PASSED True "^the whole document \(URI \"#xpointer\(id\('inv'\)\)\": its root\)$"
# Wrapping through it: the signed root moved into a wrapper under a forged root (xmlsec1 still accepts), or a second
# element with the Id.
perl -0777 -pe 's|<Invoice xmlns="urn:example:invoice" Id="inv">(.*?)(<ds:Signature .*</ds:Signature>)</Invoice>|<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">9000</Amount><Hidden><Invoice Id="inv">$1</Invoice></Hidden>$2</Invoice>|s' \
	xpointer-id.xml >xpointer-wrap.xml
grep -q "<Hidden>" xpointer-wrap.xml || fail "test set-up: wrapping not applied"
xs_referee_ok xpointer-wrap.xml
xs_eseal 1 xpointer-wrap.xml 0 TOTAL-FAILED False
errors_match 0 "signature wrapping"
sed 's|<Invoice xmlns="urn:example:invoice" Id="inv">|&<Copy Id="inv"><Amount currency="JPY">9000</Amount></Copy>|' \
	xpointer-id.xml >xpointer-dup.xml
verify_json 1 xpointer-dup.xml
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE 'Id "inv" is used by two elements'
# An XPointer expression other than these is not evaluated.
xs_invoice xpointer-expr.xml "#xpointer(//*[local-name()='Amount'])" "$XS_EXC"
xs_referee_ok xpointer-expr.xml
verify_json 2 xpointer-expr.xml
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "an XPointer form that is not verified"
pass "URI=#xpointer(id('inv')) on the root: TOTAL-PASSED; wrapped root, duplicate Id: TOTAL-FAILED; other XPointers not evaluated"

# --- XPath 1.0 not(ancestor-or-self::ds:Signature) (every signature out) and the here() form (this one out) ---
xs_invoice xpath-not.xml "" "$(XP1 'not(ancestor-or-self::ds:Signature)')$XS_EXC"
xs_referee_ok xpath-not.xml
xs_eseal 0 xpath-not.xml 0 TOTAL-PASSED True \
	'^the whole document \(URI ""\) but every ds:Signature in it \(XPath not\(ancestor-or-self::ds:Signature\)\)$'
xs_invoice xpath-here.xml "" "$(XP1 "$HERE_FORM")$XS_EXC"
xs_referee_ok xpath-here.xml
xs_eseal 0 xpath-here.xml 0 TOTAL-PASSED True '^the whole document$'
# A prefix bound elsewhere is another expression: it would keep the signatures in (xmlsec1 cannot verify then).
xs_invoice xpath-otherprefix.xml "" "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath xmlns:x=\"urn:example:invoice\">not(ancestor-or-self::x:Amount)</ds:XPath></ds:Transform>$XS_ENV$XS_EXC"
xs_referee_ok xpath-otherprefix.xml
xs_eseal 1 xpath-otherprefix.xml 0 TOTAL-FAILED False
errors_match 0 "uses transform .*xpath.* that can leave content unsigned"
pass "XPath not(ancestor-or-self::ds:Signature) and the here() form: TOTAL-PASSED; another XPath still refused"

# XSW through "every signature out": a forged ds:Signature carrying an amount before the real one, an empty one
# inside the covered amount's text. xmlsec1 accepts both (they are outside the digest); we do not.
FORGED_SIG='<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue><ds:Object><Amount xmlns="urn:example:invoice" currency="JPY">9000</Amount></ds:Object></ds:Signature>'
sed "s|<Amount currency=\"JPY\">1000</Amount>|$FORGED_SIG&|" xpath-not.xml >xpath-forged.xml
[ "$(xmllint --xpath 'string((//*[local-name()="Amount"])[1])' xpath-forged.xml)" = 9000 ] || fail "test set-up: reader"
xs_referee_ok --node-id sig --id-attr:Id Signature xpath-forged.xml
xs_eseal 1 xpath-forged.xml 1 TOTAL-FAILED False
[ "$(jf "d['seals'][1]['id']")" = sig ] || fail "forged signature: seal 1 is not the genuine one"
errors_match 1 "element <Amount> \(namespace urn:example:invoice, line [0-9]+\) in a ds:Object of the signature"
[ "$(jf "d['indication']")" = TOTAL-FAILED ] || fail "forged signature: overall $(jf "d['indication']")"
sed 's|<Amount currency="JPY">10\(00\)</Amount>|<Amount currency="JPY">10<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>\1</Amount>|' \
	xpath-not.xml >xpath-split.xml
[ "$(xmllint --xpath 'string((//*[local-name()="Amount"])[1]/text()[1])' xpath-split.xml)" = 10 ] || fail "test set-up: split"
xs_referee_ok --node-id sig --id-attr:Id Signature xpath-split.xml
xs_eseal 1 xpath-split.xml 1 TOTAL-FAILED False
errors_match 1 "another ds:Signature, which this seal's XPath leaves unsigned, stands inside the text of <Amount>"
# The same forged signature beside a seal whose transform takes out only itself is covered: the digest breaks.
sed "s|<Amount currency=\"JPY\">1000</Amount>|$FORGED_SIG&|" xpath-here.xml >xpath-here-forged.xml
xs_referee_no --node-id sig --id-attr:Id Signature xpath-here-forged.xml
verify_json 1 xpath-here-forged.xml
pass "XPath leaving every signature out: a forged ds:Signature with an amount, or one splitting the amount: TOTAL-FAILED"
