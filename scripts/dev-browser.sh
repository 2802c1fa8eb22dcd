#!/usr/bin/env bash
# The UI in a plain browser against the real core, for UI work: starts `satu serve --dev`
# (loopback only, a fresh token) on a data dir of its own and Vite's dev server on
# http://127.0.0.1:1420, whose `/core` goes to the core (ui/vite.config.ts). Ctrl-C stops both.
# Usage: scripts/dev-browser.sh [--data-dir DIR]   (default: ~/.local/share/satu-dev, so the
# browser never touches the app's own data; open the sample mailbox from the first-run screen)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

data_dir=${XDG_DATA_HOME:-$HOME/.local/share}/satu-dev
if [ "${1:-}" = "--data-dir" ]; then
  data_dir=$2
fi
ensure_toolchains
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi
echo "==> Building the core's command line"
cargo build -p satu-cli
target=${CARGO_TARGET_DIR:-target}

fifo=$(mktemp -u)
mkfifo "$fifo"
"$target/debug/satu" --data-dir "$data_dir" serve --dev >"$fifo" &
core_pid=$!
trap 'kill "$core_pid" 2>/dev/null || true; rm -f "$fifo"' EXIT
exec 3<"$fifo"
read -r first <&3 || { echo "dev-browser.sh: satu serve --dev did not start" >&2; exit 1; }
SATU_CORE_URL=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["url"])' "$first")
VITE_SATU_TOKEN=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$first")
export SATU_CORE_URL VITE_SATU_TOKEN
echo "==> The core of $data_dir serves at $SATU_CORE_URL; open http://127.0.0.1:1420"
npm --prefix ui run dev
