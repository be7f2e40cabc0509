#!/bin/bash
# tests/cli/lazy_load.sh: a verification, an invisible seal and `eseal --version` map none of cairo, pango, Poppler or
# libmicrohttpd (the renderer module and eseal-serve keep them), and without the network no libcurl either (loaded by
# the first HTTP request); a PDF seal and verification map neither libxml2, xmlsec nor ICU (the XML module, loaded by
# the first XML document, keeps them); a visible stamp and an HTML report load the renderer module, an XML seal the
# XML module; without the modules those fail with one clear line (exit 78) while PDFs are still sealed invisibly and
# verified.
source "$ESEAL_SRC/tests/lib/env.sh"

D=$(tmpdir)
REPORT=$SAMPLES/documents/report.pdf
DRAWING='lib(cairo|pango|pangocairo|poppler|poppler-glib|microhttpd)[-.]'
XMLLIBS='lib(xml2|xmlsec1|xmlsec1-openssl|icuuc|icudata|icui18n|eseal-xml)[-.]'

# What the dynamic linker maps, the dlopen'ed included: LD_DEBUG=files names every object it loads.
loaded() { # loaded OUT cmd...: runs cmd (stdout and stderr to $OUT/$ERR), the objects it mapped into OUT
	local out=$1 rc=0
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT="$D/ld" "$@" >"$OUT" 2>"$ERR" || rc=$?
	sed -n 's/.*file=\([^ ]*\) .*/\1/p' "$D"/ld.* | sort -u >"$out"
	rm -f "$D"/ld.*
	return $rc
}

! ldd "$ESEAL" | grep -E "$DRAWING" >"$D/ldd" || fail "the eseal command links $(tr '\n' ' ' <"$D/ldd")"
pass "ldd eseal lists no cairo, pango, Poppler or libmicrohttpd"
! ldd "$ESEAL" | grep -E "$XMLLIBS" >"$D/ldd" || fail "the eseal command links $(tr '\n' ' ' <"$D/ldd")"
! readelf -d "$ESEAL" | grep -E "NEEDED.*$XMLLIBS" >"$D/needed" || fail "the eseal command needs $(cat "$D/needed")"
pass "ldd eseal lists no libxml2, xmlsec or ICU"

loaded "$D/version.libs" "$ESEAL" --version || fail "eseal --version failed: $(cat "$ERR")"
! grep -E "$DRAWING|eseal-render" "$D/version.libs" || fail "eseal --version maps them"
expect_exit 0 "$ESEAL" seal --profile demo-bb -o "$D/sealed.pdf" "$REPORT"
loaded "$D/verify.libs" "$ESEAL" verify --offline --json "$D/sealed.pdf" || true
assert_grep '"indication"' "$OUT"
[ -s "$D/verify.libs" ] && grep -q 'libcrypto' "$D/verify.libs" || fail "LD_DEBUG showed no object loaded"
! grep -E "$DRAWING|eseal-render" "$D/verify.libs" || fail "eseal verify of a PDF maps them"
! grep -E 'libcurl' "$D/version.libs" "$D/verify.libs" || fail "libcurl is mapped without any HTTP request"
loaded "$D/seal.libs" "$ESEAL" seal --profile demo-bb -o "$D/sealed2.pdf" "$REPORT" || fail "invisible seal: $(cat "$ERR")"
! grep -E "$DRAWING|eseal-render" "$D/seal.libs" || fail "an invisible seal maps them"
pass "eseal --version, verify of a PDF and an invisible seal map no drawing library and no HTTP server; offline, no libcurl"

# libxml2, xmlsec and ICU are the XML module's, loaded by the first XML document: a PDF seal and verification never
# map them, an XML seal and verification do (the control).
! grep -E "$XMLLIBS" "$D/version.libs" "$D/verify.libs" "$D/seal.libs" ||
	fail "eseal --version, a PDF verification or a PDF seal maps the XML libraries"
