#!/bin/bash
# scripts/build-deb.sh: builds eseal's Debian packages (dpkg-buildpackage -us -uc -b, debian/) and moves them, with
# the .buildinfo and .changes, into OUTDIR (dpkg-buildpackage itself writes them beside the checkout).
#   scripts/build-deb.sh OUTDIR
# Environment: ESEAL_JOBS (parallel jobs, default 2); ESEAL_DEB_BUILDDIR (the CMake build directory, emptied first;
# default obj-<triplet> in the checkout); ESEAL_DEB_TESTS=ON (also compile the tests there, as tests/run does, to run
# ctest in that build); DEB_BUILD_OPTIONS (default "nocheck noddebs": no debug-symbol packages).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: scripts/build-deb.sh OUTDIR" >&2; exit 64; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
JOBS=${ESEAL_JOBS:-2}
cd "$SRC"
dpkg-checkbuilddeps || { echo "build-deb: missing build dependencies (scripts/install-deps.sh installs them)" >&2; exit 1; }

VERSION=$(dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
PARENT=$(dirname "$SRC")
# Not to mistake an older build's files beside the checkout for this one's.
rm -f "$PARENT"/{eseal,eseal-cups,eseal-printer,libeseal0,libeseal-dev}{,-dbgsym}_"${VERSION}"_"$ARCH".{deb,ddeb} \
	"$PARENT/eseal_${VERSION}_$ARCH".{buildinfo,changes}

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck noddebs} parallel=$JOBS"
export ESEAL_DEB_BUILDDIR ESEAL_DEB_TESTS
nice dpkg-buildpackage -us -uc -b

# debian/files lists what this build made (the .debs, any -dbgsym .ddebs, the .buildinfo).
made=($(awk '{ print $1 }' debian/files) "eseal_${VERSION}_$ARCH.changes")
for f in "${made[@]}"; do
	mv -f "$PARENT/$f" "$OUT/"
done
echo "build-deb: ${#made[@]} files in $OUT: ${made[*]}"
