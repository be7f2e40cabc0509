#!/bin/bash
# tests/verify/verify_fieldmdp.sh: FieldMDP (ISO 32000-1 12.8.2.4). `eseal seal --field` into a signature field with
# a /Lock writes a /Reference FieldMDP with the lock's /Action and /Fields and /Data naming the catalog; `eseal
# verify` then fails that seal when a later update changes the value of a locked field (naming it) and judges other
# fields by the DocMDP rules. Variants: /Include, /All, /Exclude, a certification and a lock in one seal, an
# uncertified form, a /Lock that Poppler's pdfsig signs without FieldMDP (not held, with a warning), a malformed
# /Lock (refused), a locked kid field that inherits /V from a parent whose /V changes. Also --certify annotations
# (DocMDP P=3). Referees: pdfsig (signatures valid), qpdf --check, qpdf --json for the signature dictionary's raw
# /Reference, pdftoppm (the inherited value change is visible).
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
MDP="python3 $ESEAL_SRC/tests/verify/pdf_mdp.py"
ATTACK="python3 $ESEAL_SRC/tests/verify/pdf_attack.py"
REPORT=$SAMPLES/documents/report.pdf

# refs FILE FIELD: the /Reference entries of the signature in FIELD, read by qpdf --json (not by eseal), as
# "Method[:Action[:f1,f2]][:data=catalog]" joined by spaces.
refs() {
	qpdf --json=2 --json-key=qpdf "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
objs = {k.split(":", 1)[1]: v for k, v in j["qpdf"][1].items() if k.startswith("obj:")}
val = lambda r: objs[r].get("value", objs[r].get("stream", {}).get("dict"))
root = j["qpdf"][1]["trailer"]["value"]["/Root"]
field = [v["value"] for v in objs.values() if isinstance(v.get("value"), dict) and v["value"].get("/T") == "u:" + sys.argv[1]]
sig = val(field[0]["/V"])
out = []
for r in sig.get("/Reference", []):
    t = r.get("/TransformParams", {})
    s = r["/TransformMethod"][1:]
    if s == "FieldMDP":
        s += ":" + t["/Action"][1:] + (":" + ",".join(x[2:] for x in t["/Fields"]) if "/Fields" in t else "")
        s += ":data=" + ("catalog" if r.get("/Data") == root else str(r.get("/Data")))
        assert t.get("/V") == "/1.2" and t.get("/Type") == "/TransformParams", t
    else:
        s += ":P" + str(t["/P"])
    out.append(s)
print(" ".join(out))' "$2"
}

seal_index() { jf "[i for i, s in enumerate(d['seals']) if s['id'] == '$1'][0]"; }

# locked_fail FILE FIELD: the approval seal fails naming FIELD as locked; every other seal passes.
locked_fail() {
	local i
	verify_json 1 "$1"
	i=$(seal_index approval)
	[ "$(jf "d['seals'][$i]['indication']")" = TOTAL-FAILED ] || fail "$1: approval not failed: $(head -c 1500 "$OUT")"
	errors_match "$i" "form field $2 is locked by this signature \\(FieldMDP /[A-Za-z]+\\) and its value changed"
	[ "$(jf "[s['indication'] for k, s in enumerate(d['seals']) if k != $i and s['indication'] != 'TOTAL-PASSED']")" \
		= "[]" ] || fail "$1: another seal failed: $(head -c 1500 "$OUT")"
}

# unlocked_pass FILE: every seal passes; the approval seal lists the form fill as a permitted change.
unlocked_pass() {
	local i
	verify_json 0 "$1"
	i=$(seal_index approval)
	[ "$(jf "d['seals'][$i]['modified_after']")" = False ] || fail "$1: flagged: $(head -c 1500 "$OUT")"
	[ "$(jf "any('form fill' in w for w in d['seals'][$i]['warnings'])")" = True ] ||
		fail "$1: form fill not listed: $(head -c 1500 "$OUT")"
}

