#!/bin/bash
# tests/install/install.sh: libeseal as another project uses it, from an installation in a temporary prefix: only
# eseal_* exported, a C program built with pkg-config alone and one with CMake's find_package, run under valgrind.
# Needs a build without sanitizers (valgrind and ASan do not mix): tests/run runs it in the release build.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
PREFIX=$D/prefix
cmake --install "$ESEAL_BUILD" --prefix "$PREFIX" >"$D/install.log" 2>&1 || fail "cmake --install failed: $(tail -3 "$D/install.log")"
LIB=$(dirname "$(find "$PREFIX" -name 'libeseal.so.*.*.*' | head -1)")
[ -n "$LIB" ] && [ -d "$LIB" ] || fail "no libeseal.so installed under $PREFIX"
assert_file "$PREFIX/include/eseal/eseal.h"
[ -L "$LIB/libeseal.so" ] && [ -L "$LIB/libeseal.so.0" ] || fail "libeseal.so / libeseal.so.0 links missing in $LIB"
readelf -d "$LIB/libeseal.so" | grep 'SONAME.*libeseal.so.0' >/dev/null || fail "libeseal.so has no SONAME libeseal.so.0"
pass "installed: $(cd "$PREFIX" && find . -name 'libeseal*' -o -name eseal.pc -o -name esealConfig.cmake | sort | tr '\n' ' ')"

# Only the public API: any es_* (or other) symbol would become a promise the next release has to keep. The internal
# functions the XML module calls back are the one exception, under the private version ESEAL_PRIVATE_0 (the module is
# made for one build of the library), and exactly those xml/module_imports.txt names.
nm -D --defined-only "$LIB/libeseal.so" | awk '$2 != "A" { print $3 }' | grep -v '^eseal_[^@]*@@ESEAL_0$' |
	grep -v '@@ESEAL_PRIVATE_0$' >"$D/extra.txt" || true
[ ! -s "$D/extra.txt" ] || fail "libeseal.so exports more than eseal_*: $(head -5 "$D/extra.txt" | tr '\n' ' ')"
nm -D --defined-only "$LIB/libeseal.so" | sed -n 's/.* [A-Za-z] \(.*\)@@ESEAL_PRIVATE_0$/\1/p' | sort >"$D/private.txt"
grep -E '^es_' "$ESEAL_SRC/xml/module_imports.txt" | sort | diff - "$D/private.txt" >"$D/private.diff" ||
	fail "libeseal.so's ESEAL_PRIVATE_0 is not what xml/module_imports.txt names: $(tr '\n' ' ' <"$D/private.diff")"
n=$(nm -D --defined-only "$LIB/libeseal.so" | grep -c ' T eseal_')
[ "$n" -ge 50 ] || fail "only $n eseal_* functions exported"
pass "libeseal.so exports $n functions, all eseal_*, and the $(wc -l <"$D/private.txt") the XML module calls back (ESEAL_PRIVATE_0)"
# The renderer module beside it, loaded by its soname: one exported function, its table; no development link.
[ -f "$LIB/libeseal-render.so.0" ] || fail "the renderer module libeseal-render.so.0 is not installed in $LIB"
[ ! -e "$LIB/libeseal-render.so" ] || fail "libeseal-render.so installed: the module is loaded, not linked against"
nm -D --defined-only "$LIB/libeseal-render.so.0" | awk '$2 != "A" { print $3 }' >"$D/module.txt"
[ "$(cat "$D/module.txt")" = eseal_render_module_v1 ] ||
	fail "libeseal-render.so.0 exports $(head -5 "$D/module.txt" | tr '\n' ' ')"
! ldd "$LIB/libeseal.so" | grep -E 'lib(cairo|pango|poppler)' >"$D/ldd.txt" ||
	fail "libeseal.so links $(tr '\n' ' ' <"$D/ldd.txt")"
pass "libeseal-render.so.0 installed, exports only eseal_render_module_v1; libeseal.so links no cairo, pango or Poppler"
# The XML module the same way: one exported function, no development link; libeseal.so links no libxml2 or xmlsec.
[ -f "$LIB/libeseal-xml.so.0" ] || fail "the XML module libeseal-xml.so.0 is not installed in $LIB"
[ ! -e "$LIB/libeseal-xml.so" ] || fail "libeseal-xml.so installed: the module is loaded, not linked against"
nm -D --defined-only "$LIB/libeseal-xml.so.0" | awk '$2 != "A" { print $3 }' >"$D/xmlmodule.txt"
[ "$(cat "$D/xmlmodule.txt")" = eseal_xml_module_v1 ] ||
	fail "libeseal-xml.so.0 exports $(head -5 "$D/xmlmodule.txt" | tr '\n' ' ')"
! readelf -d "$LIB/libeseal.so" | grep -E 'NEEDED.*lib(xml2|xmlsec1|icu)' >"$D/needed.txt" ||
	fail "libeseal.so needs $(tr '\n' ' ' <"$D/needed.txt")"
pass "libeseal-xml.so.0 installed, exports only eseal_xml_module_v1; libeseal.so needs no libxml2, xmlsec or ICU"

