#!/usr/bin/env bash
# Browser tests need Debian's Chromium (never a downloaded browser build) and a Korean font
# for the screenshots; install both with apt-get when they are missing (run as root).
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
fc-list 2>/dev/null | grep -qi -e nanum -e "noto sans cjk" || packages+=(fonts-nanum)
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure-chromium: missing ${packages[*]}; run this script as root" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
/usr/bin/chromium --version
