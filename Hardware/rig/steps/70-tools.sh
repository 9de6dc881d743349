#!/usr/bin/env bash
# Step 70: the rig's C probes (Hardware/rig/c), built on the host into .build-rig/bin: the guest
# runs the host's userland, so host-built binaries run there unchanged.
#   ffs_echo     FunctionFS echo function (the device side of the USB smoke test)
#   usb_rtt      libusb bulk round trips against it
#   gpio_evlat   gpio-sim pull write -> libgpiod edge event latency
#   reaction_lat a write (e-stop pull, UDC unbind) -> motor-enable line dropped by the program under test
#   gpio_observe every write to a direct-drive machine's output lines (kernel gpio_value tracepoint),
#                and the depth stage's home switch played from the steps
#   gpio_standin a stand-in for Stipple's direct-drive loop, to prove gpio_observe counts exactly
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

c=$RIG_SRC/c
bin=$RIG_WORK/bin
key=$(rig_key "$0" "$c/ffs_echo.c" "$c/usb_rtt.c" "$c/gpio_evlat.c" "$c/reaction_lat.c" "$c/gpio_observe.c" "$c/gpio_standin.c")
if rig_step_current 70-tools "$key" "$bin/ffs_echo" "$bin/usb_rtt" "$bin/gpio_evlat" "$bin/reaction_lat" "$bin/gpio_observe" "$bin/gpio_standin"; then
    echo "skipped: current"
    exit 0
fi
mkdir -p "$bin"
flags=(-O2 -Wall -Wextra -Werror)
gcc "${flags[@]}" -o "$bin/ffs_echo" "$c/ffs_echo.c" -pthread
gcc "${flags[@]}" -o "$bin/usb_rtt" "$c/usb_rtt.c" $(pkg-config --cflags --libs libusb-1.0)
gcc "${flags[@]}" -o "$bin/gpio_evlat" "$c/gpio_evlat.c" $(pkg-config --cflags --libs libgpiod)
gcc "${flags[@]}" -o "$bin/reaction_lat" "$c/reaction_lat.c"
gcc "${flags[@]}" -o "$bin/gpio_observe" "$c/gpio_observe.c" $(pkg-config --cflags --libs libgpiod)
gcc "${flags[@]}" -o "$bin/gpio_standin" "$c/gpio_standin.c" $(pkg-config --cflags --libs libgpiod)
rig_step_done 70-tools "$key"
echo "built ffs_echo usb_rtt gpio_evlat reaction_lat gpio_observe gpio_standin"
