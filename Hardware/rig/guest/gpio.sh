#!/bin/sh
# The gpio-sim test side from the command line (after gpio-setup.sh), for guest scripts in any
# language and for poking at a `run-guest.sh --shell`:
#   sh gpio.sh set ROLE active|inactive     drive an input by meaning (honours active_low)
#   sh gpio.sh pull ROLE pull-up|pull-down  drive an input by level
#   sh gpio.sh value ROLE                   print the line's level (0|1)
#   sh gpio.sh active ROLE                  exit 0 when the line is at its active level
#   sh gpio.sh teardown                     take the chip down again
set -eu
. "$(dirname "$0")/lib.sh"
rig_gpio_load
case ${1:-} in
    set) rig_gpio_set "$2" "$3" ;;
    pull) rig_gpio_pull "$2" "$3" ;;
    value) rig_gpio_value "$2" ;;
    active) rig_gpio_is_active "$2" ;;
    teardown)
        echo 0 > "$GPIO_SIM_CONFIG/live"
        rmdir "$GPIO_SIM_CONFIG"/bank0/line* "$GPIO_SIM_CONFIG/bank0" "$GPIO_SIM_CONFIG"
        rm -f "$RIG_STATE/gpio.env" ;;
    *) rig_die "usage: gpio.sh set ROLE active|inactive | pull ROLE pull-up|pull-down | value ROLE | active ROLE | teardown" ;;
esac