# --- /Include amount: a certified (P=2) form, the approval field sealed by eseal ---
$MDP form "$REPORT" "$D/inc.pdf" --lock Include:amount
qpdf_ok "$D/inc.pdf"
"$ESEAL" seal -p demo --certify form-fill -o "$D/inc-c.pdf" "$D/inc.pdf"
"$ESEAL" seal -p demo --field approval -o "$D/inc-s.pdf" "$D/inc-c.pdf"
qpdf_ok "$D/inc-s.pdf"
pdfsig_all_valid "$D/inc-s.pdf" 2 whole
[ "$(refs "$D/inc-s.pdf" approval)" = "FieldMDP:Include:amount:data=catalog" ] ||
	fail "/Reference of the approval seal: $(refs "$D/inc-s.pdf" approval)"
verify_json 0 "$D/inc-s.pdf"
pass "/Lock /Include: FieldMDP reference written (qpdf --json), pdfsig valid, verify passes"

$MDP fill "$D/inc-s.pdf" "$D/inc-amount.pdf" --field amount
qpdf_ok "$D/inc-amount.pdf"
pdfsig_all_valid "$D/inc-amount.pdf" 2 part
locked_fail "$D/inc-amount.pdf" amount
pass "/Include: the locked field filled later: the approval seal fails naming it, the certification passes"

$MDP fill "$D/inc-s.pdf" "$D/inc-comment.pdf" --field comment
qpdf_ok "$D/inc-comment.pdf"
pdfsig_all_valid "$D/inc-comment.pdf" 2 part
unlocked_pass "$D/inc-comment.pdf"
pass "/Include: an unlocked field filled later: permitted (DocMDP P=2)"

# --- /All: every field locked; /Exclude comment: all but comment ---
$MDP form "$REPORT" "$D/all.pdf" --lock All
"$ESEAL" seal -p demo --certify form-fill -o "$D/all-c.pdf" "$D/all.pdf"
"$ESEAL" seal -p demo --field approval -o "$D/all-s.pdf" "$D/all-c.pdf"
[ "$(refs "$D/all-s.pdf" approval)" = "FieldMDP:All:data=catalog" ] || fail "/All: $(refs "$D/all-s.pdf" approval)"
$MDP fill "$D/all-s.pdf" "$D/all-comment.pdf" --field comment
pdfsig_all_valid "$D/all-comment.pdf" 2 part
locked_fail "$D/all-comment.pdf" comment
pass "/Lock /All: any field filled later fails the seal, naming it"

$MDP form "$REPORT" "$D/exc.pdf" --lock Exclude:comment
"$ESEAL" seal -p demo --certify form-fill -o "$D/exc-c.pdf" "$D/exc.pdf"
"$ESEAL" seal -p demo --field approval -o "$D/exc-s.pdf" "$D/exc-c.pdf"
[ "$(refs "$D/exc-s.pdf" approval)" = "FieldMDP:Exclude:comment:data=catalog" ] ||
	fail "/Exclude: $(refs "$D/exc-s.pdf" approval)"
$MDP fill "$D/exc-s.pdf" "$D/exc-comment.pdf" --field comment
pdfsig_all_valid "$D/exc-comment.pdf" 2 part
unlocked_pass "$D/exc-comment.pdf"
$MDP fill "$D/exc-s.pdf" "$D/exc-amount.pdf" --field amount
pdfsig_all_valid "$D/exc-amount.pdf" 2 part
locked_fail "$D/exc-amount.pdf" amount
pass "/Lock /Exclude comment: comment may be filled, amount may not"

# /All locks the form's other, still empty, signature fields too: signing one later changes a locked value.
python3 "$ESEAL_SRC/tests/pdf/make_form.py" full-lockall "$D/full.pdf"
"$ESEAL" seal -p demo --field approval.seal -o "$D/full-a.pdf" "$D/full.pdf"
"$ESEAL" seal -p demo-bb --field office.stamp -o "$D/full-b.pdf" "$D/full-a.pdf"
qpdf_ok "$D/full-b.pdf"
pdfsig_all_valid "$D/full-b.pdf" 2 whole
verify_json 1 "$D/full-b.pdf"
[ "$(jf "d['seals'][0]['id']")" = approval.seal ] || fail "full-b: $(head -c 1500 "$OUT")"
errors_match 0 "form field office.stamp is locked by this signature \\(FieldMDP /All\\)"
expect_seal 1 TOTAL-PASSED None
pass "/Lock /All: a locked empty signature field signed later fails the first seal, naming the field"

