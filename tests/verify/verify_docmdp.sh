#!/bin/bash
# tests/verify/verify_docmdp.sh: `eseal verify` on certified PDFs (DocMDP, ISO 32000-1 12.8.2.2) with the later
# updates real workflows add: a second seal by eseal, Poppler's pdfsig signing a new field or the form's empty
# signature field, form filling (new or rewritten appearance), annotations added, edited, deleted, validation data
# and a document time-stamp; and the changes no level permits (page content, a moved widget, a new field, an
# appearance or DSS entry that is really the page content). For P=1 (eseal --certify no-changes), P=2
# (--certify form-fill) and P=3 (--certify annotations) each variant gets the verdict the standard gives; another
# tool's P=3 certification (`openssl cms -sign` through tests/verify/pdf_mdp.py) is checked too; so are an existing
# object (the image in a visible seal) named as an appearance and then rewritten, and a read-only field's appearance
# changed. Referees: pdfsig (every signature's bytes valid where the change is permitted), qpdf --check (every
# variant is a well-formed PDF, so a failure is the verifier's judgement, not a broken file) and pdftoppm (the
# refused changes of the newer cases are visible).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
MDP="python3 $ESEAL_SRC/tests/verify/pdf_mdp.py"
ATTACK="python3 $ESEAL_SRC/tests/verify/pdf_attack.py"

# Poppler signs from an NSS database holding the development key.
NSS=$D/nss
dev_nss "$NSS"

# Index in the JSON report of the seal with this id.
seal_index() {
	jf "[i for i, s in enumerate(d['seals']) if s['id'] == '$1'][0]"
}

# The form every certified document starts from: text field "amount", empty signature field "approval", a note.
$MDP form "$SAMPLES/documents/report.pdf" "$D/form.pdf"
qpdf_ok "$D/form.pdf"
"$ESEAL" seal -p demo --certify no-changes -o "$D/p1.pdf" "$D/form.pdf"
"$ESEAL" seal -p demo --certify form-fill -o "$D/p2.pdf" "$D/form.pdf"
"$ESEAL" seal -p demo --certify annotations -o "$D/p3.pdf" "$D/form.pdf"
for p in 1 2 3; do
	qpdf_ok "$D/p$p.pdf"
	pdfsig_all_valid "$D/p$p.pdf" 1 whole
	verify_json 0 "$D/p$p.pdf"
done
sigdict=$(python3 "$ESEAL_SRC/tests/pdf/pdf_sig.py" "$D/p3.pdf" --dict 2>/dev/null)
grep -q '/P 3' <<<"$sigdict" || fail "p3.pdf lacks DocMDP /P 3: $sigdict"
pass "certified P=1, P=2 and P=3 (eseal): pdfsig valid, TOTAL-PASSED"

# Another tool's P=3 certification (adbe.pkcs7.detached by openssl cms), then a note added: permitted.
$MDP certify "$D/form.pdf" "$D/p3o.pdf" --p 3 --key "$DEV_KEY" --cert "$PKI/dev-eseal.pem" --chain "$CA"
$MDP note "$D/p3o.pdf" "$D/p3o-note.pdf"
qpdf_ok "$D/p3o-note.pdf"
pdfsig_all_valid "$D/p3o-note.pdf" 1 part
verify_json 0 "$D/p3o-note.pdf"
[ "$(jf "d['seals'][0]['id']")" = certification ] || fail "p3o: $(head -c 1500 "$OUT")"
[ "$(jf "any('(DocMDP P=3): annotations (added: Text)' in w for w in d['seals'][0]['warnings'])")" = True ] ||
	fail "p3o note: $(head -c 1500 "$OUT")"
pass "P=3 certified by openssl cms, then a note added: permitted"

CERT_ID=(none eSeal1 eSeal1 eSeal1)

# variant P MODE: builds $D/pP-MODE.pdf from $D/pP.pdf with a tool other than the verifier.
variant() {
	local p=$1 mode=$2 in=$D/p$1.pdf out=$D/p$1-$2.pdf
	case $mode in
	content) $ATTACK shadow-replace "$in" "$out" ;;
	pdfsig-new) pdfsig -add-signature -nssdir "sql:$NSS" -nick dev "$in" "$out" >/dev/null 2>&1 ;;
	pdfsig-field) pdfsig -sign approval -nssdir "sql:$NSS" -nick dev "$in" "$out" >/dev/null 2>&1 ;;
	eseal) "$ESEAL" seal -p demo -o "$out" "$in" ;;
	eseal-visible) "$ESEAL" seal -p demo --visible -o "$out" "$in" ;;
	*) $MDP "$mode" "$in" "$out" ;;
	esac
	[ -s "$out" ] || fail "variant $mode of P=$p not made"
	qpdf_ok "$out"
}

