#!/bin/bash
# tests/server/systemd_unit.sh UNIT ESEAL ESEAL_1 MAN_DIR: the installed systemd unit of `eseal serve` is one systemd
# accepts (systemd-analyze verify, with ExecStart pointing at the built command and the man pages its Documentation=
# names found among the built ones, ESEAL_1 and MAN_DIR/*), stops the service with SIGTERM and does not restart it
# after a configuration, usage or PIN error.
set -euo pipefail
unit=$1 eseal=$2 eseal_1=$3 man_dir=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -s "$unit" ] || fail "no unit at $unit"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/install-deps.sh installs systemd)"
d=$(mktemp -d "${TMPDIR:-/tmp}/eseal-unit.XXXXXX")
trap 'rm -rf "$d"' EXIT
sed "s|^ExecStart=[^ ]*|ExecStart=$eseal|" "$unit" >"$d/eseal-serve.service"
# systemd-analyze runs `man` for each Documentation= page: ours, not the machine's (where the package may be absent).
mkdir -p "$d/man/man1" "$d/man/man5"
cp "$eseal_1" "$d/man/man1/" || fail "no generated eseal(1) at $eseal_1"
cp "$man_dir"/*.5 "$d/man/man5/"
out=$(MANPATH=$d/man systemd-analyze verify "$d/eseal-serve.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
grep -qx "ExecStart=.*/eseal serve --config /etc/eseal/eseal.conf" "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx "KillSignal=SIGTERM" "$unit" || fail "the unit does not stop the service with SIGTERM"
grep -qx "RestartPreventExitStatus=64 77 78" "$unit" || fail "the unit restarts after a usage, PIN or configuration error"
echo "ok: systemd-analyze verify accepts eseal-serve.service"