# --- a certification into the locked field: DocMDP and FieldMDP in one /Reference ---
"$ESEAL" seal -p demo --certify form-fill --field approval -o "$D/both.pdf" "$D/inc.pdf"
qpdf_ok "$D/both.pdf"
pdfsig_all_valid "$D/both.pdf" 1 whole
[ "$(refs "$D/both.pdf" approval)" = "DocMDP:P2 FieldMDP:Include:amount:data=catalog" ] ||
	fail "certify + lock: $(refs "$D/both.pdf" approval)"
$MDP fill "$D/both.pdf" "$D/both-amount.pdf" --field amount
locked_fail "$D/both-amount.pdf" amount
$MDP fill "$D/both.pdf" "$D/both-comment.pdf" --field comment
unlocked_pass "$D/both-comment.pdf"
pass "certification with a lock: DocMDP P=2 and FieldMDP in one seal; locked field refused, other field permitted"

# --- /V is inheritable: a field "client" (/V (ACME Corp)) with kids "client.name" (no /V of its own: shows the
# parent's) and "client.ref" (its own /V). Locking client.name locks the parent's /V as far as client.name sees it:
# changing it fails the seal (pdftoppm shows the kid's text changed); locking client.ref does not, since client.ref
# shows its own value (a parent change it does not see is a permitted form fill). ---
for kid in name ref; do
	$MDP form "$REPORT" "$D/tree-$kid.pdf" --tree --lock Include:client.$kid
	qpdf_ok "$D/tree-$kid.pdf"
	"$ESEAL" seal -p demo --certify form-fill -o "$D/tree-$kid-c.pdf" "$D/tree-$kid.pdf"
	"$ESEAL" seal -p demo --field approval -o "$D/tree-$kid-s.pdf" "$D/tree-$kid-c.pdf"
	[ "$(refs "$D/tree-$kid-s.pdf" approval)" = "FieldMDP:Include:client.$kid:data=catalog" ] ||
		fail "tree lock: $(refs "$D/tree-$kid-s.pdf" approval)"
	verify_json 0 "$D/tree-$kid-s.pdf"
	$MDP value-only "$D/tree-$kid-s.pdf" "$D/tree-$kid-p.pdf" --field client --text "EVIL Corp"
	qpdf_ok "$D/tree-$kid-p.pdf"
	pdfsig_all_valid "$D/tree-$kid-p.pdf" 2 part
	renders_differ "$D/tree-$kid-s.pdf" "$D/tree-$kid-p.pdf"
done
locked_fail "$D/tree-name-p.pdf" client.name
unlocked_pass "$D/tree-ref-p.pdf"
pass "parent /V changed: fails a seal locking the kid that inherits it (naming it), not one locking a kid with its own /V"

# --- uncertified: the approval rules refuse any form fill, the locked field with its own reason ---
"$ESEAL" seal -p demo --field approval -o "$D/u.pdf" "$D/inc.pdf"
$MDP fill "$D/u.pdf" "$D/u-amount.pdf" --field amount
verify_json 1 "$D/u-amount.pdf"
errors_match 0 "form field amount is locked by this signature \\(FieldMDP /Include\\)"
$MDP fill "$D/u.pdf" "$D/u-comment.pdf" --field comment
verify_json 1 "$D/u-comment.pdf"
errors_match 0 "form field or widget"
[ "$(jf "any('locked' in e for e in d['seals'][0]['errors'])")" = False ] || fail "comment called locked: $(cat "$OUT")"
pass "uncertified: locked field named as locked, unlocked field reported by the approval rules"

# --- a /Lock signed by a tool that writes no FieldMDP reference (pdfsig): not held, but said ---
NSS=$D/nss
dev_nss "$NSS"
pdfsig -sign approval -nssdir "sql:$NSS" -nick dev "$D/inc-c.pdf" "$D/p.pdf" >/dev/null 2>&1
[ -s "$D/p.pdf" ] || fail "pdfsig could not sign the approval field"
[ "$(refs "$D/p.pdf" approval)" = "" ] || fail "pdfsig wrote a reference: $(refs "$D/p.pdf" approval)"
$MDP fill "$D/p.pdf" "$D/p-amount.pdf" --field amount
pdfsig_all_valid "$D/p-amount.pdf" 2 part
verify_json 0 "$D/p-amount.pdf"
i=$(seal_index approval)
[ "$(jf "any('/Lock but the signature has no FieldMDP reference' in w for w in d['seals'][$i]['warnings'])")" = True ] ||
	fail "no warning about the lock without FieldMDP: $(head -c 1500 "$OUT")"
