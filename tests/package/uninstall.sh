#!/bin/bash
# tests/package/uninstall.sh: `cmake --install --prefix DIR` writes nothing outside DIR and brings the manual pages
# (eseal(1) generated from the option table), the completion and the example configuration; cmake/uninstall.cmake
# (the `uninstall` target) then removes every file it installed and leaves no folder of ours.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
P=$D/prefix
cmake --install "$ESEAL_BUILD" --prefix "$P" >"$D/install.log" 2>&1 || fail "cmake --install failed: $(tail -3 "$D/install.log")"
# Our own manifest from this install's log: the build's install_manifest.txt is shared with other tests that install.
sed -n 's/^-- \(Installing\|Up-to-date\): //p' "$D/install.log" >"$D/manifest"
[ "$(wc -l <"$D/manifest")" -ge 30 ] || fail "only $(wc -l <"$D/manifest") files installed"
! grep -v "^$P/" "$D/manifest" >"$D/outside" || fail "installed outside the prefix: $(head -3 "$D/outside" | tr '\n' ' ')"
pass "$(wc -l <"$D/manifest") files, all under the prefix"

assert_grep '^\.SH SYNOPSIS' "$P/share/man/man1/eseal.1"
assert_grep 'pin\\-file' "$P/share/man/man1/eseal.1"
MANWIDTH=100 man -l -P cat "$P/share/man/man1/eseal.1" >"$D/eseal.1.txt" 2>"$D/man.err" || fail "man cannot render eseal.1: $(cat "$D/man.err")"
assert_grep '^SYNOPSIS' "$D/eseal.1.txt"
MANWIDTH=100 man -l -P cat "$P/share/man/man5/eseal.conf.5" >"$D/eseal.conf.5.txt" 2>/dev/null || fail "man cannot render eseal.conf.5"
assert_grep 'tsa-ca' "$D/eseal.conf.5.txt"
assert_file "$P/share/bash-completion/completions/eseal"
bash -n "$P/share/bash-completion/completions/eseal" || fail "the completion is not valid bash"
assert_file "$P/share/doc/eseal/examples/eseal.conf"
# The example must load as a configuration (all commented out: no profile, but no error either).
ESEAL_CONFIG=$P/share/doc/eseal/examples/eseal.conf "$ESEAL" seal --profile nosuch -o "$D/x.xml" "$SAMPLES/documents/invoice-ubl.xml" \
	>"$D/conf.out" 2>&1 && fail "sealing with a profile the example lacks succeeded"
assert_grep 'nosuch' "$D/conf.out"
pass "man pages render (eseal.1 from the option table, eseal.conf.5), completion and example configuration installed"

cmake -DMANIFEST="$D/manifest" -P "$ESEAL_SRC/cmake/uninstall.cmake" >"$D/uninstall.log" 2>&1 ||
	fail "uninstall failed: $(tail -3 "$D/uninstall.log")"
find "$P" -mindepth 1 \( -type f -o -type l \) >"$D/left"
[ ! -s "$D/left" ] || fail "left after uninstall: $(head -5 "$D/left" | tr '\n' ' ')"
find "$P" -type d -name 'eseal' >"$D/dirs"
[ ! -s "$D/dirs" ] || fail "folders of ours left after uninstall: $(tr '\n' ' ' <"$D/dirs")"
pass "uninstall removed every installed file and our folders"
