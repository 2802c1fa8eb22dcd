#!/usr/bin/env bash
# Fuzzes parse → sanitize → store (crates/mail/fuzz, target parse_sanitize) for SECONDS
# (default 60), seeded with the golden corpus. Installs cargo-fuzz when missing. Stable Rust:
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags (sanitizer, coverage).
#
#   tests/fuzz.sh [SECONDS]
#
# The first build takes ~3 minutes on 2 cores (every dependency with coverage and
# AddressSanitizer); later builds a few seconds. A crash leaves its input under
# crates/mail/fuzz/artifacts/parse_sanitize/ and makes this script exit non-zero.
set -euo pipefail
SECONDS_BUDGET=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# The target stores what it parses in a SQLite file under TMPDIR: keep it out of /tmp.
export TMPDIR=$CARGO_TARGET_DIR/fuzz-tmp
mkdir -p "$TMPDIR"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz (~3 minutes)" >&2
  cargo install cargo-fuzz --locked
fi

cd "$ROOT/crates/mail/fuzz"
CORPUS=corpus/parse_sanitize
mkdir -p "$CORPUS"
cp "$ROOT"/tests/data/golden/*.eml "$CORPUS"/
cargo fuzz build -O parse_sanitize
# -rss_limit_mb: a bomb that blows memory is a failure too; -timeout: one input > 10 s is a hang.
cargo fuzz run -O parse_sanitize "$CORPUS" -- \
  -max_total_time="$SECONDS_BUDGET" -rss_limit_mb=2048 -timeout=10 -max_len=1048576 -print_final_stats=1
