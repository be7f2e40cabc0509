# tests/asic/lib.sh: sourced by the asic tests after tests/lib/env.sh: the sample delivery folder and its referees.
# delivery DIR        make the sample electronic-delivery folder in DIR (samples/delivery/make-delivery.sh)
# sums DIR            sha256sum of every file under DIR, sorted (the folder's bytes, to compare before/after)
# xmlsec1_verify SIG DIR  xmlsec1 --verify of SIG from inside DIR (xmlsec1 opens relative URIs from its working
#                     directory), the log in $D/xmlsec.log

PY=/usr/bin/python3 # Debian's python3 (python3-lxml), not whatever python3 comes first in PATH
XSD=$SHARED/xsd

delivery() { "$SAMPLES/delivery/make-delivery.sh" "$1"; }

sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

xmlsec1_verify() {
	(cd "$2" && xmlsec1 --verify --trusted-pem "$ROOT" --untrusted-pem "$CA" \
		--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
		--id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Signature" "$1") >"$D/xmlsec.log" 2>&1
}
