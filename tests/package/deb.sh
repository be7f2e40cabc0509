#!/bin/bash
# tests/package/deb.sh: the Debian packages as an administrator meets them, on this machine: lintian (no errors or
# warnings beyond debian/*.lintian-overrides), `apt-get install ./*.deb`, the manual pages, `eseal --version`, the
# conffile, a pkg-config consumer of libeseal-dev, the bash completion, the README demo run with the installed
# /usr/bin/eseal, then `apt-get purge`: every path the packages brought is gone and the machine is as before (the
# eseal account and any dependency apt pulled in are removed again). Needs root or sudo.
#   tests/package/deb.sh [--skip-build DIR]   DIR: packages scripts/build-deb.sh made (else built here, in a temp dir)
# Refuses to run when an eseal package is already installed (it would remove it).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
PKGS=(eseal eseal-cups eseal-printer libeseal0 libeseal-dev)
DEBDIR=""
case ${1:-} in
--skip-build) DEBDIR=$(cd "${2:?--skip-build DIR}" && pwd) ;;
"") ;;
*) echo "usage: tests/package/deb.sh [--skip-build DIR]" >&2; exit 64 ;;
esac

T=$(mktemp -d /tmp/eseal-deb.XXXXXX)
chmod 0755 "$T" # apt's _apt user reads the .debs from here
trap 'rm -rf "$T"' EXIT
ROOT=()
[ "$(id -u)" -eq 0 ] || ROOT=(sudo DEBIAN_FRONTEND=noninteractive)
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
t0=$(date +%s)
say() { echo "== deb.sh: $* ($(($(date +%s) - t0))s)"; }
fail() { echo "deb.sh: FAIL: $*" >&2; exit 1; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

for p in "${PKGS[@]}"; do
	[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != [ir]* ]] ||
		fail "$p is already installed (or not purged): this test would remove it; apt-get purge ${PKGS[*]} first"
done

if [ -z "$DEBDIR" ]; then
	say "building the packages"
	DEBDIR=$T/debs
	ESEAL_DEB_BUILDDIR=${ESEAL_DEB_BUILDDIR:-$T/build} bash "$SRC/scripts/build-deb.sh" "$DEBDIR" >"$T/build.log" 2>&1 ||
		{ tail -n 30 "$T/build.log" >&2; fail "scripts/build-deb.sh failed (log above)"; }
