#!/usr/bin/env bash
# Installs what the app needs, builds it and starts it on the embedded local store.
# Usage: scripts/run-app.sh [--data-dir DIR]   (default data dir: ~/.local/share/satu)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ "${1:-}" = "--data-dir" ]; then
  export SATU_DATA_DIR="$2"
fi
ensure_apt "${APP_APT_PACKAGES[@]}"
ensure_toolchains
build_ui
echo "==> Building the app"
cargo build -p satu-app --features custom-protocol
echo "==> Starting Satu (data: ${SATU_DATA_DIR:-the OS data directory})"
exec target/debug/satu-app
