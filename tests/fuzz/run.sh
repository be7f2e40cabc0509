#!/bin/bash
# tests/fuzz/run.sh: the bounded fuzz stage of CI: builds the library and the libFuzzer targets with clang
# (ASan + UBSan + fuzzer coverage) in their own build directory, makes a small seed corpus of genuinely signed
# PDF, XML and CMS files with openssl/xmlsec1 (mkseed_pdf.py, mkseed_xml.sh) and of TSA answers (openssl ts -reply),
# then runs each target for ESEAL_FUZZ_SECONDS (default 60). Any crash, leak or sanitizer report fails the stage.
#   tests/fuzz/run.sh [BUILD_DIR_OF_THE_CALLER]   (the fuzz build goes to <src>/build-fuzz, or $ESEAL_FUZZ_BUILD)
#   ESEAL_FUZZ_TARGETS="pdf xml cms tsa" (default: all) picks the targets to run.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FB=${ESEAL_FUZZ_BUILD:-$SRC/build-fuzz}
SECS=${ESEAL_FUZZ_SECONDS:-60}
# A fixed random seed, so a red CI run can be replayed on a developer's machine with the same mutations (the run-time
# seeds differ in their keys' bytes only); 0 is libFuzzer's "pick one", which the long campaign uses.
SEED=${ESEAL_FUZZ_SEED:-1}
# The sealers' targets (pdf_seal, xml_seal) read untrusted documents too; tests/fuzz/README.md has the long campaign
# (ESEAL_FUZZ_SECONDS=1800 for each target, under nice) and how a crash becomes a committed regression seed.
TARGETS=${ESEAL_FUZZ_TARGETS:-pdf xml cms tsa pdf_seal xml_seal}
# Extra libFuzzer flags (the campaign's fork mode, which goes on after a crash and keeps every artifact).
read -r -a FLAGS <<<"${ESEAL_FUZZ_FLAGS:-}"

command -v clang >/dev/null || { echo "fuzz: clang not installed" >&2; exit 1; }
# clang warns about things gcc (the project's compiler) does not; warnings must not stop the fuzz stage, and
# -Werror comes last on the project's command line, so a wrapper appends -Wno-error after it.
mkdir -p "$FB"
printf '#!/bin/sh\nexec clang "$@" -Wno-error -Wno-unknown-warning-option\n' >"$FB/clang-no-werror"
chmod +x "$FB/clang-no-werror"
CC=$FB/clang-no-werror cmake -S "$SRC" -B "$FB" -DCMAKE_BUILD_TYPE=Debug -DESEAL_SANITIZE=ON -DESEAL_FUZZ=ON \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >"$FB.cmake.log" 2>&1 || { cat "$FB.cmake.log" >&2; exit 1; }
cmake --build "$FB" -j"${ESEAL_JOBS:-2}" --target fuzz_pdf_verify fuzz_xml_verify fuzz_cms_verify fuzz_tsa_response \
	fuzz_pdf_seal fuzz_xml_seal >"$FB.build.log" 2>&1 || { tail -50 "$FB.build.log" >&2; exit 1; }

# Seeds: signed with a throw-away key (nothing from the fixture is needed).
S=$FB/seeds
rm -rf "$S"
mkdir -p "$S/pdf" "$S/xml" "$S/cms" "$S/tsa" "$S/work"
W=$S/work
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -days 30 \
	-subj "/C=JP/O=Fuzz Org/organizationIdentifier=NTRJP-0000000000000/CN=Fuzz Seal" \
	-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature,nonRepudiation" 2>/dev/null
printf 'fuzz data\n' >"$W/data"
openssl cms -sign -cades -binary -outform DER -in "$W/data" -signer "$W/c.pem" -inkey "$W/k.pem" -md sha256 \
	-out "$S/cms/cades.p7s"