# permitted P MODE NSIGS KIND: every seal passes, the certification names the permitted change.
permitted() {
	local p=$1 mode=$2 n=$3 kind=$4 f=$D/p$1-$2.pdf i
	variant "$p" "$mode"
	# a second signature ends the file; with one, the permitted change follows it
	pdfsig_all_valid "$f" "$n" "$([ "$n" = 1 ] && echo part || echo whole)"
	verify_json 0 "$f"
	[ "$(jf "len(d['seals'])")" = "$n" ] || fail "P=$p $mode: $n seals expected: $(head -c 1500 "$OUT")"
	i=$(seal_index "${CERT_ID[$p]}")
	[ "$(jf "d['seals'][$i]['modified_after']")" = False ] || fail "P=$p $mode: flagged: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][$i]['covers_whole_document']")" = False ] || fail "P=$p $mode: covers whole document"
	[ "$(jf "any('by the certification (DocMDP P=$p)' in w and '$kind' in w for w in d['seals'][$i]['warnings'])")" \
		= True ] ||
		fail "P=$p $mode: no warning naming '$kind': $(head -c 1500 "$OUT")"
	pass "P=$p $mode: permitted ($kind), every seal TOTAL-PASSED, pdfsig valid"
}

# refused P MODE REGEX: the certification is TOTAL-FAILED and modified after sealing, for the reason in REGEX.
refused() {
	local p=$1 mode=$2 re=$3 f=$D/p$1-$2.pdf i
	variant "$p" "$mode"
	verify_json 1 "$f"
	i=$(seal_index "${CERT_ID[$p]}")
	[ "$(jf "d['seals'][$i]['modified_after']")" = True ] || fail "P=$p $mode: not flagged: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][$i]['indication']")" = TOTAL-FAILED ] || fail "P=$p $mode: indication"
	[ "$(jf "d['indication']")" = TOTAL-FAILED ] || fail "P=$p $mode: file verdict"
	errors_match "$i" "$re"
	pass "P=$p $mode: modification reported ($re)"
}

# --- P=1: nothing but validation data and document time-stamps ---
refused 1 fill "form field or widget"
refused 1 fill-inplace "changed"
refused 1 note "annotations need P=3"
refused 1 note-edit "annotation \\(object"
refused 1 note-delete "deleting annotations needs DocMDP P=3"
refused 1 pdfsig-new "DocMDP P=1"
refused 1 pdfsig-field "form field or widget"
refused 1 content "page content stream"
expect_exit 65 "$ESEAL" seal -p demo -o "$D/p1-eseal.pdf" "$D/p1.pdf"
assert_no_file "$D/p1-eseal.pdf"
pass "P=1: eseal refuses to add a seal"

# --- P=2: form filling and signing ---
permitted 2 fill 1 "form fill"
permitted 2 fill-inplace 1 "form fill"
permitted 2 pdfsig-new 2 "signature"
permitted 2 pdfsig-field 2 "signature"
permitted 2 eseal 2 "signature"
permitted 2 eseal-visible 2 "signature (a visible one added)"
refused 2 note "annotations need P=3"
refused 2 note-edit "annotation \\(object"
refused 2 note-delete "deleting annotations needs DocMDP P=3"

# --- P=3: also annotations ---
permitted 3 fill 1 "form fill"
permitted 3 note 1 "annotations (added: Text)"
permitted 3 note-edit 1 "annotations"
permitted 3 note-delete 1 "annotations"
permitted 3 pdfsig-field 2 "signature"
permitted 3 eseal 2 "signature"

# --- no level permits these ---
for p in 2 3; do
	refused $p content "page content stream"
	refused $p fill-move "more than its value or appearance"
	refused $p add-field "form filling does not add fields"
	refused $p ap-hijack "page content stream"
	refused $p dss-hijack "page content stream"
done

