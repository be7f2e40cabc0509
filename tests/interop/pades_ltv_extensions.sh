#!/bin/bash
# tests/interop/pades_ltv_extensions.sh: validation data added after an eseal seal as LTV tools write it: a /DSS
# (certificates) with the catalog's /Extensions /ESIC level 5, then the same /DSS object redefined in place with
# more certificates, a CRL and a /VRI, /Extensions gaining /ADBE level 5 (DSS and Acrobat accept both). The seal
# still passes, as pdfsig judges it. Siblings that still fail: the same update also rewriting the page content;
# /Extensions changed with no validation data, time-stamp or signature beside it (nothing legitimate does that:
# reported as a modification); /Extensions holding something other than developer extensions dictionaries.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
UPD="python3 $ESEAL_SRC/tests/interop/pades_updates.py"
PDF=$SAMPLES/documents/japanese.pdf

vjson() { # CODE FILE
	expect_exit "$1" timeout 60 "$ESEAL" verify --json --trust "$ROOT" "$2"
}
pdfsig_valid() { # FILE N: pdfsig finds N signatures, all valid
	pdfsig -nocert "$1" >"$D/pdfsig.txt" 2>&1 || true
	[ "$(grep -c "Signature is Valid" "$D/pdfsig.txt")" -eq "$2" ] || fail "pdfsig on $(basename "$1"): $(cat "$D/pdfsig.txt")"
}

"$ESEAL" seal -p demo-bb -o "$D/sealed.pdf" "$PDF"
$UPD dss "$D/sealed.pdf" "$D/dss1.pdf" "$CHAIN" "$CRL" esic
$UPD dss "$D/dss1.pdf" "$D/dss2.pdf" "$CHAIN" "$CRL" esic+adbe
# the DSS object is the same number in both updates, defined twice
root=$(qpdf --show-object=trailer "$D/dss2.pdf" | grep -Eo "/Root [0-9]+" | cut -d' ' -f2)
dss=$(qpdf --show-object="$root" "$D/dss2.pdf" | grep -Eo "/DSS [0-9]+" | cut -d' ' -f2)
[ "$(grep -ac "^$dss 0 obj" "$D/dss2.pdf")" -eq 2 ] || fail "the DSS (object $dss) is not redefined in place"
qpdf --show-object="$dss" "$D/dss2.pdf" | grep "/VRI" >/dev/null || fail "the DSS in place lacks its /VRI"
for f in dss1 dss2; do
	qpdf_ok "$D/$f.pdf"
	pdfsig_valid "$D/$f.pdf" 1
	vjson 0 "$D/$f.pdf"
	expect_seal 0 TOTAL-PASSED None
	[ "$(jf "d['seals'][0]['modified_after']")" = False ] || fail "$f: modified_after set"
	jf "'\n'.join(d['seals'][0]['warnings'])" | grep "validation data (DSS)" >/dev/null ||
		fail "$f: no warning naming the validation data: $(head -c 1500 "$OUT")"
done
pass "DSS added with /Extensions ESIC 5, then redefined in place with ADBE 5: TOTAL-PASSED, as pdfsig judges"

# Siblings.
$UPD dss "$D/dss1.pdf" "$D/page.pdf" "$CHAIN" "$CRL" esic+adbe page
renders_differ "$D/sealed.pdf" "$D/page.pdf"
vjson 1 "$D/page.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: page content stream"
$UPD extensions "$D/sealed.pdf" "$D/ext-alone.pdf"
qpdf_ok "$D/ext-alone.pdf"
vjson 1 "$D/ext-alone.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: catalog /Extensions changed with no validation data"
$UPD dss "$D/dss1.pdf" "$D/ext-bad.pdf" "$CHAIN" "$CRL" bad
vjson 1 "$D/ext-bad.pdf"
expect_seal 0 TOTAL-FAILED None "modified after sealing: catalog /Extensions changed into something other"
pass "DSS with the page rewritten, /Extensions alone or holding other keys: TOTAL-FAILED, modified"
