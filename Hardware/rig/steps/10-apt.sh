#!/usr/bin/env bash
# Step 10: the Debian packages the rig needs on the host. The guest runs the host's userland (its
# root filesystem is the host's / over 9p), so the gpiod tools, lsusb and kmod installed here are
# also what the guest scripts use.
#   qemu-system-x86   the VM (TCG: this host's KVM is PVM and cannot run a stock kernel)
#   busybox-static    the initramfs userland (static: the initramfs has no libc)
#   kmod              depmod/modprobe for the guest's module tree (not installed by default)
#   cpio              packs the initramfs
#   gpiod usbutils    gpioget/gpiomon/gpioinfo and lsusb, used by the guest smoke test
#   libgpiod-dev libusb-1.0-0-dev pkg-config gcc make libc6-dev   build the C probes (step 70)
#   python3 xz-utils  machine-file parsing (tomllib) in the guest, kernel source unpacking
# The kernel image, headers and source are not here: step 20 picks their version from apt.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
export DEBIAN_FRONTEND=noninteractive

packages=(qemu-system-x86 busybox-static kmod cpio gpiod usbutils
          libgpiod-dev libusb-1.0-0-dev pkg-config gcc make libc6-dev python3 xz-utils)

# apt-get update first, always: step 20 asks apt for the current kernel version, and an old
# package list would pin an ABI the mirror may no longer carry. If the mirror cannot be reached
# but nothing is missing, go on with the lists we have.
update_ok=1
apt-get update -qq || update_ok=0

missing=()
for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    [ $update_ok = 1 ] || rig_say "warning: apt-get update failed; using the package lists already here"
    echo "skipped: all ${#packages[@]} packages installed"
    exit 0
fi
[ $update_ok = 1 ] || rig_die "apt-get update failed and these packages are missing: ${missing[*]}"
# --no-install-recommends: qemu-system-x86 recommends a desktop's worth of packages.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
