#!/bin/sh
# `stipple-bench edges` on a real kernel GPIO line: a gpio-sim chip wired like direct-d1, both the
# Swift loop (LinuxGPIOLines) and stroke-edges-c (libgpiod) pulsing its stroke_pulse line in turn.
# Checks that the libgpiod path runs and fires every planned edge; the timing figures are printed,
# and under TCG (no KVM) they say more about the emulator than about Stipple: read the ratios.
# usage (guest): sh stroke-edges.sh [SECONDS=4]   (host: make bench first, for the release build)
set -eu
RIG_TEST=edges
. "$(dirname "$0")/lib.sh"
bench=$RIG_REPO/.build/release/stipple-bench
[ -x "$bench" ] || rig_fail "$bench not built: run 'make bench' (or swift build -c release --product stipple-bench) on the host"
[ -x "$RIG_REPO/.build/release/stroke-edges-c" ] || rig_fail "stroke-edges-c not built next to it: run 'make bench' on the host"
chip=$(sh "$(dirname "$0")/gpio-setup.sh" "$RIG_REPO/Hardware/machines/direct-d1.toml")
rig_gpio_load
line=$(rig_gpio_offset stroke_pulse)
out=$("$bench" edges --chip "$chip" --line "$line" --seconds "${1:-4}") || { echo "$out"; rig_fail "stipple-bench edges on $chip line $line"; }
echo "$out"
echo "$out" | grep -q "backend: libgpiod v1 on $chip line $line" || rig_fail "the libgpiod backend did not run"
echo "$out" | grep -Eq "^ +all Swift +([0-9]+)/\1 " || rig_fail "the Swift side did not fire every planned edge"
echo "$out" | grep -Eq "^ +all C +([0-9]+)/\1 " || rig_fail "the C side did not fire every planned edge"
rig_ok "both sides pulsed $chip line $line through libgpiod, every planned edge fired"
