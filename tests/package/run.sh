#!/usr/bin/env bash
# The Debian package, as a person gets it: scripts/package.sh builds it (the debug build, fast),
# `dpkg -i` installs it, the installed app shows its first window under Xvfb (through
# tests/e2e/run.sh), the installed `satu` answers, the desktop entry offers mailto:, and
# `dpkg -r` removes it again (nothing of it is left in /usr/bin).
#
#   tests/package/run.sh      (root, or sudo for dpkg)
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

deb=$(scripts/package.sh --debug deb | grep '\.deb$' | tail -1)
[ -n "$deb" ] && [ -f "$deb" ] || { echo "package/run.sh: no .deb was made" >&2; exit 1; }
echo "==> Installing $deb" >&2
name=$(dpkg-deb -f "$deb" Package)
removed=0
remove() {
  [ "$removed" -eq 1 ] && return 0
  removed=1
  $sudo dpkg -r "$name" >/dev/null
}
trap remove EXIT
$sudo dpkg -i "$deb" >/dev/null

fail() { echo "package/run.sh: $*" >&2; exit 1; }
app=$(dpkg -L "$name" | grep -E '^/usr/bin/' | grep -v '/usr/bin/satu$' | head -1)
[ -x "$app" ] || fail "the package installs no app binary in /usr/bin"
[ -x /usr/bin/satu ] || fail "the package installs no /usr/bin/satu"
/usr/bin/satu --version >/dev/null || fail "the installed satu does not run"
desktop=$(dpkg -L "$name" | grep -E '/usr/share/applications/.*\.desktop$' | head -1)
[ -n "$desktop" ] || fail "no desktop entry"
grep -q '^MimeType=.*x-scheme-handler/mailto' "$desktop" || fail "the desktop entry does not offer mailto: ($desktop)"
for size in 32x32 128x128; do
  dpkg -L "$name" | grep -q "/usr/share/icons/hicolor/$size/apps/" || fail "no $size icon"
done

echo "==> Starting the installed app ($app)" >&2
tests/e2e/run.sh "$app" tests/package/first-window.test.mjs

remove
trap - EXIT
[ ! -e "$app" ] && [ ! -e /usr/bin/satu ] || fail "dpkg -r left the binaries behind"
echo "package: installed, started, removed" >&2
