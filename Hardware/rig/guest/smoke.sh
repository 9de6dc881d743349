#!/bin/sh
# The rig's own test, before any Stipple code runs in it: the simulated GPIO chip and the USB
# gadget path work end to end with Debian's tools and the C probes.
#   GPIO: a chip laid out as MACHINE's [gpio] table; every role found by name at its offset;
#         inputs driven through gpio-sim's pull and read with gpioget, edges seen by gpiomon,
#         an output driven with gpioset and read back through gpio-sim's value; then
#         gpio_evlat: pull write -> libgpiod edge event latency over N_EDGES edges.
#   Direct drive: observe-check.sh on direct-d1's layout: gpio_observe (kernel gpio_value
#         tracepoint) counts exactly the strokes, steps and pump edges gpio_standin wrote, and
#         plays the home switch; a switch that never triggers; the writer killed.
#   USB:  a gadget with MACHINE's VID:PID served by ffs_echo (FunctionFS) on dummy_hcd;
#         lsusb sees it; usb_rtt: N_RTT libusb bulk round trips of 64 bytes, every byte checked,
#         plus 4 KiB ones (whole packets: the zero-length-packet path); unplug and replug, and
#         round trips again.
#   Kernel: no WARNING/BUG/Oops in dmesg.
# usage (guest): sh smoke.sh [MACHINE_FILE] [N_RTT=1000] [N_EDGES=2000]
# Prints "smoke: ..." result lines (figures in the SMOKE-FIGURES line) and exits non-zero on
# the first failed check.
set -eu
RIG_TEST=smoke
. "$(dirname "$0")/lib.sh"
machine_file=${1:-$RIG_REPO/Hardware/machines/rotary-r1.toml}
n_rtt=${2:-1000}
n_edges=${3:-2000}
t0=$(rig_uptime)
T=$(mktemp -d)

echo "== smoke: userland $(gpiodetect --version | head -n 1), $(lsusb --version 2>&1 | head -n 1), kernel $(uname -r)"

# --- GPIO ---------------------------------------------------------------------------------
tg=$(rig_uptime)
chip=$(sh "$RIG_GUEST/gpio-setup.sh" "$machine_file")
rig_gpio_load
rig_check "gpio-sim chip $chip is the machine's $GPIO_CHIP" rig_equals "$chip" "$GPIO_CHIP"
rig_check "gpiodetect lists it" sh -c "gpiodetect | grep -q '^$chip \\[stipple-rig-$MACHINE_NAME\\]'"
for role in $GPIO_ROLES; do
    rig_check "gpiofind $role -> $chip $(rig_gpio_offset "$role")" rig_equals "$(gpiofind "$role")" "$chip $(rig_gpio_offset "$role")"
done
pedal=$(rig_gpio_offset pedal); estop=$(rig_gpio_offset estop)
motor=$(rig_gpio_offset motor_enable); cart=$(rig_gpio_offset cartridge_present)
rig_check "inputs at rest: pedal released (high, active-low), e-stop released (low), cartridge in (low)" \
    rig_equals "$(gpioget "$chip" "$pedal" "$estop" "$cart")" "1 0 0"
rig_gpio_set pedal active
rig_check "pedal pressed -> gpioget reads 0" rig_equals "$(gpioget "$chip" "$pedal")" 0
rig_gpio_set pedal inactive
rig_check "pedal released -> gpioget reads 1" rig_equals "$(gpioget "$chip" "$pedal")" 1

# Edges: gpiomon must hold the line before the pull changes, so wait until gpioinfo shows it
# used; and each edge must be seen before the next, because for a both-edges request the kernel
# names the edge by reading the line's level after the interrupt. stdbuf -oL: gpiomon writes
# to a file, which stdio would otherwise buffer until it exits.
stdbuf -oL gpiomon --num-events=2 --format='%e %o' "$chip" "$estop" > "$T/mon" 2>&1 &
mon=$!
rig_check "gpiomon holds the e-stop line" rig_wait 100 sh -c "gpioinfo $chip | grep -E '^[[:space:]]+line +$estop:.*\"gpiomon\"'"
rig_gpio_set estop active
rig_check "gpiomon saw the rising edge" rig_wait 100 sh -c "[ \$(wc -l < $T/mon) -ge 1 ]"
rig_gpio_set estop inactive
rig_check "gpiomon saw the falling edge" rig_wait 100 sh -c "[ \$(wc -l < $T/mon) -ge 2 ]"
wait "$mon"
rig_check "... rising then falling at offset $estop" rig_equals "$(tr '\n' ' ' < "$T/mon")" "1 $estop 0 $estop "

