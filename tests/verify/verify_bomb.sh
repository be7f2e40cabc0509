#!/bin/bash
# tests/verify/verify_bomb.sh: decompression bombs in sealed PDFs: a DSS entry of 1 GiB of zeros (about 1 MB in the
# file), one 64 MiB bomb named 30 times from the DSS, an object stream and a cross-reference stream that inflate to
# 256 MiB in a later update, a cross-reference stream declaring ten million entries, an encrypted object stream bomb,
# an object stream of 3.9 million numbers (a parse bomb: small when inflated, huge once QPDF holds it).
# `eseal verify` answers each with its verdict and message, within a bounded memory (max RSS by /usr/bin/time), and
# never decodes an object twice. Referees: pdfsig (the seal still valid over its bytes: the files are sealed PDFs a
# reader opens), Python's zlib (what the bomb inflates to), qpdf --show-encryption.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/verify/lib.sh"
D=$(tmpdir)
PDF=$SAMPLES/documents/japanese.pdf
ATTACK="python3 $ESEAL_SRC/tests/verify/pdf_attack.py"
INFLATED="python3 $ESEAL_SRC/tests/verify/inflated.py"

"$ESEAL" seal -p demo -o "$D/bt.pdf" "$PDF"

# Memory: the verdict on a bomb may cost at most 48 MB more than on the sealed file without it, and (without
# sanitizers, whose shadow memory and quarantine inflate RSS) stay under 64 MB. Without the caps each of these
# bombs costs 1 to 4 GB. Wall time is recorded, not asserted (a shared machine): the timeout only stops a runaway.
ASAN=0
[[ "$(ldd "$ESEAL")" == *libasan* ]] && ASAN=1
rss_verify() { # CODE FILE: verify --json under /usr/bin/time; $RSS_KB, and the JSON in $OUT
	local got=0 t0=$SECONDS
	/usr/bin/time -f %M -o "$D/rss" timeout 120 "$ESEAL" verify --json --trust "$ROOT" "$2" >"$OUT" 2>"$ERR" || got=$?
	[ "$got" = "$1" ] || fail "$(basename "$2"): exit $got, want $1: $(head -c 1500 "$OUT") $(head -c 500 "$ERR")"
	RSS_KB=$(tail -1 "$D/rss")
	echo "   $(basename "$2"): exit $got, max RSS $((RSS_KB / 1024)) MB, $((SECONDS - t0)) s"
}
rss_verify 0 "$D/bt.pdf"
BASE_KB=$RSS_KB
bounded() { # what
	[ $((RSS_KB - BASE_KB)) -lt $((48 * 1024)) ] ||
		fail "$1: max RSS $((RSS_KB / 1024)) MB, $(((RSS_KB - BASE_KB) / 1024)) MB more than without the bomb"
	[ "$ASAN" = 1 ] || [ "$RSS_KB" -lt $((64 * 1024)) ] || fail "$1: max RSS $((RSS_KB / 1024)) MB (64 MB at most)"
}
file_error() { # REGEX: the file-level error (no verdict on a file we refuse to read)
	local e
	e=$(jf "d.get('error') or ''")
	grep -Eq -- "$1" <<<"$e" || fail "file error '$e' does not match '$1': $(head -c 1500 "$OUT")"
}
sig_still_valid() { # FILE: Poppler reads the file and finds the seal valid over the bytes it signs
	local out
	out=$(pdfsig -nocert "$1" 2>&1 || true)
	grep -q "Signature is Valid" <<<"$out" || fail "pdfsig on $(basename "$1"): $out"
}

# (a) A DSS entry of 1 GiB of zeros in a file of about 1 MB: ignored with a warning naming it and the cap; the seal
# keeps its verdict, but no level rests on the ignored data (B-T, not B-LT).
$ATTACK dss-bomb "$D/bt.pdf" "$D/dss-bomb.pdf"
[ "$(stat -c %s "$D/dss-bomb.pdf")" -lt 1500000 ] || fail "dss-bomb.pdf is larger than 1.5 MB"
[ "$($INFLATED "$D/dss-bomb.pdf" "/DSS [0-9]+ 0 R >>\s*endobj\s*[0-9]+ 0 obj")" -ge $((1 << 30)) ] ||
	fail "the DSS entry of dss-bomb.pdf does not inflate to 1 GiB"
sig_still_valid "$D/dss-bomb.pdf"
rss_verify 0 "$D/dss-bomb.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "d['seals'][0]['level']")" = B-T ] || fail "dss-bomb: level $(jf "d['seals'][0]['level']"), want B-T"
warnings=$(jf "'\n'.join(d['seals'][0]['warnings'])")
grep -Eq "DSS validation data ignored.*/CRLs [0-9]+ 0 R: decodes to more than 16.0 MB \(the limit for one entry\)" \
	<<<"$warnings" || fail "dss-bomb: no warning naming the entry and the cap: $(head -c 1500 "$OUT")"
bounded dss-bomb
pass "(a) DSS entry of 1 GiB zeros: ignored with a warning naming object and cap, level B-T, bounded memory"

