#!/usr/bin/env bash
# Builds and runs the two libFuzzer targets for FUZZ_SECONDS each (default 60), starting from the
# corpus in Firmware-Protocol/fuzz-corpus (copied, so the repository's corpus is not rewritten).
# A crash leaves its input in .build-fuzz/ and fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.build-fuzz"
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$out"
cd "$out"

echo "== building the Swift decoder fuzz target"
# The gold linker warns about every ASan helper symbol it cannot export: noise, filtered out.
{ swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name StippleWireFuzz \
    "$root"/Sources/StippleWire/*.swift "$root/Firmware-Protocol/fuzz/swift_decoder_fuzz.swift" \
    -o "$out/swift-decoder-fuzz"; } 2>&1 | { grep -v "Cannot export local symbol" || true; }

echo "== building the C decoder fuzz target"
clang -O1 -g -std=c99 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$root/Firmware-Protocol/c/include" "$root"/Firmware-Protocol/c/*.c \
    "$root/Firmware-Protocol/fuzz/c_decoder_fuzz.c" -o "$out/c-decoder-fuzz"

status=0
for target in swift-decoder-fuzz c-decoder-fuzz; do
    corpus="$out/corpus-$target"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$root"/Firmware-Protocol/fuzz-corpus/* "$corpus/"
    echo "== fuzzing $target for ${seconds}s (seed corpus: $(ls "$corpus" | wc -l) files)"
    if ! "$out/$target" -max_total_time="$seconds" -max_len=512 -print_final_stats=1 \
        -artifact_prefix="$out/$target-" "$corpus" 2>"$out/$target.log"; then
        echo "error: $target found a crash; see $out/$target.log and the $target-crash-* input" >&2
        tail -40 "$out/$target.log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::new_units_added|cov:" "$out/$target.log" | tail -3
    fi
done
exit $status