# Output: the program drives, the test side reads. Pull the other way first, so the read value
# can only come from the driven level.
rig_gpio_pull motor_enable pull-down
gpioset --mode=signal "$chip" "$motor=1" & set_pid=$!
rig_check "gpioset motor_enable=1 -> sim value 1" rig_wait 100 sh -c "[ \$(cat $GPIO_SYSFS/sim_gpio$motor/value) = 1 ]"
kill "$set_pid"; wait "$set_pid" 2>/dev/null || true
rig_gpio_pull motor_enable pull-up
gpioset --mode=signal "$chip" "$motor=0" & set_pid=$!
rig_check "gpioset motor_enable=0 (pulled up) -> sim value 0" rig_wait 100 sh -c "[ \$(cat $GPIO_SYSFS/sim_gpio$motor/value) = 0 ]"
kill "$set_pid"; wait "$set_pid" 2>/dev/null || true
rig_check "released output follows the pull again" rig_wait 50 sh -c "[ \$(cat $GPIO_SYSFS/sim_gpio$motor/value) = 1 ]"
rig_gpio_pull motor_enable pull-down

"$RIG_BIN/gpio_evlat" "$chip" "$estop" "$GPIO_SYSFS/sim_gpio$estop/pull" "$n_edges" > "$T/evlat" \
    || { cat "$T/evlat"; rig_fail gpio_evlat; }
rig_ok "$(cat "$T/evlat")"
rig_gpio_set estop inactive
sh "$RIG_GUEST/gpio.sh" teardown
rig_check "gpio-sim chip torn down" sh -c "! test -e /dev/$chip"
echo "== smoke: GPIO done in $(rig_since "$tg") s"

# --- direct drive: the observer counts every write ------------------------------------------
# The direct-drive checks in stipple-hil.sh trust gpio_observe's counts; here it must count
# exactly what a known libgpiod writer wrote (observe-check.sh).
td=$(rig_uptime)
RIG_TEST=smoke sh "$RIG_GUEST/observe-check.sh" "$RIG_REPO/Hardware/machines/direct-d1.toml" > "$T/observe" 2>&1 \
    || { cat "$T/observe"; rig_fail "direct-drive observer self-check (observe-check.sh)"; }
cat "$T/observe"
rig_ok "direct-drive observer self-check: $(grep -c '^smoke: ok' "$T/observe") checks"
echo "== smoke: direct-drive observer done in $(rig_since "$td") s"

# --- USB ----------------------------------------------------------------------------------
tu=$(rig_uptime)
eval "$(rig_machine "$machine_file" | grep '^USB_')"
vid=$USB_VID; pid=$USB_PID
ffs=$(sh "$RIG_GUEST/usb-setup.sh" "$vid" "$pid")
"$RIG_BIN/ffs_echo" "$ffs" > "$T/ffs.out" 2> "$T/ffs.err" &
echo_pid=$!
rig_check "ffs_echo wrote its descriptors" rig_wait 100 grep -q ready "$T/ffs.out"
node=$(sh "$RIG_GUEST/usb-bind.sh")
rig_usb_load
# lsusb names a device from udev's hwdb when the host has one (1209 is pid.codes: "Generic"),
# so the gadget's own strings are checked in sysfs, where the kernel keeps what it read.
rig_check "lsusb lists $vid:$pid" sh -c "lsusb -d $vid:$pid | grep -q 'ID $vid:$pid'"
rig_check "... and the kernel read the gadget's manufacturer string" \
    rig_equals "$(cat "$(rig_usb_device)/manufacturer")" "Stipple rig"
"$RIG_BIN/usb_rtt" "$vid" "$pid" "$n_rtt" 64 > "$T/rtt64" \
    || { cat "$T/rtt64" "$T/ffs.err"; rig_fail "usb_rtt 64"; }
rig_ok "$(cat "$T/rtt64")"
"$RIG_BIN/usb_rtt" "$vid" "$pid" 200 4096 > "$T/rtt4k" \
    || { cat "$T/rtt4k" "$T/ffs.err"; rig_fail "usb_rtt 4096"; }
rig_ok "$(cat "$T/rtt4k")"
rig_usb_unbind
rig_ok "unplugged: $vid:$pid left the bus"
node=$(sh "$RIG_GUEST/usb-bind.sh")
"$RIG_BIN/usb_rtt" "$vid" "$pid" 100 64 > "$T/rtt-again" \
    || { cat "$T/rtt-again" "$T/ffs.err"; rig_fail "usb_rtt after replug"; }
rig_ok "replugged at $node: $(cat "$T/rtt-again")"
rig_usb_unbind
kill "$echo_pid"
echo "== smoke: USB done in $(rig_since "$tu") s"

# --- kernel -------------------------------------------------------------------------------
rig_no_kernel_warnings

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"; }
grep '^OBSERVE-FIGURES' "$T/observe" | sed 's/^OBSERVE-FIGURES/SMOKE-FIGURES: observer/' || true
echo "SMOKE-FIGURES: gpio edge->event p50=$(field p50 "$T/evlat") p99=$(field p99 "$T/evlat") (n=$n_edges); usb 64 B round trip p50=$(field p50 "$T/rtt64") p99=$(field p99 "$T/rtt64") (n=$n_rtt); 4 KiB p50=$(field p50 "$T/rtt4k")"
echo "smoke: all $rig_checks checks passed in $(rig_since "$t0") s"
