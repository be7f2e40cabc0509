#!/bin/bash
# tests/unit/headers.sh: every public header compiles on its own, as C11 and as C++17 (a library's callers include
# them from either), so none relies on another being included first or on C-only constructs such as <stdatomic.h>.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
n=0
for h in "$SRC"/include/eseal/*.h; do
	name=eseal/$(basename "$h")
	printf '#include "%s"\n' "$name" | cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$SRC/include" -x c - ||
		{ echo "FAIL: $name does not compile alone as C11" >&2; exit 1; }
	printf '#include "%s"\n' "$name" | c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only -I"$SRC/include" -x c++ - ||
		{ echo "FAIL: $name does not compile alone as C++17" >&2; exit 1; }
	n=$((n + 1))
done
[ "$n" -ge 10 ] || { echo "FAIL: only $n public headers found" >&2; exit 1; }
echo "ok: $n public headers compile alone as C11 and C++17"
