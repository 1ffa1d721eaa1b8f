#!/usr/bin/env bash
# Second README command: the whole test suite (install what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
