#!/usr/bin/env bash
# The memory of the whole process tree, idle, with 100k messages: Satu's desktop app beside
# Thunderbird measured the same way (issue: "PSS idle after 5 minutes with 100k messages, goal
# ≤ 0.7× Thunderbird").
#
#   tests/bench/thunderbird.sh [--count 100000] [--idle 300] [--prep-max 14400]
#
# Installs Thunderbird (Debian's `thunderbird`), xdotool and xwd if missing (apt, sudo unless
# root). Generates --count messages once (gen_corpus.py, deterministic) and gives both programs
# the same messages: Satu imports the Maildir with `satu import maildir` into a fresh data dir
# (release build); Thunderbird gets them as the Inbox of Local Folders (an mbox, Thunderbird's
# default store: "From " lines, >From quoting, the Maildir's seen/replied/flagged flags as
# X-Mozilla-Status) in a fresh profile whose user.js turns off first-run UI and everything that
# would go to the network (telemetry, updates, add-on and blocklist checks, safe browsing,
# connectivity checks, in-app notifications, start page) and whose session.json opens the
# 3-pane window on that Inbox. Each program runs under its own private Xvfb (and session bus),
# with HOME in the temporary directory. Thunderbird is first started twice, unmeasured, as a
# user's Thunderbird has been before it holds 100k messages: once with gloda (the global search
# index) off, to build the folder's summary (Inbox.msf), then with gloda on (its default) until
# it has indexed the Inbox; each start ends when the processes have used < 5 % of a core and
# Inbox.msf has not changed for 60 s (at most --prep-max s), with File > Quit (Ctrl+Q). (Gloda
# on during the summary build does not work at 100k: its start-up sweep finds the Inbox still
# being parsed, records it as clean with nothing indexed and never indexes it.) The PSS while
# gloda indexes is recorded at --idle s. Then each program is started on its data and, after its
# window is up (Satu: the app's `painted_ms`; Thunderbird: the window titled "Inbox - Local
# Folders"), left alone --idle seconds, and the PSS (/proc/PID/smaps_rollup) of its process and
# all its descendants is summed (lib-pss.sh, as app.sh does). Thunderbird is measured twice:
# with its defaults (gloda on, index complete) and with gloda off
# (mailnews.database.global.indexer.enabled = false).
# Its HTTP requests and DNS look-ups are logged (MOZ_LOG) and counted: they should be 0.
# Results are printed as Markdown; raw output (logs, per-process PSS of each tree, screenshots
# as gzipped xwd) in $BENCH_OUT (default tests/bench/out/thunderbird-<stamp>/).
#
# Environment: CARGO_TARGET_DIR (default the repository's target/), BENCH_TMP (default /dev/shm;
# about 3× the corpus size is needed: 100k messages ≈ 1.8 GB), SATU_BENCH_NO_BUILD=1 (use the
# binaries already built).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
count=100000
idle=300
prep_max=14400
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --idle) idle=$2; shift ;;
    --prep-max) prep_max=$2; shift ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "thunderbird.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=lib-pss.sh
source "$here/lib-pss.sh" # pss_tree, pss_listing, cpu_ticks_tree, tree_pids

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
tmp_root=${BENCH_TMP:-/dev/shm}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/thunderbird-$stamp}
mkdir -p "$out"
work=$(mktemp -d "$tmp_root/satu-tb-bench.XXXXXX")
xvfb_pid=""
dbus_pid=""
app_pid=""
stop_app() { # $app_pid and what is left of its tree
  [ -n "$app_pid" ] || return 0
  local tree
  tree=$(tree_pids "$app_pid")
  kill "$app_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  # shellcheck disable=SC2086 # one pid per word
  kill -9 $tree 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}
