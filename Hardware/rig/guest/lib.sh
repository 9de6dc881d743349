# Guest-side helpers, sourced by the guest scripts (POSIX sh: the guest runs the host's /bin/sh).
# The guest's root is the host's / read-only; /run, /tmp and /root are tmpfs, and $RIG_WORK
# (.build-rig) is the host's, writable. run-guest.sh's job exports RIG_REPO, RIG_WORK, RIG_SRC,
# RIG_BIN (the C probes) and RIG_KABI; the defaults below let a script also be run by hand in a
# `run-guest.sh --shell`.
RIG_GUEST=$(cd "$(dirname "$0")" && pwd)
: "${RIG_SRC:=$(dirname "$RIG_GUEST")}"
: "${RIG_REPO:=$(cd "$RIG_SRC/../.." && pwd)}"
: "${RIG_WORK:=$RIG_REPO/.build-rig}"
: "${RIG_BIN:=$RIG_WORK/bin}"
RIG_STATE=/run/rig          # what the setup scripts found out, as sourceable env files
mkdir -p "$RIG_STATE"

rig_log() { echo "rig: $*" >&2; }
rig_die() { echo "RIG-FAIL: $*" >&2; exit 1; }
rig_uptime() { cut -d' ' -f1 /proc/uptime; }
rig_since() { awk -v t0="$1" '{ printf "%.2f", $1 - t0 }' /proc/uptime; }   # seconds since an uptime

# rig_wait TENTHS COMMAND...: run COMMAND every 0.1 s until it succeeds; fail once TENTHS tenths
# of a second have passed (by the clock: under TCG each try itself can take a tenth or more).
# Polling a condition instead of sleeping a guessed time keeps the scripts fast and still correct
# when TCG makes the guest slow.
rig_centis() {  # the uptime in hundredths of a second (no program run)
    read -r _up _ < /proc/uptime
    _f=${_up#*.}; _f=${_f#0}
    echo $(( ${_up%.*} * 100 + _f ))
}
rig_wait() {
    _deadline=$(( $(rig_centis) + $1 * 10 )); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(rig_centis)" -lt "$_deadline" ] || return 1
        sleep 0.1
    done
}

# Checks for the test scripts: each prints "NAME: ok   WHAT" or "NAME: FAIL WHAT" and the first
# failure ends the script. RIG_TEST names the script in the output.
RIG_TEST=${RIG_TEST:-rig}
rig_checks=0
rig_ok() { rig_checks=$((rig_checks + 1)); echo "$RIG_TEST: ok   $*"; }
rig_fail() { echo "$RIG_TEST: FAIL $*" >&2; exit 1; }
rig_check() {  # rig_check DESCRIPTION COMMAND...: the command must succeed
    _what=$1; shift
    if "$@"; then rig_ok "$_what"; else rig_fail "$_what"; fi
}
rig_equals() { [ "$1" = "$2" ] || { echo "$RIG_TEST:      got '$1', want '$2'" >&2; return 1; }; }
rig_no_kernel_warnings() {
    if dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace'; then rig_fail "kernel warnings in dmesg (above)"; fi
    rig_ok "no kernel warnings (tainted=$(cat /proc/sys/kernel/tainted): the unsigned out-of-tree gpio-sim, expected)"
}

rig_modprobe() { for _m in "$@"; do modprobe "$_m" || rig_die "modprobe $_m (kernel $(uname -r))"; done; }
rig_configfs() {
    mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config || rig_die "mount configfs"
}

# rig_machine FILE: the machine file as shell assignments (python3's tomllib, from the host):
#   MACHINE_NAME=.. GPIO_CHIP=.. GPIO_ROLES="pedal estop .." GPIO_OFFSET_<role>=N
#   GPIO_ACTIVE_LOW_<role>=0|1 USB_VID=1209 USB_PID=5701 (hex, no 0x)
rig_machine() {
    python3 - "$1" <<'PY' || rig_die "cannot read machine file $1"
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    m = tomllib.load(f)
gpio = dict(m["gpio"])
print(f"MACHINE_NAME={m['name']}")
print(f"GPIO_CHIP={gpio.pop('chip')}")
print(f"GPIO_ROLES='{' '.join(gpio)}'")
for role, line in gpio.items():
    print(f"GPIO_OFFSET_{role}={line['offset']}")
    print(f"GPIO_ACTIVE_LOW_{role}={int(line.get('active_low', False))}")
# A drive = "gpio" machine has no controller board: no USB identity to print.
if "usb" in m:
    print(f"USB_VID={m['usb']['vendor_id']:04x}")
    print(f"USB_PID={m['usb']['product_id']:04x}")
PY
}

# --- GPIO (after gpio-setup.sh) -------------------------------------------------------------
# gpio-sim's test side: each line has /sys/devices/platform/gpio-sim.N/gpiochipM/sim_gpioK/
#   pull   pull-up | pull-down: the level the outside world puts on an input (a pressed pedal)
#   value  the level on the line: what the program drives on an output, else the pull
rig_gpio_load() {
    [ -f "$RIG_STATE/gpio.env" ] || rig_die "no simulated GPIO chip: run gpio-setup.sh MACHINE_FILE first"
    . "$RIG_STATE/gpio.env"
}
rig_gpio_offset() {
    eval "_o=\${GPIO_OFFSET_$1:-}"
    [ -n "$_o" ] || rig_die "no GPIO role '$1' in $MACHINE_NAME (roles: $GPIO_ROLES)"
    echo "$_o"
}
rig_gpio_pull() {  # rig_gpio_pull ROLE pull-up|pull-down (or up|down)
    case $2 in up|pull-up) _p=pull-up ;; down|pull-down) _p=pull-down ;; *) rig_die "pull '$2': want pull-up or pull-down" ;; esac
    echo "$_p" > "$GPIO_SYSFS/sim_gpio$(rig_gpio_offset "$1")/pull" || rig_die "write pull of $1"
}
rig_gpio_value() { cat "$GPIO_SYSFS/sim_gpio$(rig_gpio_offset "$1")/value"; }   # 0|1, the level
# rig_gpio_set ROLE active|inactive: drive an input by meaning (pedal pressed, cartridge in),
# honouring the line's active_low.
rig_gpio_set() {
    eval "_low=\${GPIO_ACTIVE_LOW_$1:-0}"
    case $2 in active) _level=1 ;; inactive) _level=0 ;; *) rig_die "state '$2': want active or inactive" ;; esac
    [ "$_low" = 1 ] && _level=$((1 - _level))
    if [ "$_level" = 1 ]; then rig_gpio_pull "$1" pull-up; else rig_gpio_pull "$1" pull-down; fi
}
# The inputs at rest: pedal and e-stop released, cartridge in, a direct-drive stage's home switch
# not triggered. A direct-drive machine's outputs also get a pull to their inactive level, as the
# board's resistors would: gpio-sim shows a line's pull while no program drives it (before Stipple
# requests it and after it exits), and the active-low stepper /EN must then read disabled.
rig_gpio_rest() {
    for _r in $GPIO_ROLES; do
        case $_r in
            pedal|estop|depth_home) rig_gpio_set "$_r" inactive ;;
            cartridge_present) rig_gpio_set "$_r" active ;;
            stroke_pulse|depth_step|depth_dir|depth_enable|charge_pump) rig_gpio_set "$_r" inactive ;;
        esac
    done
}
# The direct-drive roles as gpio_observe/gpio_standin arguments: ROLE=OFFSET[:low]
rig_gpio_direct_args() {
    for _r in stroke_pulse depth_step depth_dir depth_enable charge_pump depth_home; do
        eval "_low=\${GPIO_ACTIVE_LOW_$_r:-0}"
        printf '%s=%s%s ' "$_r" "$(rig_gpio_offset "$_r")" "$( [ "$_low" = 1 ] && echo :low)"
    done
}
rig_gpio_is_active() {  # exit 0 when the role's line is at its active level
    eval "_low=\${GPIO_ACTIVE_LOW_$1:-0}"
    [ "$(rig_gpio_value "$1")" != "$_low" ]
}

