# tests/asic/lib.sh: sourced by the asic tests after tests/lib/env.sh: the sample delivery folder and its referees.
# delivery DIR        make the sample electronic-delivery folder in DIR (samples/delivery/make-delivery.sh)
# sums DIR            sha256sum of every file under DIR, sorted (the folder's bytes, to compare before/after)
# xmlsec1_verify SIG DIR  xmlsec1 --verify of SIG from inside DIR (xmlsec1 opens relative URIs from its working
#                     directory), the log in $D/xmlsec.log
# zip_form FILE MIME  zipinfo and Python's zipfile: mimetype first, stored, no extra field, holding MIME; non-ASCII
#                     names UTF-8 flagged; no name twice (zipinfo's listing kept in $D/zipinfo.txt)

PY=/usr/bin/python3 # Debian's python3 (python3-lxml), not whatever python3 comes first in PATH
XSD=$SHARED/xsd

delivery() { "$SAMPLES/delivery/make-delivery.sh" "$1"; }

sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

xmlsec1_verify() {
	(cd "$2" && xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$1") >"$D/xmlsec.log" 2>&1
}

# zip_form FILE MIME: mimetype first, stored, no extra field, its content; every other name UTF-8 flagged if not ASCII.
zip_form() {
	local f=$1 mime=$2
	zipinfo "$f" >"$D/zipinfo.txt" 2>&1 || fail "zipinfo cannot read $f: $(cat "$D/zipinfo.txt")"
	sed -n 3p "$D/zipinfo.txt" | grep -E ' stor .* mimetype$' >/dev/null || fail "$f: first entry is not a stored mimetype: $(cat "$D/zipinfo.txt")"
	[ "$(unzip -p "$f" mimetype)" = "$mime" ] || fail "$f: mimetype is not $mime"
	# the local header: signature, name length 8, extra length 0, then "mimetype" and the media type at offset 38
	[ "$(head -c 4 "$f" | xxd -p)" = 504b0304 ] || fail "$f: does not start with a local file header"
	[ "$(dd if="$f" bs=1 skip=26 count=4 2>/dev/null | xxd -p)" = 08000000 ] || fail "$f: mimetype has an extra field"
	[ "$(dd if="$f" bs=1 skip=30 count=8 2>/dev/null)" = mimetype ] || fail "$f: the first name is not mimetype"
	$PY - "$f" <<'PY' || fail "$f: zipfile's view of the entries"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED and infos[0].extra == b""
for i in infos:
    if not i.filename.isascii():
        assert i.flag_bits & 0x800, "no UTF-8 flag (bit 11) on " + i.filename
names = [i.filename for i in infos]
assert len(names) == len(set(names)), names
PY
}