stop_display() {
  [ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && { kill "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null; } || true
  dbus_pid=""; xvfb_pid=""
}
cleanup() {
  stop_app
  stop_display
  rm -rf "$work"
}
trap cleanup EXIT

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v thunderbird >/dev/null || need+=(thunderbird)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xwd >/dev/null || need+=(x11-apps)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v dbus-daemon >/dev/null || need+=(dbus)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> Installing ${need[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 \
    || { as_root apt-get update >&2 \
         && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  echo "==> Building the UI and the release app and CLI" >&2
  # shellcheck source=../../scripts/lib.sh
  (cd "$repo" && source scripts/lib.sh && build_ui >&2)
  (cd "$repo" && cargo build --release -p satu-cli >&2 \
    && cargo build --release --features custom-protocol -p satu-app >&2)
fi
satu="$CARGO_TARGET_DIR/release/satu"
app="$CARGO_TARGET_DIR/release/satu-app"
[ -x "$satu" ] && [ -x "$app" ] || { echo "thunderbird.sh: build $satu and $app first" >&2; exit 1; }

tbhome="$work/tbhome"
profile="$tbhome/profile"
mkdir -p "$tbhome/.cache" "$tbhome/.config" "$tbhome/.local/share" "$profile/Mail/Local Folders"
tb_version=$(HOME=$tbhome thunderbird --version 2>/dev/null | sed 's/^Mozilla Thunderbird //')
tb_deb=$(dpkg-query -W -f='${Version}' thunderbird 2>/dev/null || echo '?')

echo "==> Generating $count messages" >&2
python3 "$here/gen_corpus.py" --count "$count" --maildir "$work/Maildir" >&2
corpus_mb=$(du -sm "$work/Maildir" | cut -f1)

echo "==> Importing them into Satu" >&2
data="$work/data"
import_start=$(date +%s%N)
"$satu" --data-dir "$data" import maildir "$work/Maildir" >"$out/satu-import.log" 2>&1
import_ms=$(( ($(date +%s%N) - import_start) / 1000000 ))
satu_count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM mail').fetchone()[0])" "$data/satu.db")
db_mb=$(du -m "$data/satu.db" | cut -f1)

echo "==> Writing them as Thunderbird's Local Folders/Inbox (mbox)" >&2
mbox="$profile/Mail/Local Folders/Inbox"
python3 - "$work/Maildir" "$mbox" <<'EOF'
# Maildir -> mbox as Thunderbird writes it: "From - <date>" separator lines, every line that
# starts with >*"From " gets one more ">" (mboxrd), LF line ends, a blank line after each message,
# and the Maildir flags (S seen, R replied, F flagged) as X-Mozilla-Status. Oldest first.
import os, re, sys, time
src, dst = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(os.path.join(src, "cur")), key=lambda n: (int(n.split(".")[0]), n))
from_line = re.compile(rb"^(>*From )", re.M)
with open(dst, "wb") as out:
    for name in names:
        flags = name.rsplit(":2,", 1)[1] if ":2," in name else ""
        status = (0x1 if "S" in flags else 0) | (0x2 if "R" in flags else 0) | (0x4 if "F" in flags else 0)
        with open(os.path.join(src, "cur", name), "rb") as f:
            raw = f.read().replace(b"\r\n", b"\n")
        if not raw.endswith(b"\n"):
            raw += b"\n"
        stamp = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(int(name.split(".")[0])))
        out.write(b"From - " + stamp.encode() + b"\n")
        out.write(b"X-Mozilla-Status: %04x\nX-Mozilla-Status2: 00000000\n" % status)
        out.write(from_line.sub(rb">\1", raw))
        out.write(b"\n")
print(f"mbox: {len(names)} messages", file=sys.stderr)
EOF
rm -rf "$work/Maildir"
mbox_mb=$(du -m "$mbox" | cut -f1)

# The profile: one Local Folders account (mbox store) and nothing that talks to the network or
# asks anything on the first start. Everything else is Thunderbird's (and Debian's) default.
now_s=$(date +%s)
cat >"$profile/user.js" <<EOF
// Local Folders, the only account
user_pref("mail.accountmanager.accounts", "account1");
user_pref("mail.accountmanager.localfoldersserver", "server1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.server.server1.directory", "$profile/Mail/Local Folders");
user_pref("mail.server.server1.directory-rel", "[ProfD]Mail/Local Folders");
user_pref("mail.server.server1.hostname", "Local Folders");
user_pref("mail.server.server1.name", "Local Folders");
user_pref("mail.server.server1.type", "none");
user_pref("mail.server.server1.userName", "nobody");
user_pref("mail.server.server1.storeContractID", "@mozilla.org/msgstore/berkeleystore;1");
// first-run UI: account hub, default-client check, rights notice, start page, safe-mode prompt
user_pref("mail.provider.suppress_dialog_on_startup", true);
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mail.rights.override", true);
user_pref("mailnews.start_page.enabled", false);
user_pref("mailnews.start_page_override.mstone", "ignore");
user_pref("toolkit.startup.max_resumed_crashes", -1);
// telemetry (also gates the built-in Thunderbird Pro add-on's Sentry reports) and its notice tab
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
user_pref("datareporting.policy.firstRunURL", "");
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.newProfilePing.enabled", false);
user_pref("toolkit.telemetry.shutdownPingSender.enabled", false);
user_pref("toolkit.telemetry.updatePing.enabled", false);
user_pref("toolkit.telemetry.bhrPing.enabled", false);
user_pref("toolkit.telemetry.firstShutdownPing.enabled", false);
// updates of the application (Debian locks app.update.enabled off), add-ons, themes, plugins
user_pref("app.update.auto", false);
user_pref("app.update.checkInstallTime", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.update.autoUpdateDefault", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("extensions.blocklist.enabled", false);
user_pref("lightweightThemes.update.enabled", false);
user_pref("media.gmp-manager.updateEnabled", false);
user_pref("security.remote_settings.crlite_filters.enabled", false);
user_pref("security.remote_settings.intermediates.enabled", false);
// the remote-settings poll (blocklists etc.; its server pref is ignored in release builds) and
// the add-on timers ran "just now": next due hours after the benchmark
user_pref("app.update.lastUpdateTime.services-settings-poll-changes", $now_s);
user_pref("app.update.lastUpdateTime.addon-background-update-timer", $now_s);
user_pref("app.update.lastUpdateTime.glean-addons-daily", $now_s);
// safe browsing, connectivity and region checks, prefetching, push, in-app notifications
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.downloads.remote.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("browser.safebrowsing.provider.google.updateURL", "");
user_pref("browser.safebrowsing.provider.google4.updateURL", "");
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.predictor.enabled", false);
user_pref("browser.region.update.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("geo.enabled", false);
user_pref("dom.push.connection.enabled", false);
user_pref("mail.inappnotifications.enabled", false);
EOF
# Open the 3-pane tab on Local Folders/Inbox (as if the last session ended there).
cat >"$profile/session.json" <<'EOF'
{"rev":0,"windows":[{"type":"3pane","tabs":{"rev":0,"selectedIndex":0,"tabs":[{"mode":"mail3PaneTab","state":{"firstTab":true,"folderPaneVisible":true,"folderURI":"mailbox://nobody@Local%20Folders/Inbox","messagePaneVisible":true},"ext":{}}]}}]}
EOF

start_display() { # a private Xvfb and session bus
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
  DISPLAY=":$(cat "$work/display")"
  export DISPLAY
  : >"$work/display"
  dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$work/dbus-address" 4>"$work/dbus-pid"
  dbus_pid=$(cat "$work/dbus-pid")
  DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$work/dbus-address")
  export DBUS_SESSION_BUS_ADDRESS
}
export NO_AT_BRIDGE=1
tck=$(getconf CLK_TCK)
cpu_pct() { awk -v t="$1" -v s="$2" -v hz="$tck" 'BEGIN { printf "%.1f", 100 * t / hz / s }'; }
screenshot() { xwd -root -silent 2>/dev/null | gzip >"$1" || true; }

# ---- Satu -------------------------------------------------------------------------------
echo "==> Satu: start, idle $idle s, measure" >&2
start_display
start=$(date +%s%N)
SATU_DATA_DIR="$data" SATU_REPORT_STARTUP=1 SATU_LOG=warn "$app" >"$out/satu.log" 2>&1 &
app_pid=$!
for _ in $(seq 1200); do grep -q 'painted_ms=' "$out/satu.log" && break; sleep 0.05; done
satu_painted=$(grep -o 'painted_ms=[0-9]*' "$out/satu.log" | head -n1 | cut -d= -f2)
[ -n "$satu_painted" ] || { echo "thunderbird.sh: Satu never painted; see $out/satu.log" >&2; exit 1; }
echo "Satu painted after $satu_painted ms" >&2
t0=$(cpu_ticks_tree "$app_pid")
sleep "$idle"
t1=$(cpu_ticks_tree "$app_pid")
read -r satu_pss satu_procs < <(pss_tree "$app_pid")
pss_listing "$app_pid" >"$out/satu-ps.txt"
screenshot "$out/satu.xwd.gz"
satu_cpu=$(cpu_pct $((t1 - t0)) "$idle")
echo "Satu: $((satu_pss / 1024)) MB in $satu_procs processes, CPU while idle $satu_cpu %" >&2
stop_app
stop_display
rm -rf "$data"  # not needed any more: room for Thunderbird's index

# ---- Thunderbird --------------------------------------------------------------------------
tb_window() { xdotool search --name "$1" 2>/dev/null | head -n1 || true; }
tb_start() { # $1: label; starts Thunderbird on the profile, waits for its Inbox window
  local label=$1 start win=""
  rm -f "$work/moz-$label".*
  start=$(date +%s%N)
  HOME=$tbhome XDG_CONFIG_HOME=$tbhome/.config XDG_CACHE_HOME=$tbhome/.cache \
    XDG_DATA_HOME=$tbhome/.local/share MOZ_LOG="nsHttp:3,nsHostResolver:4" \
    MOZ_LOG_FILE="$work/moz-$label" \
    thunderbird --profile "$profile" --no-remote >"$out/thunderbird-$label.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 3000); do
    win=$(tb_window '^Inbox - Local Folders')
    [ -n "$win" ] && break
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$win" ] || { echo "thunderbird.sh: Thunderbird ($label) never showed its Inbox; see $out/thunderbird-$label.log" >&2; exit 1; }
  tb_window_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "Thunderbird ($label): Inbox window after $tb_window_ms ms" >&2
}
tb_quit() { # File > Quit (Ctrl+Q), so that the summary and the index are saved
  local win
  win=$(tb_window 'Mozilla Thunderbird$')
  if [ -n "$win" ]; then
    xdotool windowfocus --sync "$win" 2>/dev/null || true
    xdotool key --clearmodifiers ctrl+q 2>/dev/null || true
  fi
  for _ in $(seq 1800); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app_pid" 2>/dev/null; then
    echo "thunderbird.sh: Thunderbird did not quit within 180 s; killed" >&2
  fi
  stop_app
}
tb_strays() { # Thunderbird processes outside the measured tree (there should be none)
  local tree
  tree=" $(tree_pids "$app_pid" | tr '\n' ' ') "
  ps -eo pid=,args= | awk '$2 ~ /^\/usr\/lib\/thunderbird\/thunderbird(-bin)?$/ { print $1 }' | while read -r pid; do
    case "$tree" in *" $pid "*) ;; *) echo "$pid";; esac
  done
}
net_count() { # HTTP requests and DNS look-ups in the MOZ_LOG files of run $1
  local files=("$work/moz-$1".*)
  [ -e "${files[0]}" ] || { echo "0 0"; return; }
  cp "${files[@]}" "$out/" 2>/dev/null || true
  echo "$(cat "${files[@]}" | grep -c ' uri=' || true) $(cat "${files[@]}" | grep -c 'Resolving host \[' || true)"
}
gloda_count() {
  python3 -c "import sqlite3,sys
try: print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute('SELECT count(*) FROM messages').fetchone()[0])
except Exception as e: print('?')" "$profile/global-messages-db.sqlite"
}
tb_total() { # the Inbox's message count as Thunderbird saved it (folderCache.json)
  python3 -c "import json,sys
try:
  d=json.load(open(sys.argv[1]))
  print(next(v['totalMsgs'] for k,v in d.items() if k.endswith('/Inbox.msf')))
except Exception: print('?')" "$profile/folderCache.json"
}
msf="$profile/Mail/Local Folders/Inbox.msf"

gloda_pref() { # $1 = true|false; user.js is applied at every start (and prefs.js keeps the last value)
  grep -v 'mailnews.database.global.indexer.enabled' "$profile/user.js" >"$work/user.js" || true
  echo "user_pref(\"mailnews.database.global.indexer.enabled\", $1);" >>"$work/user.js"
  mv "$work/user.js" "$profile/user.js"
}
tb_settle() { # $1: label; waits until the tree has used < 5 % of a core and Inbox.msf has not
  # changed for 60 s (at most --prep-max s); sets settle_s, settled, pss_at_idle, pss_max
  local label=$1 start prev_size=-1 prev_ticks size ticks busy quiet=0 pss _n t
  start=$(date +%s); prev_ticks=$(cpu_ticks_tree "$app_pid")
  settled=no; pss_at_idle=""; pss_max=0
  while [ $(( $(date +%s) - start )) -lt "$prep_max" ]; do
    sleep 10
    t=$(( $(date +%s) - start ))
    size=$(stat -c %s "$msf" 2>/dev/null || echo 0)
    ticks=$(cpu_ticks_tree "$app_pid")
    busy=$((ticks - prev_ticks))
    read -r pss _n < <(pss_tree "$app_pid")
    [ "$pss" -gt "$pss_max" ] && pss_max=$pss
    if [ -z "$pss_at_idle" ] && [ "$t" -ge "$idle" ]; then pss_at_idle=$pss; fi
    echo "t=${t}s msf=${size}B cpu=$(cpu_pct "$busy" 10)% pss=$((pss / 1024))MB" >>"$out/thunderbird-$label-progress.log"
    if [ "$size" -gt 0 ] && [ "$size" = "$prev_size" ] && [ "$busy" -lt $((tck / 2)) ]; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    [ $((t % 60)) -lt 10 ] && tail -n1 "$out/thunderbird-$label-progress.log" >&2
    if [ "$quiet" -ge 6 ]; then settled=yes; break; fi
    prev_size=$size; prev_ticks=$ticks
  done
  settle_s=$(( $(date +%s) - start ))
  [ -n "$pss_at_idle" ] || pss_at_idle=$pss
}

# First start, gloda off: Thunderbird parses the mbox into Inbox.msf. (With gloda on at this
# point, gloda's start-up sweep, 10 s after the start, finds the 100k Inbox still being parsed,
# records it as indexed with nothing in it and never comes back to it.)
echo "==> Thunderbird: first start (unmeasured, gloda off) until Inbox.msf is built" >&2
gloda_pref false
start_display
tb_start summary
tb_settle summary
summary_s=$settle_s; summary_settled=$settled
pss_listing "$app_pid" >"$out/thunderbird-summary-ps.txt"
read -r sum_http sum_dns < <(net_count summary)
tb_quit
stop_display
tb_count=$(tb_total)
msf_mb=$(du -m "$msf" | cut -f1)
echo "Thunderbird: Inbox.msf built, idle after $summary_s s (settled: $summary_settled); Inbox $tb_count messages" >&2

# Second start, gloda on (the default): its start-up sweep indexes the whole Inbox, as it would
# have indexed the messages one by one as they arrived.
echo "==> Thunderbird: second start (unmeasured, gloda on) until gloda has indexed the Inbox" >&2
gloda_pref true
start_display
tb_start indexing
tb_settle indexing
index_s=$settle_s; index_settled=$settled; index_pss=$pss_at_idle; index_pss_max=$pss_max
pss_listing "$app_pid" >"$out/thunderbird-indexing-ps.txt"
read -r idx_http idx_dns < <(net_count indexing)
tb_quit
stop_display
index_gloda=$(gloda_count)
echo "Thunderbird: gloda idle after $index_s s (settled: $index_settled); $index_gloda messages indexed" >&2

declare -A tb_pss tb_procs tb_cpu tb_win tb_http tb_dns tb_stray
for variant in default gloda-off; do
  if [ "$variant" = gloda-off ]; then gloda_pref false; else gloda_pref true; fi
  echo "==> Thunderbird ($variant): start, idle $idle s, measure" >&2
  start_display
  tb_start "$variant"
  tb_win[$variant]=$tb_window_ms
  t0=$(cpu_ticks_tree "$app_pid")
  sleep "$idle"
  t1=$(cpu_ticks_tree "$app_pid")
  read -r pss procs < <(pss_tree "$app_pid")
  pss_listing "$app_pid" >"$out/thunderbird-$variant-ps.txt"
  screenshot "$out/thunderbird-$variant.xwd.gz"
  tb_pss[$variant]=$pss; tb_procs[$variant]=$procs
  tb_cpu[$variant]=$(cpu_pct $((t1 - t0)) "$idle")
  tb_stray[$variant]=$(tb_strays | wc -l)
  read -r "tb_http[$variant]" "tb_dns[$variant]" < <(net_count "$variant")
  echo "Thunderbird ($variant): $((pss / 1024)) MB in $procs processes, CPU while idle ${tb_cpu[$variant]} %" >&2
  tb_quit
  stop_display
done

ratio() { awk -v s="$1" -v t="$2" 'BEGIN { printf "%.2f", s / t }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r <= 0.70) ? "met" : "missed" }'; }
r_def=$(ratio "$satu_pss" "${tb_pss[default]}")
r_off=$(ratio "$satu_pss" "${tb_pss[gloda-off]}")
{
  echo "### Idle memory beside Thunderbird ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r))"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| messages | $count generated ($corpus_mb MB Maildir); Satu's store: $satu_count (satu.db $db_mb MB, import $((import_ms / 1000)) s); Thunderbird's Inbox: $tb_count (mbox $mbox_mb MB, Inbox.msf $msf_mb MB), gloda: $index_gloda indexed |"
  echo "| **Satu**, PSS after $idle s idle | **$((satu_pss / 1024)) MB** ($satu_procs processes; painted after $satu_painted ms; CPU while idle $satu_cpu %) |"
  echo "| **Thunderbird, defaults** (gloda on, index complete), PSS after $idle s idle | **$((tb_pss[default] / 1024)) MB** (${tb_procs[default]} processes; Inbox window after ${tb_win[default]} ms; CPU while idle ${tb_cpu[default]} %) |"
  echo "| Thunderbird, gloda off, PSS after $idle s idle | $((tb_pss[gloda-off] / 1024)) MB (${tb_procs[gloda-off]} processes; Inbox window after ${tb_win[gloda-off]} ms; CPU while idle ${tb_cpu[gloda-off]} %) |"
  echo "| Thunderbird while gloda indexes the Inbox (unmeasured start), PSS at $idle s | $((index_pss / 1024)) MB (highest $((index_pss_max / 1024)) MB; indexing took $index_s s, settled: $index_settled) |"
  echo "| **Satu / Thunderbird (defaults)** | **$r_def** (goal ≤ 0.70: $(verdict "$r_def")) |"
  echo "| Satu / Thunderbird (gloda off) | $r_off (goal ≤ 0.70: $(verdict "$r_off")) |"
  echo "| Thunderbird's summary build (first start, gloda off, unmeasured) | idle after $summary_s s (settled: $summary_settled) |"
  echo "| Thunderbird network (MOZ_LOG: HTTP requests, DNS look-ups) | summary build $sum_http, $sum_dns; indexing $idx_http, $idx_dns; defaults ${tb_http[default]}, ${tb_dns[default]}; gloda off ${tb_http[gloda-off]}, ${tb_dns[gloda-off]}; Thunderbird processes outside the measured tree: ${tb_stray[default]}, ${tb_stray[gloda-off]} |"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| machine | \`nproc\` $(nproc), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*: //'), $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r) |"
  echo "| Thunderbird | $tb_version (Debian package $tb_deb) |"
} | tee "$out/summary.md"
