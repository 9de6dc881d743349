# Host-side helpers for the HIL rig, sourced by setup.sh, the steps and run-guest.sh (bash).
#
# Everything the rig makes lives under $RIG_WORK (.build-rig/ in the repo, git-ignored through
# `.build-*/`), so `rm -rf .build-rig` resets it completely. The only things installed outside it
# are Debian packages (step 10) and the kernel headers (step 20), because kbuild needs them in
# /usr/src and /lib/modules/ABI/build.

RIG_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)      # Hardware/rig
RIG_REPO=$(cd "$RIG_SRC/../.." && pwd)
RIG_WORK=${RIG_WORK:-$RIG_REPO/.build-rig}
RIG_STAMPS=$RIG_WORK/stamps
RIG_KERNEL_ENV=$RIG_WORK/kernel.env    # KABI=6.1.0-N-amd64 KVER=6.1.x-y, written by step 20

rig_say() { printf 'rig: %s\n' "$*" >&2; }
rig_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The kernel ABI and Debian version the rig was set up for (step 20 resolves them from apt).
rig_load_kernel_env() {
    [ -f "$RIG_KERNEL_ENV" ] || rig_die "rig not set up ($RIG_KERNEL_ENV missing): run 'make rig-setup'"
    # shellcheck disable=SC1090
    . "$RIG_KERNEL_ENV"
    [ -n "${KABI:-}" ] && [ -n "${KVER:-}" ] || rig_die "$RIG_KERNEL_ENV is incomplete: rm -rf $RIG_WORK and rerun 'make rig-setup'"
}

# A step is "current" when its stamp holds the same key it would compute now and every output it
# names exists. The key is a hash of what the output depends on: the step's own script, its input
# files and the stamps of the steps it builds on (so a rebuilt kernel tree forces a rebuilt
# initramfs). Editing a guest script never invalidates setup: the guest reads them live over 9p.
rig_key() {  # rig_key WORD|FILE...  -> prints a sha256 over the words and the files' contents
    local x
    for x in "$@"; do
        if [ -f "$x" ]; then printf 'file %s\n' "$(basename "$x")"; cat "$x"; else printf 'word %s\n' "$x"; fi
    done | sha256sum | cut -c1-16
}

rig_step_current() {  # rig_step_current NAME KEY OUTPUT...
    local name=$1 key=$2 out; shift 2
    [ "$(cat "$RIG_STAMPS/$name" 2>/dev/null)" = "$key" ] || return 1
    for out in "$@"; do [ -e "$out" ] || return 1; done
}

rig_step_done() {  # rig_step_done NAME KEY
    mkdir -p "$RIG_STAMPS"
    printf '%s\n' "$2" > "$RIG_STAMPS/$1"
}

rig_stamp() { cat "$RIG_STAMPS/$1" 2>/dev/null || echo none; }

# Print the load order (dependencies first) of the given modules in a module tree, one .ko path
# per line relative to the tree's lib/modules/ABI, without duplicates.
rig_module_closure() {  # rig_module_closure TREE_ROOT ABI MODULE...
    local root=$1 abi=$2 m; shift 2
    for m in "$@"; do
        modprobe -d "$root" -S "$abi" --show-depends "$m" \
            || rig_die "module $m not found in $root (kernel $abi)"
    done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' \
         | sed "s|^$root/lib/modules/$abi/||"
}

rig_elapsed() {  # rig_elapsed START (from date +%s.%N) -> seconds since, one decimal
    awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'
}
