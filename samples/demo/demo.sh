#!/bin/bash
# samples/demo/demo.sh: README command 1. On a fresh Debian 12 machine: installs the packages, builds eseal
# (release, into build/), creates the demo state in demo/ (PKI, SoftHSM2 token, eseal.conf with [profile demo]),
# starts the loopback TSA and OCSP responder, seals every file in samples/documents/ into demo/out/ (PDF -> PAdES,
# XML -> XAdES, anything else -> detached CAdES .p7s), checks each result with eseal verify (when built) and with
# independent referees (pdfsig + qpdf, xmlsec1, openssl cms/ts), prints a summary and stops the services.
#   samples/demo/demo.sh [--fresh] [--install]
#     --fresh    rebuild the PKI and token even if demo/ already has them
#     --install  also `cmake --install build` (to /usr/local; nothing is installed system-wide otherwise)
# Environment: ESEAL_DEMO_DIR (default <src>/demo), ESEAL_DEMO_BUILD (default <src>/build), ESEAL_JOBS (default 2),
#   ESEAL_DEMO_BIN (an eseal already built or installed, e.g. /usr/bin/eseal from the .deb: nothing is built).
# Re-running is safe: demo/out is emptied first; the PKI and token are kept unless --fresh.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEMO_DIR=${ESEAL_DEMO_DIR:-$SRC/demo}
BUILD=${ESEAL_DEMO_BUILD:-$SRC/build}
JOBS=${ESEAL_JOBS:-2}
FRESH=0
INSTALL=0
for a in "$@"; do
	case $a in
	--fresh) FRESH=1 ;;
	--install) INSTALL=1 ;;
	-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option $a (see --help)" >&2; exit 64 ;;
	esac
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

say "1/6 Debian packages"
bash "$SRC/scripts/install-deps.sh"

if [ -n "${ESEAL_DEMO_BIN:-}" ]; then
	say "2/6 using $ESEAL_DEMO_BIN (ESEAL_DEMO_BIN: nothing built)"
	[ "$INSTALL" = 0 ] || { echo "demo: --install needs a build; unset ESEAL_DEMO_BIN" >&2; exit 64; }
	ESEAL=$ESEAL_DEMO_BIN
else
	say "2/6 build (release) in $BUILD"
	mkdir -p "$BUILD"
	cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DESEAL_SANITIZE=OFF -DESEAL_FUZZ=OFF -DESEAL_TESTS=OFF \
		>"$BUILD/demo-configure.log" 2>&1 || { tail -n 40 "$BUILD/demo-configure.log" >&2; exit 1; }
	cmake --build "$BUILD" -j "$JOBS" >"$BUILD/demo-build.log" 2>&1 || { tail -n 40 "$BUILD/demo-build.log" >&2; exit 1; }
	ESEAL=$BUILD/plugins/cli/eseal
	if [ "$INSTALL" = 1 ]; then
		cmake --install "$BUILD"
	fi
fi
"$ESEAL" --version

say "3/6 demo PKI and SoftHSM2 token in $DEMO_DIR"
bash "$SRC/samples/demo/services.sh" stop "$DEMO_DIR" 2>/dev/null || true
if [ "$FRESH" = 1 ] || [ ! -s "$DEMO_DIR/eseal.conf" ] || [ ! -d "$DEMO_DIR/tokens" ]; then
	rm -rf "$DEMO_DIR"
	mkdir -p "$DEMO_DIR"
	bash "$SRC/samples/demo/mkpki.sh" "$DEMO_DIR"
else
	echo "reusing $DEMO_DIR (--fresh to rebuild)"
fi
export SOFTHSM2_CONF=$DEMO_DIR/softhsm2.conf
export ESEAL_CONFIG=$DEMO_DIR/eseal.conf
PKI=$DEMO_DIR/pki
openssl x509 -in "$PKI/eseal.pem" -noout -subject -issuer -dates -nameopt utf8,sep_comma_plus_space
# The demo token only (p11-kit may also list the system's other modules and trust store).
"$ESEAL" token list --module "$(cat "$DEMO_DIR/module")" |
	awk '/^module: /{show = ($0 ~ /softhsm/)} show' | sed -n '1,40p' || true

say "4/6 loopback TSA and OCSP responder"
trap 'bash "$SRC/samples/demo/services.sh" stop "$DEMO_DIR" || true' EXIT
if ! bash "$SRC/samples/demo/services.sh" start "$DEMO_DIR"; then
	# The ports baked into a kept PKI may have been taken since: start over with new ones.
	echo "services did not start; rebuilding the demo PKI with new ports"
	rm -rf "$DEMO_DIR"
	mkdir -p "$DEMO_DIR"
	bash "$SRC/samples/demo/mkpki.sh" "$DEMO_DIR"
	bash "$SRC/samples/demo/services.sh" start "$DEMO_DIR"
fi