# (b) One 64 MiB bomb named 30 times (/Certs, /OCSPs, /CRLs) in a file of about 100 kB: decoded once, named once.
$ATTACK dss-bomb-refs "$D/bt.pdf" "$D/dss-refs.pdf"
[ "$(stat -c %s "$D/dss-refs.pdf")" -lt 200000 ] || fail "dss-refs.pdf is larger than 200 kB"
[ "$(grep -aEo "/CRLs \[( [0-9]+ 0 R){10}" "$D/dss-refs.pdf" | wc -l)" = 1 ] || fail "dss-refs.pdf: no /CRLs of 10 references"
sig_still_valid "$D/dss-refs.pdf"
rss_verify 0 "$D/dss-refs.pdf"
expect_seal 0 TOTAL-PASSED None
[ "$(jf "'\n'.join(d['seals'][0]['warnings'])" | grep -Eo "R: decodes to more than" | wc -l)" = 1 ] ||
	fail "dss-bomb-refs: the bomb must be decoded (and reported) once: $(head -c 1500 "$OUT")"
bounded dss-bomb-refs
pass "(b) one 64 MiB bomb named 30 times from the DSS: decoded and reported once, bounded memory"

# (c) An object stream bomb in a later incremental update (the catalog, then 256 MiB of zeros): refused before QPDF
# decodes it, naming the object stream. (256 MiB rather than 1 GiB: the referee inflates it all.)
$ATTACK objstm-bomb "$D/bt.pdf" "$D/objstm-bomb.pdf" 256
[ "$($INFLATED "$D/objstm-bomb.pdf" "[0-9]+ 0 obj\s*<< /Type /ObjStm")" -ge $((256 << 20)) ] ||
	fail "the object stream of objstm-bomb.pdf does not inflate to 256 MiB"
sig_still_valid "$D/objstm-bomb.pdf"
rss_verify 65 "$D/objstm-bomb.pdf"
file_error "object stream [0-9]+ \(at offset [0-9]+\) decodes to more than [0-9.]+ MB.*decompression bomb"
bounded objstm-bomb
pass "(c) object stream bomb in a later update: exit 65 naming the object stream, bounded memory"

# (d) A cross-reference stream bomb (its entries, then 256 MiB of zeros), and one declaring ten million entries.
$ATTACK xref-bomb "$D/bt.pdf" "$D/xref-bomb.pdf" 256
[ "$($INFLATED "$D/xref-bomb.pdf" "[0-9]+ 0 obj\s*<< /Type /XRef")" -ge $((256 << 20)) ] ||
	fail "the cross-reference stream of xref-bomb.pdf does not inflate to 256 MiB"
sig_still_valid "$D/xref-bomb.pdf"
rss_verify 65 "$D/xref-bomb.pdf"
file_error "cross-reference stream at offset [0-9]+ decodes to more than the [0-9]+ bytes its entries need"
bounded xref-bomb
$ATTACK xref-entries "$D/bt.pdf" "$D/xref-entries.pdf"
[ "$($INFLATED "$D/xref-entries.pdf" "[0-9]+ 0 obj\s*<< /Type /XRef")" = 70000000 ] ||
	fail "the cross-reference stream of xref-entries.pdf does not hold ten million 7-byte entries"
rss_verify 65 "$D/xref-entries.pdf"
file_error "cross-reference stream at offset [0-9]+ declares [0-9]+ objects: at most [0-9]+"
bounded xref-entries
pass "(d) cross-reference stream bomb and ten million declared entries: exit 65 with the reason, bounded memory"

# (g) A parse bomb: 3.9 million zeros in an array (7.8 MB from 8 kB, under the size caps): QPDF would keep each as
# an object of its own (1 GB); refused by the token count of object streams.
$ATTACK objstm-tokens "$D/bt.pdf" "$D/tokens.pdf"
[ "$($INFLATED "$D/tokens.pdf" "[0-9]+ 0 obj\s*<< /Type /ObjStm")" -gt 7800000 ] ||
	fail "the object stream of tokens.pdf does not inflate to 7.8 MB"
[ "$(stat -c %s "$D/tokens.pdf")" -lt 200000 ] || fail "tokens.pdf is larger than 200 kB"
sig_still_valid "$D/tokens.pdf"
rss_verify 65 "$D/tokens.pdf"
file_error "object stream [0-9]+ \(at offset [0-9]+\) holds more than [0-9]+ tokens"
bounded tokens
pass "(g) 3.9 million numbers in an object stream: exit 65 naming the stream, bounded memory"

# (f) Encrypted (AES-256, empty user password): the object stream is sized once QPDF has decrypted it.
$ATTACK objstm-string-prepare "$SAMPLES/documents/report.pdf" "$D/string.pdf"
qpdf --object-streams=generate --encrypt "" owner 256 -- "$D/string.pdf" "$D/enc-bomb.pdf"
[[ "$(qpdf --show-encryption "$D/enc-bomb.pdf")" == *"R = 6"* ]] || fail "enc-bomb.pdf is not AES-256 encrypted"
grep -aq "/ObjStm" "$D/enc-bomb.pdf" || fail "enc-bomb.pdf has no object stream"
[ "$(stat -c %s "$D/enc-bomb.pdf")" -lt 200000 ] || fail "enc-bomb.pdf is larger than 200 kB"
rss_verify 65 "$D/enc-bomb.pdf"
file_error "object stream [0-9]+ decodes to more than 8 MB.*decompression bomb"
bounded enc-bomb
pass "(f) encrypted object stream bomb: sized after decryption, exit 65, bounded memory"
