#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Stipple builds against, only those missing.
# Swift itself is not an apt package: it must already be on PATH (see README).
set -euo pipefail
# chromium + chromium-driver: the console's browser test drives a headless Chromium over WebDriver.
packages=(pkg-config libgpiod-dev libusb-1.0-0-dev libsqlite3-dev python3 gcc make chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "Installing missing packages: ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "error: swift not found on PATH: install Swift 6.1 or newer from swift.org, then rerun" >&2; exit 1; }