fi
DEBS=()
for p in "${PKGS[@]}"; do
	f=$(ls "$DEBDIR/${p}"_*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || fail "no ${p}_*.deb in $DEBDIR"
	cp "$f" "$T/"
	DEBS+=("$T/$(basename "$f")")
done
VERSION=$(dpkg-deb -f "${DEBS[0]}" Version)

say "lintian"
changes=$(ls "$DEBDIR"/*.changes 2>/dev/null | head -n 1 || true)
# --fail-on warning: a warning must be fixed or overridden with the reason (debian/*.lintian-overrides).
rc=0
lintian --fail-on error,warning ${changes:-"${DEBS[@]}"} >"$T/lintian.log" 2>&1 || rc=$?
grep -v '^running with root privileges' "$T/lintian.log" || true
[ "$rc" -eq 0 ] || fail "lintian (exit $rc): $(grep -E '^[EW]:' "$T/lintian.log" | head -n 5 | tr '\n' ' ')"

# What exists before: afterwards, every path the packages hold that did not exist must be gone again.
for d in "${DEBS[@]}"; do
	dpkg-deb --fsys-tarfile "$d" | tar -t | sed 's|^\./|/|; s|/$||' | grep -v '^$'
done | sort -u >"$T/paths"
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || echo "$p"
done <"$T/paths" >"$T/new-paths"
dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 == "installed" { print $2 }' | sort >"$T/pkgs-before"
had_user=0
getent passwd eseal >/dev/null && had_user=1
extra=/var/log/eseal:/var/lib/eseal:/var/spool/eseal-printer:/etc/eseal
for p in ${extra//:/ }; do
	[ ! -e "$p" ] || echo "$p" >>"$T/existed"
done

# Whatever fails from here on, the machine gets its state back.
restore() {
	local rc=$?
	set +e
	[ ! -d "$T/demo" ] || bash "$SRC/samples/demo/services.sh" stop "$T/demo" >/dev/null 2>&1
	"${ROOT[@]}" "${APT[@]}" purge "${PKGS[@]}" >>"$T/purge.log" 2>&1
	dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 == "installed" { print $2 }' | sort >"$T/pkgs-after"
	pulled=$(comm -13 "$T/pkgs-before" "$T/pkgs-after")
	[ -z "$pulled" ] || "${ROOT[@]}" "${APT[@]}" purge $pulled >>"$T/purge.log" 2>&1
	if [ "$had_user" = 0 ] && getent passwd eseal >/dev/null; then
		"${ROOT[@]}" deluser --system --quiet eseal >>"$T/purge.log" 2>&1
		getent group eseal >/dev/null && "${ROOT[@]}" delgroup --system --quiet eseal >>"$T/purge.log" 2>&1
	fi
	rm -rf "$T"
	exit "$rc"
}
trap restore EXIT

say "apt-get install ./*.deb"
"${ROOT[@]}" "${APT[@]}" install --no-install-recommends "${DEBS[@]}" >"$T/install.log" 2>&1 ||
	{ tail -n 20 "$T/install.log" >&2; fail "apt-get install failed"; }
for p in "${PKGS[@]}"; do
	installed "$p" || fail "$p is not installed after apt-get install"
done

say "installed files"
[ "$(command -v eseal)" = /usr/bin/eseal ] || fail "eseal is not /usr/bin/eseal: $(command -v eseal)"
v=$(eseal --version) || fail "eseal --version exits $?"
[ "$v" = "eseal $VERSION" ] || fail "eseal --version says '$v', the package is $VERSION"
grep -q '^ /etc/eseal/eseal.conf ' <<<"$(dpkg-query -W -f='${Conffiles}\n' eseal)" ||
	fail "/etc/eseal/eseal.conf is not a conffile of eseal"
[ -f /etc/eseal/eseal.conf ] || fail "/etc/eseal/eseal.conf missing"
getent passwd eseal >/dev/null || fail "no eseal system account (the services' User=eseal)"
for u in /lib/systemd/system/eseal-serve.service /lib/systemd/system/eseal-printer.service /etc/pam.d/eseal-printer \
	/usr/lib/cups/filter/eseal-texttopdf /usr/share/ppd/eseal/eseal.ppd /usr/bin/eseal-printer; do
	[ -f "$u" ] || fail "$u missing"
done
[ "$(stat -c %a /usr/lib/cups/backend/eseal)" = 700 ] || fail "the CUPS back end is not mode 0700 (CUPS would not run it as root)"
grep -q "ExecStart=/usr/bin/eseal serve" /lib/systemd/system/eseal-serve.service || fail "eseal-serve.service: wrong ExecStart"
echo "eseal $VERSION in /usr/bin, conffile /etc/eseal/eseal.conf, account eseal, units, PAM file, CUPS back end 0700"
# The modules libeseal0 ships beside libeseal.so.0, loaded on first use: neither the command nor the library needs
# what they link (cairo, pango and Poppler; libxml2, xmlsec and ICU).
for m in libeseal-render.so.0 libeseal-xml.so.0; do
	dpkg -L libeseal0 | grep -q "/$m\$" || fail "libeseal0 does not ship $m"
done
for f in /usr/bin/eseal "$(dpkg -L libeseal0 | grep '/libeseal\.so\.0$')"; do
	readelf -d "$f" >"$T/dyn"
	! grep -E 'NEEDED.*lib(xml2|xmlsec1|icu|cairo|pango|poppler)' "$T/dyn" || fail "$f needs what a module links"
done
echo "libeseal0 ships libeseal-render.so.0 and libeseal-xml.so.0; eseal and libeseal.so.0 need neither's libraries"

say "manual pages"
man -P cat eseal >"$T/man1" 2>"$T/man.err" || fail "man eseal: $(cat "$T/man.err")"
grep -q '^NAME' "$T/man1" && grep -q '^SYNOPSIS' "$T/man1" || fail "man eseal has no NAME/SYNOPSIS"
grep -q 'eseal seal' "$T/man1" && grep -q -- '--pin-file' "$T/man1" || fail "man eseal lacks the seal command's options"
grep -q 'pin-file' <<<"$(man -P cat 5 eseal.conf)" || fail "man 5 eseal.conf lacks pin-file"
grep -q '^SYNOPSIS' <<<"$(man -P cat eseal-printer)" || fail "man eseal-printer has no SYNOPSIS"
sed -n '/^NAME/,/^SYNOPSIS/p' "$T/man1" | head -n 4

say "bash completion"
out=$(bash -c 'source /usr/share/bash-completion/bash_completion
	_completion_loader eseal
	complete -p eseal >/dev/null || exit 1
	COMP_WORDS=(eseal seal --pin); COMP_CWORD=2; COMP_LINE="eseal seal --pin"; COMP_POINT=${#COMP_LINE}
	_eseal eseal --pin seal; echo "opts: ${COMPREPLY[*]}"
	COMP_WORDS=(eseal ""); COMP_CWORD=1; COMP_LINE="eseal "; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	_eseal eseal "" eseal; echo "cmds: ${COMPREPLY[*]}"') ||
	fail "the completion does not load: $out"
echo "$out"
grep -q '^opts: --pin-file$' <<<"$out" || fail "completing 'eseal seal --pin' does not give --pin-file"
grep -q '^cmds: .*seal.*verify' <<<"$out" || fail "completing 'eseal ' does not list the commands"

say "libeseal-dev: a pkg-config consumer"
flags=$(pkg-config --cflags --libs eseal) || fail "pkg-config does not find eseal"
(cd "$T" && cc -std=c11 -Wall -Wextra -Werror -o consumer "$SRC/tests/install/consumer.c" $flags) ||
	fail "tests/install/consumer.c does not build with: $flags"
# (ldd's output kept first: grep -q leaving early would make ldd die of SIGPIPE, a failure under pipefail)
ldd "$T/consumer" >"$T/ldd"
grep -Eq "libeseal.so.0 => (/usr)?/lib/[^ ]*/libeseal.so.0 " "$T/ldd" || fail "the consumer does not use the installed libeseal.so.0"
echo "built with: $flags"

say "the README demo with /usr/bin/eseal"
mkdir "$T/demo"
ESEAL_DEMO_BIN=/usr/bin/eseal ESEAL_DEMO_DIR=$T/demo bash "$SRC/samples/demo/demo.sh" >"$T/demo.log" 2>&1 ||
	{ tail -n 30 "$T/demo.log" >&2; fail "samples/demo/demo.sh with the installed eseal failed"; }
grep -q '^demo: all .* documents sealed and verified' "$T/demo.log" || fail "the demo did not report success"
tail -n 1 "$T/demo.log"
# The consumer verifies with revocation checks: the demo's OCSP responder and CRL server again, for it.
mkdir "$T/out"
bash "$SRC/samples/demo/services.sh" start "$T/demo" >"$T/services.log" 2>&1 || fail "the demo services do not start again"
"$T/consumer" "$T/demo/pki/dev-eseal.key" "$T/demo/pki/dev-chain.pem" "$T/demo/pki/trust.pem" \
	"$SRC/samples/documents/invoice-ubl.xml" "$SRC/samples/documents/report.pdf" "$T/out" >"$T/consumer.out" 2>&1 ||
	fail "the consumer failed: $(tail -n 3 "$T/consumer.out")"
bash "$SRC/samples/demo/services.sh" stop "$T/demo" >>"$T/services.log" 2>&1
grep -q 'sealed.pdf: TOTAL-PASSED' "$T/consumer.out" || fail "the consumer's PDF did not verify"
echo "consumer: sealed and verified an XML and a PDF with the installed libeseal"

say "apt-get purge"
"${ROOT[@]}" "${APT[@]}" purge "${PKGS[@]}" >"$T/purge.log" 2>&1 || { tail -n 20 "$T/purge.log" >&2; fail "apt-get purge failed"; }
for p in "${PKGS[@]}"; do
	[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != [ir]* ]] || fail "$p still known to dpkg after purge"
done
left=()
while read -r p; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || left+=("$p")
done <"$T/new-paths"
for p in ${extra//:/ }; do
	grep -qx "$p" "$T/existed" 2>/dev/null || [ ! -e "$p" ] || left+=("$p")
done
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
echo "no file of the packages left ($(wc -l <"$T/new-paths") paths checked; /etc/eseal gone)"
say "passed"
