#!/usr/bin/env bash
# Step 60: the initramfs: static busybox, the boot modules (virtio PCI + 9p, in load order) and
# init.sh as /init. It only has to mount the host's / over 9p; everything else comes from there.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
rig_load_kernel_env

boot_modules=(virtio_pci 9pnet_virtio 9p)
out=$RIG_WORK/initramfs.cpio.gz
tree=$RIG_WORK/kernel/modules
key=$(rig_key "$KABI" "$0" "$RIG_SRC/init.sh" /bin/busybox "$(rig_stamp 50-kernel)")
if rig_step_current 60-initramfs "$key" "$out"; then
    echo "skipped: current ($(du -h "$out" | cut -f1))"
    exit 0
fi
# A dynamically linked busybox (Debian's "busybox" package) would find no libc in the initramfs.
if ldd /bin/busybox >/dev/null 2>&1; then rig_die "/bin/busybox is dynamically linked: install busybox-static"; fi

dir=$RIG_WORK/initramfs.tmp
rm -rf "$dir" && mkdir -p "$dir"/{bin,mods,proc,sys,dev,newroot}
trap 'rm -rf "$dir"' EXIT
cp /bin/busybox "$dir/bin/busybox"
# `busybox --list` names busybox itself too: a symlink over the binary would break every applet.
for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
done
rig_module_closure "$tree" "$KABI" "${boot_modules[@]}" | while read -r rel; do
    cp "$tree/lib/modules/$KABI/$rel" "$dir/mods/"
    basename "$rel"
done > "$dir/mods/order"
cp "$RIG_SRC/init.sh" "$dir/init" && chmod 755 "$dir/init"
(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
rig_step_done 60-initramfs "$key"
echo "initramfs: $(wc -l < "$dir/mods/order") boot modules ($(tr '\n' ' ' < "$dir/mods/order")), $(du -h "$out" | cut -f1)"
