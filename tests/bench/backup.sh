#!/usr/bin/env bash
# Backup and restore of a 100k-item store (issue #22) against the floor of the same work done by
# hand with the standard tools, on the same data in one run:
#
#   satu backup create --out F --passphrase-stdin          vs  sqlite3 .backup + zstd -3 -T0 + age
#   satu backup restore F --passphrase-stdin --data-dir D  vs  age -d | zstd -d | tar -x
#
#   tests/bench/backup.sh [--mail 90000] [--events 5000] [--tasks 5000] [--reps 3]
#
# The store comes from gen_million.py and `big_store` (crates/cli/examples), as million.sh
# makes it. The floor runs twice: with `age -p` (a passphrase, as Satu; the age tool reads it
# only from a terminal, so a pty types it, and the data goes through a file) and with an
# X25519 key (no scrypt at all: the harder line, since the passphrase's scrypt costs Satu
# about 0.6 s per backup and per restore). Prints each median, the ratios (goal ≤ 1.5×) and
# the sizes.
# Raw output in $BENCH_OUT (default tests/bench/out/backup-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
mail=90000
events=5000
tasks=5000
reps=3
while [ $# -gt 0 ]; do
  case "$1" in
    --mail) mail=$2; shift ;;
    --events) events=$2; shift ;;
    --tasks) tasks=$2; shift ;;
    --reps) reps=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "backup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/backup-$stamp}
mkdir -p "$out"
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/satu-backup.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

missing=()
for tool in sqlite3 zstd age age-keygen; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing sqlite3 zstd age"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get install -y -q sqlite3 zstd age >/dev/null
fi
if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  log "building satu and big_store (release)"
  (cd "$repo" && cargo build --release -q -p satu-cli --bin satu --example big_store)
fi
satu="$CARGO_TARGET_DIR/release/satu"
log "generating $mail mails and $events events"
/usr/bin/python3 "$here/gen_million.py" --mail "$mail" --events "$events" --mbox "$work/mail.mbox" --ics "$work/events.ics"
log "importing into a store, making $tasks tasks"
"$CARGO_TARGET_DIR/release/examples/big_store" "$work/data" "$work/mail.mbox" "$work/events.ics" \
  "$tasks" "$here/queries.txt" 1 >"$out/big_store.json"
rm -f "$work/mail.mbox" "$work/events.ics"
db_bytes=$(stat -c %s "$work/data/satu.db")
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")
pass="correct horse battery staple"
export SATU_KEYRING=keyutils

# One timed run of a command; its seconds on stdout.
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

satu_create() { rm -f "$work/satu.backup"; echo "$pass" | "$satu" --data-dir "$work/data" backup create --out "$work/satu.backup" --passphrase-stdin; }
floor_create() {
  rm -rf "$work/floor" "$work/floor.tar.zst.age"; mkdir -p "$work/floor"
  sqlite3 "$work/data/satu.db" ".backup '$work/floor/satu.db'"
  tar -C "$work/floor" -cf - satu.db | zstd -3 -T0 -q | age -r "$recipient" -o "$work/floor.tar.zst.age"
}
# `age -p` or `age -d` of a file with the passphrase typed at its prompt (it reads only a
# terminal): age ARGS…
age_typed() {
  /usr/bin/python3 - "$pass" "$@" <<'PY'
import os, pty, sys
word, args = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("age", ["age", *args])
seen = b""
answered = 0
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if seen.lower().count(b"passphrase") > answered:
        answered += 1
        os.write(fd, (word + "\n").encode())
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
pass_create() {
  rm -rf "$work/floor" "$work/pass.tar.zst" "$work/pass.tar.zst.age"; mkdir -p "$work/floor"
  sqlite3 "$work/data/satu.db" ".backup '$work/floor/satu.db'"
  tar -C "$work/floor" -cf - satu.db | zstd -3 -T0 -q -o "$work/pass.tar.zst"
  age_typed -p -o "$work/pass.tar.zst.age" "$work/pass.tar.zst"
  rm -f "$work/pass.tar.zst"
}
pass_restore() {
  rm -rf "$work/pass-restored"; mkdir -p "$work/pass-restored"
  age_typed -d -o "$work/pass.tar.zst" "$work/pass.tar.zst.age"
  zstd -d -q -c "$work/pass.tar.zst" | tar -C "$work/pass-restored" -xf -
  rm -f "$work/pass.tar.zst"
  sqlite3 "$work/pass-restored/satu.db" "PRAGMA integrity_check" >/dev/null
}
satu_restore() { rm -rf "$work/restored"; echo "$pass" | "$satu" --data-dir "$work/restored" backup restore "$work/satu.backup" --passphrase-stdin; }
floor_restore() {
  rm -rf "$work/floor-restored"; mkdir -p "$work/floor-restored"
  age -d -i "$work/key.txt" "$work/floor.tar.zst.age" | zstd -d -q | tar -C "$work/floor-restored" -xf -
  sqlite3 "$work/floor-restored/satu.db" "PRAGMA integrity_check" >/dev/null
}

declare -A samples
for rep in $(seq "$reps"); do
  for what in satu_create pass_create floor_create satu_restore pass_restore floor_restore; do
    s=$(timed "$what")
    samples[$what]="${samples[$what]:-} $s"
    log "rep $rep: $what $s s"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sc=$(echo "${samples[satu_create]}" | median)
fc=$(echo "${samples[floor_create]}" | median)
sr=$(echo "${samples[satu_restore]}" | median)
fr=$(echo "${samples[floor_restore]}" | median)
pc=$(echo "${samples[pass_create]}" | median)
pr=$(echo "${samples[pass_restore]}" | median)
satu_size=$(stat -c %s "$work/satu.backup")
floor_size=$(stat -c %s "$work/floor.tar.zst.age")
{
  echo "store: $(jq -r '"\(.mail_imported) mail, \(.events.added // .events) events, \(.tasks) tasks"' "$out/big_store.json" 2>/dev/null || echo "$mail mail, $events events, $tasks tasks"), database $((db_bytes / 1000000)) MB"
  printf 'backup:  satu %.2f s; floor with age -p %.2f s (ratio %.2f×), with an age key %.2f s (ratio %.2f×); goal ≤ 1.5×\n' \
    "$sc" "$pc" "$(echo "$sc / $pc" | bc -l)" "$fc" "$(echo "$sc / $fc" | bc -l)"
  printf 'restore: satu %.2f s; floor with age -p %.2f s (ratio %.2f×), with an age key %.2f s (ratio %.2f×); goal ≤ 1.5×\n' \
    "$sr" "$pr" "$(echo "$sr / $pr" | bc -l)" "$fr" "$(echo "$sr / $fr" | bc -l)"
  printf 'size:    satu %.1f MB, floor %.1f MB, ratio %.2f×\n' "$(echo "$satu_size / 1000000" | bc -l)" "$(echo "$floor_size / 1000000" | bc -l)" "$(echo "$satu_size / $floor_size" | bc -l)"
  echo "samples (s): ${samples[*]}"
} | tee "$out/summary.txt"
log "raw results in $out"
