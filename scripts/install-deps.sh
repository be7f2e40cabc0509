#!/bin/bash
# scripts/install-deps.sh: installs every Debian 12 package eseal's build, demo and tests need (idempotent).
# Runs `apt-get update` only when a package is missing; as root, or through sudo otherwise. `--check` only reports.
set -euo pipefail

# Keep this list sorted, one package per line; others append what their area needs.
PACKAGES=(
	acl
	bash-completion
	bsdextrautils
	build-essential
	ca-certificates
	chromium
	clang
	clang-format
	clang-tidy
	cmake
	cppcheck
	cups
	cups-client
	cups-filters
	cups-ipp-utils
	curl
	debhelper
	dpkg-dev
	faketime
	file
	fonts-ipafont-gothic
	fonts-noto-cjk
	gettext
	ghostscript
	git
	gnutls-bin
	haproxy
	iproute2
	libacl1-dev
	libcairo2-dev
	libclang-rt-14-dev
	libcmocka-dev
	libcups2-dev
	libcupsimage2-dev
	libcurl4-openssl-dev
	libgnutls28-dev
	libinih-dev
	libjansson-dev
	libmicrohttpd-dev
	libnss3-tools
	libp11-dev
	libp11-kit-dev
	libpam-modules
	libpappl-dev
	libpango1.0-dev
	libpng-dev
	libpoppler-glib-dev
	libqpdf-dev
	libssl-dev
	libxml2-dev
	libxml2-utils
	libxmlsec1-dev
	libxmlsec1-openssl
	libzip-dev
	lintian
	locales
	man-db
	opensc
	openssl
	p11-kit
	pkg-config
	poppler-utils
	procps
	python3
	python3-lxml
	qpdf
	softhsm2
	strace
	systemd
	time
	unzip
	valgrind
	wrk
	xmlsec1
	xxd
	zlib1g-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
		missing+=("$p")
	fi
done

# The languages eseal ships catalogs for need their locale generated: glibc's gettext picks a catalog by locale.
LOCALES=(ja_JP.UTF-8 en_US.UTF-8)
locales_missing() {
	local l
	for l in "${LOCALES[@]}"; do
		locale -a 2>/dev/null | grep -ix "$(echo "$l" | sed 's/UTF-8/utf8/')" >/dev/null || return 0
	done
	return 1
}
run_root() {
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; run as root: $*" >&2; exit 1; }
		sudo DEBIAN_FRONTEND=noninteractive "$@"
	else
		"$@"
	fi
}
generate_locales() {
	locales_missing || return 0
	echo "install-deps: generating locales: ${LOCALES[*]}"
	local l
	for l in "${LOCALES[@]}"; do
		run_root sed -i "s/^# *\($l UTF-8\)/\1/" /etc/locale.gen
		grep -q "^$l UTF-8" /etc/locale.gen || echo "$l UTF-8" | run_root tee -a /etc/locale.gen >/dev/null
	done
	run_root locale-gen >/dev/null
}

if [ "${#missing[@]}" -eq 0 ]; then
	if [ "${1:-}" = "--check" ]; then
		! locales_missing || { echo "install-deps: missing locales: ${LOCALES[*]}" >&2; exit 1; }
		exit 0
	fi
	generate_locales
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "install-deps: missing: ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
	SUDO=(sudo DEBIAN_FRONTEND=noninteractive) # sudo drops the environment
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for a lock held by another apt (unattended-upgrades on a fresh machine) instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600)
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -q
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${missing[@]}"
generate_locales