# --- an existing object is never re-purposed as an appearance: the image inside the certification's visible seal
# (a resource of the seal's appearance, so neither page content nor itself an appearance) named as the /AP of an
# empty signature widget added later, of the existing "amount" widget (P=2), or of a new annotation (P=3), then
# blackened. pdfsig still finds the certification's bytes intact and pdftoppm shows the seal changed; the verifier
# must report the image as part of the seal's appearance. Positive control: the same visibly certified form, filled
# the way form fillers do. ---
"$ESEAL" seal -p demo --certify form-fill --visible -o "$D/v2.pdf" "$D/form.pdf"
"$ESEAL" seal -p demo --certify annotations --visible -o "$D/v3.pdf" "$D/form.pdf"
for m in fill fill-inplace; do
	$MDP $m "$D/v2.pdf" "$D/v2-$m.pdf"
	qpdf_ok "$D/v2-$m.pdf"
	pdfsig_all_valid "$D/v2-$m.pdf" 1 part
	renders_differ "$D/v2.pdf" "$D/v2-$m.pdf"
	verify_json 0 "$D/v2-$m.pdf"
	[ "$(jf "any('(DocMDP P=2): form fill' in w for w in d['seals'][0]['warnings'])")" = True ] ||
		fail "v2 $m: $(head -c 1500 "$OUT")"
