#!/bin/sh
# Stipple in the guest, on its real backends: LinuxGPIOLines (libgpiod) on a gpio-sim chip wired
# like the machine, USBDeviceLink (libusb) to `stipple sim gadget` (the simulated firmware served
# as a USB device through FunctionFS on dummy_hcd). Uses the host-built binaries in .build/debug
# (make rig-test builds them); the Swift runtime comes from /opt/swift on the shared root.
#   1. the gadget up and enumerated; `stipple devices` lists the gpio-sim chip with the role
#      names and the machine on USB; the LinuxGPIOLines kernel tests (StippleLinuxTests, enabled
#      by STIPPLE_RIG_GPIO_SYSFS) pass on this kernel when the test bundle is built
#   2. a scripted session (hil-session.toml) with `stipple run`, the pedal and the e-stop worked
#      from outside through gpio-sim: armed (enable line up), one pass, a second pass cut by the
#      e-stop (enable line down, timed by estop_lat), reset; the report must show all of it
#   3. unplug and replug the gadget; `stipple devices --identify` talks to the firmware again
# usage (guest): sh stipple-hil.sh [MACHINE=rotary-r1]
# Env: RIG_HEARTBEAT_MS (default 500), RIG_STIPPLE (default $RIG_REPO/.build/debug/stipple).
set -eu
RIG_TEST=hil
. "$(dirname "$0")/lib.sh"
machine=${1:-rotary-r1}
stipple=${RIG_STIPPLE:-$RIG_REPO/.build/debug/stipple}
tests=$RIG_REPO/.build/debug/StipplePackageTests.xctest
machine_file=$RIG_REPO/Hardware/machines/$machine.toml
[ -x "$stipple" ] || rig_fail "$stipple not built: run 'make build' on the host"
[ -f "$machine_file" ] || rig_fail "no machine file $machine_file"
t0=$(rig_uptime)
T=$(mktemp -d)
phase() { echo "== hil: $* (at $(rig_since "$t0") s)"; }
inactive() { ! rig_gpio_is_active "$1"; }

# The machine as the rig presents it, in a config folder that Stipple searches before its
# built-in Hardware/ files (STIPPLE_CONFIG_DIR), with two differences from the real board:
#   endpoint_out = 0x02: dummy_hcd hands out its ep2out-bulk whatever the descriptors ask, and
#       Stipple refuses a device whose endpoints differ from the machine file;
#   heartbeat_deadline_ms = RIG_HEARTBEAT_MS (500, the absolute bound): under TCG the 1 kHz loop
#       and the USB round trip run 10-50x slower than on the board, and the machine's 50 ms
#       deadline faults the session on the first late heartbeat. This rig checks behaviour, not
#       the board's timing.
export STIPPLE_CONFIG_DIR=$RIG_STATE/config
mkdir -p "$STIPPLE_CONFIG_DIR/machines"
sed -e 's/^endpoint_out = .*/endpoint_out = 0x02/' \
    -e "s/^heartbeat_deadline_ms = .*/heartbeat_deadline_ms = ${RIG_HEARTBEAT_MS:-500}/" \
    "$machine_file" > "$STIPPLE_CONFIG_DIR/machines/$machine.toml"
rig_check "the rig's $machine is the one Stipple loads, and valid" \
    sh -c "'$stipple' machine show $machine | grep -q 'file .*$STIPPLE_CONFIG_DIR/machines/$machine.toml' \
           && '$stipple' machine validate $STIPPLE_CONFIG_DIR/machines/$machine.toml > /dev/null"
echo "hil: $("$stipple" version | tr '\n' ' ')"

