#!/usr/bin/env bash
# Step 40: build gpio-sim.ko out of tree for the rig's kernel. Debian's 6.1 config has neither
# CONFIG_GPIO_SIM nor CONFIG_IRQ_SIM, so the module is gpio-sim.c plus kernel/irq/irq_sim.c
# linked into one .ko, with two changes to irq_sim.c:
#   - irq_to_desc() is not exported to modules: handle_simple_irq(irq_to_desc(n)) becomes
#     generic_handle_irq(n), which looks the descriptor up itself and calls the same flow handler
#     (irq_sim maps every interrupt with handle_simple_irq);
#   - its EXPORT_SYMBOL_GPL lines go: nothing else uses them, and exporting symbols that a future
#     in-kernel irq_sim would also export is asking for a clash.
# gpio-sim.c reaches into gpiolib internals (gpiolib.h), which is why the source must be the
# kernel's own version (step 20 checks). The module is unsigned: Debian's kernel taints and loads
# it (no MODULE_SIG_FORCE, no lockdown without EFI secure boot).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
rig_load_kernel_env

src=$RIG_WORK/src
mod=$RIG_WORK/gpio-sim
key=$(rig_key "$KABI" "$KVER" "$0" "$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$src/kernel/irq/irq_sim.c")
if rig_step_current 40-gpio-sim "$key" "$mod/gpio-sim.ko"; then
    echo "skipped: current (gpio-sim.ko for $KABI)"
    exit 0
fi

rm -rf "$mod" && mkdir -p "$mod"
cp "$src/drivers/gpio/gpio-sim.c" "$mod/gpio-sim-main.c"
cp "$src/drivers/gpio/gpiolib.h" "$mod/gpiolib.h"
sed -e 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' \
    -e '/^EXPORT_SYMBOL_GPL/d' "$src/kernel/irq/irq_sim.c" > "$mod/irq_sim.c"
# If a kernel update rewrites that line, fail here rather than with an unresolved symbol at load.
grep -q 'generic_handle_irq(irqnum);' "$mod/irq_sim.c" \
    || rig_die "kernel/irq/irq_sim.c in $KVER no longer has handle_simple_irq(irq_to_desc(irqnum)): update the patch in $0"
cat > "$mod/Kbuild" <<'KBUILD'
obj-m := gpio-sim.o
gpio-sim-y := gpio-sim-main.o irq_sim.o
KBUILD

make -j2 -C "/lib/modules/$KABI/build" M="$mod" modules 2>&1 | tee "$mod/build.log"
# modpost names every symbol the kernel does not export; any such module fails to load.
if grep -q 'undefined!' "$mod/build.log"; then rig_die "gpio-sim.ko has unresolved symbols (see above)"; fi
vermagic=$(modinfo -F vermagic "$mod/gpio-sim.ko")
case "$vermagic" in "$KABI "*) ;; *) rig_die "gpio-sim.ko vermagic '$vermagic' is not for $KABI" ;; esac
rig_step_done 40-gpio-sim "$key"
echo "built gpio-sim.ko (vermagic $vermagic)"
