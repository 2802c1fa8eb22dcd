#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian/Ubuntu machine: Dovecot (for the
# private test IMAP servers of tests/servers/dovecot.sh), a Python venv with aiosmtpd (for the
# test SMTP servers of tests/servers/smtp.sh), a Python venv with Radicale (for the test CalDAV
# servers of tests/servers/radicale.sh), Xandikos (the second CalDAV server, tests/servers/xandikos.sh),
# a Python venv with the caldav package (the second CalDAV client, tests/servers/caldav_peer.sh),
# a Python venv with Synapse (for the test Matrix homeservers of tests/servers/synapse.sh),
# npm oidc-provider (the test OpenID Connect provider of tests/servers/oidc.sh),
# Xvfb + WebKitWebDriver + tauri-driver
# (for tests/e2e/), dunst (for tests/notify.rs), the libraries the Tauri app builds against, and cargo-nextest.
# Idempotent: a re-run with everything present does no network access and prints nothing.
# Usage: tests/servers/install.sh
set -euo pipefail

PACKAGES=(
  dovecot-imapd openssl                      # private IMAP servers
  xandikos                                   # a second CalDAV server (tests/servers/xandikos.sh)
  xvfb webkit2gtk-driver dbus dbus-x11       # the real app under a virtual display
  dunst                                      # a real notification daemon (tests/notify.rs)
  libglib2.0-bin                             # gdbus: the e2e clicks the tray's menu over D-Bus
  libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev pkg-config         # building the Tauri app
  curl python3
  python3-venv                               # the venvs of the SMTP, CalDAV and Matrix test servers
)
TAURI_DRIVER_VERSION=2.1.0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
# The e2e tests run on Node (>= 18 for the global fetch and node:test); keep an existing one.
command -v node >/dev/null || missing+=(nodejs)
# The OIDC test provider's modules are installed with npm ci (tests/servers/oidc.sh install).
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  # Debian's post-install scripts would start a system-wide Dovecot on all interfaces. Forbid
  # service starts while we install (policy-rc.d exiting 101, honoured by invoke-rc.d and
  # deb-systemd-invoke); tests only ever run private instances on 127.0.0.1.
  policy=/usr/sbin/policy-rc.d
  own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Added by satu tests/servers/install.sh while installing packages.\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
    trap '$sudo rm -f "$policy"' EXIT
  fi
  dovecot_was_installed=""
  installed dovecot-core && dovecot_was_installed=1
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -z "$dovecot_was_installed" ]; then
    # Keep the system Dovecot off at boot too (we only want the binaries).
    if [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
    elif command -v update-rc.d >/dev/null; then
      $sudo update-rc.d dovecot disable >/dev/null 2>&1 || true
    fi
  fi
  if [ -n "$own_policy" ]; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
fi

# The SMTP test server's venv (aiosmtpd from PyPI, pinned in smtp.sh); nothing to do when present.
bash "$(dirname "$0")/smtp.sh" venv
# The CalDAV test server's venv (radicale from PyPI, pinned in radicale.sh); likewise.
bash "$(dirname "$0")/radicale.sh" venv
# The second CalDAV client's venv (caldav from PyPI, pinned in caldav_peer.sh); likewise.
bash "$(dirname "$0")/caldav_peer.sh" venv
# The Matrix test server's venv (matrix-synapse from PyPI, pinned in synapse.sh; ~30-50 s); likewise.
bash "$(dirname "$0")/synapse.sh" venv
# The discovery tests' DNS server's venv (dnslib from PyPI, pinned in discovery.sh); likewise.
bash "$(dirname "$0")/discovery.sh" venv
# The OIDC test provider's node_modules (oidc-provider, pinned in oidc/package-lock.json); likewise.
bash "$(dirname "$0")/oidc.sh" install

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
need_cargo() {
  command -v cargo >/dev/null && return 0
  echo "install.sh: cargo is missing: install Rust with rustup first, then re-run" >&2
  exit 1
}

if ! command -v tauri-driver >/dev/null && [ ! -x "$cargo_bin/tauri-driver" ]; then
  need_cargo
  echo "==> cargo install tauri-driver $TAURI_DRIVER_VERSION (compiles; takes a few minutes)"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi

if ! command -v cargo-nextest >/dev/null && [ ! -x "$cargo_bin/cargo-nextest" ]; then
  need_cargo
  echo "==> cargo install cargo-nextest (compiles; takes a few minutes)"
  cargo install cargo-nextest --locked --quiet
fi

# Unused dependencies are a lint of the test command (scripts/test.sh).
CARGO_MACHETE_VERSION=0.9.2
if ! command -v cargo-machete >/dev/null && [ ! -x "$cargo_bin/cargo-machete" ]; then
  need_cargo
  echo "==> cargo install cargo-machete $CARGO_MACHETE_VERSION (compiles; about a minute)"
  cargo install cargo-machete --version "$CARGO_MACHETE_VERSION" --locked --quiet
fi

if ! command -v tauri-driver >/dev/null; then
  echo "install.sh: note: tauri-driver is in $cargo_bin, which is not on PATH" >&2
fi
