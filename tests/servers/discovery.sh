#!/usr/bin/env bash
# The outside world of discovery tests (tests/servers/discovery_world.py): a DNS server and an
# HTTPS server, listening on 127.0.0.1 only.
#
#   tests/servers/discovery.sh start DIR    start an instance living in DIR
#   tests/servers/discovery.sh stop DIR     stop it (waits until it is gone)
#   tests/servers/discovery.sh venv         make the Python venv with dnslib (quiet when present)
#
# Before `start`, DIR holds zone.txt (the DNS zone) and web/HOST/PATH (what the HTTPS server
# answers for https://HOST:PORT/PATH); `start` makes a throw-away CA and a certificate for
# localhost, 127.0.0.1 and every name in SANS (space-separated DNS names), then prints exactly
# one line on stdout, shell-evalable KEY=VALUE pairs:
#   DNS_PORT=… HTTPS_PORT=… CA_FILE=DIR/ca.pem DISCOVERY_DIR=DIR DISCOVERY_PID=…
# Point Satu at them with SATU_DNS_SERVER=127.0.0.1:$DNS_PORT and SATU_DISCOVERY_PORT=$HTTPS_PORT.
# Requests are logged to DIR/requests.log. CA_FROM=DIR2 signs the certificate with the CA in DIR2
# (ca.pem, ca-key.pem; e.g. a tests/servers/dovecot.sh instance's) so one CA file trusts both.
set -euo pipefail

die() { echo "discovery.sh: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
VENV=${SATU_DISCOVERY_VENV:-$HOME/.cache/satu/venv-discovery}
REQUIREMENTS="dnslib==0.9.26"

# shellcheck source=venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh" # ensure_venv

make_certs() {
  local dir=$1 sans="DNS:localhost,IP:127.0.0.1" name
  for name in ${SANS:-}; do sans="$sans,DNS:$name"; done
  (
    set -e
    cd "$dir"
    umask 077
    if [ -n "${CA_FROM:-}" ]; then
      cp "$CA_FROM/ca.pem" "$CA_FROM/ca-key.pem" .
    else
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=Satu test discovery CA" -keyout ca-key.pem -out ca.pem \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    fi
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=localhost" -keyout key.pem -out cert.csr 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth" "subjectAltName=$sans" >cert.ext
    openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile cert.ext -out cert.pem -CAserial ca.srl 2>/dev/null
    chmod 644 ca.pem
  ) || die "openssl could not make the certificates in $dir"
}

free_ports() {
  "$VENV/bin/python" - <<'PY'
import socket
# The DNS port must be free for UDP and TCP both: another test's server may hold the TCP side
# of a UDP port the kernel hands out, so try again until one is free for both.
for _ in range(50):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("127.0.0.1", 0))
    port = a.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", port))
        break
    except OSError:
        a.close(); t.close()
h = socket.socket(); h.bind(("127.0.0.1", 0))
print(port, h.getsockname()[1])
PY
}

cmd=${1:-}
case "$cmd" in
  venv) ensure_venv ;;
  start)
    [ -n "${2:-}" ] || die "usage: discovery.sh start DIR"
    dir=$(cd "$2" && pwd -P)
    [ -s "$dir/zone.txt" ] || die "$dir/zone.txt is missing"
    ensure_venv
    make_certs "$dir"
    for _ in 1 2 3; do
      read -r dns_port https_port < <(free_ports)
      : >"$dir/out.log"
      "$VENV/bin/python" "$HERE/discovery_world.py" --dir "$dir" --dns-port "$dns_port" \
        --https-port "$https_port" >"$dir/out.log" 2>"$dir/server.log" &
      pid=$!
      for _ in $(seq 100); do
        grep -q ready "$dir/out.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      if grep -q ready "$dir/out.log"; then
        echo "$pid" >"$dir/pid"
        echo "DNS_PORT=$dns_port HTTPS_PORT=$https_port CA_FILE=$dir/ca.pem DISCOVERY_DIR=$dir DISCOVERY_PID=$pid"
        exit 0
      fi
      kill "$pid" 2>/dev/null || true
    done
    die "the discovery servers did not start; see $dir/server.log"
    ;;
  stop)
    dir=$(cd "${2:?usage: discovery.sh stop DIR}" && pwd -P)
    pid=$(cat "$dir/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    rm -f "$dir/pid"
    ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
