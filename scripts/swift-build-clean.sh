#!/usr/bin/env bash
# Runs `swift build "$@"` and fails if the compiler warned about this project's own code
# (dependencies' warnings are theirs), so warnings cannot pile up unnoticed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
ours=$(grep -E "^($root/)?(Sources|Tests|Plugins|Package\.swift).*warning:|^warning: 'main'" "$log" | sort -u || true)
if [ -n "$ours" ]; then
    echo "error: the build warned about Stipple's own code; fix these:" >&2
    echo "$ours" >&2
    exit 1
fi