loaded "$D/xmlseal.libs" "$ESEAL" seal --profile demo-bb -o "$D/invoice.xml" "$SAMPLES/documents/invoice-ubl.xml" ||
	fail "XML seal: $(cat "$ERR")"
loaded "$D/xmlverify.libs" "$ESEAL" verify --offline --json "$D/invoice.xml" || true
assert_grep '"indication"' "$OUT"
for f in "$D/xmlseal.libs" "$D/xmlverify.libs"; do
	grep -q 'libeseal-xml\.so\.0' "$f" && grep -q 'libxmlsec1-openssl' "$f" ||
		fail "an XML document did not load the XML module and xmlsec ($(basename "$f"))"
done
pass "a PDF seal and verification map no libxml2, xmlsec or ICU; an XML seal and verification load the XML module"

# A request (the demo profile's TSA) loads libcurl, and the token is there.
loaded "$D/bt.libs" "$ESEAL" seal --profile demo -o "$D/bt.pdf" "$REPORT" || fail "B-T seal: $(cat "$ERR")"
grep -q 'libcurl\.so\.4' "$D/bt.libs" || fail "the B-T seal did not load libcurl"
pdfsig_check "$D/bt.pdf" 1 whole
pass "a seal with a time-stamp loads libcurl on its request"

loaded "$D/visible.libs" "$ESEAL" seal --profile demo-bb --visible -o "$D/visible.pdf" "$REPORT" ||
	fail "visible seal: $(cat "$ERR")"
grep -q 'libeseal-render\.so\.0' "$D/visible.libs" || fail "the visible seal did not load the renderer module"
grep -q 'libpoppler-glib' "$D/visible.libs" || fail "the default place (blank area) was not found with Poppler"
# The stamp is there: the page rendered by pdftoppm (the referee) differs from the original at the default place.
pdftoppm -r 72 -f 1 -l 1 -singlefile "$REPORT" "$D/a" && pdftoppm -r 72 -f 1 -l 1 -singlefile "$D/visible.pdf" "$D/b"
[ "$(python3 "$ESEAL_SRC/tests/pdf/ppm_diff.py" "$D/a.ppm" "$D/b.ppm")" != none ] || fail "the stamp draws nothing"
# Offline: revocation unknown, INDETERMINATE (exit 2); the report is written all the same.
expect_exit 2 "$ESEAL" verify --offline --report "$D/r.html" "$D/visible.pdf"
assert_grep 'data:image/png;base64,' "$D/r.html"
pass "a visible stamp and an HTML report load the renderer module and draw"

# The module hidden: a copy of the command whose search path names a folder without it (same length, so the copy's
# dynamic section stays valid).
dir=$(readelf -d "$ESEAL" | sed -n 's/.*R\(UN\)*PATH.*\[\([^]:]*\).*/\2/p' | head -1)
[ -n "$dir" ] && [ -e "$dir/libeseal-render.so.0" ] && [ -e "$dir/libeseal-xml.so.0" ] ||
	fail "the eseal command has no search path to the modules"
python3 - "$ESEAL" "$D/eseal" "$dir" <<'PY'
import sys
import re
data = open(sys.argv[1], "rb").read()
# The folder as an entry of the search path string: followed by ':' or its end.
old = re.compile(re.escape(sys.argv[3].encode()) + rb"(?=[:\0])")
assert len(old.findall(data)) == 1, "search path not found once"
open(sys.argv[2], "wb").write(old.sub(sys.argv[3][:-1].encode() + b"_", data))
PY
chmod +x "$D/eseal"
expect_exit 78 "$D/eseal" seal --profile demo-bb --visible -o "$D/nomodule.pdf" "$REPORT"
assert_grep 'renderer module libeseal-render\.so\.0 not found' "$ERR"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "not one line about the missing module: $(cat "$ERR")"
assert_no_file "$D/nomodule.pdf"
expect_exit 78 "$D/eseal" verify --offline --report "$D/nomodule.html" "$D/visible.pdf"
assert_grep 'renderer module libeseal-render\.so\.0 not found' "$ERR"
assert_no_file "$D/nomodule.html"
expect_exit 0 "$D/eseal" seal --profile demo-bb -o "$D/invisible.pdf" "$REPORT"
loaded "$D/nomodule.libs" "$D/eseal" verify --offline --json "$D/invisible.pdf" || true
assert_grep '"indication"' "$OUT"
pass "without the module: a visible stamp and an HTML report fail with exit 78 naming it; invisible seals and verification work"
expect_exit 78 "$D/eseal" seal --profile demo-bb -o "$D/nomodule.xml" "$SAMPLES/documents/invoice-ubl.xml"
assert_grep 'XML module libeseal-xml\.so\.0 not found' "$ERR"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "not one line about the missing XML module: $(cat "$ERR")"
assert_no_file "$D/nomodule.xml"
expect_exit 78 "$D/eseal" verify --offline "$D/invoice.xml"
assert_grep 'XML module libeseal-xml\.so\.0 not found' "$ERR"
pass "without the XML module: an XML seal and verification fail with exit 78 naming it"

