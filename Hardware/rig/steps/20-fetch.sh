#!/usr/bin/env bash
# Step 20: pick the kernel the guest boots, by what apt offers now, and fetch it:
#   - the ABI (6.1.0-N-amd64) is what Debian's linux-image-amd64 metapackage depends on;
#   - linux-image-ABI, linux-headers-ABI and linux-source-6.1 must all be the same Debian version,
#     because gpio-sim.ko is built from linux-source against the headers and uses gpiolib
#     internals that must match the kernel it loads into;
#   - the image and source .debs are downloaded into .build-rig/debs (not installed: the host
#     does not boot this kernel, and the source tarball is only read once); the headers are
#     installed, since kbuild expects them in /lib/modules/ABI/build.
# Writes .build-rig/kernel.env (KABI, KVER) for the later steps. When Debian bumps the ABI, the
# next setup fetches the new one and every later step rebuilds (their keys include kernel.env).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
export DEBIAN_FRONTEND=noninteractive


abi=$(apt-cache depends linux-image-amd64 2>/dev/null \
      | sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$abi" ]; then
    # No metapackage in the lists (a trimmed mirror?): take the highest 6.1 ABI apt knows.
    abi=$(apt-cache pkgnames linux-image-6.1. | grep -E '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$' \
          | sed 's/^linux-image-//' | sort -V | tail -n 1)
fi
[ -n "$abi" ] || rig_die "apt offers no linux-image-6.1.*-amd64 package: is this Debian 12 (bookworm) with its main and security suites in sources.list? Run apt-get update and retry"

# One apt-cache call for the three (each call costs about a second here).
policy=$(apt-cache policy "linux-image-$abi" "linux-headers-$abi" linux-source-6.1 2>/dev/null)
candidate() { awk -v pkg="$1:" '/^[^ ]/ { cur = $1 } /Candidate:/ && cur == pkg { print $2 }' <<<"$policy"; }
image_ver=$(candidate "linux-image-$abi")
headers_ver=$(candidate "linux-headers-$abi")
source_ver=$(candidate linux-source-6.1)
if [ -z "$image_ver" ] || [ "$image_ver" = "(none)" ] || [ "$image_ver" != "$headers_ver" ] || [ "$image_ver" != "$source_ver" ]; then
    rig_die "kernel packages disagree: linux-image-$abi ${image_ver:-none}, linux-headers-$abi ${headers_ver:-none}, linux-source-6.1 ${source_ver:-none}. gpio-sim must be built from the source of the very kernel it loads into. This happens while a Debian kernel update is half-published: run 'apt-get update' later and rerun 'make rig-setup'"
fi
ver=$image_ver
echo "kernel: linux-image-$abi $ver (headers and source the same version)"

debs=$RIG_WORK/debs
image_deb=$debs/linux-image-${abi}_${ver}_amd64.deb
source_deb=$debs/linux-source-6.1_${ver}_all.deb
headers_now=$(dpkg-query -W -f '${Status} ${Version}' "linux-headers-$abi" 2>/dev/null || true)
key=$(rig_key "$abi" "$ver" "$0")
if rig_step_current 20-fetch "$key" "$image_deb" "$source_deb" "$RIG_KERNEL_ENV" \
   && [ "$headers_now" = "install ok installed $ver" ]; then
    echo "skipped: current (linux $abi $ver)"
    exit 0
fi

mkdir -p "$debs"
# Drop .debs of an older kernel: a rig keeps one kernel.
find "$debs" -name '*.deb' ! -name "*_${ver}_*" -print -delete
cd "$debs"
for pkg in "linux-image-$abi" linux-source-6.1; do
    ls "${pkg}_${ver}_"*.deb >/dev/null 2>&1 && continue
    # Sandbox::User=root: apt-get download otherwise warns that _apt cannot write here.
    apt-get download -o APT::Sandbox::User=root "$pkg=$ver"
done
[ -f "$image_deb" ] && [ -f "$source_deb" ] || rig_die "apt-get download did not leave $image_deb and $source_deb"
if [ "$headers_now" != "install ok installed $ver" ]; then
    apt-get install -y -qq --no-install-recommends "linux-headers-$abi=$ver"
fi
[ -d "/lib/modules/$abi/build" ] || rig_die "linux-headers-$abi installed but /lib/modules/$abi/build is missing"

printf 'KABI=%s\nKVER=%s\n' "$abi" "$ver" > "$RIG_KERNEL_ENV"
rig_step_done 20-fetch "$key"
echo "fetched: linux-image/headers/source $ver for $abi ($(du -sh "$debs" | cut -f1) of .debs)"
