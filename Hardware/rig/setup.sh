#!/usr/bin/env bash
# One-time (and idempotent) setup of the QEMU HIL rig: runs steps/NN-*.sh in order, each skipped
# by the step itself when its output exists and is current, and prints how long each took.
# A step's full output goes to .build-rig/out/setup-NN-*.log; on failure its tail is shown.
#
# usage: Hardware/rig/setup.sh            (as root, or with sudo for apt)
#        RIG_WORK=/elsewhere Hardware/rig/setup.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || rig_die "the rig setup installs Debian packages and kernel headers: run it as root"
[ -r /etc/debian_version ] || rig_die "the rig needs Debian 12 (bookworm): it boots Debian's 6.1 kernel"

mkdir -p "$RIG_WORK/out"
total_start=$(date +%s.%N)
for step in "$RIG_SRC"/steps/[0-9][0-9]-*.sh; do
    name=$(basename "$step" .sh)
    log=$RIG_WORK/out/setup-$name.log
    start=$(date +%s.%N)
    if ! bash "$step" > "$log" 2>&1; then
        echo "rig setup: $name FAILED (full log: $log):" >&2
        tail -n 25 "$log" >&2
        exit 1
    fi
    # A step's last line says "skipped: current" or what it made.
    printf 'rig setup: %-14s %6s s  %s\n' "$name" "$(rig_elapsed "$start")" "$(tail -n 1 "$log")"
done
printf 'rig setup: total %s s; %s in %s\n' "$(rig_elapsed "$total_start")" \
    "$(du -sh "$RIG_WORK" | cut -f1)" "$RIG_WORK"