pass "a /Lock without a FieldMDP reference in the signature (pdfsig): not enforced, a warning says so"

# --- a /Lock eseal cannot copy is refused; the input is left alone ---
$MDP form "$REPORT" "$D/bad.pdf" --lock Bad
cp "$D/bad.pdf" "$D/bad.orig"
expect_exit 65 "$ESEAL" seal -p demo --field approval -o "$D/bad-s.pdf" "$D/bad.pdf"
assert_no_file "$D/bad-s.pdf"
grep -q "bad.pdf: form field approval: its /Lock has no /Action" "$ERR" || fail "message: $(cat "$ERR")"
[ "$(wc -l <"$ERR")" -le 1 ] || fail "more than one line: $(cat "$ERR")"
cmp -s "$D/bad.pdf" "$D/bad.orig" || fail "input modified"
pass "malformed /Lock: refused (exit 65, one line, no output)"

# --- --certify annotations: DocMDP P=3 ---
$MDP form "$REPORT" "$D/form.pdf"
"$ESEAL" seal -p demo --certify annotations -o "$D/p3.pdf" "$D/form.pdf"
qpdf_ok "$D/p3.pdf"
pdfsig_all_valid "$D/p3.pdf" 1 whole
sigdict=$(python3 "$ESEAL_SRC/tests/pdf/pdf_sig.py" "$D/p3.pdf" --dict 2>/dev/null)
grep -q '/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 3 ' <<<"$sigdict" ||
	fail "p3.pdf: no DocMDP /P 3: $sigdict"
$MDP note "$D/p3.pdf" "$D/p3-note.pdf"
qpdf_ok "$D/p3-note.pdf"
pdfsig_all_valid "$D/p3-note.pdf" 1 part
verify_json 0 "$D/p3-note.pdf"
[ "$(jf "any('(DocMDP P=3): annotations (added: Text)' in w for w in d['seals'][0]['warnings'])")" = True ] ||
	fail "P=3 note: $(head -c 1500 "$OUT")"
$ATTACK shadow-replace "$D/p3.pdf" "$D/p3-content.pdf"
qpdf_ok "$D/p3-content.pdf"
verify_json 1 "$D/p3-content.pdf"
errors_match 0 "page content stream"
pass "--certify annotations: /P 3; a note added later passes (pdfsig valid), page content changed fails"

# The profile key: certify = annotations (a profile of its own); a value that is no level is refused (exit 64).
CONF=$D/eseal.conf
{
	cat "$ESEAL_CONFIG"
	echo
	echo "[profile p3]"
	sed -n '/^\[profile demo-bb\]/,/^$/p' "$ESEAL_CONFIG" | grep -v '^\[' | grep .
	echo "certify = annotations"
	echo
	echo "[profile p9]"
	sed -n '/^\[profile demo-bb\]/,/^$/p' "$ESEAL_CONFIG" | grep -v '^\[' | grep .
	echo "certify = everything"
} >"$CONF"
ESEAL_CONFIG=$CONF "$ESEAL" seal -p p3 -o "$D/p3-profile.pdf" "$D/form.pdf"
pdfsig_all_valid "$D/p3-profile.pdf" 1 whole
sigdict=$(python3 "$ESEAL_SRC/tests/pdf/pdf_sig.py" "$D/p3-profile.pdf" --dict 2>/dev/null)
grep -q '/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 3 ' <<<"$sigdict" ||
	fail "profile certify = annotations: $sigdict"
ESEAL_CONFIG=$CONF expect_exit 64 "$ESEAL" seal -p p9 -o "$D/p9.pdf" "$D/form.pdf"
grep -q "certify: 'everything' is not no, no-changes, form-fill or annotations" "$ERR" || fail "p9: $(cat "$ERR")"
assert_no_file "$D/p9.pdf"
pass "profile key certify = annotations gives /P 3; an unknown value is refused"
