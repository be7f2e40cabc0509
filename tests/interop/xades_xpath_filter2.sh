#!/bin/bash
# tests/interop/xades_xpath_filter2.sh: XPath Filter 2.0 (http://www.w3.org/2002/06/xmldsig-filter2) on the data
# Reference, as DSS writes it (subtract /descendant::ds:Signature) and in its here() form (subtract this signature),
# also after an intersect with the whole document; signed by xmlsec1, refereed by xmlsec1 --verify. The expressions
# are evaluated and the node set they leave is named in `coverage` (with one signature in the document, subtracting
# every signature takes out this one only). Siblings that still fail: a forged ds:Signature
# carrying an amount beside a seal subtracting every signature (XSW through the filter), a filter subtracting the
# amount (xmlsec1 then accepts an edited amount) or intersecting with one element.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
source "$ESEAL_SRC/tests/interop/xades_lib.sh"
D=$(tmpdir)
cd "$D"
F2() { # FILTER EXPRESSION [NAMESPACE-DECLARATIONS]
	echo "<ds:Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\"><f:XPath xmlns:f=\"http://www.w3.org/2002/06/xmldsig-filter2\" ${3:-}Filter=\"$1\">$2</f:XPath></ds:Transform>"
}
F2T() { # the same, one transform holding several XPath elements: FILTER EXPRESSION ...
	local x=""
	while [ $# -gt 0 ]; do
		x="$x<f:XPath Filter=\"$1\">$2</f:XPath>"
		shift 2
	done
	echo "<ds:Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\" xmlns:f=\"http://www.w3.org/2002/06/xmldsig-filter2\">$x</ds:Transform>"
}

xs_invoice dss.xml "" "$(F2 subtract /descendant::ds:Signature)$XS_EXC"
xs_referee_ok dss.xml
xs_eseal 0 dss.xml 0 TOTAL-PASSED True \
	'^the whole document \(URI ""\) but this ds:Signature \(XPath Filter 2.0 subtract /descendant::ds:Signature\)$'
[ "$(jf "d['seals'][0]['level']")" = B-B ] || fail "DSS-style filter: level $(jf "d['seals'][0]['level']")"
xs_invoice here.xml "" "$(F2 subtract 'here()/ancestor::ds:Signature[1]')$XS_EXC"
xs_referee_ok here.xml
xs_eseal 0 here.xml 0 TOTAL-PASSED True \
	'^the whole document \(URI ""\) but this ds:Signature \(XPath Filter 2.0 subtract here\(\)/ancestor::ds:Signature\[1\]\)$'
xs_invoice intersect.xml "" "$(F2T intersect / subtract '//ds:Signature')$XS_EXC"
xs_referee_ok intersect.xml
xs_eseal 0 intersect.xml 0 TOTAL-PASSED True 'but this ds:Signature \(XPath Filter 2.0 subtract //ds:Signature\)$'
sed 's/>1000</>9000</' dss.xml >dss-amount.xml
xs_referee_no dss-amount.xml
verify_json 1 dss-amount.xml
expect_seal 0 TOTAL-FAILED HASH_FAILURE "digest mismatch: the document changed after sealing"
pass "XPath Filter 2.0 subtracting every signature (DSS), this one (here()), after intersect /: TOTAL-PASSED, node set named"

# XSW through the filter: a forged ds:Signature carrying an amount, outside the digest (xmlsec1 accepts).
FORGED_SIG='<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue><ds:Object><Amount xmlns="urn:example:invoice" currency="JPY">9000</Amount></ds:Object></ds:Signature>'
sed "s|<Amount currency=\"JPY\">1000</Amount>|$FORGED_SIG&|" dss.xml >dss-forged.xml
[ "$(xmllint --xpath 'string((//*[local-name()="Amount"])[1])' dss-forged.xml)" = 9000 ] || fail "test set-up: reader"
xs_referee_ok --node-id sig --id-attr:Id Signature dss-forged.xml
xs_eseal 1 dss-forged.xml 1 TOTAL-FAILED False
[ "$(jf "d['seals'][1]['id']")" = sig ] || fail "forged signature: seal 1 is not the genuine one"
errors_match 1 "element <Amount> \(namespace urn:example:invoice, line [0-9]+\) in a ds:Object of the signature"
# The here() form takes out only this signature: the forged one is covered and breaks the digest.
sed "s|<Amount currency=\"JPY\">1000</Amount>|$FORGED_SIG&|" here.xml >here-forged.xml
xs_referee_no --node-id sig --id-attr:Id Signature here-forged.xml
verify_json 1 here-forged.xml
expect_seal 1 TOTAL-FAILED HASH_FAILURE "digest mismatch"
# A filter subtracting the amount: xmlsec1 accepts the edited amount, we refuse the transform.
xs_invoice sub-amount.xml "" "$(F2T subtract 'here()/ancestor::ds:Signature[1]')$(F2 subtract '//i:Amount' 'xmlns:i="urn:example:invoice" ')$XS_EXC"
sed 's/>1000</>9000</' sub-amount.xml >sub-amount-edit.xml
xs_referee_ok sub-amount-edit.xml
xs_eseal 1 sub-amount-edit.xml 0 TOTAL-FAILED False
errors_match 0 "uses transform http://www.w3.org/2002/06/xmldsig-filter2 that can leave content unsigned"
# Intersecting with one element leaves the rest unsigned.
xs_invoice int-payee.xml "" "$(F2 intersect '//i:Payee' 'xmlns:i="urn:example:invoice" ')$XS_EXC"
xs_referee_ok int-payee.xml
xs_eseal 1 int-payee.xml 0 TOTAL-FAILED False
errors_match 0 "xmldsig-filter2 that can leave content unsigned"
pass "XSW through Filter 2.0 (forged ds:Signature with an amount), a filter subtracting the amount or keeping one element: TOTAL-FAILED"
