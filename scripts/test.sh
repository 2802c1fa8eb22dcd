#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, Dovecot, WebKitWebDriver, tauri-driver,
# npm packages) and runs the whole test suite: formatting, lints, UI unit tests, Rust unit and
# integration tests (real Dovecot on 127.0.0.1), the end-to-end test of the real app window, and
# the Debian package installed, started and removed.
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
# A CI run builds each workspace crate once: incremental caches would only fill the disk
# (tens of GB over many runs).
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
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

step "Package: the .deb installs, starts and removes"
logged bash tests/package/run.sh

step "All tests passed"
# One closing line over every runner, counted from their own summaries: cargo's "test result:
# ok. N passed; M failed; K ignored", vitest's "Tests  N passed | K skipped (T)", node's "# pass
# N", "# fail M", "# skipped K". A runner whose summary is missing, any failure, or a total
# below the floor kept in tests/FLOOR (tests are added, not quietly lost) fails the run.
read -r passed failed skipped cargo_runs vitest_runs node_runs < <(awk '
  /^test result:/ { cargo++; for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i
      if ($(i + 1) ~ /^ignored/) s += $i } }
  /^ *Tests +[0-9]+/ { vitest++; for (i = 1; i <= NF; i++) {
      if ($(i + 1) == "passed") p += $i; if ($(i + 1) == "failed") f += $i
      if ($(i + 1) == "skipped" || $(i + 1) == "todo") s += $i } }
  /^# pass [0-9]+$/ { node++; p += $3 }
  /^# fail [0-9]+$/ { f += $3 }
  /^# (skipped|todo|cancelled) [0-9]+$/ { s += $3 }
  END { print p + 0, f + 0, s + 0, cargo + 0, vitest + 0, node + 0 }' "$LOG")
floor=$(tr -dc '0-9' <tests/FLOOR)
problems=()
[ "$cargo_runs" -gt 0 ] || problems+=("no summary from cargo test")
[ "$vitest_runs" -gt 0 ] || problems+=("no summary from vitest")
[ "$node_runs" -gt 0 ] || problems+=("no summary from the e2e runner")
[ "$failed" -eq 0 ] || problems+=("$failed failed")
[ "$passed" -ge "${floor:-0}" ] || problems+=("$passed passed is below the floor of $floor (tests/FLOOR)")
if [ ${#problems[@]} -gt 0 ]; then
  printf 'The run is not complete: %s\n' "${problems[@]}" >&2
  echo "$passed passed, $failed failed, $skipped skipped"
  exit 1
fi
echo "$passed passed, $failed failed, $skipped skipped"
