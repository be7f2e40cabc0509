#!/bin/bash
# tests/verify/verify_xades.sh: `eseal verify` on XML: our XAdES seals (enveloped, UBL 2.1, FatturaPA; B-B/B-T) and
# an xmlsec1 template signature pass (xmlsec1 --verify referees the same files); an edited invoice amount, XML
# signature wrapping (moved root, duplicate Id), a time-stamp taken from another signature, XXE and an entity bomb
# are reported and never pass; a revoked certificate and a XAdES without DataObjectFormat are reported (unsigned
# content carrying forged data: tests/xml/xml_verify_unsigned.sh). Detached XAdES: passes beside its data (xmlsec1 agrees); pasted into a forged
# invoice it covers nothing a reader sees; data URIs outside the directory (.., %2e%2e, absolute, file:), symbolic
# links on the path and FIFOs are never read; percent-escaped names are decoded once.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
ATTACK="python3 $ESEAL_SRC/tests/verify/xml_attack.py"
referee() {
	xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$@" >/dev/null 2>&1
}

"$ESEAL" seal -p demo -o "$D/generic.xml" "$SAMPLES/documents/generic-ns.xml"
"$ESEAL" seal -p demo-bb -o "$D/generic-bb.xml" "$SAMPLES/documents/generic-ns.xml"
"$ESEAL" seal -p demo --placement ubl -o "$D/ubl.xml" "$SAMPLES/documents/invoice-ubl.xml"
"$ESEAL" seal -p demo-ec --placement ubl -o "$D/ubl-ec.xml" "$SAMPLES/documents/invoice-ubl.xml"
"$ESEAL" seal -p demo --placement fatturapa -o "$D/fattura.xml" "$SAMPLES/documents/fattura.xml"
referee "$D/ubl.xml" || fail "referee xmlsec1 rejects our UBL seal"

for f in generic ubl ubl-ec fattura; do
	verify_json 0 "$D/$f.xml"
	expect_fields
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['format']")" = XAdES ] || fail "$f: format"
	[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "$f: level $(jf "d['seals'][0]['level']")"
	[ "$(jf "d['seals'][0]['organization_identifier']")" = NTRJP-1234567890123 ] || fail "$f: identifier"
	[ "$(jf "d['seals'][0]['signing_time'] is not None and d['seals'][0]['timestamp_time'] is not None")" = True ] ||
		fail "$f: times"
done
verify_json 0 "$D/generic-bb.xml"
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "B-B level"
pass "own XAdES enveloped / UBL / FatturaPA (RSA, EC) B-T and B-B: TOTAL-PASSED"

# xmlsec1 template signature over an invoice whose root is referenced by Id.
cat >"$D/tmpl.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:example:invoice" Id="inv"><Amount currency="JPY">1000</Amount><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="#inv"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature></Invoice>
XML
xmlsec1 --sign --id-attr:Id Invoice --privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output "$D/xmlsec.xml" "$D/tmpl.xml"
referee --id-attr:Id Invoice "$D/xmlsec.xml" || fail "referee rejects the xmlsec1 signature"
verify_json 0 "$D/xmlsec.xml"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = None ] || fail "plain XML-DSig reaches no XAdES level"
# Signing the KeyInfo too (as some tools do) is not wrapping: it lies inside the signature.
sed -e 's|</Reference></SignedInfo>|</Reference><Reference URI="#ki"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo>|' \
	-e 's|<KeyInfo>|<KeyInfo Id="ki">|' "$D/tmpl.xml" >"$D/tmpl-ki.xml"
xmlsec1 --sign --id-attr:Id Invoice --id-attr:Id KeyInfo --privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" \
	--output "$D/xmlsec-ki.xml" "$D/tmpl-ki.xml"
verify_json 0 "$D/xmlsec-ki.xml"
pass "xmlsec1 template signatures (also with a signed KeyInfo): TOTAL-PASSED (no XAdES level)"

$ATTACK amount "$D/ubl.xml" "$D/amount.xml"
verify_json 1 "$D/amount.xml"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "changed after sealing"
pass "edited invoice amount: TOTAL-FAILED/HASH_FAILURE"