# XML seeds, signed ones among them; mkseed_xml.sh stops the stage if one cannot be made.
bash "$SRC/tests/fuzz/mkseed_xml.sh" "$S/xml"
for f in "$SRC"/samples/documents/*.pdf; do
	[ -s "$f" ] && [ "$(stat -c %s "$f")" -lt 200000 ] && cp "$f" "$S/pdf/"
done
# Small signed PDFs (pdfsig's output is ~500 KB and too slow to fuzz), intact and with a later content change.
for f in "$S"/pdf/*.pdf; do
	python3 "$SRC/tests/fuzz/mkseed_pdf.py" "$f" "${f%.pdf}-signed.pdf" "$W/k.pem" "$W/c.pem"
	python3 "$SRC/tests/fuzz/mkseed_pdf.py" "$f" "${f%.pdf}-changed.pdf" "$W/k.pem" "$W/c.pem" --tamper
done
# Forms and page trees whose catalog, fields, pages and annotations sit in an object stream or outside any, with
# signature values that do not verify: what the verifier lists with its own lexer, which the target checks against
# QPDF's listing.
for layout in objstm classic; do
	for m in names escaped; do
		python3 "$SRC/tests/verify/pdf_objstm_fields.py" $m "$S/pdf/fields-$m-$layout.pdf" $layout
	done
	for m in widget signed; do
		python3 "$SRC/tests/verify/pdf_objstm_pages.py" $m "$S/pdf/pages-$m-$layout.pdf" $layout
	done
done
# A signed file's later update whose entry points at no header of its object (a reader rebuilding the table shows
# another page): the header check of every used entry, and what QPDF reads of such a file.
for k in header zero hybrid; do
	python3 "$SRC/tests/verify/pdf_forge.py" damaged-entry "$S/pdf/report-signed.pdf" "$S/pdf/damaged-$k.pdf" $k
done
# TSA answers from OpenSSL's own TSA code (the fixture's tsa.cnf) with a throw-away CA and TSA certificate (critical
# EKU timeStamping): granted with nonce, without nonce, SHA-384 with the chain, and a rejection (badAlg: MD5 query).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/ca.key" -out "$W/ca.pem" -days 30 -subj "/O=Fuzz Org/CN=Fuzz CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$W/tsa.key" -out "$W/tsa.csr" -subj "/O=Fuzz Org/CN=Fuzz TSA" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' \
	>"$W/tsa.ext"
openssl x509 -req -in "$W/tsa.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 30 -extfile "$W/tsa.ext" \
	-out "$W/tsa.pem" 2>/dev/null
echo 01 >"$W/serial"
tsa_reply() { # NAME QUERY-OPTIONS...
	local name=$1
	shift
	openssl ts -query -data "$W/data" -cert "$@" -out "$W/$name.tsq" 2>/dev/null
	ESEAL_TSA_SERIAL=$W/serial openssl ts -reply -config "$SRC/tests/lib/tsa.cnf" -queryfile "$W/$name.tsq" \
		-inkey "$W/tsa.key" -signer "$W/tsa.pem" -chain "$W/ca.pem" -out "$S/tsa/$name.tsr" 2>/dev/null
}
tsa_reply granted -sha256
tsa_reply no-nonce -sha256 -no_nonce
tsa_reply sha384-policy -sha384 -tspolicy 1.3.6.1.4.1.99999.3.2
openssl ts -query -md5 -digest "$(printf '00%.0s' $(seq 16))" -cert -out "$W/rej.tsq" 2>/dev/null
ESEAL_TSA_SERIAL=$W/serial openssl ts -reply -config "$SRC/tests/lib/tsa.cnf" -queryfile "$W/rej.tsq" \
	-inkey "$W/tsa.key" -signer "$W/tsa.pem" -out "$S/tsa/rejection.tsr" 2>/dev/null
openssl ts -reply -in "$S/tsa/rejection.tsr" -text 2>/dev/null | grep >/dev/null 'Status: Rejected' ||
	{ echo "fuzz: the rejection seed is not a rejection" >&2; exit 1; }
openssl ts -verify -in "$S/tsa/granted.tsr" -queryfile "$W/granted.tsq" -CAfile "$W/ca.pem" >/dev/null 2>&1 ||
	{ echo "fuzz: the granted TSA seed does not verify" >&2; exit 1; }
# The sealers' seeds: the same documents behind their targets' option bytes (fuzz_pdf_seal.c: visible seal;
# fuzz_xml_seal.c: each enveloped placement), beside the committed corpus.
mkdir -p "$S/pdf_seal" "$S/xml_seal"
for f in "$S"/pdf/*.pdf; do
	printf '\001\000' | cat - "$f" >"$S/pdf_seal/$(basename "$f").seed"
done
for f in "$S"/xml/*.xml; do
	for p in 0 1 2; do
		printf "\\00$p" | cat - "$f" >"$S/xml_seal/$(basename "$f").$p.seed"
	done
done
rm -rf "$W"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_odr_violation=0
export LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
for t in $TARGETS; do
	corpus=$FB/corpus-$t
	maxlen=262144
	prog=fuzz_${t}_verify
	# A TSA answer is a few KiB (the client refuses more than 256 KiB anyway).
	[ "$t" = tsa ] && prog=fuzz_tsa_response maxlen=16384
	case $t in *_seal) prog=fuzz_$t ;; esac
	committed=$SRC/tests/fuzz/corpus/$prog
	mkdir -p "$corpus"
	# Every committed seed first, each on its own: the regression seeds of earlier crashes must stay fixed, and a
	# failure here names the seed.
	if compgen -G "$committed/*" >/dev/null; then
		echo "fuzz: $prog over the $(ls "$committed" | wc -l) committed seeds"
		"$FB/tests/fuzz/$prog" -timeout=20 -rss_limit_mb=2048 "$committed"/* >"$FB/fuzz-$t-seeds.log" 2>&1 || {
			rc=1
			echo "fuzz: $prog FAILED on a committed seed:" >&2
			grep -E "^Running: " "$FB/fuzz-$t-seeds.log" | tail -1 >&2
			tail -60 "$FB/fuzz-$t-seeds.log" >&2
		}
	fi
	[ "$SECS" -gt 0 ] || continue
	# New inputs go to the first directory (the build's); the seeds and the committed corpus are only read.
	dirs=("$corpus" "$S/$t")
	[ -d "$committed" ] && dirs+=("$committed")
	echo "fuzz: $prog for ${SECS}s"
	"$FB/tests/fuzz/$prog" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 -max_len="$maxlen" \
		-seed="$SEED" -artifact_prefix="$FB/crash-$t-" "${FLAGS[@]}" "${dirs[@]}" >"$FB/fuzz-$t.log" 2>&1 || {
		rc=1
		echo "fuzz: $prog FAILED (artifacts: $FB/crash-$t-*)" >&2
		tail -60 "$FB/fuzz-$t.log" >&2
	}
	grep -E "^#[0-9]+(.*(DONE|pulse)|: cov:)" "$FB/fuzz-$t.log" | tail -1 || true
done
exit $rc
