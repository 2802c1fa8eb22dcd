# shellcheck shell=bash
# Memory and CPU of a process tree, for the desktop benchmarks (sourced by app.sh and
# thunderbird.sh; bash).
#
#   pss_tree PID       "TOTAL_KB COUNT": the summed PSS (/proc/PID/smaps_rollup) of PID and every
#                      descendant, and how many processes that is
#   pss_listing PID    one line per process of the same tree: pid, ppid, PSS kB, RSS kB, command
#   cpu_ticks_tree PID user + system CPU time (clock ticks, getconf CLK_TCK) used so far by the
#                      processes of the tree that are alive now

tree_pids() { # PID and every descendant, parents first
  local pids=("$1") pid child
  while [ ${#pids[@]} -gt 0 ]; do
    pid=${pids[0]}; pids=("${pids[@]:1}")
    echo "$pid"
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pids+=("$child"); done
  done
}

pss_tree() { # the summed PSS (kB) of $1 and every descendant
  local pids=("$1") all=() pid total=0 kb
  while [ ${#pids[@]} -gt 0 ]; do
    pid=${pids[0]}; pids=("${pids[@]:1}"); all+=("$pid")
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pids+=("$child"); done
  done
  for pid in "${all[@]}"; do
    kb=$(awk '/^Pss:/ { print $2 }' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total ${#all[@]}"
}

pss_listing() { # per-process PSS and RSS of $1's tree, then the sum
  local pid pss rss ppid cmd total=0
  printf '%8s %8s %10s %10s  %s\n' PID PPID PSS_kB RSS_kB COMMAND
  for pid in $(tree_pids "$1"); do
    pss=$(awk '/^Pss:/ { print $2 }' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    rss=$(awk '/^Rss:/ { print $2 }' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    ppid=$(awk '/^PPid:/ { print $2 }' /proc/"$pid"/status 2>/dev/null || echo '?')
    cmd=$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-200)
    printf '%8s %8s %10s %10s  %s\n' "$pid" "$ppid" "${pss:-0}" "${rss:-0}" "$cmd"
    total=$((total + ${pss:-0}))
  done
  printf '%8s %8s %10s\n' total '' "$total"
}

cpu_ticks_tree() { # utime + stime (fields 14 and 15 of /proc/PID/stat) over $1's tree
  local pid total=0 t
  for pid in $(tree_pids "$1"); do
    # the command name (field 2) may hold spaces: count the fields after its closing ")"
    t=$(sed 's/.*) //' /proc/"$pid"/stat 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