# 1. pkg-config alone, from a directory with nothing of the source tree in its include path.
export PKG_CONFIG_PATH=$LIB/pkgconfig
flags=$(pkg-config --cflags --libs eseal) || fail "pkg-config does not find eseal in $PKG_CONFIG_PATH"
(cd "$D" && cc -std=c11 -Wall -Wextra -Werror -o consumer "$ESEAL_SRC/tests/install/consumer.c" $flags) ||
	fail "the consumer does not build with: $flags"
! ldd "$D/consumer" | grep "$ESEAL_BUILD" >/dev/null || fail "the consumer links the build tree, not the installation"
mkdir "$D/out-pc"
LD_LIBRARY_PATH=$LIB valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	"$D/consumer" "$DEV_KEY" "$DEV_CHAIN" "$PKI/trust.pem" "$SAMPLES/documents/invoice-ubl.xml" \
	"$SAMPLES/documents/report.pdf" "$D/out-pc" >"$D/pc.out" 2>"$D/pc.err" ||
	fail "consumer (pkg-config) failed (exit $?): $(tail -5 "$D/pc.err")"
assert_grep 'sealed.xml: TOTAL-PASSED' "$D/pc.out"
assert_grep 'sealed.pdf: TOTAL-PASSED' "$D/pc.out"
assert_grep 'refused as expected: .*sealed.xml' "$D/pc.out"
# Referees: what the installed library made is valid for tools we did not write.
xmlsec1 --verify --enabled-reference-uris empty,same-doc --trusted-pem "$PKI/trust.pem" \
	--untrusted-pem "$DEV_CHAIN" "$D/out-pc/sealed.xml" >"$D/xmlsec.log" 2>&1 || fail "xmlsec1: $(tail -3 "$D/xmlsec.log")"
qpdf --check "$D/out-pc/sealed.pdf" >/dev/null 2>&1 || fail "qpdf --check fails on the sealed PDF"
pass "pkg-config consumer: sealed an XML and a PDF from memory to memory, verified both from memory, valgrind clean; xmlsec1 and qpdf agree"

# The same consumer as a shared object that a language binding or plugin host opens with RTLD_LOCAL (Python's ctypes
# does by default): libeseal.so then stays out of the global scope, where the XML module finds the functions it calls
# back; the library must put itself there before it loads the module.
(cd "$D" && cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -Dmain=consumer_main -o libconsumer.so \
	"$ESEAL_SRC/tests/install/consumer.c" $flags && cc -std=c11 -Wall -Wextra -Werror -o binding_host \
	"$ESEAL_SRC/tests/install/binding_host.c" -ldl) || fail "the RTLD_LOCAL consumer does not build"
mkdir "$D/out-local"
LD_LIBRARY_PATH=$LIB "$D/binding_host" "$D/libconsumer.so" "$DEV_KEY" "$DEV_CHAIN" "$PKI/trust.pem" \
	"$SAMPLES/documents/invoice-ubl.xml" "$SAMPLES/documents/report.pdf" "$D/out-local" >"$D/local.out" 2>&1 ||
	fail "consumer loaded with RTLD_LOCAL failed (exit $?): $(tail -5 "$D/local.out")"
assert_grep 'sealed.xml: TOTAL-PASSED' "$D/local.out"
assert_grep 'sealed.pdf: TOTAL-PASSED' "$D/local.out"
xmlsec1 --verify --enabled-reference-uris empty,same-doc --trusted-pem "$PKI/trust.pem" \
	--untrusted-pem "$DEV_CHAIN" "$D/out-local/sealed.xml" >"$D/xmlsec-local.log" 2>&1 ||
	fail "xmlsec1 (RTLD_LOCAL consumer): $(tail -3 "$D/xmlsec-local.log")"
qpdf --check "$D/out-local/sealed.pdf" >/dev/null 2>&1 || fail "qpdf --check fails on the RTLD_LOCAL consumer's PDF"
pass "the consumer loaded with dlopen(RTLD_LOCAL), as a binding loads it: XML and PDF sealed and verified; xmlsec1 and qpdf agree"

# 2. CMake's find_package(eseal) against the same prefix.
mkdir -p "$D/cmake-src"
cp "$ESEAL_SRC/tests/install/consumer.c" "$D/cmake-src/"
cat >"$D/cmake-src/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(eseal 0.1 REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE eseal::eseal)
CM
cmake -S "$D/cmake-src" -B "$D/cmake-build" -DCMAKE_PREFIX_PATH="$PREFIX" >"$D/cmake.log" 2>&1 &&
	cmake --build "$D/cmake-build" >>"$D/cmake.log" 2>&1 || fail "find_package(eseal) consumer: $(tail -5 "$D/cmake.log")"
mkdir "$D/out-cmake"
LD_LIBRARY_PATH=$LIB "$D/cmake-build/consumer" "$DEV_KEY" "$DEV_CHAIN" "$PKI/trust.pem" \
	"$SAMPLES/documents/invoice-ubl.xml" "$SAMPLES/documents/report.pdf" "$D/out-cmake" >"$D/cm.out" 2>&1 ||
	fail "consumer (CMake) failed: $(tail -5 "$D/cm.out")"
assert_grep 'sealed.pdf: TOTAL-PASSED' "$D/cm.out"
pass "find_package(eseal) consumer builds and seals"
