#!/bin/bash
# tests/lib/testenv-down.sh DIR: stops the fixture's TSA and OCSP responder (by their pid files); idempotent.
# The directory itself is kept for post-mortem reading of its logs; the next testenv-up wipes it.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
HERE=$(cd "$(dirname "$0")" && pwd)
[ -d "$1" ] || exit 0
"$HERE/../../samples/demo/services.sh" stop "$1"