done
pass "P=2 with a visible certification: form filled (new and rewritten appearance): permitted"
for pv in 2:sig 2:widget 3:sig 3:annot; do
	p=${pv%:*} via=${pv#*:}
	$MDP ap-repurpose-$via "$D/v$p.pdf" "$D/v$p-$via.pdf"
	qpdf_ok "$D/v$p-$via.pdf"
	pdfsig_all_valid "$D/v$p-$via.pdf" 1 part
	renders_differ "$D/v$p.pdf" "$D/v$p-$via.pdf"
	verify_json 1 "$D/v$p-$via.pdf"
	[ "$(jf "d['seals'][0]['modified_after']")" = True ] || fail "P=$p repurpose $via: $(head -c 1500 "$OUT")"
	re="stream \\(appearance, image, font or form XObject\\) that a signature, an annotation or a read-only field"
	errors_match 0 "$re shows \\(object [0-9]+\\) changed"
	pass "P=$p: the seal's image named as the appearance of a $via and blackened: reported"
done

# --- a read-only field (/Ff 1) of a P=2 form keeps its value and what it shows: a new appearance, or its appearance
# stream rewritten, saying another amount while /V stays (qpdf shows the value unchanged, pdftoppm the amount
# changed), and a new value, are refused. ---
$MDP form "$SAMPLES/documents/report.pdf" "$D/ro.pdf" --readonly
"$ESEAL" seal -p demo --certify form-fill -o "$D/ro2.pdf" "$D/ro.pdf"
qpdf_ok "$D/ro2.pdf"
pdfsig_all_valid "$D/ro2.pdf" 1 whole
verify_json 0 "$D/ro2.pdf"
for m in fill fill-inplace; do
	$MDP $m "$D/ro2.pdf" "$D/ro2-$m.pdf" --keep-value --text "9,999,999 JPY"
	qpdf_ok "$D/ro2-$m.pdf"
	pdfsig_all_valid "$D/ro2-$m.pdf" 1 part
	qpdf --qdf --object-streams=disable "$D/ro2-$m.pdf" "$D/ro2-$m.qdf"
	grep -aq "/V (1,234 JPY)" "$D/ro2-$m.qdf" || fail "ro2-$m: the read-only value is not kept"
	renders_differ "$D/ro2.pdf" "$D/ro2-$m.pdf"
	verify_json 1 "$D/ro2-$m.pdf"
	# a new appearance: the widget's /AP changed; the old one rewritten: a fixed appearance stream changed
	re="read-only form field \\(object [0-9]+\\) changed its appearance"
	[ $m = fill ] || re="XObject\\) that a signature, an annotation or a read-only field shows \\(object [0-9]+\\)"
	errors_match 0 "$re"
done
$MDP fill "$D/ro2.pdf" "$D/ro2-value.pdf" --text "9,999,999 JPY"
qpdf_ok "$D/ro2-value.pdf"
renders_differ "$D/ro2.pdf" "$D/ro2-value.pdf"
verify_json 1 "$D/ro2-value.pdf"
errors_match 0 "read-only form field \\(object [0-9]+\\) changed its value"
pass "P=2: a read-only field's appearance (new or rewritten) or value changed: reported"

# --- workflows: a client's approval seal in the certified form, then the form filled; then a content change ---
cp "$D/p2-eseal.pdf" "$D/p2a.pdf"
$MDP fill "$D/p2a.pdf" "$D/p2a-fill.pdf"
qpdf_ok "$D/p2a-fill.pdf"
pdfsig_all_valid "$D/p2a-fill.pdf" 2 part
verify_json 0 "$D/p2a-fill.pdf"
[ "$(jf "[s['modified_after'] for s in d['seals']]")" = "[False, False]" ] || fail "approval then fill: $(head -c 1500 "$OUT")"
i=$(seal_index eSeal2)
[ "$(jf "any('(DocMDP P=2): form fill' in w for w in d['seals'][$i]['warnings'])")" = True ] ||
	fail "the approval seal of a certified file is held to the certification's P: $(head -c 1500 "$OUT")"
i=$(seal_index eSeal1)
[ "$(jf "any('form fill, signature' in w for w in d['seals'][$i]['warnings'])")" = True ] ||
	fail "the certification lists both permitted changes: $(head -c 1500 "$OUT")"
pass "P=2: approval seal (eseal), then form filled: both seals pass, changes listed"
$ATTACK shadow-replace "$D/p2a-fill.pdf" "$D/p2a-content.pdf"
qpdf_ok "$D/p2a-content.pdf"
verify_json 1 "$D/p2a-content.pdf"
[ "$(jf "[s['modified_after'] for s in d['seals']]")" = "[True, True]" ] || fail "content after approval: both seals"
pass "P=2: page content changed after the approval seal: both seals report it"
# pdfsig signs the empty approval field, then the form is filled (pdfsig cannot fill forms: raw update).
cp "$D/p2-pdfsig-field.pdf" "$D/p2b.pdf"
$MDP fill "$D/p2b.pdf" "$D/p2b-fill.pdf"
qpdf_ok "$D/p2b-fill.pdf"
pdfsig_all_valid "$D/p2b-fill.pdf" 2 part
verify_json 0 "$D/p2b-fill.pdf"
pass "P=2: approval by pdfsig in the form's signature field, then form filled: both pass"

# --- P=1 and long-term validation: a DSS and a document time-stamp are permitted after any certification ---
LTA="python3 $ESEAL_SRC/tests/verify/pdf_lta.py"
"$ESEAL" seal -p demo --certify no-changes -o "$D/j1.pdf" "$SAMPLES/documents/japanese.pdf"
openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$D/ocsp.der" -noverify >/dev/null 2>&1
$LTA dss "$D/j1.pdf" "$D/j1-lt.pdf" --cert "$PKI/eseal.pem" --cert "$CA" --ocsp "$D/ocsp.der" --crl "$CRL" \
	$(lt_fresh "$D")
$LTA dts "$D/j1-lt.pdf" "$D/j1-lta.pdf" --tsa "$TSA_URL"
qpdf_ok "$D/j1-lta.pdf"
# (pdfsig cannot check document time-stamps, verify_pades referees them with openssl ts: only the seal here)
pdfsig_all_valid "$D/j1-lt.pdf" 1 part
verify_json 0 "$D/j1-lta.pdf"
[ "$(jf "d['seals'][0]['level']")" = B-LTA ] || fail "P=1 LTA level: $(head -c 1500 "$OUT")"
[ "$(jf "any('(DocMDP P=1): validation data (DSS), document time-stamp' in w for w in d['seals'][0]['warnings'])")" \
	= True ] || fail "P=1: DSS and time-stamp listed: $(head -c 1500 "$OUT")"
pass "P=1: DSS and document time-stamp permitted (B-LTA)"

# --- not certified: an approval seal permits signatures only; a certification cannot be claimed afterwards ---
"$ESEAL" seal -p demo -o "$D/u.pdf" "$D/form.pdf"
$MDP fill "$D/u.pdf" "$D/u-fill.pdf"
qpdf_ok "$D/u-fill.pdf"
verify_json 1 "$D/u-fill.pdf"
errors_match 0 "form field or widget"
$MDP perms-add "$D/u.pdf" "$D/u-perms.pdf"
qpdf_ok "$D/u-perms.pdf"
verify_json 1 "$D/u-perms.pdf"
errors_match 0 "catalog /Perms changed"
pass "uncertified: form filling after a seal is reported; /Perms added after a seal is reported"
