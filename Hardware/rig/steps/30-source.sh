#!/usr/bin/env bash
# Step 30: take the few files the rig needs out of linux-source-6.1 (a 136 MB .tar.xz inside the
# .deb), without installing the package:
#   drivers/gpio/gpio-sim.c, drivers/gpio/gpiolib.h   gpio-sim (Debian builds it not at all)
#   kernel/irq/irq_sim.c                               its interrupt simulator (Debian: not built)
#   scripts/extract-vmlinux                            bzImage -> ELF, for the faster PVH boot
# Most of the time is xz decompressing the whole tarball to reach these files.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
rig_load_kernel_env

files=(drivers/gpio/gpio-sim.c drivers/gpio/gpiolib.h kernel/irq/irq_sim.c scripts/extract-vmlinux)
src=$RIG_WORK/src
deb=$RIG_WORK/debs/linux-source-6.1_${KVER}_all.deb
key=$(rig_key "$KVER" "$0")
if rig_step_current 30-source "$key" "${files[@]/#/$src/}"; then
    echo "skipped: current (linux-source $KVER)"
    exit 0
fi

rm -rf "$src" && mkdir -p "$src"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz \
    | tar -xJ -C "$src" --strip-components=1 "${files[@]/#/linux-source-6.1/}"
for f in "${files[@]}"; do [ -s "$src/$f" ] || rig_die "linux-source-6.1 $KVER has no $f"; done
rig_step_done 30-source "$key"
echo "extracted ${#files[@]} files from linux-source-6.1 $KVER"
