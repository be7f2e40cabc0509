#!/bin/bash
# tests/pdf/seal_bomb.sh: `eseal seal` given decompression bombs: an object stream of 256 MiB of zeros (plain and
# AES-256 encrypted) is refused with exit 65 naming it, in a bulk batch too (the other documents are sealed); a file
# whose DSS holds a 1 GiB bomb is sealed without ever decoding it; a PNG seal image declaring 20000x20000 pixels is
# refused before Cairo decodes it. Memory bounded (max RSS by /usr/bin/time). Referees: Python's zlib (what the bomb
# inflates to), pdfsig (the seals sealed past the DSS bomb are valid), qpdf --show-encryption.
source "$ESEAL_SRC/tests/lib/env.sh"
D=$(tmpdir)
ATTACK="python3 $ESEAL_SRC/tests/verify/pdf_attack.py"
INFLATED="python3 $ESEAL_SRC/tests/verify/inflated.py"
PDF=$SAMPLES/documents/report.pdf

# As in verify_bomb.sh: at most 48 MB above sealing the plain file, and under 64 MB + the sealer's own working set
# without sanitizers (Cairo, Pango and fonts for the stamp are loaded either way).
ASAN=0
[[ "$(ldd "$ESEAL")" == *libasan* ]] && ASAN=1
rss_seal() { # CODE OUT IN [seal args]: seal under /usr/bin/time; $RSS_KB
	local code=$1 out=$2 in=$3 got=0 t0=$SECONDS
	shift 3
	/usr/bin/time -f %M -o "$D/rss" timeout 120 "$ESEAL" seal -p demo-bb "$@" -o "$out" "$in" >"$OUT" 2>"$ERR" ||
		got=$?
	[ "$got" = "$code" ] || fail "seal $(basename "$in"): exit $got, want $code: $(head -c 800 "$ERR")"
	RSS_KB=$(tail -1 "$D/rss")
	echo "   seal $(basename "$in"): exit $got, max RSS $((RSS_KB / 1024)) MB, $((SECONDS - t0)) s"
}
rss_seal 0 "$D/plain.pdf" "$PDF"
BASE_KB=$RSS_KB
bounded() { # what
	[ $((RSS_KB - BASE_KB)) -lt $((48 * 1024)) ] ||
		fail "$1: max RSS $((RSS_KB / 1024)) MB, $(((RSS_KB - BASE_KB) / 1024)) MB more than sealing the plain file"
	[ "$ASAN" = 1 ] || [ "$RSS_KB" -lt $((BASE_KB + 16 * 1024)) ] || fail "$1: max RSS $((RSS_KB / 1024)) MB"
}
# (e) An object stream bomb in the document to seal: refused before QPDF opens it, no output, input untouched.
$ATTACK objstm-bomb-prepare "$PDF" "$D/bomb.pdf" 256
[ "$($INFLATED "$D/bomb.pdf" "[0-9]+ 0 obj\s*<< /Type /ObjStm")" -ge $((256 << 20)) ] || fail "bomb.pdf's object stream does not inflate to 256 MiB"
sum=$(sha256sum "$D/bomb.pdf")
rss_seal 65 "$D/bomb-sealed.pdf" "$D/bomb.pdf"
assert_no_file "$D/bomb-sealed.pdf"
echo "$sum" | sha256sum -c --quiet || fail "bomb.pdf was modified"
assert_grep "bomb.pdf: object stream [0-9]+ \(at offset [0-9]+\) decodes to more than [0-9.]+ MB.*decompression bomb" "$ERR"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line of error: $(cat "$ERR")"
bounded "seal bomb.pdf"
pass "(e) object stream bomb given to seal: exit 65 naming it, no output, bounded memory"

