#!/usr/bin/env bash
# Boot the rig's VM, run one guest script in it and return that script's exit status.
#
# usage: Hardware/rig/run-guest.sh GUEST_SCRIPT [ARGS...]
#        Hardware/rig/run-guest.sh --shell          (interactive guest shell; exit powers off)
# GUEST_SCRIPT is a path on the host (absolute or relative to the current directory); the guest
# sees the host's / read-only, so the same path works there. Environment:
#   RIG_TIMEOUT  seconds before a hung guest is killed and the run fails (default 300)
#   RIG_SMP, RIG_MEM   vCPUs (default 2) and MiB (default 1024)
#   RIG_KERNEL   vmlinux (PVH direct boot, default) or vmlinuz (bzImage through SeaBIOS, slower)
#   RIG_KARGS    replaces "quiet loglevel=3" (e.g. RIG_KARGS=loglevel=7 to see the kernel boot)
#   RIG_QUIET=1  only the summary line, not the console (the log has everything)
# The whole console goes to .build-rig/out/NAME-TIMESTAMP.log; the last line printed says where.
# Exit status: the guest script's, or 124 on timeout, or 125 when the guest never ran the script.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_load_kernel_env

[ $# -ge 1 ] || rig_die "usage: $0 GUEST_SCRIPT [ARGS...] | --shell"
kernel=${RIG_KERNEL:-$RIG_WORK/kernel/vmlinux}
for f in "$kernel" "$RIG_WORK/initramfs.cpio.gz" "$RIG_WORK/kernel/modules/lib/modules/$KABI/modules.dep"; do
    [ -f "$f" ] || rig_die "rig not set up ($f missing): run 'make rig-setup'"
done
command -v qemu-system-x86_64 >/dev/null || rig_die "qemu-system-x86_64 not found: run 'make rig-setup'"
case "$RIG_REPO$RIG_WORK" in *[[:space:]]*) rig_die "'$RIG_REPO' or '$RIG_WORK' has a space: paths go on the kernel command line, which splits at spaces" ;; esac

mkdir -p "$RIG_WORK/out" "$RIG_WORK/run"
stamp=$(date +%Y%m%d-%H%M%S)-$$
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }   # quote for sh

if [ "$1" = --shell ]; then
    name=shell; append_job=""
else
    script=$(realpath "$1"); shift
    [ -f "$script" ] || rig_die "guest script $script not found"
    # The guest covers these with tmpfs; only the repo and the work folder are shared back on top.
    case "$script" in "$RIG_REPO"/*|"$RIG_WORK"/*) ;;
        /tmp/*|/run/*|/root/*|/var/tmp/*|/dev/shm/*) rig_die "$script is in a folder the guest cannot see: put it in the repo or in $RIG_WORK" ;;
    esac
    name=$(basename "$script" .sh)
    # The job: what the guest runs after boot. Arguments travel in this file, properly quoted,
    # because the kernel command line cannot carry them (see init.sh).
    job=$RIG_WORK/run/job-$stamp.sh
    {
        echo "# run-guest.sh job, $(date -Is)"
        echo "export RIG_REPO=$(shq "$RIG_REPO") RIG_WORK=$(shq "$RIG_WORK") RIG_SRC=$(shq "$RIG_SRC")"
        echo "export RIG_BIN=$(shq "$RIG_WORK/bin") RIG_KABI=$(shq "$KABI")"
        echo "cd \"\$RIG_REPO\" || exit 125"
        printf '/bin/sh %s' "$(shq "$script")"
        for a in "$@"; do printf ' %s' "$(shq "$a")"; done
        echo
    } > "$job"
    append_job=" rigjob=$job"
fi
log=$RIG_WORK/out/$name-$stamp.log

# QEMU: TCG (this host's /dev/kvm is PVM, which cannot run a stock kernel), no default devices,
# the serial console on stdio, the kernel and initramfs loaded directly, and three 9p shares: the
# host's / read-only (multidevs=remap because / has submounts whose inode numbers could clash),
# the repo read-only and the rig work folder read-write (init.sh says why the repo comes apart).
# -no-reboot: the guest's poweroff ends QEMU. no_timer_check: on a loaded host the emulated CPU
# can be too slow for the kernel's boot-time IO-APIC timer check, which then panics ("IO-APIC +
# timer doesn't work!", seen here with three Swift builds running); the check is for broken
# chipsets, and QEMU's timer works.
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "${RIG_MEM:-1024}" -smp "${RIG_SMP:-2}"
      -nodefaults -no-user-config -display none -serial stdio -monitor none -no-reboot
      -kernel "$kernel" -initrd "$RIG_WORK/initramfs.cpio.gz"
      -append "console=ttyS0 ${RIG_KARGS:-quiet loglevel=3} no_timer_check panic=-1 rigrepo=$RIG_REPO rigwork=$RIG_WORK$append_job"
      -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap"
      -virtfs "local,path=$RIG_REPO,mount_tag=rigrepo,security_model=passthrough,readonly=on,multidevs=remap"
      -virtfs "local,path=$RIG_WORK,mount_tag=rigwork,security_model=passthrough,multidevs=remap")

start=$(date +%s.%N)
if [ "$name" = shell ]; then
    "${qemu[@]}" 2>&1 | tee "$log"
    exit 0
fi
set +e
# --foreground: QEMU keeps the terminal's signals (Ctrl-C ends it); -k: a QEMU that ignores
# SIGTERM is killed 10 s later. stdin is /dev/null so the console never waits for a keyboard.
if [ "${RIG_QUIET:-0}" = 1 ]; then
    timeout --foreground -k 10 "${RIG_TIMEOUT:-300}" "${qemu[@]}" < /dev/null > "$log" 2>&1
    qemu_status=$?
else
    timeout --foreground -k 10 "${RIG_TIMEOUT:-300}" "${qemu[@]}" < /dev/null 2>&1 | tee "$log"
    qemu_status=${PIPESTATUS[0]}
fi
set -e
elapsed=$(rig_elapsed "$start")
rm -f "${job:-}"
# Keep the 20 newest logs of each guest script.
ls -t "$RIG_WORK/out/$name"-[0-9]*.log 2>/dev/null | tail -n +21 | xargs -r rm -f

# The serial console ends lines with \r\n.
status=$(tr -d '\r' < "$log" | sed -n 's/^RIG: script-exit=\([0-9]*\).*/\1/p' | tail -n 1)
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
    echo "rig: $name TIMED OUT after ${RIG_TIMEOUT:-300} s (RIG_TIMEOUT); log: $log" >&2
    exit 124
elif [ -z "$status" ]; then
    reason=$(tr -d '\r' < "$log" | sed -n 's/^RIG: init-failed //p' | tail -n 1)
    echo "rig: $name did not run in the guest (${reason:-no RIG: script-exit line; QEMU exit $qemu_status}); log: $log" >&2
    exit 125
fi
echo "rig: $name exit $status in ${elapsed} s (boot, run, poweroff); log: $log" >&2
exit "$status"
