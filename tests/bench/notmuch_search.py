#!/usr/bin/python3
"""Times the benchmark queries on notmuch, the peer of `search_bench`.

    notmuch_search.py NOTMUCH_CONFIG QUERIES_FILE ITERATIONS CLI_ITERATIONS

Two measurements per query, printed as one JSON line each:
  * "inproc": in-process via the notmuch2 bindings (Debian python3-notmuch2): open the database
    once, then per call the 50 newest matching *messages* (what Satu's search returns);
  * "cli": the whole `notmuch search --limit=50 --sort=newest-first QUERY` process (threads,
    as a user or script would run it: includes process start-up and output).
Same query semantics as Satu: every word must match and the last one is a prefix (`word*`);
words of scripts without spaces (Chinese, Thai) are left as they are (Xapian splits CJK into
n-grams itself and does not expand wildcards on them).
"""

import json
import os
import subprocess
import sys
import time

import notmuch2


def to_notmuch(text):
    words = text.split()
    out = []
    for i, w in enumerate(words):
        latin = all(ord(c) < 0x2E80 for c in w)
        if i == len(words) - 1 and latin:
            out.append(w + "*")
        else:
            out.append(w)
    return " and ".join(out)


def main():
    config, queries_file, iterations, cli_iterations = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    queries = [l.strip() for l in open(queries_file, encoding="utf-8") if l.strip() and not l.startswith("#")]
    os.environ["NOTMUCH_CONFIG"] = config
    db = notmuch2.Database(mode=notmuch2.Database.MODE.READ_ONLY, config=config)
    nm = [to_notmuch(q) for q in queries]

    def run(q):
        n = 0
        for _ in db.messages(q, sort=notmuch2.Database.SORT.NEWEST_FIRST):
            n += 1
            if n == 50:
                break
        return n

    hits = [run(q) for q in nm]
    samples = [[] for _ in nm]
    for _ in range(iterations):
        for i, q in enumerate(nm):
            t = time.perf_counter()
            run(q)
            samples[i].append(int((time.perf_counter() - t) * 1e6))
    db.close()
    cli = [[] for _ in nm]
    for _ in range(cli_iterations):
        for i, q in enumerate(nm):
            t = time.perf_counter()
            subprocess.run(["notmuch", "search", "--limit=50", "--sort=newest-first", q],
                           check=True, stdout=subprocess.DEVNULL)
            cli[i].append(int((time.perf_counter() - t) * 1e6))
    for i, q in enumerate(queries):
        print(json.dumps({"query": q, "notmuch_query": nm[i], "hits": hits[i],
                          "samples_us": samples[i], "cli_samples_us": cli[i]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
