# Shared by scripts/run-app.sh and scripts/test.sh (sourced, not run).

# ensure_apt PKG…: installs the Debian/Ubuntu packages that are missing, quietly.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> Installing Debian packages: ${missing[*]}"
  # Keep Debian's post-install scripts from starting system-wide services (e.g. Dovecot on all
  # interfaces): the tests run their own private instances on 127.0.0.1.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The libraries the desktop app builds and runs against.
APP_APT_PACKAGES=(keyutils build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev)

ensure_toolchains() {
  command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs), Rust 1.88 or newer" >&2; exit 1; }
  if ! command -v npm >/dev/null; then
    ensure_apt nodejs npm
  fi
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 20 ]; then
    echo "Node.js $node_major is too old: the UI needs Node.js 20 or newer" >&2
    exit 1
  fi
}

# build_ui: installs the UI's npm packages (from the lock file) and builds ui/dist.
build_ui() {
  echo "==> Building the UI (ui/dist)"
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    npm --prefix ui ci --no-audit --no-fund --loglevel=error
  fi
  npm --prefix ui run build --silent
}