# In a batch the bomb fails alone: the other documents are sealed.
mkdir -p "$D/in" "$D/out"
cp "$PDF" "$D/in/a.pdf"
cp "$D/bomb.pdf" "$D/in/b.pdf"
cp "$PDF" "$D/in/c.pdf"
got=0
/usr/bin/time -f %M -o "$D/rss" timeout 300 "$ESEAL" seal -p demo-bb -j 2 --json --out-dir "$D/out" \
	"$D/in/a.pdf" "$D/in/b.pdf" "$D/in/c.pdf" >"$OUT" 2>"$ERR" || got=$?
[ "$got" = 65 ] || fail "batch with a bomb: exit $got, want 65: $(head -c 800 "$ERR")"
assert_file "$D/out/a.pdf"
assert_file "$D/out/c.pdf"
assert_no_file "$D/out/b.pdf"
grep -q '"[^"]*b\.pdf".*decodes to more than' "$OUT" || fail "batch: no JSON line naming the bomb: $(cat "$OUT")"
RSS_KB=$(tail -1 "$D/rss")
bounded "batch with a bomb"
pass "(e) a bomb in a batch: that document fails with the reason, the others are sealed"

# Encrypted (AES-256): sized once QPDF has decrypted the object stream.
$ATTACK objstm-string-prepare "$PDF" "$D/string.pdf"
qpdf --object-streams=generate --encrypt user owner 256 -- "$D/string.pdf" "$D/enc-bomb.pdf"
[[ "$(qpdf --show-encryption --password=user "$D/enc-bomb.pdf")" == *"R = 6"* ]] || fail "enc-bomb.pdf is not AES-256"
printf 'user' >"$D/pw"
rss_seal 65 "$D/enc-sealed.pdf" "$D/enc-bomb.pdf" --password-file "$D/pw"
assert_no_file "$D/enc-sealed.pdf"
assert_grep "enc-bomb.pdf: object stream [0-9]+ decodes to more than 8 MB.*decompression bomb" "$ERR"
bounded "seal enc-bomb.pdf"
pass "(e) encrypted object stream bomb given to seal: exit 65, bounded memory"

# A 1 GiB bomb in the DSS of a sealed file: the sealer never decodes stream data, so sealing again works.
"$ESEAL" seal -p demo -o "$D/bt.pdf" "$PDF"
$ATTACK dss-bomb "$D/bt.pdf" "$D/dss-bomb.pdf"
rss_seal 0 "$D/dss-sealed.pdf" "$D/dss-bomb.pdf"
out=$(pdfsig -nocert "$D/dss-sealed.pdf" 2>&1 || true)
[ "$(grep -c "Signature is Valid" <<<"$out")" = 2 ] || fail "pdfsig on dss-sealed.pdf: $out"
bounded "seal dss-bomb.pdf"
pass "(e) a sealed file with a DSS bomb is sealed again without decoding it"

# A PNG seal image declaring 20000x20000 pixels (400 kB of zlib data for 1.6 GB of pixels): refused from its header.
python3 - "$D/bomb.png" <<'EOF'
import struct, sys, zlib
sys.path.insert(0, __import__("os").environ["ESEAL_SRC"] + "/tests/verify")
from pdf_attack import zeros_zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
side = 20000
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
png += chunk(b"IDAT", zeros_zlib(side * (side + 1))) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF
[ "$(stat -c %s "$D/bomb.png")" -lt 1000000 ] || fail "bomb.png is larger than 1 MB"
# The baseline of a visible seal: drawing loads the renderer module (cairo, Pango, Poppler), an invisible one does not.
rss_seal 0 "$D/plain-visible.pdf" "$PDF" --visible
BASE_KB=$RSS_KB
rss_seal 64 "$D/png-sealed.pdf" "$PDF" --visible --image "$D/bomb.png"
assert_grep "bomb.png: image size 20000x20000 not supported" "$ERR"
assert_no_file "$D/png-sealed.pdf"
bounded "seal with bomb.png"
pass "a PNG seal image declaring 20000x20000 pixels is refused before it is decoded"
