#!/usr/bin/env bash
# Install everything the appliance and its tests need on Debian 12 / Raspberry Pi OS:
# apt packages, then a .venv at the repository root with the project and its test tools.
# Idempotent: a second run installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv python3-dev gcc portaudio19-dev alsa-utils ffmpeg sox libsox-fmt-all
  jackd2 libasound2-plugins espeak-ng exfatprogs exfat-fuse fuse3 systemd chromium
  dosfstools mtools fusefat openssl poppler-utils asterisk-core-sounds-ru-g722
)
[ -f image-build/ci-deps.txt ] && mapfile -t -O "${#APT_PACKAGES[@]}" APT_PACKAGES \
  < <(grep -v '^\s*#' image-build/ci-deps.txt | tr -s ' ' '\n' | grep .)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Устанавливаю пакеты: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  APT=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  # An earlier install cut short (power, a killed session) leaves dpkg half-configured
  # and apt refuses everything until it is finished.
  if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
    echo "Завершаю прерванную установку пакетов (dpkg --configure -a)"
    $SUDO dpkg --configure -a >/dev/null
  fi
  $SUDO "${APT[@]}" update
  $SUDO "${APT[@]}" install "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
echo "Готово: .venv/bin/appliance"
