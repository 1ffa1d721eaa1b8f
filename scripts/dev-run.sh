#!/usr/bin/env bash
# First README command: install what is missing, then start the whole appliance in simulation
# mode (simulated microphone and button) with a local config and data folder under ./var/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mkdir -p var
if [ ! -f var/appliance.toml ]; then
  cat > var/appliance.toml <<TOML
# Demo settings for simulation mode; the real box reads /etc/appliance/appliance.toml.
[site]
region = "64"
msu = "01"
school = "640101"
room = "0005"
[recording]
data_dir = "$PWD/var/data"
[web]
listen = "127.0.0.1:8080"
[gpio]
backend = "mock"
TOML
fi
echo "Веб-страница: http://127.0.0.1:8080  (остановить: Ctrl+C)"
echo "Первый вход: одноразовый код — в файле var/data/setup-code.txt (и в журнале ниже)"
exec .venv/bin/appliance run --simulate --config var/appliance.toml
