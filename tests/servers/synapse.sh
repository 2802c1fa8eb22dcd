#!/usr/bin/env bash
# A private Synapse Matrix homeserver for tests (PyPI matrix-synapse, in a venv), plain HTTP on
# 127.0.0.1 only, no federation, SQLite.
#
#   tests/servers/synapse.sh start DIR     start an instance living in DIR
#   tests/servers/synapse.sh stop DIR      stop it (waits until it is gone)
#   tests/servers/synapse.sh status DIR    exit 0 when the instance in DIR runs
#   tests/servers/synapse.sh venv          make the Python venv with Synapse (quiet when present)
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   SYNAPSE_URL=http://127.0.0.1:… SYNAPSE_PORT=… SYNAPSE_DIR=DIR SYNAPSE_PID=… SYNAPSE_SERVER_NAME=localhost
# Everything else goes to stderr. The same line is kept in DIR/env. It is printed once
# `GET /_matrix/client/versions` answers 200 and the users below are registered.
#
# SYNAPSE_URL (no trailing slash) is the client-server API and the admin API (/_synapse/admin);
# there is no federation listener and no outbound federation (federation_domain_whitelist: []).
# server_name is `localhost`: user ids are @alice:localhost. Users (made with the shared-secret
# admin API on the first start of DIR that lists them; no device is made for them), password
# login (m.login.password): alice / alice-pass and bob / bob-pass, neither a server admin. The
# shared secret is in DIR/registration-secret (random per DIR): tests may register more users
# with it (POST /_synapse/admin/v1/register with nonce + HMAC-SHA1). Every rc_* rate limit is
# raised out of reach. Data (DIR/homeserver.db, DIR/media/, the signing key DIR/signing.key)
# persists across restarts of the same DIR. Log: DIR/synapse.log (INFO, one line per request).
#
# Environment (all optional):
#   SYNAPSE_PORT            the port to use; default: a free port picked by the kernel (on a
#                           restart of the same DIR, the previous port when still free)
#   SYNAPSE_USERS="alice:pw bob:pw:admin …"  the users and passwords (default alice:alice-pass
#                           bob:bob-pass); a third field `admin` makes a server admin (when the user
#                           is made); names of lower-case letters, digits, '.', '_', '-', '=', '/';
#                           passwords without spaces or ':'. A user already in DIR with another
#                           password is an error.
#   SYNAPSE_VENV            the venv (default ~/.cache/satu/venv-synapse), made on first use with pip
#   SYNAPSE_START_TIMEOUT   seconds to wait for the server to be ready (default 60)
set -euo pipefail

die() { echo "synapse.sh: $*" >&2; exit 1; }
usage() { sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

VENV=${SYNAPSE_VENV:-$HOME/.cache/satu/venv-synapse}
# Pinned, dependencies included (pip freeze of a venv with matrix-synapse): the venv is remade
# when this list changes. All wheels: nothing is compiled.
REQUIREMENTS="matrix-synapse==1.163.2 annotated-types==0.8.0 attrs==26.1.0 Automat==25.4.16 bcrypt==5.0.0 bleach==6.4.0 canonicaljson==2.0.0 certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3 constantly==23.10.4 cryptography==50.0.2 hyperlink==21.0.0 idna==3.20 ijson==3.6.0 immutabledict==4.3.1 Incremental==24.11.0 Jinja2==3.1.6 jsonschema==4.26.0 jsonschema-specifications==2025.9.1 MarkupSafe==3.0.4 matrix-common==1.3.0 msgpack==1.2.4 multipart==2.0.1 netaddr==1.3.0 packaging==26.4 phonenumbers==9.0.43 pillow==13.0.0 prometheus_client==0.26.0 pyasn1==0.6.5 pyasn1_modules==0.4.2 pycparser==3.12 pydantic==2.14.4 pydantic_core==2.50.5 pymacaroons==0.13.0 PyNaCl==1.6.2 pyOpenSSL==26.4.0 pyparsing==3.3.3 pyrsistent==0.20.0 python-multipart==0.0.34 PyYAML==6.0.4 referencing==0.37.0 requests==2.34.2 rpds-py==2026.9.1 semantic-version==2.10.0 service-identity==26.1.0 setuptools-rust==1.13.0 signedjson==1.1.4 six==1.17.0 sortedcontainers==2.4.0 treq==26.7.0 Twisted==26.10.0 typing-inspection==0.4.5 typing_extensions==4.16.0 unpaddedbase64==2.1.0 urllib3==2.8.0 webencodings==0.6.1 zope.interface==8.7"
SERVER_NAME=localhost

ensure_venv() { # the venv with REQUIREMENTS; no network access when it is already there
  local marker=$VENV/satu-requirements.txt
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
    local words=($REQUIREMENTS)
    echo "==> synapse.sh: making the venv $VENV (${words[0]} and ${#words[@]} pinned packages in all; ~30-50 s)" >&2
    if [ -f "$VENV/pyvenv.cfg" ]; then
      # Another list: start from scratch, so nothing of the old one is left over.
      rm -rf "$VENV"
    fi
    "$python" -m venv "$VENV" >&2 || die "could not make the venv $VENV (is python3-venv installed? run tests/servers/install.sh)"
    # shellcheck disable=SC2086 # REQUIREMENTS is a list of words
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --only-binary :all: $REQUIREMENTS >&2 \
      || die "pip could not install $REQUIREMENTS into $VENV"
    echo "$REQUIREMENTS" >"$marker"
  fi
  exec {lock_fd}>&-
}

abs_dir() {
  local dir=$1
  case "$dir" in
    *[[:space:]]*) die "DIR must not contain whitespace: '$dir'" ;;
    "") usage ;;
  esac
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

