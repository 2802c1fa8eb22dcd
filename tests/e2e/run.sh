#!/usr/bin/env bash
# End-to-end tests of the real Satu window: Xvfb + tauri-driver (+ WebKitWebDriver) + node:test.
#
#   tests/e2e/run.sh APP_BINARY [TEST_FILE…]     (default: tests/e2e/*.test.mjs)
#
# Starts Xvfb on a free display, tauri-driver on free ports (127.0.0.1 only) inside a private D-Bus
# session when dbus-run-session exists, waits until the driver answers GET /status, then runs
#   node --test TEST_FILE…
# with SATU_APP_BIN, WEBDRIVER_URL, SATU_DATA_DIR (a fresh empty directory: the app starts on an
# empty store), E2E_ARTIFACTS (tests/artifacts/, screenshots and logs) and DISPLAY. tauri-driver
# starts WebKitWebDriver, which starts the app for each session: the app inherits this environment.
# Always stops everything it started; exits with node's exit code.
# Needs: tests/servers/install.sh (xvfb, webkit2gtk-driver, tauri-driver, node >= 18).
set -euo pipefail

die() { echo "e2e/run.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: tests/e2e/run.sh APP_BINARY [TEST_FILE…]"
# Accounts added in the window keep their password in the kernel keyring (SATU_KEYRING=keyutils
# below), which needs a session keyring of its own: run everything inside one.
if [ -z "${SATU_E2E_KEYRING:-}" ] && command -v keyctl >/dev/null; then
  exec keyctl session - env SATU_E2E_KEYRING=1 bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=$1
shift
case "$APP" in /*) ;; *) APP="$PWD/$APP" ;; esac
[ -f "$APP" ] && [ -x "$APP" ] || die "the app binary $APP does not exist or is not executable (build it first)"

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
TAURI_DRIVER=$(command -v tauri-driver || { [ -x "$cargo_bin/tauri-driver" ] && echo "$cargo_bin/tauri-driver"; } || true)
[ -n "$TAURI_DRIVER" ] || die "tauri-driver is missing: run tests/servers/install.sh"
command -v Xvfb >/dev/null || die "Xvfb is missing: run tests/servers/install.sh"
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver is missing (Debian: webkit2gtk-driver): run tests/servers/install.sh"
command -v node >/dev/null || die "node is missing"
command -v curl >/dev/null || die "curl is missing: run tests/servers/install.sh"

if [ $# -gt 0 ]; then
  TESTS=("$@")
else
  TESTS=("$ROOT"/tests/e2e/*.test.mjs)
  [ -e "${TESTS[0]}" ] || die "no tests/e2e/*.test.mjs"
fi

ARTIFACTS=${E2E_ARTIFACTS:-$ROOT/tests/artifacts}
case "$ARTIFACTS" in /*) ;; *) ARTIFACTS="$PWD/$ARTIFACTS" ;; esac
mkdir -p "$ARTIFACTS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/satu-e2e.XXXXXX")
DATA_DIR="$WORK/data"
mkdir -p "$DATA_DIR"

XVFB_PID=""
DRIVER_PGID=""
NODE_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$NODE_PID" ]; then
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  if [ -n "$DRIVER_PGID" ]; then
    # tauri-driver, WebKitWebDriver, the app, its WebKit helpers and the D-Bus session share
    # one process group (setsid below); tauri-driver alone would SIGKILL only WebKitWebDriver.
    kill -TERM -- "-$DRIVER_PGID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$DRIVER_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$DRIVER_PGID" 2>/dev/null || true
  fi
  [ -d "$WORK/discovery" ] && bash "$ROOT/tests/servers/discovery.sh" stop "$WORK/discovery" 2>/dev/null || true
  [ -d "$WORK/oidc" ] && bash "$ROOT/tests/servers/oidc.sh" stop "$WORK/oidc" 2>/dev/null || true
  if [ -n "$XVFB_PID" ]; then
    kill -TERM "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  if [ "$status" -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "e2e/run.sh: kept $WORK (app data: $DATA_DIR); logs in $ARTIFACTS" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Xvfb on a display number it picks itself (-displayfd: no race with parallel runs).
exec 9>"$WORK/display"
Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp >"$ARTIFACTS/xvfb.log" 2>&1 &
XVFB_PID=$!
exec 9>&-
for _ in $(seq 1 100); do
  [ -s "$WORK/display" ] && break
  kill -0 "$XVFB_PID" 2>/dev/null || { cat "$ARTIFACTS/xvfb.log" >&2; die "Xvfb exited"; }
  sleep 0.1
done
DISPLAY_NUM=$(tr -dc '0-9' <"$WORK/display")
[ -n "$DISPLAY_NUM" ] || { cat "$ARTIFACTS/xvfb.log" >&2; die "Xvfb did not report a display within 10 s"; }
export DISPLAY=":$DISPLAY_NUM"

# 1b. Discovery's outside world (tests/servers/discovery.sh): a DNS and an HTTPS server whose
# zone ($DISCOVERY_DIR/zone.txt, read again when it changes) and files a test writes; the app
# asks them for every name (SATU_DNS_SERVER), so it must be up before the driver starts the app.
mkdir -p "$WORK/discovery/web"
echo "e2e.satu.test. 60 IN A 127.0.0.1" >"$WORK/discovery/zone.txt"
if line=$(bash "$ROOT/tests/servers/discovery.sh" start "$WORK/discovery" 2>"$ARTIFACTS/discovery.log"); then
  for pair in $line; do
    case "$pair" in
      DNS_PORT=*) export SATU_DNS_SERVER="127.0.0.1:${pair#*=}" ;;
      HTTPS_PORT=*) export SATU_DISCOVERY_PORT="${pair#*=}" ;;
      DISCOVERY_DIR=*) export DISCOVERY_DIR="${pair#*=}" ;;
    esac
  done
else
  echo "e2e/run.sh: the discovery servers did not start (see $ARTIFACTS/discovery.log); 6-discovery fails" >&2
fi

# 2. tauri-driver (and WebKitWebDriver) on two free loopback ports.
read -r PORT NATIVE_PORT < <(node -e '
  const net = require("net");
  const listen = () => new Promise(r => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => r(s)); });
  Promise.all([listen(), listen()]).then(ss => { console.log(ss.map(s => s.address().port).join(" ")); ss.forEach(s => s.close()); });
')
# 1c. An OpenID Connect provider for signing in through the browser (tests/servers/oidc.sh); the
# app runs SATU_BROWSER (oidc_browser.py plays the person) and uses its client id.
mkdir -p "$WORK/oidc"
if line=$(bash "$ROOT/tests/servers/oidc.sh" start "$WORK/oidc" 2>"$ARTIFACTS/oidc.log"); then
  for pair in $line; do
    case "$pair" in
      OIDC_ISSUER=* | OIDC_INTROSPECTION_URL=* | OIDC_DIR=*) export "${pair?}" ;;
      OIDC_CLIENT_ID=*) export SATU_OAUTH_OIDC_CLIENT_ID="${pair#*=}" ;;
    esac
  done
  export SATU_BROWSER="python3 $ROOT/tests/servers/oidc_browser.py"
else
  echo "e2e/run.sh: the OpenID Connect provider did not start (see $ARTIFACTS/oidc.log); 7-oauth fails" >&2
fi

export WEBDRIVER_URL="http://127.0.0.1:$PORT"
export SATU_APP_BIN="$APP"
export SATU_DATA_DIR="$DATA_DIR"
# Saved attachments go here (the tests look), not into the user's Downloads.
export SATU_DOWNLOAD_DIR="$WORK/downloads"
# The app's log files (the test of a second launch reads them).
export SATU_LOG_DIR="$WORK/logs"
export E2E_ARTIFACTS="$ARTIFACTS"
# Links the app hands to the system browser are written here instead (Satu's links::open_in_system).
export SATU_OPEN_LINKS_LOG="$DATA_DIR/../opened-links.txt"
rm -f "$SATU_OPEN_LINKS_LOG"
# Headless-friendly defaults for the app (each can be overridden by the caller):
export SATU_KEYRING=${SATU_KEYRING:-keyutils}                          # no Secret Service here
# Do NOT set WEBKIT_DISABLE_DMABUF_RENDERER=1 (a common Tauri-on-Linux tip): with it, WebKitGTK
# 2.50 under Xvfb answers no WebDriver screenshot of a page that is not repainting (they hang).
export NO_AT_BRIDGE=${NO_AT_BRIDGE:-1}                                  # no accessibility bus warnings

driver_cmd=("$TAURI_DRIVER" --port "$PORT" --native-port "$NATIVE_PORT")
if command -v dbus-run-session >/dev/null; then
  # The app's session bus, with a notification daemon on it when dunst is installed: a test
  # clicks a new-mail notification with `dunstctl` on the bus written to E2E_DBUS_ADDRESS_FILE.
  export E2E_DBUS_ADDRESS_FILE="$WORK/dbus-address"
  export E2E_DUNST_LOG="$ARTIFACTS/dunst.log"
  # shellcheck disable=SC2016 # expanded by the inner shell, inside the session
  driver_cmd=(dbus-run-session -- sh -c '
    printf "%s" "$DBUS_SESSION_BUS_ADDRESS" >"$E2E_DBUS_ADDRESS_FILE"
    if command -v dunst >/dev/null; then dunst >"$E2E_DUNST_LOG" 2>&1 & fi
    exec "$@"' sh "${driver_cmd[@]}")
fi
setsid "${driver_cmd[@]}" </dev/null >"$ARTIFACTS/tauri-driver.log" 2>&1 &
DRIVER_PGID=$!

ready=""
for _ in $(seq 1 150); do
  if curl -fsS --max-time 1 "$WEBDRIVER_URL/status" >"$WORK/status.json" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$DRIVER_PGID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  tail -n 30 "$ARTIFACTS/tauri-driver.log" >&2 || true
  die "tauri-driver did not answer on $WEBDRIVER_URL/status within 15 s"
fi
echo "e2e: DISPLAY=$DISPLAY WEBDRIVER_URL=$WEBDRIVER_URL SATU_DATA_DIR=$SATU_DATA_DIR artifacts=$ARTIFACTS" >&2

# 3. The tests, one file at a time: they share the driver, the display and SATU_DATA_DIR.
node_args=(--test)
if node --help 2>/dev/null | grep -q -- --test-concurrency; then
  node_args+=(--test-concurrency=1)
fi
# In the background + wait, so that INT/TERM reach our trap at once (bash runs traps only after a
# foreground child ends).
set +e
if [ ${#node_args[@]} -gt 1 ] || [ ${#TESTS[@]} -eq 1 ]; then
  node "${node_args[@]}" "${TESTS[@]}" </dev/null &
  NODE_PID=$!
  wait "$NODE_PID"
  rc=$?
else # Node 18: no --test-concurrency; run the files one by one.
  rc=0
  for file in "${TESTS[@]}"; do
    node --test "$file" </dev/null &
    NODE_PID=$!
    wait "$NODE_PID" || rc=1
  done
fi
NODE_PID=""
set -e
exit "$rc"