$ATTACK wrap "$D/xmlsec.xml" "$D/wrap.xml"
# Plain XML-DSig checking accepts the wrapped file: the Reference still resolves to the (hidden) original.
referee --id-attr:Id Invoice "$D/wrap.xml" || fail "the wrapping test file must fool a plain XML-DSig check"
verify_json 1 "$D/wrap.xml"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "not the document root"
$ATTACK dup-id "$D/xmlsec.xml" "$D/dup.xml"
verify_json 1 "$D/dup.xml"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "used by two elements"
pass "XML signature wrapping (moved root, duplicate Id): TOTAL-FAILED/FORMAT_FAILURE"

# An XPath transform that leaves the amount out of the digest: plain XML-DSig accepts the edited amount, we do not.
sed -e 's|<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>|<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath xmlns:i="urn:example:invoice">not(ancestor-or-self::i:Amount)</XPath></Transform>&|' \
	"$D/tmpl.xml" >"$D/tmpl-xpath.xml"
xmlsec1 --sign --id-attr:Id Invoice --privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output "$D/xpath.xml" \
	"$D/tmpl-xpath.xml"
sed 's/>1000</>9000</' "$D/xpath.xml" >"$D/xpath-edit.xml"
referee --id-attr:Id Invoice "$D/xpath-edit.xml" || fail "the XPath test file must fool a plain XML-DSig check"
verify_json 1 "$D/xpath-edit.xml"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "can leave content unsigned"
pass "XPath transform excluding signed content: TOTAL-FAILED/FORMAT_FAILURE"

"$ESEAL" seal -p demo --placement ubl -o "$D/other.xml" "$SAMPLES/documents/invoice-ubl.xml"
$ATTACK tst-swap "$D/ubl.xml" "$D/tst-swap.xml" "$D/other.xml"
verify_json 1 "$D/tst-swap.xml"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "time-stamp"
pass "time-stamp over a different signature: TOTAL-FAILED/HASH_FAILURE"

for m in xxe bomb; do
	$ATTACK "$m" "$D/generic.xml" "$D/$m.xml"
	expect_exit 65 "$ESEAL" verify --json --trust "$ROOT" "$D/$m.xml"
	[ "$(jf "d['error']")" != None ] || fail "$m: file error expected"
	[[ "$(jf "d['error']")" == *entit* ]] || fail "$m: reason"
done
$ATTACK attlist "$D/generic.xml" "$D/attlist.xml"
expect_exit 65 "$ESEAL" verify --json --trust "$ROOT" "$D/attlist.xml"
[[ "$(jf "d['error']")" == *attributes* ]] || fail "attlist: reason"
pass "XXE, entity bomb and DTD attribute (ID) declarations refused"

# A revoked e-Seal certificate (the fixture's OCSP responder says so): with a time-stamp after the revocation the
# seal is TOTAL-FAILED/REVOKED; without one nothing proves it predates the revocation (INDETERMINATE/REVOKED_NO_POE).
"$ESEAL" seal -p demo --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked-bt.xml" \
	"$SAMPLES/documents/generic-ns.xml"
"$ESEAL" seal -p demo-bb --key "$KEY_URI_REVOKED" --cert "$PKI/revoked-chain.pem" -o "$D/revoked-bb.xml" \
	"$SAMPLES/documents/generic-ns.xml"
for f in revoked-bt revoked-bb; do
	referee "$D/$f.xml" || fail "referee xmlsec1 rejects $f (the signature itself must be intact)"
done
verify_json 1 "$D/revoked-bt.xml"
expect_seal 0 TOTAL-FAILED REVOKED "revoked on .*OCSP.*before the time-stamp"
verify_json 2 "$D/revoked-bb.xml"
expect_seal 0 INDETERMINATE REVOKED_NO_POE "revoked"
pass "revoked certificate: B-T TOTAL-FAILED/REVOKED, B-B INDETERMINATE/REVOKED_NO_POE"