# A seal into a new field reads the original with our own reader, not QPDF (what makes bulk PAdES fast): seen as
# the library never calling qpdf_read/qpdf_read_memory, for a classic table and for object streams with a
# cross-reference stream. Controls: a named field, and a chain QPDF warns about, go to QPDF.
qpdf_reads() { # qpdf_reads OUT cmd...: the QPDF openings the library called, into OUT
	local out=$1 rc=0
	shift
	LD_DEBUG=bindings LD_DEBUG_OUTPUT="$D/bind" "$@" >"$OUT" 2>"$ERR" || rc=$?
	grep -hE "binding file [^ ]*eseal \[0\]" "$D"/bind.* |
		grep -oE "symbol \`qpdf_read(_memory)?'" | sort -u >"$out" || true
	rm -f "$D"/bind.*
	return $rc
}
if readelf -d "$ESEAL" | grep -E '\(BIND_NOW\)|Flags:.*\bNOW\b' >/dev/null; then
	echo "SKIP (the eseal command is bound at start): whether a seal opens the original with QPDF"
else
	qpdf --object-streams=generate "$REPORT" "$D/objstm.pdf"
	python3 "$SAMPLES/documents/make-report.py" --form "$D/form.pdf"
	python3 "$ESEAL_SRC/tests/pdf/make_form.py" full "$D/sigform.pdf"
	for f in "$REPORT" "$D/objstm.pdf" "$D/form.pdf"; do
		qpdf_reads "$D/reads" "$ESEAL" seal --profile demo-bb --visible -o "$D/lexed.pdf" "$f" ||
			fail "seal of $f: $(cat "$ERR")"
		[ ! -s "$D/reads" ] || fail "a seal of $f into a new field opened it with QPDF: $(cat "$D/reads")"
		pdfsig_check "$D/lexed.pdf" 1 whole
		rm -f "$D/lexed.pdf"
	done
	qpdf_reads "$D/reads" "$ESEAL" seal --profile demo-bb --field approval.seal -o "$D/named.pdf" "$D/sigform.pdf" ||
		fail "seal into the form's field: $(cat "$ERR")"
	[ -s "$D/reads" ] || fail "a seal into a named field did not open the file with QPDF (the control)"
	sx=$(grep -a -A1 '^startxref' "$REPORT" | tail -1 | tr -d '\r')
	{ head -c "$sx" "$REPORT"; printf ' '; tail -c +"$((sx + 1))" "$REPORT" | sed '/^startxref/,$d'; printf 'startxref\n%s\n%%%%EOF\n' "$sx"; } >"$D/space.pdf"
	expect_exit 65 qpdf_reads "$D/reads" "$ESEAL" seal --profile demo-bb -o "$D/space-sealed.pdf" "$D/space.pdf"
	[ -s "$D/reads" ] || fail "a chain QPDF warns about was not left to QPDF"
	assert_grep "extraneous whitespace seen before xref" "$ERR"
	pass "a seal into a new field reads the original without QPDF (classic, object streams, form); a named field and a chain QPDF warns about go to QPDF"
fi
