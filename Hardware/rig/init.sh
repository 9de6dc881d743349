#!/bin/sh
# /init of the rig's initramfs (busybox sh, PID 1). It turns the VM into "this host, with a
# different kernel": the host's / becomes the guest's root (read-only, over virtio-9p), so the
# guest runs the host's binaries (gpiod tools, libusb, the Swift toolchain's runtime, Stipple)
# against the guest kernel's gpio-sim and dummy_hcd. Then it runs one job and powers off.
#
# Kernel command line (set by run-guest.sh):
#   rigrepo=DIR   the repo, shared read-only as 9p tag "rigrepo", mounted at the same path
#   rigwork=DIR   the host's .build-rig, shared read-write as 9p tag "rigwork", mounted at the
#                 same path, so host and guest paths agree
#   rigjob=FILE   a shell script under DIR/run that run-guest.sh wrote (it sets the environment
#                 and runs the guest script with its arguments: arguments do not go on the
#                 kernel command line, which drops any word with a dot in it)
# Output protocol on the console, parsed by run-guest.sh:
#   RIG: script-exit=N    the job's exit status (QEMU's own exit status is always 0)
#   RIG: init-failed ...  the guest could not even start the job
export PATH=/bin
fail() { echo "RIG: init-failed $*"; poweroff -f; sleep 10; }
up() { cut -d' ' -f1 /proc/uptime; }

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev     # the kernel has DEVTMPFS_MOUNT unset: nothing is mounted for us

# virtio PCI and 9p are modules in Debian's kernel; /mods/order lists them dependencies first.
for m in $(cat /mods/order); do insmod "/mods/$m" || fail "insmod $m"; done

N=/newroot
O=trans=virtio,version=9p2000.L,msize=512000
# cache=loose: the root does not change under a run, and caching makes exec and dlopen of the
# host's binaries over 9p several times faster under TCG.
mount -t 9p -o "$O,ro,cache=loose" hostroot $N || fail "mount of the host root over 9p"
# Writable places the host's programs expect; the root itself stays read-only.
for d in tmp run var/tmp root; do mount -t tmpfs -o mode=1777 "rig-$(basename $d)" "$N/$d"; done
chmod 700 $N/root
# The repo (read-only) and its work folder (read-write, uncached, so logs and results reach the
# host as they are written) come as shares of their own, mounted after those tmpfs: a clone
# under /tmp or /root (CI's may be) would otherwise be hidden by them.
[ -n "$rigrepo" ] && [ -n "$rigwork" ] || fail "rigrepo= and rigwork= must be on the kernel command line"
mkdir -p "$N$rigrepo" 2>/dev/null; mount -t 9p -o "$O,ro,cache=loose" rigrepo "$N$rigrepo" || fail "mount of $rigrepo"
mkdir -p "$N$rigwork" 2>/dev/null; mount -t 9p -o "$O" rigwork "$N$rigwork" || fail "mount of $rigwork"
# The guest kernel's modules, so the host's modprobe (kmod over 9p) finds them at the usual place.
mount -o bind "$N$rigwork/kernel/modules/lib/modules" $N/lib/modules || fail "bind of the module tree"
mount -t devtmpfs dev $N/dev
mkdir -p $N/dev/pts $N/dev/shm
mount -t devpts devpts $N/dev/pts
mount -t tmpfs -o mode=1777 shm $N/dev/shm
mount -t proc proc $N/proc
mount -t sysfs sys $N/sys

echo "RIG: booted uptime=$(up)s"
if [ -n "$rigjob" ]; then
    [ -f "$N$rigjob" ] || fail "rigjob=$rigjob not found"
    # env -i: the job starts from a clean, known environment, not the kernel's init environment.
    chroot $N /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root TERM=dumb LANG=C.UTF-8 /bin/sh "$rigjob"
    echo "RIG: script-exit=$? uptime=$(up)s"
else
    echo "RIG: no rigjob given: interactive shell in the guest root; exit to power off"
    chroot $N /bin/bash -l
fi
sync
poweroff -f
