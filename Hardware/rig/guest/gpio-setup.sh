#!/bin/sh
# Create a simulated GPIO chip laid out like a machine's wiring, and print its name (gpiochipN).
#
# usage (guest): CHIP=$(sh gpio-setup.sh Hardware/machines/rotary-r1.toml)
#
# gpio-sim (built by setup step 40) is configured through configfs: one bank with a line per
# role in the machine file's [gpio] table, at the role's offset and named after it, so
# `gpiofind pedal` and gpioinfo show the roles as on the real board. The inputs start at rest:
# pedal released, e-stop released, cartridge present (levels follow each line's active_low).
# Then, from any guest script (after `. guest/lib.sh; rig_gpio_load`):
#   rig_gpio_set pedal active            press the pedal (the test side drives an input)
#   rig_gpio_pull estop pull-up          the same, by level
#   rig_gpio_value motor_enable          the level the program drives on an output
# or from the command line: sh guest/gpio.sh set pedal active | value motor_enable | ...
# Writes /run/rig/gpio.env (chip, sysfs dir, roles) for those helpers.
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || rig_die "usage: gpio-setup.sh MACHINE_FILE"
machine=$(rig_machine "$1") || exit 1
eval "$machine"

rig_modprobe gpio-sim
rig_configfs
G=/sys/kernel/config/gpio-sim/$MACHINE_NAME
[ ! -d "$G" ] || rig_die "a simulated chip for $MACHINE_NAME exists already ($G)"
mkdir "$G" "$G/bank0"
# At least a 32-line bank, like a SoC's; more if the machine uses a higher offset.
lines=32
for role in $GPIO_ROLES; do
    eval "offset=\$GPIO_OFFSET_$role"
    [ "$offset" -lt "$lines" ] || lines=$((offset + 1))
    mkdir "$G/bank0/line$offset"
    echo "$role" > "$G/bank0/line$offset/name"
done
echo "$lines" > "$G/bank0/num_lines"
echo "stipple-rig-$MACHINE_NAME" > "$G/bank0/label"
echo 1 > "$G/live"

dev=$(cat "$G/dev_name")            # gpio-sim.N
chip=$(cat "$G/bank0/chip_name")    # gpiochipM
rig_wait 50 test -c "/dev/$chip" || rig_die "/dev/$chip did not appear"
{
    echo "$machine"
    echo "GPIO_SIM_CONFIG=$G"
    echo "GPIO_SIM_CHIP=$chip"
    echo "GPIO_SYSFS=/sys/devices/platform/$dev/$chip"
} > "$RIG_STATE/gpio.env"
rig_gpio_load
[ "$chip" = "$GPIO_CHIP" ] || rig_log "warning: $1 names chip $GPIO_CHIP but the simulated chip is $chip (another GPIO chip in the guest?)"

rig_gpio_rest
rig_log "gpio-sim: $chip ($lines lines, label stipple-rig-$MACHINE_NAME) for $MACHINE_NAME: $(for r in $GPIO_ROLES; do printf '%s@%s ' "$r" "$(rig_gpio_offset "$r")"; done)"
echo "$chip"