# EN 319 132-1 baseline: a DataObjectFormat (with MimeType) for every signed data object. The same xmlsec1-signed
# XAdES with and without it: both verify for xmlsec1; ours passes the first (B-B) and fails the second.
certdig=$(openssl x509 -in "$PKI/dev-eseal.pem" -outform DER | openssl dgst -sha256 -binary | base64)
xades_tmpl() { # OUT SIGNED-DATA-OBJECT-PROPERTIES
	cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:example:invoice"><Amount currency="JPY">1000</Amount><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference Id="ref-doc" URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference><ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#sp"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig"><xades:SignedProperties Id="sp"><xades:SignedSignatureProperties><xades:SigningTime>$(date -u +%Y-%m-%dT%H:%M:%SZ)</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$certdig</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties>$2</xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></Invoice>
XML
	xmlsec1 --sign --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output "${1%.tmpl}" "$1"
	referee "${1%.tmpl}" || fail "referee xmlsec1 rejects ${1%.tmpl}"
}
xades_tmpl "$D/xades-dof.xml.tmpl" '<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference="#ref-doc"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>'
xades_tmpl "$D/xades-nodof.xml.tmpl" ''
xades_tmpl "$D/xades-otherdof.xml.tmpl" '<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference="#elsewhere"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>'
verify_json 0 "$D/xades-dof.xml"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "xmlsec1 XAdES with DataObjectFormat: level $(jf "d['seals'][0]['level']")"
for f in nodof otherdof; do
	verify_json 1 "$D/xades-$f.xml"
	expect_seal 0 TOTAL-FAILED FORMAT_FAILURE \
		"not a XAdES baseline signature: no xades:DataObjectFormat with a MimeType for the Reference ref-doc"
done
pass "XAdES without a DataObjectFormat for its data Reference (none, or naming another): TOTAL-FAILED/FORMAT_FAILURE"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/o.key" -subj "/CN=Other Root" -days 2 -out "$D/other-root.pem" \
	2>/dev/null
expect_exit 2 "$ESEAL" verify --json --trust "$D/other-root.pem" "$D/generic.xml"
expect_seal 0 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND
pass "untrusted root: INDETERMINATE"

# Detached XAdES: data files beside the signature, named by relative URIs; nothing else is ever read.
mkdir "$D/det" "$D/elsewhere"
printf 'drawing data\n' >"$D/det/plan.txt"
cp "$SAMPLES/documents/site-plan.png" "$D/det/site plan.png"
"$ESEAL" seal -p demo --placement detached -o "$D/det/seal.xml" "$D/det/plan.txt" "$D/det/site plan.png"
verify_json 0 "$D/det/seal.xml"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "detached level"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = True ] || fail "a detached signature file covers its data files"
# Referee: xmlsec1 resolves the relative URIs from the current directory, so it runs beside the data.
(cd "$D/det" && referee seal.xml) || fail "referee xmlsec1 rejects the genuine detached seal beside its data"
pass "detached XAdES beside its data: TOTAL-PASSED, xmlsec1 --verify agrees"

# The genuine detached signature pasted into a forged invoice beside the same data: every digest and the
# SignatureValue still verify (plain XML-DSig accepts it), but nothing signs the invoice a reader sees.
$ATTACK envelope "$D/det/seal.xml" "$D/det/forged.xml"
(cd "$D/det" && referee forged.xml) || fail "the pasted-signature test file must fool a plain XML-DSig check"
verify_json 1 "$D/det/forged.xml"
expect_seal 0 TOTAL-FAILED FORMAT_FAILURE "own content is not sealed"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "forged envelope: covers_whole_document"
expect_exit 1 "$ESEAL" verify --trust "$ROOT" "$D/det/forged.xml"
grep -qi "covers whole document: yes" "$OUT" && fail "forged envelope: text report claims whole-document coverage"
grep -q "nothing of this document" "$OUT" || fail "forged envelope: coverage text: $(grep -i covers "$OUT")"
# Not an over-broad fix: a signature inside an invoice that signs the invoice (URI="") and a file beside it passes.
sed -e 's|<Reference URI="#inv">|<Reference URI="">|' \
	-e 's|</Reference></SignedInfo>|</Reference><Reference URI="plan.txt"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo>|' \
	"$D/tmpl.xml" >"$D/det/tmpl-mixed.xml"
(cd "$D/det" && xmlsec1 --sign --privkey-pem "$DEV_KEY,$PKI/dev-eseal.pem,$CA" --output mixed.xml tmpl-mixed.xml)
(cd "$D/det" && referee mixed.xml) || fail "referee rejects the invoice + file signature"
verify_json 0 "$D/det/mixed.xml"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['covers_whole_document']")" = True ] || fail "invoice + file: covers_whole_document"
[[ "$(jf "d['seals'][0]['coverage']")" == "the whole document and the detached data files"* ]] ||
	fail "invoice + file: coverage $(jf "d['seals'][0]['coverage']")"
