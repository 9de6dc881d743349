#!/bin/sh
# The rig's direct-drive observer proves itself before any Stipple code drives the lines:
# gpio_standin writes a known schedule to a direct-drive machine's lines through libgpiod v1
# (homing against the switch the observer plays, a back-off, steps down, stroke pulses, steps up,
# the charge pump throughout, each STEP raised and lowered back to back), and gpio_observe must
# count exactly what it wrote; then homing against a switch that never triggers; then the
# stand-in killed mid-schedule: the observer must place the SIGKILL on the edges' clock and see
# no charge-pump write after it.
# usage (guest): sh observe-check.sh [MACHINE_FILE=Hardware/machines/direct-d1.toml]
# Sourced checks print "<RIG_TEST>: ok|FAIL ..."; called from smoke.sh, or alone.
set -eu
RIG_TEST=${RIG_TEST:-observe}
. "$(dirname "$0")/lib.sh"
machine_file=${1:-$RIG_REPO/Hardware/machines/direct-d1.toml}
T=$(mktemp -d)
t0=$(rig_uptime)
at() { echo "== $RIG_TEST: observer: $* (at $(rig_since "$t0") s)"; }
kv() { rig_kv "$@"; }

chip=$(sh "$RIG_GUEST/gpio-setup.sh" "$machine_file")
rig_gpio_load
roles=$(rig_gpio_direct_args)

observe() { _name=$1; shift; rig_observe_start "$T/$_name.obs" "$@"; }
finish() { rig_observe_stop "$T/$1.obs"; }
same() {  # same WHAT OBSERVED_KEY WRITTEN_KEY NAME
    _o=$(kv "$2" "$T/$4.obs"); _w=$(kv "$3" "$T/$4.out")
    rig_check "$1: observed $_o, written $_w" rig_equals "$_o" "$_w"
}

# --- 1. a full schedule: every write counted ------------------------------------------------
observe full --switch 100
# shellcheck disable=SC2086
"$RIG_BIN/gpio_standin" "$chip" $roles --strokes 150 --period 20 --width 2 --steps 60 --step-every 2 \
    --home-offset 20 --home-travel 400 --pump-half 4 > "$T/full.out" || rig_fail "gpio_standin"
finish full
rig_check "stand-in homed on the observer's switch after $(kv home_steps "$T/full.out") steps up (switch at 100)" \
    rig_equals "$(kv home_found "$T/full.out")" 1
same "stroke pulses" strokes written_strokes full
same "steps deeper (DIR active at the step)" steps_deeper written_steps_deeper full
same "steps up" steps_up written_steps_up full
same "charge-pump edges" pump_edges written_pump_edges full
rig_check "no step while depth_enable inactive" rig_equals "$(kv steps_while_disabled "$T/full.obs")" 0
off=$(kv home_offset "$T/full.out")
pos=$(kv position "$T/full.obs"); pmin=$(kv position_min "$T/full.obs")
rig_check "net position back at home zero: $pos = stop $pmin + back-off $off" rig_equals "$pos" $((pmin + off))
rig_check "one run of strokes, each pulse $(kv stroke_width_min_us "$T/full.obs")-$(kv stroke_width_max_us "$T/full.obs") µs wide" \
    rig_equals "$(kv runs "$T/full.obs")" 1
rig_check "depth_enable left inactive (physical $(kv depth_enable_level "$T/full.obs"), active-low)" \
    rig_equals "$(kv depth_enable_level "$T/full.obs")" 1
rig_check "nothing lost in the trace buffer (overrun $(kv trace_overrun "$T/full.obs"), $(kv events "$T/full.obs") events)" \
    sh -c "[ '$(kv trace_overrun "$T/full.obs")' = 0 ] && [ '$(kv unparsed "$T/full.obs")' = 0 ]"

at "full schedule done"

# --- 2. the switch never triggers ---------------------------------------------------------
observe never --switch never
# shellcheck disable=SC2086
"$RIG_BIN/gpio_standin" "$chip" $roles --strokes 0 --home-travel 150 --step-every 2 > "$T/never.out" || rig_fail "gpio_standin"
finish never
rig_check "switch never: the stand-in found no home in 150 steps, the observer saw $(kv steps_up "$T/never.obs") up and no trigger" \
    sh -c "[ '$(kv home_found "$T/never.out")' = 0 ] && [ '$(kv steps_up "$T/never.obs")' = 150 ] && [ '$(kv switch_triggers "$T/never.obs")' = 0 ]"

at "never-trigger done"

# --- 3. the writer killed: the kill on the edges' clock, no pump edge after it ----------------
observe kill --switch 100
# shellcheck disable=SC2086
"$RIG_BIN/gpio_standin" "$chip" $roles --strokes 100000 --pump-half 4 > "$T/kill.out" &
w=$!
rig_wait 100 sh -c "[ \$(cat $GPIO_SYSFS/sim_gpio$(rig_gpio_offset depth_enable)/value) = 0 ]" || rig_fail "stand-in did not enable"
sleep 1
kill -KILL "$w"; wait "$w" 2>/dev/null || true
sleep 0.5
finish kill
rig_check "SIGKILL seen at $(kv kill_at "$T/kill.obs") s; last pump edge $(kv pump_last_minus_kill_ms "$T/kill.obs") ms from it, $(kv pump_edges_after_kill "$T/kill.obs") after it; lines released at $(kv lines_released_at "$T/kill.obs") s (pump released $(kv charge_pump_releases "$T/kill.obs")x)" \
    sh -c "[ -n '$(kv kill_at "$T/kill.obs")' ] && [ '$(kv pump_edges_after_kill "$T/kill.obs")' = 0 ]"
at "kill done"
sh "$RIG_GUEST/gpio.sh" teardown
echo "OBSERVE-FIGURES: $(kv events "$T/full.obs") writes traced, $(kv strokes "$T/full.obs") strokes, $(kv steps "$T/full.obs") steps (min gap $(kv step_gap_min_us "$T/full.obs") µs), $(kv pump_edges "$T/full.obs") pump edges, overshoot past the switch $((-100 - pmin)) steps, stand-in late max $(kv late_max_ms "$T/full.out") ms"
