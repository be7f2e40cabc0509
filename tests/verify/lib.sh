# tests/verify/lib.sh: helpers for the verify script tests (sourced after tests/lib/env.sh).
# verify_json CODE FILE [eseal verify options]: runs `eseal verify --json --trust $ROOT`, asserts the exit status,
# and keeps the JSON in $OUT; jf EXPR evaluates a Python expression over it (d = the object of the first file).
# Referees we did not write: pdfsig_all_valid FILE N whole|part (Poppler finds N signatures, all valid, the last one
# covering the whole file or followed by an update: tests/lib/env.sh pdfsig_check), qpdf_ok FILE,
# renders_differ A B (Poppler's pdftoppm draws page 1 of A and B differently).
# gencrl DIR OUT HOURS [prefix...]: a DER CRL of the issuing CA valid HOURS, by `openssl ca -gencrl` on a copy of the
# CA's database in DIR (the fixture's crlnumber stays untouched), run under prefix (e.g. faketime -f -2h); OUT.pem too.

verify_json() {
	local code=$1 file=$2
	shift 2
	expect_exit "$code" "$ESEAL" verify --json --trust "$ROOT" "$@" "$file"
}

jf() {
	python3 -c 'import json,sys
d=json.loads(open(sys.argv[1]).readline())
print(eval(sys.argv[2]))' "$OUT" "$1"
}

# expect_seal N INDICATION SUB|None [REGEX]: seal N has that indication and sub-indication, and (if not passing)
# a reason in errors matching REGEX.
expect_seal() {
	local n=$1 ind=$2 sub=$3 re=${4:-.}
	[ "$(jf "d['seals'][$n]['indication']")" = "$ind" ] || fail "seal $n: indication $(jf "d['seals'][$n]['indication']"), want $ind: $(head -c 1500 "$OUT")"
	[ "$(jf "d['seals'][$n]['sub_indication']")" = "$sub" ] || fail "seal $n: sub-indication $(jf "d['seals'][$n]['sub_indication']"), want $sub: $(head -c 1500 "$OUT")"
	if [ "$ind" != TOTAL-PASSED ]; then
		# (captured first: with pipefail, grep -q closing the pipe early would fail the pipeline)
		local errs
		errs=$(jf "'\n'.join(d['seals'][$n]['errors'])")
		grep -Eq -- "$re" <<<"$errs" || fail "seal $n: no reason matching '$re': $(head -c 1500 "$OUT")"
	fi
}

# The JSON carries the fields the issue names, for every seal.
expect_fields() {
	local f
	for f in format level indication sub_indication organization organization_identifier signing_time timestamp_time \
		covers_whole_document modified_after errors warnings; do
		[ "$(jf "all('$f' in s for s in d['seals'])")" = True ] || fail "JSON lacks $f: $(head -c 800 "$OUT")"
	done
	[ "$(jf "'file' in d and len(d['seals']) > 0")" = True ] || fail "JSON lacks file/seals"
}

# errors_match N REGEX: a reason of seal N matches REGEX.
errors_match() {
	local errs
	errs=$(jf "'\n'.join(d['seals'][$1]['errors'])")
	grep -Eq -- "$2" <<<"$errs" || fail "seal $1: no reason matching '$2': $(head -c 1500 "$OUT")"
}

pdfsig_all_valid() { # FILE N whole|part
	pdfsig_check "$1" "$2" "${3:?pdfsig_all_valid FILE N whole|part}"
}

qpdf_ok() { # FILE
	local log
	log=$(mktemp "$ESEAL_TMP_ROOT/qpdf.XXXXXX")
	qpdf --check "$1" >"$log" 2>&1 || fail "qpdf --check rejects $(basename "$1"): $(tail -3 "$log")"
}

gencrl() { # DIR OUT HOURS [prefix...]
	local dir=$1 out=$2 hours=$3
	shift 3
	if [ ! -f "$dir/ca.cnf" ]; then
		cp -r "$PKI/ca" "$dir/ca"
		sed "s|^dir = $PKI/ca\$|dir = $dir/ca|" "$PKI/openssl.cnf" >"$dir/ca.cnf"
		grep -q "^dir = $dir/ca\$" "$dir/ca.cnf" || fail "could not point the CA configuration at $dir/ca"
	fi
	"$@" openssl ca -config "$dir/ca.cnf" -name issuing_ca -gencrl -crlhours "$hours" -out "$out.pem" \
		>"$dir/gencrl.log" 2>&1 || fail "openssl ca -gencrl failed: $(cat "$dir/gencrl.log")"
	openssl crl -in "$out.pem" -outform DER -out "$out"
}

# renders_differ A B: pdftoppm renders page 1 of A and of B differently, so a change the verifier refuses is one a
# reader sees, not a no-op that a verifier could refuse for the wrong reason.
renders_differ() {
	local d
	d=$(mktemp -d "$ESEAL_TMP_ROOT/render.XXXXXX")
	pdftoppm -r 50 -f 1 -l 1 -singlefile "$1" "$d/a" && pdftoppm -r 50 -f 1 -l 1 -singlefile "$2" "$d/b" ||
		fail "pdftoppm cannot render $(basename "$1") or $(basename "$2")"
	! cmp -s "$d/a.ppm" "$d/b.ppm" || fail "$(basename "$2") renders exactly like $(basename "$1") (pdftoppm)"
}

# lt_fresh DIR: pdf_lta.py dss arguments that, added to a seal's own, make its DSS complete for B-LT (the verifier
# asks for revocation data issued after the time-stamp for every certificate of the signer's and the TSA's chains):
# the root CA's CRL published now (for the issuing CA's certificate) and OCSP answers fetched now for the signing
# and the TSA certificates (not with root-only: the file's own CRL of the issuing CA answers for those). Call it after
# the seal's time-stamp.
lt_fresh() {
	local d=$1
	sleep 1
	publish_crl root
	cp "$TE/www/root.crl" "$d/root-fresh.crl"
	if [ "${2:-}" = root-only ]; then
		echo --cert "$ROOT" --crl "$d/root-fresh.crl"
		return
	fi
	openssl ocsp -issuer "$CA" -cert "$PKI/eseal.pem" -url "$OCSP_URL" -respout "$d/eseal-fresh.ocsp" -noverify \
		>/dev/null 2>&1 || fail "lt_fresh: no OCSP answer for the signing certificate"
	openssl ocsp -issuer "$CA" -cert "$PKI/tsa.pem" -url "$OCSP_URL" -respout "$d/tsa-fresh.ocsp" -noverify \
		>/dev/null 2>&1 || fail "lt_fresh: no OCSP answer for the TSA certificate"
	echo --cert "$PKI/tsa.pem" --cert "$ROOT" --crl "$d/root-fresh.crl" --ocsp "$d/eseal-fresh.ocsp" \
		--ocsp "$d/tsa-fresh.ocsp"
}
