#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, Dovecot, WebKitWebDriver, tauri-driver,
# npm packages) and runs the whole test suite: formatting, lints, UI unit tests, Rust unit and
# integration tests (real Dovecot on 127.0.0.1), and the end-to-end test of the real app window.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
started=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - started ))s)"; }

step "Installing test dependencies"
ensure_apt "${APP_APT_PACKAGES[@]}"
ensure_toolchains
bash tests/servers/install.sh

step "UI: build and unit tests"
build_ui
npm --prefix ui test --silent

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features satu-app/custom-protocol -- -D warnings

step "Rust: unit and integration tests"
# The same features as the app build below, so nothing is compiled twice. Passwords go to the
# kernel keyring in tests, which needs a session keyring: keyctl gives the run its own.
keyctl session - cargo test --workspace --features satu-app/custom-protocol

step "End-to-end: the real app under Xvfb"
cargo build -p satu-app --features custom-protocol
bash tests/e2e/run.sh "$PWD/target/debug/satu-app"

step "All tests passed"