say "5/6 sealing samples/documents/* into $DEMO_DIR/out (profile demo: B-T, key in the token)"
OUT=$DEMO_DIR/out
rm -rf "$OUT"
mkdir -p "$OUT"
HAVE_VERIFY=0
"$ESEAL" verify --help >/dev/null 2>&1 && HAVE_VERIFY=1
ROWS=()
FAILED=0

# referee FILE KIND ORIGINAL: independent checks; prints a short verdict, returns non-zero when one fails.
referee() {
	local f=$1 kind=$2 orig=$3 t
	t=$(mktemp -d)
	case $kind in
	pdf)
		pdfsig "$f" >"$t/pdfsig" 2>&1 || true
		grep -q "Signature Validation: Signature is Valid" "$t/pdfsig" || { cat "$t/pdfsig" >&2; rm -rf "$t"; echo "pdfsig: invalid"; return 1; }
		grep -q "^ *- Total document signed" "$t/pdfsig" || { cat "$t/pdfsig" >&2; rm -rf "$t"; echo "pdfsig: the seal does not cover the whole file"; return 1; }
		qpdf --check "$f" >"$t/qpdf" 2>&1 || { cat "$t/qpdf" >&2; rm -rf "$t"; echo "qpdf --check: failed"; return 1; }
		echo "pdfsig: valid; qpdf --check: ok"
		;;
	xml)
		xmlsec1 --verify --trusted-pem "$PKI/root.pem" --untrusted-pem "$PKI/ca.pem" \
			--id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$f" >"$t/xmlsec" 2>&1 ||
			{ cat "$t/xmlsec" >&2; rm -rf "$t"; echo "xmlsec1: FAILED"; return 1; }
		echo "xmlsec1 --verify: OK"
		;;
	cades)
		openssl cms -verify -cades -binary -inform DER -in "$f" -content "$orig" -CAfile "$PKI/root.pem" \
			-purpose any -out /dev/null 2>"$t/cms" || { cat "$t/cms" >&2; rm -rf "$t"; echo "openssl cms: FAILED"; return 1; }
		if python3 "$SRC/tests/lib/cms_tst.py" "$f" --signature "$t/sig" --token "$t/tst" 2>/dev/null; then
			openssl ts -verify -token_in -in "$t/tst" -digest "$(openssl dgst -sha256 -r "$t/sig" | cut -d' ' -f1)" \
				-CAfile "$PKI/root.pem" -untrusted "$PKI/tsa-chain.pem" >/dev/null 2>"$t/ts" ||
				{ cat "$t/ts" >&2; rm -rf "$t"; echo "openssl ts -verify: FAILED"; return 1; }
			echo "openssl cms -verify: OK; openssl ts -verify: OK"
		else
			echo "openssl cms -verify: OK (no time-stamp)"
		fi
		;;
	esac
	rm -rf "$t"
}

for in in "$SRC"/samples/documents/*; do
	[ -f "$in" ] || continue
	name=$(basename "$in")
	lower=$(printf '%s' "$name" | tr 'A-Z' 'a-z')
	case $lower in
	*.pdf) kind=pdf out=$OUT/$name ;;
	*.xml) kind=xml out=$OUT/$name ;;
	*) kind=cades out=$OUT/$name.p7s ;;
	esac
	printf '\n-- %s (%s)\n' "$name" "$kind"
	rc=0
	"$ESEAL" seal --config "$ESEAL_CONFIG" --profile demo -o "$out" "$in" || rc=$?
	if [ "$rc" -ne 0 ]; then
		ROWS+=("FAIL  $name: eseal seal exit $rc")
		FAILED=$((FAILED + 1))
		continue
	fi
	verdict=""
	if [ "$HAVE_VERIFY" = 1 ]; then
		vargs=(--trust "$PKI/root.pem")
		[ "$kind" = cades ] && vargs+=(--data "$in")
		vrc=0
		"$ESEAL" verify "${vargs[@]}" "$out" || vrc=$?
		case $vrc in
		0) verdict="eseal verify: TOTAL-PASSED; " ;;
		2) verdict="eseal verify: INDETERMINATE; " ;;
		*) verdict="eseal verify: FAILED (exit $vrc); "; FAILED=$((FAILED + 1)) ;;
		esac
	fi
	if r=$(referee "$out" "$kind" "$in"); then
		ROWS+=("ok    $name -> ${out#"$DEMO_DIR"/}  [$verdict$r]")
	else
		ROWS+=("FAIL  $name -> ${out#"$DEMO_DIR"/}  [$verdict$r]")
		FAILED=$((FAILED + 1))
	fi
done

say "6/6 summary"
printf '%s\n' "${ROWS[@]}"
[ "$HAVE_VERIFY" = 1 ] || echo "(eseal verify is not built yet: referees only)"
if [ "$FAILED" -ne 0 ]; then
	echo "demo: $FAILED problem(s)" >&2
	exit 1
fi
echo "demo: all ${#ROWS[@]} documents sealed and verified; outputs in $OUT"
