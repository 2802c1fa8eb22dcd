#!/usr/bin/env bash
# A second CalDAV client for tests (caldav_peer.py, on the Python caldav package in a venv).
#
#   tests/servers/caldav_peer.sh --url URL [--user U --password P] COMMAND ARGS...
#   tests/servers/caldav_peer.sh venv       make the venv (quiet when present), as install.sh does
#
# Commands (JSON on stdout; see caldav_peer.py): calendars, list CAL, get CAL UID, put CAL FILE.ics,
# edit [--if-match ETAG] CAL UID PROP=VALUE..., delete CAL UID, sync CAL [TOKEN].
# Exit 0 ok, 1 failure, 2 bad usage, 3 no object with that UID, 4 412 Precondition Failed,
# 5 sync token refused as not valid; the reason on stderr.
#
# Environment (optional):
#   CALDAV_PEER_VENV   the venv (default ~/.cache/satu/venv-caldav-peer), made on first use with pip
set -euo pipefail

die() { echo "caldav_peer.sh: $*" >&2; exit 1; }

VENV=${CALDAV_PEER_VENV:-$HOME/.cache/satu/venv-caldav-peer}
# Pinned, dependencies included: the venv is remade when this list changes.
REQUIREMENTS="caldav==3.6.0 calendaring-config==0.5.0 charset-normalizer==3.5.3 click==8.5.1 dnspython==2.9.2 h11==0.16.0 icalendar==7.3.2 icalendar-searcher==1.3.0 jh2==5.0.15 lxml==6.1.3 niquests==3.21.2 python-dateutil==2.9.0.post0 PyYAML==6.0.4 qh3==2.1.0 recurring-ical-events==3.8.2 six==1.17.0 typing_extensions==4.16.0 tzdata==2026.6 urllib3-future==2.25.904 wassima==2.1.5 x-wr-timezone==2.0.1"

# shellcheck source=venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh" # ensure_venv

if [ "${1:-}" = venv ]; then
  [ $# -eq 1 ] || die "usage: caldav_peer.sh venv"
  ensure_venv
  exit 0
fi
ensure_venv
# -I: neither PYTHONPATH nor the user's site-packages leak into the venv's Python.
exec "$VENV/bin/python" -I "$(cd "$(dirname "$0")" && pwd -P)/caldav_peer.py" "$@"
