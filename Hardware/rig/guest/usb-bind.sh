#!/bin/sh
# Step 3 of usb-setup.sh's order: once the FunctionFS daemon has written its descriptors, bind
# the gadget to the UDC and wait until the host side has enumerated it. Prints the device node
# (/dev/bus/usb/BBB/DDD). Also used to plug the device back in after rig_usb_unbind.
# usage (guest): sh usb-bind.sh [TIMEOUT_TENTHS=100]
set -eu
. "$(dirname "$0")/lib.sh"
rig_usb_load
tenths=${1:-100}
rig_wait "$tenths" test -e "$USB_FFS/ep1" \
    || rig_die "no endpoint files in $USB_FFS after $tenths tenths of a second: has the FunctionFS daemon written its descriptors to ep0?"
echo "$USB_UDC" > "$USB_GADGET/UDC" || rig_die "bind $USB_GADGET to $USB_UDC"
rig_wait "$tenths" rig_usb_device || rig_die "$USB_VID:$USB_PID bound to $USB_UDC but not enumerated"
dev=$(rig_usb_device)
node=$(printf '/dev/bus/usb/%03d/%03d' "$(cat "$dev/busnum")" "$(cat "$dev/devnum")")
rig_wait "$tenths" test -c "$node" || rig_die "$node did not appear"
rig_log "$USB_VID:$USB_PID enumerated at $node ($(cat "$dev/speed") Mbit/s)"
echo "$node"
