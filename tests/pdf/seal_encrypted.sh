#!/bin/bash
# tests/pdf/seal_encrypted.sh: AES-256 encrypted PDFs (R6 and R5; user or owner password; classic and xref-stream
# files; forms) are sealed with the update's strings and streams encrypted under the file key: pdfsig and qpdf,
# given the password, verify and read them; the visible seal renders.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
printf 'user\n' >"$D/user.pw"
printf 'owner\n' >"$D/owner.pw"
chmod 600 "$D"/*.pw
python3 "$MAKE_REPORT" --form "$D/form.pdf"
python3 "$MAKE_REPORT" --direct-form "$D/form-direct.pdf"
qpdf --encrypt user owner 256 -- "$REPORT" "$D/r6.pdf"
qpdf --encrypt user owner 256 --force-R5 -- "$REPORT" "$D/r5.pdf"
qpdf --encrypt "" owner 256 -- "$REPORT" "$D/r6-open.pdf"
qpdf --object-streams=generate --encrypt user owner 256 -- "$D/form.pdf" "$D/r6-form-objstm.pdf"
qpdf --encrypt user owner 256 -- "$D/form-direct.pdf" "$D/r6-form-direct.pdf"
qpdf --encrypt user owner 256 --print=none --modify=form --extract=n -- "$REPORT" "$D/r6-restricted.pdf"

seal_enc() { # NAME PWFILE PROFILE [args]: seal, check with the user password, input untouched
	local name=$1 pwfile=$2 profile=$3 sum
	shift 3
	sum=$(sha256sum "$D/$name.pdf")
	expect_exit 0 "$ESEAL" seal --profile "$profile" ${pwfile:+--password-file "$pwfile"} "$@" \
		-o "$D/$name-sealed.pdf" "$D/$name.pdf"
	echo "$sum" | sha256sum -c --quiet || fail "$name: input modified"
	check_prefix "$D/$name.pdf" "$D/$name-sealed.pdf"
}

seal_enc r6 "$D/user.pw" demo --visible --reason "受領確認" --location Tokyo
PDF_PASSWORD=user check_sealed "$D/r6-sealed.pdf" 1 B-T
# Without the password the new objects are unreadable: no plaintext of our strings or stamp in the file.
grep -aq "/Reason <FEFF" "$D/r6-sealed.pdf" && fail "/Reason written in clear"
grep -aq "(eSeal1)" "$D/r6-sealed.pdf" && fail "field name written in clear"
python3 "$SIGPY" "$D/r6-sealed.pdf" --dict 2>/dev/null | has -F "/Contents <...>" ||
	fail "/Contents must stay a plain hex string"
qpdf --password=user --json --json-key=acroform "$D/r6-sealed.pdf" | has '"eSeal1"' ||
	fail "field name does not decrypt"
for o in $(qpdf --password=user --show-xref "$D/r6-sealed.pdf" | awk -F/ '{print $1}' | tail -8); do
	qpdf --password=user --show-object="$o" "$D/r6-sealed.pdf" 2>/dev/null
done >"$D/r6-objects.txt"
has -E "/M \(D:[0-9]{14}\+00'00'\)" <"$D/r6-objects.txt" || fail "/M does not decrypt"
has "/Reason <feff53d7981878ba8a8d>" <"$D/r6-objects.txt" || fail "/Reason does not decrypt"
has "/Location (Tokyo)" <"$D/r6-objects.txt" || fail "/Location does not decrypt"
# The stamp (encrypted image streams) renders where the unsealed page is plain.
pdftoppm -upw user -r 72 -f 1 -l 1 -singlefile "$D/r6.pdf" "$D/before"
pdftoppm -upw user -r 72 -f 1 -l 1 -singlefile "$D/r6-sealed.pdf" "$D/after"
box=$(python3 "$PDF_TESTS/ppm_diff.py" "$D/before.ppm" "$D/after.ppm")
set -- $box
[ "$box" != none ] && [ "$1" -ge 377 ] && [ "$2" -ge 734 ] && [ "$3" -le 561 ] && [ "$4" -le 808 ] ||
	fail "encrypted visible seal not rendered at the default place: $box"
pass "AES-256 (R6) with the user password, visible, B-T"

mv "$D/r6-sealed.pdf" "$D/r6-user.pdf"
seal_enc r6 "$D/owner.pw" demo-bb
mv "$D/r6-sealed.pdf" "$D/r6-owner.pdf"
PDF_PASSWORD=user check_sealed "$D/r6-owner.pdf" 1 B-B
seal_enc r5 "$D/user.pw" demo-bb
PDF_PASSWORD=user check_sealed "$D/r5-sealed.pdf" 1 B-B
seal_enc r6-open "" demo
PDF_PASSWORD= check_sealed "$D/r6-open-sealed.pdf" 1 B-T
seal_enc r6-form-objstm "$D/user.pw" demo
PDF_PASSWORD=user check_sealed "$D/r6-form-objstm-sealed.pdf" 1 B-T
tail -c 1500 "$D/r6-form-objstm-sealed.pdf" | has -a "/Type /XRef" || fail "xref stream expected"
qpdf --password=user --json --json-key=acroform "$D/r6-form-objstm-sealed.pdf" | has '"inspector"' ||
	fail "existing text field lost or unreadable"
seal_enc r6-form-direct "$D/user.pw" demo-bb --certify form-fill
PDF_PASSWORD=user check_sealed "$D/r6-form-direct-sealed.pdf" 1 B-B
root=$(qpdf --password=user --show-object=trailer "$D/r6-form-direct-sealed.pdf" | grep -oE "/Root [0-9]+" |
	grep -oE "[0-9]+")
qpdf --password=user --show-object="$root" "$D/r6-form-direct-sealed.pdf" | has "/DA (/Helv 10 Tf 0 g)" ||
	fail "re-encrypted /DA of the direct AcroForm does not decrypt"
# Printing, extraction and other changes forbidden, form filling allowed: sealing is permitted.
seal_enc r6-restricted "$D/user.pw" demo-bb
PDF_PASSWORD=user check_sealed "$D/r6-restricted-sealed.pdf" 1 B-B
pass "AES-256: owner password, R5, empty user password, xref streams + forms, certified direct AcroForm"

# Sealing the sealed encrypted file again: two valid seals.
expect_exit 0 "$ESEAL" seal --profile demo --password-file "$D/user.pw" -o "$D/twice.pdf" "$D/r6-form-objstm-sealed.pdf"
PDF_PASSWORD=user check_sealed "$D/twice.pdf" 2 B-T
pass "encrypted file sealed twice"
