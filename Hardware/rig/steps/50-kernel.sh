#!/usr/bin/env bash
# Step 50: the guest kernel and the few modules it loads, from the linux-image .deb:
#   kernel/vmlinuz   the bzImage as Debian ships it (boots through SeaBIOS)
#   kernel/vmlinux   the same kernel as an ELF, which QEMU boots directly through PVH: under TCG
#                    this skips real-mode setup and the in-guest XZ decompression (~3.5 s a boot)
#   kernel/modules/lib/modules/ABI   only the modules the rig loads and their dependencies, with
#                    gpio-sim.ko in extra/ and a fresh modules.dep (the .deb ships none)
# The .deb unpacks to ~400 MB; that tree is temporary, what stays is ~75 MB.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
rig_load_kernel_env

# What the guest may modprobe, besides the boot modules (virtio PCI + 9p) the initramfs loads.
guest_modules=(virtio_pci 9pnet_virtio 9p configfs gpio-sim dummy_hcd libcomposite usb_f_fs)

out=$RIG_WORK/kernel
deb=$RIG_WORK/debs/linux-image-${KABI}_${KVER}_amd64.deb
key=$(rig_key "$KABI" "$KVER" "$0" "$(rig_stamp 30-source)" "$(rig_stamp 40-gpio-sim)")
if rig_step_current 50-kernel "$key" "$out/vmlinux" "$out/vmlinuz" "$out/modules/lib/modules/$KABI/modules.dep"; then
    echo "skipped: current (kernel $KABI)"
    exit 0
fi

rm -rf "$out" && mkdir -p "$out"
full=$out/full.tmp
mkdir -p "$full"
trap 'rm -rf "$full"' EXIT
dpkg-deb -x "$deb" "$full"
mods=$full/lib/modules/$KABI
mkdir -p "$mods/extra"
cp "$RIG_WORK/gpio-sim/gpio-sim.ko" "$mods/extra/"
depmod -b "$full" "$KABI"

min=$out/modules/lib/modules/$KABI
mkdir -p "$min"
# modules.builtin tells modprobe which names need no .ko; modules.order keeps depmod's order.
cp "$mods"/modules.builtin "$mods"/modules.builtin.modinfo "$mods"/modules.order "$min/"
rig_module_closure "$full" "$KABI" "${guest_modules[@]}" | while read -r rel; do
    mkdir -p "$min/$(dirname "$rel")"
    cp "$mods/$rel" "$min/$rel"
done
depmod -b "$out/modules" "$KABI"

cp "$full/boot/vmlinuz-$KABI" "$out/vmlinuz"
cp "$full/boot/config-$KABI" "$out/config"
sh "$RIG_WORK/src/scripts/extract-vmlinux" "$out/vmlinuz" > "$out/vmlinux.tmp"
# An ELF with a PVH note is what -kernel needs for a direct boot; anything else is a failed extract.
[ "$(head -c 4 "$out/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] || rig_die "extract-vmlinux did not produce an ELF"
mv "$out/vmlinux.tmp" "$out/vmlinux"

rig_step_done 50-kernel "$key"
echo "kernel $KABI: $(find "$min" -name '*.ko' | wc -l) modules, $(du -sh "$out" --exclude=full.tmp | cut -f1)"
