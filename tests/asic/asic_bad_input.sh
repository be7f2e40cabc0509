#!/bin/bash
# tests/asic/asic_bad_input.sh: containers that are not ASiC or that attack the verifier, each refused or judged with
# a one-line reason naming the entry: no/compressed/extra-field/wrong/second mimetype, duplicate names, path traversal
# and absolute names, a zip bomb and an entry lying about its size; a file swapped, removed or added; an ASiCManifest
# pointing an entry at another file; nothing unpacked outside the verifier's private directory, which goes afterwards.
# The hostile zips are made by Python's zipfile (tests/asic/craft.py), not by our writer.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/asic/lib.sh"

CRAFT="$PY $ESEAL_SRC/tests/asic/craft.py"
D=$(tmpdir)
delivery "$D/delivery"
expect_exit 0 "$ESEAL" seal --profile demo --container asice "$D/delivery" -o "$D/x.asice"
expect_exit 0 "$ESEAL" seal --profile demo --container asice --format cades "$D/delivery" -o "$D/c.asice"
# The verifier unpacks below $TMPDIR: a private one shows whatever it leaves behind.
export TMPDIR=$D/tmp
mkdir "$TMPDIR"
mkdir -p "$D/cwd/a"

# refused CASE CODE REGEX [SRC]: the crafted container is refused (or judged) with that exit code and message.
refused() {
	local c=$1 code=$2 re=$3 src=${4:-$D/x.asice}
	rm -f "$D/bad.zip"
	$CRAFT "$c" "$src" "$D/bad.zip" || fail "craft.py $c"
	(cd "$D/cwd/a" && "$ESEAL" verify --trust "$ROOT" "$D/bad.zip") >"$OUT" 2>"$ERR" && got=0 || got=$?
	[ "$got" -eq "$code" ] || fail "$c: exit $got, expected $code: $(cat "$OUT" "$ERR")"
	grep -Eq -- "$re" "$OUT" || fail "$c: '$re' not in the report: $(cat "$OUT")"
	if [ "$code" -eq 65 ]; then
		[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$c: not a one-line error: $(cat "$ERR")"
		grep -Eq -- "^eseal verify: $D/bad.zip: $re" "$ERR" || fail "$c: stderr does not name the file: $(cat "$ERR")"
	fi
	[ -z "$(ls -A "$TMPDIR")" ] || fail "$c: the verifier left $(ls -A "$TMPDIR") in TMPDIR"
	[ -z "$(find "$D/cwd" "$D" -maxdepth 2 -name 'evil*' -print -quit)" ] || fail "$c: an entry was written outside"
}

refused not-zip-first 65 'not an ASiC container: a zip whose first entry is not "mimetype"'
refused mimetype-deflated 65 'not an ASiC container: its mimetype entry is compressed'
refused mimetype-extra 65 'not an ASiC container: its mimetype entry has an extra field'
refused mimetype-wrong 65 'not an ASiC container: mimetype "application/zip" is neither'
refused mimetype-second 65 'duplicate entry name "mimetype"'
refused 'duplicate:INDEX_C.XML=forged index' 65 'duplicate entry name "INDEX_C.XML"'
refused 'traversal:../evil.txt' 65 'unsafe entry name "\.\./evil\.txt": a "\." or "\.\." path component'
refused 'traversal:DRAWINGF/../../evil.txt' 65 'unsafe entry name "DRAWINGF/\.\./\.\./evil\.txt"'
refused "traversal:$D/evil-abs.txt" 65 'unsafe entry name "/.*evil-abs\.txt": an absolute path'
refused 'traversal:PHOTO\evil.txt' 65 'unsafe entry name .*: a backslash in the name'
refused bomb 65 'entry PHOTO/huge\.JPG inflates [0-9]+ times .*a zip bomb'
refused size-lie 65 'entry PHOTO/lie\.txt inflates past its declared size \(10 bytes\)'
printf 'PK\003\004 not really a zip' >"$D/trunc.zip"
expect_exit 65 "$ESEAL" verify --trust "$ROOT" "$D/trunc.zip"
assert_grep "^eseal verify: $D/trunc.zip: not a readable zip" "$ERR"
pass "not ASiC, duplicate names, traversal/absolute/backslash names, zip bomb, size lie: exit 65, one line, nothing outside"

# Attacks on what the seals cover (XAdES): each judged, naming the file.
refused 'swap:PHOTO/PIC/P0000001.JPG=another photo' 1 'file PHOTO/PIC/P0000001.JPG changed after sealing'
refused 'remove:INDE_C05.DTD' 2 'detached data file INDE_C05.DTD not read: not found'
refused 'add:PHOTO/PIC/P0000002.JPG=unsealed' 2 'NOT COVERED: PHOTO/PIC/P0000002.JPG'
refused 'add:META-INF/signatures002.xml=<x/>' 2 'META-INF/signatures002.xml: '
pass "XAdES container: a swapped file fails (HASH_FAILURE), a removed one is not found, an added one is not covered"

# CAdES + ASiCManifest: the same, and a manifest whose entry now names another file.
refused 'swap:INDEX_C.XML=forged' 1 'file INDEX_C.XML changed: its digest differs from the one the ASiCManifest seals' "$D/c.asice"
refused 'add:OTHRS/extra.pdf=x' 2 'NOT COVERED: OTHRS/extra.pdf' "$D/c.asice"
refused 'remove:DRAWINGF/D0001.DWG' 2 'file DRAWINGF/D0001.DWG named by the ASiCManifest is missing' "$D/c.asice"
mkdir "$D/m" && (cd "$D/m" && unzip -q "$D/c.asice")
sed 's|URI="DRAWINGF/D0001.P21"|URI="DRAWINGF/D0001.DWG"|' "$D/m/META-INF/ASiCManifest001.xml" >"$D/manifest.xml"
cmp -s "$D/manifest.xml" "$D/m/META-INF/ASiCManifest001.xml" && fail "the manifest edit did nothing"
refused "replace-meta:META-INF/ASiCManifest001.xml=$D/manifest.xml" 1 'HASH_FAILURE' "$D/c.asice"
assert_grep 'NOT COVERED: DRAWINGF/D0001.P21' "$OUT"
sed 's|URI="META-INF/signature001.p7s"|URI="META-INF/signature002.p7s"|' "$D/m/META-INF/ASiCManifest001.xml" >"$D/manifest2.xml"
refused "replace-meta:META-INF/ASiCManifest001.xml=$D/manifest2.xml" 65 'META-INF/ASiCManifest001.xml: its SigReference names no signature file' "$D/c.asice"
pass "CAdES container: a swapped, added or removed file named; a manifest entry re-pointed breaks the seal"
