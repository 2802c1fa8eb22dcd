#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, Dovecot, WebKitWebDriver, tauri-driver,
# npm packages) and runs the whole test suite: formatting, lints, UI unit tests, Rust unit and
# integration tests (real Dovecot on 127.0.0.1), and the end-to-end test of the real app window.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
started=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - started ))s)"; }
# Test runners' output is also kept in LOG, to add up their counts for the closing line.
LOG=$(mktemp "${TMPDIR:-/tmp}/satu-test.XXXXXX")
trap 'rm -f "$LOG"' EXIT
logged() { "$@" 2>&1 | tee -a "$LOG"; }

# CI runs in a fresh clone: keep Rust's build cache outside it so that later runs on the same
# machine rebuild only what changed (a developer's own checkout keeps using ./target).
if [ -n "${CI:-}" ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/satu/ci-target"
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
# Every cargo step selects the same packages and features, so nothing is compiled twice.
CARGO_SELECTION=(--workspace --features satu-app/custom-protocol)

step "Installing test dependencies"
ensure_apt "${APP_APT_PACKAGES[@]}"
ensure_toolchains
bash tests/servers/install.sh

step "UI: build and unit tests"
build_ui
NO_COLOR=1 logged npm --prefix ui test --silent

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy "${CARGO_SELECTION[@]}" --all-targets -- -D warnings
# A dependency no code uses (installed by tests/servers/install.sh).
"${CARGO_HOME:-$HOME/.cargo}/bin/cargo-machete"

step "Rust: unit and integration tests"
# Passwords go to the kernel keyring in tests, which needs a session keyring: keyctl gives the
# run its own.
logged keyctl session - cargo test "${CARGO_SELECTION[@]}" --lib --bins --tests

step "Fuzzing: parse → sanitize → store for 30 s"
# cargo-fuzz (installed on first use) on stable Rust; a crash fails the run and keeps its input.
mkdir -p "$TARGET_DIR"
if ! bash tests/fuzz.sh 30 >"$TARGET_DIR/fuzz.log" 2>&1; then
  tail -n 60 "$TARGET_DIR/fuzz.log"
  echo "Fuzzing found a problem: see above and crates/mail/fuzz/artifacts/" >&2
  exit 1
fi
grep -E '^(Done|stat::)' "$TARGET_DIR/fuzz.log" | head -n 4

step "End-to-end: the real app under Xvfb"
cargo build "${CARGO_SELECTION[@]}"
logged bash tests/e2e/run.sh "$TARGET_DIR/debug/satu-app"

step "All tests passed"
# One closing line over every runner: cargo's "test result: ok. N passed", vitest's
# "Tests  N passed", node's "# pass N".
passed=$(awk '
  /^test result:/ { n += $4 }
  /^ *Tests +[0-9]+ passed/ { n += $2 }
  /^# pass [0-9]+$/ { n += $3 }
  END { print n + 0 }' "$LOG")
echo "$passed passed, 0 failed"