server_pid() { # prints the pid of DIR's Synapse when it runs
  local dir=$1 pid
  [ -s "$dir/synapse.pid" ] || return 1
  pid=$(cat "$dir/synapse.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be Synapse started with this DIR's config file.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
    | grep -q -- "-m synapse.app.homeserver --config-path $dir/homeserver.yaml " || return 1
  echo "$pid"
}

port_free() { # exit 0 when nothing listens on 127.0.0.1:$1 and we may bind it
  "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Twisted does: TIME_WAIT is fine
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
except OSError:
    sys.exit(1)
PY
}

free_port() { # prints a free port picked by the kernel
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

parse_users() { # sets USER_SPECS (NAME:PASSWORD:admin|user each)
  local spec entry name pass rest admin
  spec=${SYNAPSE_USERS:-alice:alice-pass bob:bob-pass}
  USER_SPECS=()
  local names=" "
  for entry in $spec; do
    [[ "$entry" == *:* ]] || die "SYNAPSE_USERS: '$entry' is not NAME:PASSWORD[:admin]"
    name=${entry%%:*}
    rest=${entry#*:}
    pass=${rest%%:*}
    admin=user
    if [[ "$rest" == *:* ]]; then
      [ "${rest#*:}" = admin ] || die "SYNAPSE_USERS: '$entry': the third field can only be 'admin'"
      admin=admin
    fi
    # Matrix user id localparts (the historical set Synapse accepts for registration).
    [[ "$name" =~ ^[a-z0-9._=/-]+$ ]] || die "SYNAPSE_USERS: bad user name '$name' (lower-case letters, digits, ._=/-)"
    [ -n "$pass" ] || die "SYNAPSE_USERS: empty password for '$name'"
    [[ "$names" == *" $name "* ]] && die "SYNAPSE_USERS: '$name' given twice"
    names+="$name "
    USER_SPECS+=("$name:$pass:$admin")
  done
  [ ${#USER_SPECS[@]} -gt 0 ] || die "SYNAPSE_USERS is empty"
}

make_secret() { # DIR/registration-secret: random, made once per DIR
  local dir=$1
  [ -s "$dir/registration-secret" ] && return 0
  (umask 077 && "$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))' >"$dir/registration-secret.tmp") \
    && mv -f "$dir/registration-secret.tmp" "$dir/registration-secret"
}

rate_limit() { # a YAML rate limit (per_second + burst_count) far above what a test can send
  echo "{per_second: 100000, burst_count: 100000}"
}

write_config() { # DIR/homeserver.yaml and DIR/log.yaml for port $2
  local dir=$1 port=$2 rl
  rl=$(rate_limit)
  cat >"$dir/log.yaml" <<EOF
# Written by tests/servers/synapse.sh on each start: edits are lost.
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  # Unbuffered (Synapse's default buffers INFO lines for up to 5 s): a test failing shows it all.
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $dir/synapse.log
    encoding: utf8
loggers:
  synapse.storage.SQL:
    level: INFO
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
EOF
  cat >"$dir/homeserver.yaml" <<EOF
# Written by tests/servers/synapse.sh on each start: edits are lost.
server_name: "$SERVER_NAME"
public_baseurl: "http://127.0.0.1:$port/"
serve_server_wellknown: false
listeners:
  - port: $port
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: $dir/homeserver.db
log_config: $dir/log.yaml
media_store_path: $dir/media
signing_key_path: $dir/signing.key
registration_shared_secret_path: $dir/registration-secret
# The macaroon key (login tokens) would otherwise be derived from the registration secret anyway.
macaroon_secret_key_path: $dir/registration-secret
enable_registration: false
# The cheapest bcrypt Synapse allows (default 12, ~0.25 s of CPU per login and registration).
bcrypt_rounds: 4
report_stats: false
enable_metrics: false
suppress_key_server_warning: true
trusted_key_servers: []
# No federation at all: no listener for it, and no server is allowed to be contacted.
federation_domain_whitelist: []
allow_public_rooms_over_federation: false
url_preview_enabled: false
presence:
  enabled: false
# A new database has ~40 background updates (indexes etc.), by default one a second: the first
# ~40 s of a fresh DIR would differ from later ones. Run them back to back instead.
background_updates:
  sleep_enabled: false
# Tests are fast and bursty: no rate limit may ever answer 429.
rc_message: $rl
rc_registration: $rl
rc_registration_token_validity: $rl
rc_login:
  address: $rl
  account: $rl
  failed_attempts: $rl
rc_admin_redaction: $rl
rc_joins:
  local: $rl
  remote: $rl
rc_joins_per_room: $rl
rc_3pid_validation: $rl
rc_invites:
  per_room: $rl
  per_user: $rl
  per_issuer: $rl
rc_third_party_invite: $rl
rc_media_create: $rl
rc_presence:
  per_user: $rl
rc_delayed_event_mgmt: $rl
rc_room_creation: $rl
rc_reports: $rl
rc_user_directory: $rl
rc_profile: $rl
rc_key_requests: $rl
EOF
}

start_server() { # starts Synapse in the background; sets CHILD to its pid
  local dir=$1
  # The server keeps the stdout/stderr it was started with: never a pipe (a caller reading our
  # output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    unset SYNAPSE_CONFIG_PATH SYNAPSE_CONFIG_DIR SYNAPSE_SERVER_NAME SYNAPSE_REPORT_STATS SYNAPSE_CACHE_FACTOR
    # Output before the log is set up (a config error, a traceback) lands in the same file.
    exec "$VENV/bin/python" -m synapse.app.homeserver --config-path "$dir/homeserver.yaml" \
      </dev/null >>"$dir/synapse.log" 2>&1
  ) &
  CHILD=$!
  echo "$CHILD" >"$dir/synapse.pid"
}

exited() { # exit 0 when process $1 has exited (a zombie, e.g. our own unreaped child, counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

log_since() { # DIR/synapse.log from byte offset $2 on
  tail -c "+$(( $2 + 1 ))" "$1/synapse.log" 2>/dev/null || true
}

prev_port() { # the value of $2 in DIR/env from the previous start, if any
  [ -s "$1/env" ] && tr ' ' '\n' <"$1/env" | sed -n "s/^$2=//p" || true
}

http_code() { # the HTTP status of GET $1 (000 when nothing answers)
  curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

register_users() { # registers each of USER_SPECS not yet registered in DIR; $2 = the server URL
  local dir=$1 url=$2 spec todo=()
  touch "$dir/registered"
  for spec in "${USER_SPECS[@]}"; do
    grep -qxF -- "$spec" "$dir/registered" || todo+=("$spec")
  done
  [ ${#todo[@]} -gt 0 ] || return 0
  "$VENV/bin/python" - "$url" "$dir/registration-secret" "$dir/registered" "${todo[@]}" <<'PY' >&2
import hashlib, hmac, json, sys, urllib.error, urllib.request

url, secret_file, registered = sys.argv[1:4]
secret = open(secret_file).read().strip().encode()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy


def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"raw": raw.decode(errors="replace")}


for spec in sys.argv[4:]:
    name, password, kind = spec.split(":")
    admin = kind == "admin"
    status, body = call("GET", "/_synapse/admin/v1/register")
    if status != 200:
        sys.exit(f"synapse.sh: GET /_synapse/admin/v1/register: {status} {body}")
    nonce = body["nonce"]
    mac = hmac.new(secret, digestmod=hashlib.sha1)
    for part in (nonce.encode(), name.encode(), password.encode()):
        mac.update(part)
        mac.update(b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    status, body = call("POST", "/_synapse/admin/v1/register", {
        "nonce": nonce, "username": name, "password": password, "admin": admin,
        "mac": mac.hexdigest(), "inhibit_login": True,
    })
    if status == 400 and body.get("errcode") == "M_USER_IN_USE":
        # Registered before (with another SYNAPSE_USERS line): fine if the password is the same.
        status, body = call("POST", "/_matrix/client/v3/login", {
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
            "password": password})
        if status != 200:
            sys.exit(f"synapse.sh: user {name} already exists in this DIR with another password")
        call("POST", "/_matrix/client/v3/logout?access_token=" + body["access_token"], {})
    elif status != 200:
        sys.exit(f"synapse.sh: registering {name}: {status} {body}")
    with open(registered, "a") as f:
        f.write(spec + "\n")
PY
}

cmd_start() {
  local dir pid
  dir=$(abs_dir "${1:-}")
  ensure_venv
  command -v curl >/dev/null || die "curl is not installed: run tests/servers/install.sh"
  if pid=$(server_pid "$dir"); then
    die "an instance already runs in $dir (pid $pid): stop it first"
  fi
  parse_users
  make_secret "$dir"
  mkdir -p "$dir/media"
  rm -f "$dir/synapse.pid"

  # The port: the one given in the environment (fixed), else the previous start's when still
  # free, else one picked by the kernel.
  local fixed=${SYNAPSE_PORT:-} port prev
  [ -z "$fixed" ] || [[ "$fixed" =~ ^[0-9]+$ ]] || die "SYNAPSE_PORT must be a port number, not '$fixed'"
  port=$fixed
  if [ -z "$port" ]; then
    prev=$(prev_port "$dir" SYNAPSE_PORT)
    [ -n "$prev" ] && port_free "$prev" && port=$prev
  fi

  # Between picking a free port and Synapse binding it, a parallel test may take it: Synapse is
  # started again on another port. Ready = it logged that it listens on our port (so the answer
  # below is not from somebody else's server) and /_matrix/client/versions answers 200.
  local timeout=${SYNAPSE_START_TIMEOUT:-60} deadline attempt offset rc listening
  deadline=$(( $(date +%s) + timeout ))
  for attempt in 1 2 3 4 5; do
    [ -n "$port" ] || port=$(free_port)
    write_config "$dir" "$port"
    offset=$(stat -c %s "$dir/synapse.log" 2>/dev/null || echo 0)
    start_server "$dir"
    pid=$CHILD
    listening=""
    while :; do
      if exited "$pid"; then
        break
      fi
      if [ -z "$listening" ] && log_since "$dir" "$offset" | grep -q "Synapse now listening on TCP port $port\$"; then
        listening=1
      fi
      if [ -n "$listening" ] && [ "$(http_code "http://127.0.0.1:$port/_matrix/client/versions")" = 200 ]; then
        break 2
      fi
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "--- $dir/synapse.log (tail) ---" >&2
        log_since "$dir" "$offset" | tail -n 30 >&2
        cmd_stop "$dir" >/dev/null 2>&1 || true
        die "Synapse in $dir was not ready within ${timeout}s"
      fi
      sleep 0.1
    done
    # It exited: a port taken meanwhile is retried, anything else is fatal.
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    if log_since "$dir" "$offset" | grep -q "Address already in use" && [ $attempt -lt 5 ]; then
      [ -z "$fixed" ] || { rm -f "$dir/synapse.pid"; die "port in use: SYNAPSE_PORT=$port"; }
      echo "synapse.sh: port $port was taken meanwhile, retrying" >&2
      port=""
      continue
    fi
    echo "--- $dir/synapse.log (tail) ---" >&2
    log_since "$dir" "$offset" | tail -n 30 >&2
    rm -f "$dir/synapse.pid"
    die "Synapse did not start in $dir (exit $rc)"
  done

  local url=http://127.0.0.1:$port
  if ! register_users "$dir" "$url"; then
    cmd_stop "$dir" >/dev/null 2>&1 || true
    die "could not register the users of $dir; see $dir/synapse.log"
  fi
  pid=$(server_pid "$dir") \
    || { cmd_stop "$dir" >/dev/null 2>&1 || true; die "Synapse in $dir started but is gone; see $dir/synapse.log"; }

  local line="SYNAPSE_URL=$url SYNAPSE_PORT=$port SYNAPSE_DIR=$dir SYNAPSE_PID=$pid SYNAPSE_SERVER_NAME=$SERVER_NAME"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  if pid=$(server_pid "$dir"); then
    # TERM: Synapse stops listening, finishes what is in flight, and exits (~0.5 s).
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + 10 ))
    until exited "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "synapse.sh: killing Synapse of $dir (pid $pid)" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.1
        break
      fi
      sleep 0.05
    done
  fi
  rm -f "$dir/synapse.pid"
}

cmd_status() {
  local dir
  [ -n "${1:-}" ] && [ -d "$1" ] || return 1
  dir=$(cd "$1" && pwd -P)
  server_pid "$dir" >/dev/null
}

case "${1:-}" in
  start) shift; [ $# -eq 1 ] || usage; cmd_start "$1" ;;
  stop) shift; [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
  status) shift; [ $# -eq 1 ] || usage; cmd_status "$1" ;;
  venv) shift; [ $# -eq 0 ] || usage; ensure_venv ;;
  *) usage ;;
esac
