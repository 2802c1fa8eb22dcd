#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, Dovecot, WebKitWebDriver, tauri-driver,
# npm packages) and runs the whole test suite: formatting, lints, UI unit tests, Rust unit and
# integration tests (real Dovecot on 127.0.0.1), and the end-to-end test of the real app window.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
started=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - started ))s)"; }

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
npm --prefix ui test --silent

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy "${CARGO_SELECTION[@]}" --all-targets -- -D warnings

step "Rust: unit and integration tests"
# Passwords go to the kernel keyring in tests, which needs a session keyring: keyctl gives the
# run its own.
keyctl session - cargo test "${CARGO_SELECTION[@]}"

step "End-to-end: the real app under Xvfb"
cargo build "${CARGO_SELECTION[@]}"
bash tests/e2e/run.sh "$TARGET_DIR/debug/satu-app"

step "All tests passed"