pass "detached signature pasted into a forged invoice: TOTAL-FAILED/FORMAT_FAILURE, not covering the document"

# A file literally named x%41.txt: its URI is x%2541.txt, decoded once (by xmlsec's rule) to the name sealed, never
# twice to xA.txt (which holds other bytes).
mkdir "$D/pct"
printf 'sealed bytes\n' >"$D/pct/x%41.txt"
printf 'other bytes\n' >"$D/pct/xA.txt"
"$ESEAL" seal -p demo --placement detached -o "$D/pct/seal.xml" "$D/pct/x%41.txt"
grep -q 'URI="x%2541.txt"' "$D/pct/seal.xml" || fail "percent sign not escaped in the Reference URI"
(cd "$D/pct" && referee seal.xml) || fail "referee xmlsec1 rejects the seal over x%41.txt"
verify_json 0 "$D/pct/seal.xml"
expect_seal 0 TOTAL-PASSED None
printf 'changed\n' >"$D/pct/x%41.txt"
verify_json 1 "$D/pct/seal.xml"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "x%2541.txt"
pass "a percent-escaped data file name is decoded once: the file checked is the file digested"

printf 'drawing data, revised\n' >"$D/det/plan.txt"
verify_json 1 "$D/det/seal.xml"
expect_seal 0 TOTAL-FAILED HASH_FAILURE "plan.txt"
cp "$D/det/seal.xml" "$D/elsewhere/"
verify_json 2 "$D/elsewhere/seal.xml"
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "plan.txt not read: not found"
pass "detached XAdES: changed data fails, missing data is not found"

# URIs that leave the signature's directory or name a scheme are never read (a copy of the data sits where each
# points, so only the refusal keeps them from verifying).
printf 'drawing data, revised\n' >"$D/elsewhere/plan.txt"
for u in "../../../../../../etc/passwd" "%2e%2e/elsewhere/plan.txt" "%2E%2E/elsewhere/plan.txt" \
	"$D/elsewhere/plan.txt" "file:plan.txt" "file://$D/elsewhere/plan.txt" "plan.txt#xpointer(/)"; do
	sed "s|URI=\"plan.txt\"|URI=\"$u\"|" "$D/det/seal.xml" >"$D/det/escape.xml"
	grep -qF "URI=\"$u\"" "$D/det/escape.xml" || fail "test set-up: URI $u not substituted"
	verify_json 2 "$D/det/escape.xml"
	expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "cannot be verified"
	[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "URI $u: covers_whole_document"
done
pass "detached XAdES: .., %2e%2e/, absolute and file: URIs and fragments are refused, never read"

# A symbolic link anywhere on the path (here: the subdirectory) is not followed, even though the file it leads
# to holds exactly the sealed bytes.
mkdir -p "$D/link/sub" "$D/outside"
printf 'site data\n' >"$D/link/sub/data.bin"
"$ESEAL" seal -p demo --placement detached -o "$D/link/seal.xml" "$D/link/sub/data.bin"
verify_json 0 "$D/link/seal.xml"
expect_seal 0 TOTAL-PASSED None
mv "$D/link/sub/data.bin" "$D/outside/data.bin"
rmdir "$D/link/sub"
ln -s ../outside "$D/link/sub"
verify_json 2 "$D/link/seal.xml"
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "sub/data.bin not read: a symbolic link"
[ "$(jf "d['seals'][0]['covers_whole_document']")" = False ] || fail "symlinked directory: covers_whole_document"
rm "$D/link/sub"
mkdir "$D/link/sub"
ln -s ../../outside/data.bin "$D/link/sub/data.bin"
verify_json 2 "$D/link/seal.xml"
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "sub/data.bin not read: a symbolic link"
pass "detached XAdES: a symlinked subdirectory or data file leading outside is not read"

# A FIFO in place of a data file: opening it must not wait for a writer (verification would never end).
rm "$D/link/sub/data.bin"
mkfifo "$D/link/sub/data.bin"
expect_exit 2 timeout 30 "$ESEAL" verify --json --trust "$ROOT" "$D/link/seal.xml"
expect_seal 0 INDETERMINATE SIGNED_DATA_NOT_FOUND "sub/data.bin not read: not a regular file"
pass "detached XAdES: a FIFO as data file is refused at once"
