#!/bin/sh
# Build a USB gadget with a machine's identity whose function is served by a FunctionFS daemon,
# on dummy_hcd (a UDC and a host controller wired back to back in the guest kernel), and print
# the FunctionFS directory.
#
# usage (guest): FFS=$(sh usb-setup.sh VID PID [FFS_DIR])     VID, PID in hex (1209 or 0x1209)
#
# The order matters, and is why binding is a separate script:
#   1. usb-setup.sh      gadget in configfs (VID/PID, strings, one configuration with one ffs
#                        function) and functionfs mounted at FFS_DIR (default /run/rig/ffs)
#   2. the daemon        opens FFS_DIR/ep0 and writes its descriptors and strings; the kernel
#                        then creates FFS_DIR/ep1.. (e.g. `stipple sim gadget --ffs FFS_DIR`,
#                        or $RIG_BIN/ffs_echo FFS_DIR)
#   3. usb-bind.sh       waits for those endpoint files, writes the UDC name to the gadget's
#                        UDC attribute and waits until the host side has enumerated the device
# Binding before step 2 fails: a FunctionFS function without descriptors cannot be bound
# (the write to UDC returns ENODEV and the gadget stays unbound).
# Writes /run/rig/usb.env (USB_GADGET, USB_FFS, USB_UDC, USB_VID, USB_PID).
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || rig_die "usage: usb-setup.sh VID PID [FFS_DIR]"
vid=$(printf '%04x' "0x${1#0x}")
pid=$(printf '%04x' "0x${2#0x}")
ffs=${3:-$RIG_STATE/ffs}

# dummy_hcd pulls in usbcore and udc-core; usb_f_fs pulls in libcomposite and configfs.
rig_modprobe dummy_hcd libcomposite usb_f_fs
rig_configfs
udc=$(ls /sys/class/udc | head -n 1)
[ -n "$udc" ] || rig_die "dummy_hcd loaded but no UDC in /sys/class/udc"

G=/sys/kernel/config/usb_gadget/stipple-rig
[ ! -d "$G" ] || rig_die "gadget $G exists already"
mkdir "$G"
echo "0x$vid" > "$G/idVendor"
echo "0x$pid" > "$G/idProduct"
echo 0x0200 > "$G/bcdUSB"
echo 0x0100 > "$G/bcdDevice"
mkdir "$G/strings/0x409"
echo "${RIG_USB_MANUFACTURER:-Stipple rig}" > "$G/strings/0x409/manufacturer"
echo "${RIG_USB_PRODUCT:-Stipple simulated controller}" > "$G/strings/0x409/product"
echo "${RIG_USB_SERIAL:-RIG-$pid}" > "$G/strings/0x409/serialnumber"
mkdir "$G/configs/c.1" "$G/configs/c.1/strings/0x409"
echo "rig" > "$G/configs/c.1/strings/0x409/configuration"
echo 100 > "$G/configs/c.1/MaxPower"
# The function instance name ("stipple") is also the device name functionfs is mounted with.
mkdir "$G/functions/ffs.stipple"
ln -s "$G/functions/ffs.stipple" "$G/configs/c.1/"
mkdir -p "$ffs"
mount -t functionfs stipple "$ffs" || rig_die "mount functionfs at $ffs"

printf 'USB_GADGET=%s\nUSB_FFS=%s\nUSB_UDC=%s\nUSB_VID=%s\nUSB_PID=%s\n' "$G" "$ffs" "$udc" "$vid" "$pid" > "$RIG_STATE/usb.env"
rig_log "gadget $vid:$pid on $udc, functionfs at $ffs: start the FunctionFS daemon, then usb-bind.sh"
echo "$ffs"
