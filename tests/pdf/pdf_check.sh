# tests/pdf/pdf_check.sh: sourced by the PDF script tests after tests/lib/env.sh: the referees run on every sealed
# PDF (pdfsig, qpdf --check, openssl cms on the extracted CMS, openssl ts on the B-T token).
PDF_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIGPY=$PDF_TESTS/pdf_sig.py
CMS_TST=$ESEAL_LIB_DIR/cms_tst.py
REPORT=$SAMPLES/documents/report.pdf
MAKE_REPORT=$SAMPLES/documents/make-report.py

# check_sealed FILE NSIGS LEVEL(B-B|B-T): every signature valid per pdfsig, the last one covers the whole file and
# none before it does (pdfsig_check),
# qpdf finds no damage, and the last signature's CMS has the PAdES attributes and verifies over its ByteRange.
# Encrypted files: PDF_PASSWORD=<user password> check_sealed ... (the referees get it; /M is then an encrypted string);
# set but empty for an empty user password.
check_sealed() {
	local f=$1 n=$2 level=$3 d pw=()
	d=$(mktemp -d "$ESEAL_TMP_ROOT/chk.XXXXXX")
	[ -n "${PDF_PASSWORD+set}" ] && pw=(-upw "$PDF_PASSWORD")
	pdfsig_check "$f" "$n" whole -- "${pw[@]}"
	pdfsig "${pw[@]}" "$f" >"$d/pdfsig" 2>&1 || fail "$f: pdfsig failed: $(cat "$d/pdfsig")"
	grep -A12 "^Signature #$n:" "$d/pdfsig" | has "Signature Type: ETSI.CAdES.detached" ||
		fail "$f: the last signature is not ETSI.CAdES.detached"
	qpdf --check ${PDF_PASSWORD+--password="$PDF_PASSWORD"} "$f" >"$d/qpdf" 2>&1 ||
		fail "$f: qpdf --check failed: $(cat "$d/qpdf")"
	grep -qiE "warning|error:" "$d/qpdf" && fail "$f: qpdf --check complains: $(cat "$d/qpdf")"
	# The last seal covers every byte but its own /Contents (--whole).
	python3 "$SIGPY" "$f" --whole --data "$d/signed.bin" --cms "$d/sig.der" 2>"$d/sigpy" ||
		fail "$f: $(cat "$d/sigpy")"
	python3 "$SIGPY" "$f" --dict >"$d/dict" 2>/dev/null
	grep -q "/SubFilter /ETSI.CAdES.detached" "$d/dict" || fail "$f: /SubFilter is not ETSI.CAdES.detached"
	grep -q "/Filter /Adobe.PPKLite" "$d/dict" || fail "$f: /Filter is not Adobe.PPKLite"
	if [ -z "${PDF_PASSWORD+set}" ]; then
		grep -qE "/M \(D:[0-9]{14}\+00'00'\)" "$d/dict" || fail "$f: /M missing or malformed: $(cat "$d/dict")"
	else
		grep -qE "/M <[0-9A-F]{96}>" "$d/dict" || fail "$f: /M is not an encrypted string: $(cat "$d/dict")"
	fi
	openssl cms -cmsout -print -inform DER -in "$d/sig.der" >"$d/cms.txt" 2>&1 || fail "$f: CMS does not parse"
	grep -q "contentType" "$d/cms.txt" || fail "$f: CMS without content-type"
	grep -q "messageDigest" "$d/cms.txt" || fail "$f: CMS without message-digest"
	grep -qE "signingCertificateV2|1\.2\.840\.113549\.1\.9\.16\.2\.47" "$d/cms.txt" ||
		fail "$f: CMS without signing-certificate-v2"
	grep -qE "object: signingTime" "$d/cms.txt" && fail "$f: PAdES CMS must not carry signing-time"
	grep -q "eContent: <ABSENT>" "$d/cms.txt" || fail "$f: CMS is not detached"
	openssl cms -verify -cades -binary -inform DER -in "$d/sig.der" -content "$d/signed.bin" -CAfile "$ROOT" \
		-purpose any -out /dev/null 2>"$d/verify" || fail "$f: openssl cms -verify: $(cat "$d/verify")"
	if [ "$level" = B-T ]; then
		python3 "$CMS_TST" "$d/sig.der" --signature "$d/sigval.bin" --token "$d/tst.der" ||
			fail "$f: B-T seal without a signature-time-stamp"
		openssl ts -verify -data "$d/sigval.bin" -in "$d/tst.der" -token_in -CAfile "$ROOT" \
			-untrusted "$TSA_CHAIN" >"$d/ts" 2>&1 || fail "$f: time-stamp token does not verify: $(cat "$d/ts")"
	else
		grep -qE "timeStampToken|1\.2\.840\.113549\.1\.9\.16\.2\.14" "$d/cms.txt" &&
			fail "$f: B-B seal carries a time-stamp"
	fi
	return 0
}

# The original bytes are a prefix of the sealed file (incremental update only).
check_prefix() {
	local orig=$1 sealed=$2
	cmp -s -n "$(stat -c %s "$orig")" "$orig" "$sealed" || fail "$sealed does not start with the bytes of $orig"
}

# has [grep options] PATTERN: like grep -q on stdin, but reads all of it (no SIGPIPE for the writer under pipefail).
has() {
	grep -c "$@" >/dev/null
}

# check_cjk_text PDF LINE...: every LINE is text in PDF (pdftotext shows it: Japanese printed as text, not as boxes or
# pictures of it), and pdffonts lists an embedded CJK face (Noto CJK, IPA) as a composite (CID) font with a ToUnicode
# map, which is what makes the text searchable and copyable.
check_cjk_text() {
	local f=$1 d line
	shift
	d=$(mktemp -d "$ESEAL_TMP_ROOT/cjk.XXXXXX")
	pdftotext "$f" "$d/text" || fail "$f: pdftotext failed"
	for line in "$@"; do
		grep -qF -- "$line" "$d/text" || fail "$f: pdftotext does not show '$line': $(cat "$d/text")"
	done
	pdffonts "$f" >"$d/fonts" 2>&1 || fail "$f: pdffonts failed: $(cat "$d/fonts")"
	grep -Eiq '^[a-z]{6}\+[^ ]*(CJK|IPA)[^ ]* +CID .* yes +yes +yes +[0-9]' "$d/fonts" ||
		fail "$f: no embedded CJK font with a ToUnicode map: $(cat "$d/fonts")"
}
