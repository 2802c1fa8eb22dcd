#!/usr/bin/python3
"""Turns the raw results of run.sh (sync.tsv, search-*.jsonl) into a Markdown summary.

    summarize.py OUT_DIR
"""

import collections
import json
import os
import statistics
import sys


def pct(samples, p):
    s = sorted(samples)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def load_jsonl(path):
    merged = collections.OrderedDict()
    if not os.path.exists(path):
        return merged
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        m = merged.setdefault(r["query"], {"hits": r["hits"], "samples": [], "cli": [],
                                           "nm": r.get("notmuch_query", "")})
        m["samples"] += r["samples_us"]
        m["cli"] += r.get("cli_samples_us", [])
    return merged


def main():
    out = sys.argv[1]
    print(open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n"))
    print()
    corpus = os.path.join(out, "corpus.txt")
    if os.path.exists(corpus):
        print("Corpus:  \n" + open(corpus).read().strip().replace("\n", "  \n"))
        print()

    rows = collections.defaultdict(list)
    for line in open(os.path.join(out, "sync.tsv")).read().splitlines()[1:]:
        tool, size, rep, wall, rss, *cpu = line.split("\t")
        rows[(int(size), tool)].append((int(rep), float(wall), int(rss), float(cpu[0]) if cpu else float("nan")))
    sizes = sorted({s for s, _ in rows})
    print("### Initial sync\n")
    print("| messages | satu (each run, s) | mbsync (each run, s) | satu median | mbsync median | satu / mbsync | satu msgs/s |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for s in sizes:
        sa = [r[1] for r in sorted(rows[(s, "satu")])]
        mb = [r[1] for r in sorted(rows[(s, "mbsync")])]
        ms, mm = statistics.median(sa), statistics.median(mb)
        print(f"| {s} | {', '.join(f'{w:.2f}' for w in sa)} | {', '.join(f'{w:.2f}' for w in mb)} | "
              f"{ms:.2f} | {mm:.2f} | **{ms / mm:.2f}×** | {s / ms:.0f} |")
    if any(tool == "satu-index" for _, tool in rows):
        print("\nThe full-text index completed (`satu sync`, then `satu index --wait`; goal ≤ 2.5× mbsync):\n")
        print("| messages | index (each run, s) | sync + index (each run, s) | sync + index median | mbsync median | **(sync + index) / mbsync** |")
        print("|---:|---|---|---:|---:|---:|")
        for s in sizes:
            idx = [r[1] for r in sorted(rows[(s, "satu-index")])]
            sa = [r[1] for r in sorted(rows[(s, "satu")])]
            both = [a + b for a, b in zip(sa, idx)]
            mm = statistics.median(r[1] for r in rows[(s, "mbsync")])
            mb = statistics.median(both)
            print(f"| {s} | {', '.join(f'{w:.2f}' for w in idx)} | {', '.join(f'{w:.2f}' for w in both)} | "
                  f"{mb:.2f} | {mm:.2f} | **{mb / mm:.2f}×** |")
    print("\nClient CPU time (user + system, median; the server's is not counted):\n")
    print("| messages | satu CPU (s) | mbsync CPU (s) | satu µs CPU / message |")
    print("|---:|---:|---:|---:|")
    for s in sizes:
        sc = statistics.median(r[3] for r in rows[(s, "satu")])
        mc = statistics.median(r[3] for r in rows[(s, "mbsync")])
        print(f"| {s} | {sc:.2f} | {mc:.2f} | {sc / s * 1e6:.0f} |")
    first = os.path.join(out, "first.tsv")
    if os.path.exists(first):
        firsts = collections.defaultdict(list)
        for line in open(first).read().splitlines():
            _, size, _, secs = line.split("\t")
            firsts[int(size)].append(float(secs))
        print("\n### First screen (`account add` → newest 50 INBOX rows in the timeline; goal ≤ 1 s)\n")
        print("| messages | each run (s) | median (s) |")
        print("|---:|---|---:|")
        for s, v in sorted(firsts.items()):
            print(f"| {s} | {', '.join(f'{w:.2f}' for w in v)} | **{statistics.median(v):.2f}** |")
    print("\n### Memory (peak RSS)\n")
    print("| messages | satu sync (median, MB) | mbsync (median, MB) |")
    print("|---:|---:|---:|")
    for s in sizes:
        sr = statistics.median(r[2] for r in rows[(s, "satu")]) / 1024
        mr = statistics.median(r[2] for r in rows[(s, "mbsync")]) / 1024
        print(f"| {s} | {sr:.0f} | {mr:.0f} |")

    satu = load_jsonl(os.path.join(out, "search-satu.jsonl"))
    nm = load_jsonl(os.path.join(out, "search-notmuch.jsonl"))
    if satu and os.path.exists(os.path.join(out, "search-size.txt")):
        size = open(os.path.join(out, "search-size.txt")).read().strip()
        print(f"\n### Search ({size} messages, first 50 results newest first; ms)\n")
        print("| query | satu hits | satu p50 | satu p99 | notmuch hits | notmuch p50 | notmuch p99 | notmuch CLI p50 | p50 satu / notmuch |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        all_s, all_n, all_c = [], [], []
        for q, r in satu.items():
            n = nm.get(q, {"hits": "-", "samples": [], "cli": []})
            all_s += r["samples"]
            all_n += n["samples"]
            all_c += n["cli"]
            sp50, sp99 = pct(r["samples"], 50) / 1e3, pct(r["samples"], 99) / 1e3
            np50, np99 = pct(n["samples"], 50) / 1e3, pct(n["samples"], 99) / 1e3
            cp50 = pct(n["cli"], 50) / 1e3
            print(f"| `{q}` | {r['hits']} | {sp50:.2f} | {sp99:.2f} | {n['hits']} | {np50:.2f} | {np99:.2f} | "
                  f"{cp50:.1f} | {sp50 / np50:.2f}× |")
        print(f"| **all queries** | | **{pct(all_s, 50) / 1e3:.2f}** | **{pct(all_s, 99) / 1e3:.2f}** | | "
              f"**{pct(all_n, 50) / 1e3:.2f}** | **{pct(all_n, 99) / 1e3:.2f}** | {pct(all_c, 50) / 1e3:.1f} | "
              f"{pct(all_s, 50) / pct(all_n, 50):.2f}× |")
        print(f"\nSamples per query: satu {len(next(iter(satu.values()))['samples'])}, notmuch "
              f"{len(next(iter(nm.values()))['samples']) if nm else 0} in-process + "
              f"{len(next(iter(nm.values()))['cli']) if nm else 0} CLI.")


if __name__ == "__main__":
    main()
