# Sourced by the test servers' scripts (smtp.sh, radicale.sh, caldav_peer.sh, discovery.sh):
# `ensure_venv` makes the Python venv $VENV with the pinned $REQUIREMENTS, once; no network access
# when it is already there. Needs `die` from the sourcing script. (synapse.sh has its own: its
# list is long and installed from wheels only.)

ensure_venv() { # the venv with REQUIREMENTS; no network access when it is already there
  local marker=$VENV/satu-requirements.txt name
  name=$(basename "$0")
  [ -x "$VENV/bin/python" ] && [ "$(cat "$marker" 2>/dev/null)" = "$REQUIREMENTS" ] && return 0
  mkdir -p "$(dirname "$VENV")"
  # Tests starting in parallel on a fresh machine: one makes the venv, the others wait for it.
  local lock_fd
  exec {lock_fd}>"$VENV.lock"
  flock "$lock_fd"
  if ! { [ -x "$VENV/bin/python" ] && [ "$(cat "$marker" 2>/dev/null)" = "$REQUIREMENTS" ]; }; then
    # Debian's own Python (with python3-venv) when there, not whatever python3 is first on PATH.
    local python=/usr/bin/python3
    [ -x "$python" ] || python=$(command -v python3) || die "python3 is not installed: run tests/servers/install.sh"
    echo "==> $name: making the venv $VENV ($REQUIREMENTS)" >&2
    if [ ! -x "$VENV/bin/python" ]; then
      "$python" -m venv "$VENV" >&2 || die "could not make the venv $VENV (is python3-venv installed? run tests/servers/install.sh)"
    fi
    # shellcheck disable=SC2086 # REQUIREMENTS is a list of words
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $REQUIREMENTS >&2 \
      || die "pip could not install $REQUIREMENTS into $VENV"
    echo "$REQUIREMENTS" >"$marker"
  fi
  exec {lock_fd}>&-
}
