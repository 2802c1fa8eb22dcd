#!/usr/bin/env bash
# The desktop app's start-up and idle memory at two commits, in one run on one machine (issue
# #16: "not worse than before, before and after in one run").
#
#   tests/bench/app_before_after.sh BEFORE [AFTER] [--count 100000] [--reps 5] [--idle 300]
#
# BEFORE and AFTER (default HEAD) are commits. Each is checked out in its own worktree and built
# (UI, release CLI and app) into its own target dir under $BENCH_CACHE (default
# ~/.cache/satu/bench-<commit>), so the two builds never share or overwrite artefacts. The corpus
# is generated once and imported by each commit's own CLI (each reads the store its own schema
# wrote), then `app.sh --data` measures AFTER, BEFORE, AFTER, BEFORE (--reps starts each; the idle
# PSS is taken after the last start of each pass). Prints each pass's summary and the ratios of
# the medians after/before. Raw output in $BENCH_OUT (default tests/bench/out/app-ba-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
before=""
after=HEAD
count=100000
reps=5
idle=300
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --reps) reps=$2; shift ;;
    --idle) idle=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "app_before_after.sh: unknown argument $1" >&2; exit 2 ;;
    *) if [ -z "$before" ]; then before=$1; else after=$1; fi ;;
  esac
  shift
done
[ -n "$before" ] || { echo "usage: app_before_after.sh BEFORE [AFTER]" >&2; exit 2; }

cache=${BENCH_CACHE:-$HOME/.cache/satu}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/app-ba-$stamp}
mkdir -p "$out"
work=$(mktemp -d "${BENCH_TMP:-/dev/shm}/satu-app-ba.XXXXXX")
trap 'rm -rf "$work"' EXIT

declare -A tree target
for rev in "$before" "$after"; do
  sha=$(git -C "$repo" rev-parse --short=12 "$rev^{commit}")
  tree[$rev]="$cache/bench-tree-$sha"
  target[$rev]="$cache/bench-target-$sha"
  if [ ! -d "${tree[$rev]}" ]; then
    git -C "$repo" worktree add --detach "${tree[$rev]}" "$sha" >&2
  fi
  echo "==> Building $rev ($sha)" >&2
  (
    cd "${tree[$rev]}"
    export CARGO_TARGET_DIR=${target[$rev]}
    # shellcheck source=../../scripts/lib.sh
    source scripts/lib.sh
    build_ui >&2
    cargo build --release -p satu-cli >&2
    cargo build --release --features custom-protocol -p satu-app >&2
  )
done

echo "==> Generating $count messages" >&2
python3 "$here/gen_corpus.py" --count "$count" --maildir "$work/Maildir" >&2
for rev in "$before" "$after"; do
  echo "==> Importing with $rev" >&2
  start=$(date +%s%N)
  "${target[$rev]}/release/satu" --data-dir "$work/data-$rev" import maildir "$work/Maildir" >&2
  echo "import $rev: $(( ($(date +%s%N) - start) / 1000000 )) ms" | tee -a "$out/imports.txt" >&2
done
rm -rf "$work/Maildir"

for pass in 1 2; do
  for rev in "$after" "$before"; do
    echo "==> Pass $pass: $rev" >&2
    SATU_BENCH_NO_BUILD=1 CARGO_TARGET_DIR=${target[$rev]} BENCH_OUT="$out/$rev-$pass" \
      "$here/app.sh" --data "$work/data-$rev" --reps "$reps" --idle "$idle" >"$out/$rev-$pass.md"
  done
done

median() { grep -o 'median\*\* | \*\*[0-9.]*' "$1" | grep -o '[0-9.]*$'; }
pss() { grep -o 'idle | \*\*[0-9]*' "$1" | grep -o '[0-9]*$'; }
{
  echo "### Start-up and idle memory, $before → $after ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, $(uname -r))"
  echo
  echo "| pass | commit | median start to painted (ms) | PSS idle (MB) |"
  echo "|---|---|---:|---:|"
  for pass in 1 2; do
    for rev in "$after" "$before"; do
      echo "| $pass | $rev | $(median "$out/$rev-$pass.md") | $(pss "$out/$rev-$pass.md") |"
    done
  done
  a=$( (median "$out/$after-1.md"; median "$out/$after-2.md") | sort -n | head -n1)
  b=$( (median "$out/$before-1.md"; median "$out/$before-2.md") | sort -n | head -n1)
  pa=$( (pss "$out/$after-1.md"; pss "$out/$after-2.md") | sort -n | head -n1)
  pb=$( (pss "$out/$before-1.md"; pss "$out/$before-2.md") | sort -n | head -n1)
  echo
  echo "Best pass each: start-up after/before = $(python3 -c "print(f'{$a/$b:.2f}')"), PSS after/before = $(python3 -c "print(f'{$pa/$pb:.2f}')")."
} | tee "$out/summary.md"