# --- USB (after usb-setup.sh) ---------------------------------------------------------------
rig_usb_load() {
    [ -f "$RIG_STATE/usb.env" ] || rig_die "no gadget: run usb-setup.sh VID PID first"
    . "$RIG_STATE/usb.env"
}
# The host-side device directory in sysfs of the bound gadget, if enumerated.
rig_usb_device() {
    for _d in /sys/bus/usb/devices/*; do
        [ "$(cat "$_d/idVendor" 2>/dev/null)" = "$USB_VID" ] && [ "$(cat "$_d/idProduct" 2>/dev/null)" = "$USB_PID" ] \
            && { echo "$_d"; return 0; }
    done
    return 1
}
rig_usb_gone() { ! rig_usb_device; }
# Unplug: the gadget leaves the bus (the host side sees a disconnect), the FunctionFS daemon
# stays up and is seen again on the next usb-bind.sh.
rig_usb_unbind() {
    echo "" > "$USB_GADGET/UDC" || rig_die "unbind $USB_GADGET"
    rig_wait 50 rig_usb_gone || rig_die "$USB_VID:$USB_PID still on the bus 5 s after unbind"
}

# --- direct drive: gpio_observe (after gpio-setup.sh with a drive = "gpio" machine) -------------
# rig_kv KEY FILE: a value from a key=value summary (gpio_observe's, gpio_standin's)
rig_kv() { sed -n "s/^$1=//p" "$2" | head -n 1; }
# rig_observe_start OUT OPTIONS...: gpio_observe on the chip's direct-drive roles, its summary
# into OUT (stderr into OUT.err); waits until it traces. Sets rig_observer (the pid).
rig_observe_start() {
    _out=$1; shift
    # shellcheck disable=SC2046
    "$RIG_BIN/gpio_observe" "$GPIO_SIM_CHIP" "$GPIO_SYSFS" $(rig_gpio_direct_args) "$@" > "$_out" 2> "$_out.err" &
    rig_observer=$!
    rig_wait 100 grep -q '^gpio_observe: ready' "$_out" || { cat "$_out.err" >&2; rig_fail "gpio_observe did not start"; }
}
# rig_observe_stop OUT: SIGTERM; it prints its summary into OUT and exits
rig_observe_stop() {
    kill -TERM "$rig_observer"
    wait "$rig_observer" || { cat "$1.err" >&2; rig_fail "gpio_observe exit status"; }
}
