#!/bin/bash
# tests/pdf/seal_mutants.sh: hostile-input smoke test: damaged variants of the sample PDFs (bytes flipped, cut,
# duplicated, in the structure and the xref) are sealed under ASan/UBSan. Each must either be refused as bad input
# (exit 65, one line, no output) or seal into a file pdfsig verifies; never crash, hang or leave a broken file.
source "$ESEAL_SRC/tests/lib/env.sh"
source "$ESEAL_SRC/tests/pdf/pdf_check.sh"

D=$(tmpdir)
N=${PDF_MUTANTS:-120}
qpdf --object-streams=generate "$REPORT" "$D/objstm.pdf"
python3 "$MAKE_REPORT" --form "$D/form.pdf"
python3 - "$D" "$N" "$REPORT" "$D/objstm.pdf" "$D/form.pdf" <<'EOF'
import random, sys
d, n, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rng = random.Random(20261123)  # fixed: a failure is reproducible
tokens = [b"obj", b"endobj", b"<<", b">>", b"[", b"]", b"R", b"/Annots", b"/AcroForm", b"/Fields", b"/Kids",
          b"/Size", b"/Root", b"startxref", b"xref", b"trailer", b"/Prev", b"999999999", b"-1", b"(", b")"]
for i in range(n):
    pdf = bytearray(open(srcs[i % len(srcs)], "rb").read())
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        # Half the mutations hit the last 600 bytes, where the trailer and cross-reference data live.
        lo = len(pdf) - 600 if rng.random() < 0.5 else 0
        at = rng.randrange(max(lo, 0), len(pdf))
        if kind == 0:
            pdf[at] = rng.randrange(256)
        elif kind == 1:
            del pdf[at:at + rng.randint(1, 40)]
        elif kind == 2:
            pdf[at:at] = rng.choice(tokens)
        elif kind == 3:
            pdf[at:at] = pdf[at:at + rng.randint(1, 200)]
        else:
            pdf = pdf[:at]
    open("%s/m%03d.pdf" % (d, i), "wb").write(pdf)
EOF
sealed=0
refused=0
for f in "$D"/m*.pdf; do
	out=${f%.pdf}-sealed.pdf
	rc=0
	timeout 60 "$ESEAL" seal --profile demo-bb --format pdf --visible -o "$out" "$f" >"$OUT" 2>"$ERR" || rc=$?
	case $rc in
	0)
		sealed=$((sealed + 1))
		check_prefix "$f" "$out"
		pdfsig_check "$out" 1 whole
		;;
	65)
		refused=$((refused + 1))
		assert_no_file "$out"
		[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$f: refusal is not one line: $(cat "$ERR")"
		grep -qF "$(basename "$f")" "$ERR" || fail "$f: message does not name the file: $(cat "$ERR")"
		;;
	*)
		fail "$f: exit $rc: $(head -c 2000 "$ERR")"
		;;
	esac
done
echo "mutants: $sealed sealed, $refused refused"
[ "$refused" -gt 0 ] || fail "no mutant was refused: the mutations are too mild to test anything"
pass "$N damaged PDFs: sealed validly or refused cleanly"