# Read the binaries and their libraries once: the guest reads them over 9p, and `stipple run`
# locks all its memory (mlockall) between the session's start and its first cycle, which under
# TCG took longer than the 500 ms the session gives the machine to answer identify.
for f in "$stipple" $(ldd "$stipple" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p'); do cat "$f" > /dev/null; done
phase "binaries in the page cache"

# --- 1. devices ---------------------------------------------------------------------------
chip=$(sh "$RIG_GUEST/gpio-setup.sh" "$machine_file")
rig_gpio_load
ffs=$(sh "$RIG_GUEST/usb-setup.sh" "$USB_VID" "$USB_PID")
"$stipple" sim gadget --machine "$machine" --ffs "$ffs" --cartridge 1RL-0.20 --cartridge-id 7001 \
    > "$T/gadget.out" 2>&1 &
gadget=$!
node=$(sh "$RIG_GUEST/usb-bind.sh" 200) || { cat "$T/gadget.out"; rig_fail "the gadget did not come up"; }
rig_usb_load
rig_ok "stipple sim gadget serves $USB_VID:$USB_PID at $node"
"$stipple" devices > "$T/devices" 2>&1 || { cat "$T/devices"; rig_fail "stipple devices exit status"; }
rig_check "stipple devices lists $chip [stipple-rig-$machine]" grep -q "^  $chip \[stipple-rig-$machine\]" "$T/devices"
for role in $GPIO_ROLES; do
    rig_check "... with line $(rig_gpio_offset "$role") named $role" \
        grep -Eq "^    $(rig_gpio_offset "$role") +$role " "$T/devices"
done
rig_check "stipple devices lists $machine on USB as $USB_VID:$USB_PID" grep -Eq "^  $machine .* $USB_VID:$USB_PID " "$T/devices"

if [ -x "$tests" ]; then
    STIPPLE_RIG_GPIO_SYSFS=$GPIO_SYSFS STIPPLE_RIG_MACHINE=$machine \
        "$tests" --testing-library swift-testing --filter LinuxGPIOLinesKernelTests > "$T/tests" 2>&1 \
        || { cat "$T/tests"; rig_fail "LinuxGPIOLines kernel tests"; }
    rig_check "LinuxGPIOLines kernel tests ran on gpio-sim, none skipped: $(grep -Eo 'Test run with [0-9]+ tests' "$T/tests")" \
        sh -c "! grep -q skipped '$T/tests' && grep -q 'Test run with' '$T/tests'"
    rig_gpio_rest
else
    echo "hil: skipped the LinuxGPIOLines kernel tests: no test bundle (make test or rig-test builds it)"
fi
phase "devices done"

# --- 2. session ---------------------------------------------------------------------------
"$stipple" run --machine "$machine" --cartridge 1RL-0.20 --profile frontal-hairline-soft \
    --zone frontal-hairline --script "$RIG_GUEST/hil-session.toml" > "$T/run" 2>&1 &
run=$!
rig_check "armed: Stipple drives motor_enable active" rig_wait 200 rig_gpio_is_active motor_enable
phase "armed"
rig_gpio_set pedal active
rig_check "pedal down: running (status_led on)" rig_wait 50 rig_gpio_is_active status_led
sleep 2
rig_gpio_set pedal inactive
rig_check "pedal up: the pass ends (status_led off)" rig_wait 50 inactive status_led
rig_check "... still armed (motor_enable active)" rig_gpio_is_active motor_enable
rig_gpio_set pedal active
rig_check "pedal down again: running" rig_wait 50 rig_gpio_is_active status_led
sleep 1
eval "_low=\$GPIO_ACTIVE_LOW_estop"
press=pull-up; [ "$_low" = 1 ] && press=pull-down
"$RIG_BIN/estop_lat" "$GPIO_SYSFS/sim_gpio$(rig_gpio_offset estop)/pull" "$press" \
    "$GPIO_SYSFS/sim_gpio$(rig_gpio_offset motor_enable)/value" 2000 > "$T/estop" \
    || { cat "$T/estop"; rig_fail "e-stop did not drop motor_enable within 2 s"; }
rig_ok "e-stop pressed: $(cat "$T/estop")"
sleep 0.5
rig_check "... and it stays dropped (latched)" inactive motor_enable
rig_gpio_set pedal inactive
rig_gpio_set estop inactive
phase "inputs released; waiting for the script's reset and the report"
wait "$run" || { cat "$T/run"; rig_fail "stipple run exit status"; }
cat "$T/run"
rig_check "identified the firmware over USB" grep -q '^machine serial ' "$T/run"
rig_check "pass 1 ended by the pedal" sh -c "grep -A4 '^pass 1 ' '$T/run' | grep -q 'stop  pedal-released'"
rig_check "pass 2 ended by the e-stop" sh -c "grep -A4 '^pass 2 ' '$T/run' | grep -q 'stop  e-stop'"
rig_check "no third pass" sh -c "! grep -q '^pass 3 ' '$T/run'"
rig_check "events: the e-stop dropped the enable line" grep -q 'e-stop: enable line dropped' "$T/run"
rig_check "events: the reset" grep -Eq '^  [0-9:.]+  reset \(estop\)' "$T/run"
rig_check "events: no fault and no refused request" sh -c "! grep -Eq '^  [0-9:.]+  (fault|request refused|machine refused)' '$T/run'"
rig_check "link: no CRC errors" grep -q ' 0 CRC errors' "$T/run"
rig_check "final state: idle" grep -q '^final state: idle' "$T/run"
phase "session done"

# --- 3. unplug, replug ------------------------------------------------------------------------
rig_usb_unbind
listed() { "$stipple" devices 2>&1 | grep -Eq "^  $machine .* $USB_VID:$USB_PID "; }
rig_check "unplugged: stipple devices no longer lists $machine" eval '! listed'
node=$(sh "$RIG_GUEST/usb-bind.sh" 200)
# The identify probe waits 1 s for the reply; under TCG on a busy host that has run out once in
# ten runs, so a timeout (and only a timeout) is tried again, at most twice, and said.
for try in 1 2 3; do
    "$stipple" devices --identify > "$T/identify" 2>&1 && break
    grep -q 'no identify reply within' "$T/identify" && [ "$try" -lt 3 ] || { cat "$T/identify"; rig_fail "stipple devices --identify after replug"; }
    echo "hil: identify timed out (try $try of 3), trying again"
done
rig_check "replugged at $node: the firmware answers identify" grep -Eq "$USB_VID:$USB_PID .*firmware [0-9]" "$T/identify"
kill "$gadget"
wait "$gadget" || { cat "$T/gadget.out"; rig_fail "stipple sim gadget exit status"; }
rig_ok "gadget stopped: $(grep '^served:' "$T/gadget.out")"
rig_no_kernel_warnings

field() { grep -Eo "$1" "$T/run" | head -n 1; }
echo "HIL-FIGURES: e-stop press -> motor_enable dropped $(sed -n 's/.*after //p' "$T/estop"); $(field 'RTT [0-9.]+ ms'); $(field 'wake-up lateness p99 [0-9]+ µs'); $(field '[0-9]+ retransmitted')"
echo "hil: all $rig_checks checks passed in $(rig_since "$t0") s"
