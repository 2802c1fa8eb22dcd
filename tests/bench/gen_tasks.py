#!/usr/bin/env python3
"""Deterministic generator of a task list (iCalendar VTODO files) for the CalDAV benchmarks.

    gen_tasks.py N OUTDIR [--seed S]

Writes N files OUTDIR/task-<i>.ics, one VTODO each (RFC 5545, CRLF), each with its own UID, so
that they can be dropped straight into a Radicale task-list folder (the file name is the href).
The same (N, seed) always gives byte-identical files. About a third are done (STATUS:COMPLETED,
COMPLETED), most have a DUE date (some a date-time in UTC), some a PRIORITY, a DESCRIPTION and
CATEGORIES. Prints a summary on stderr.
"""

import argparse
import os
import random
import sys
from datetime import datetime, timedelta

VERBS = ["Review", "Send", "Prepare", "Call", "Book", "Check", "Semak", "Hantar", "Sediakan",
         "Relancer", "Préparer", "准备", "确认"]
THINGS = ["the budget", "invoice {n}", "the contract", "slides for {proj}", "the release notes",
          "laporan suku tahun", "minit mesyuarat", "le devis", "合同", "季度报告",
          "flights to {city}", "the onboarding checklist"]
PROJECTS = ["Atlas", "Borneo", "Cendana", "Merbau", "Orion", "Pelangi", "Rimba"]
CITIES = ["Kuching", "Paris", "Tokyo", "Penang", "Lyon", "Shanghai"]
START = datetime(2024, 1, 1)


def task(i, rng):
    title = "%s %s" % (rng.choice(VERBS), rng.choice(THINGS).format(
        n=1000 + i, proj=rng.choice(PROJECTS), city=rng.choice(CITIES)))
    created = START + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Satu bench//gen_tasks.py//EN",
             "BEGIN:VTODO", "UID:task-%d@gen-tasks.example" % i, "DTSTAMP:" + stamp,
             "CREATED:" + stamp, "LAST-MODIFIED:" + stamp, "SUMMARY:" + title.replace(",", "\\,")]
    if rng.random() < 0.8:
        due = created + timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.7:
            lines.append("DUE;VALUE=DATE:" + due.strftime("%Y%m%d"))
        else:
            lines.append("DUE:" + due.strftime("%Y%m%dT%H%M%SZ"))
    if rng.random() < 0.4:
        lines.append("PRIORITY:%d" % rng.choice([1, 5, 9]))
    if rng.random() < 0.5:
        lines.append("DESCRIPTION:Task %d of the benchmark list\\, with a note." % i)
    if rng.random() < 0.3:
        lines.append("CATEGORIES:" + rng.choice(["Work", "Kerja", "Travail", "Personal"]))
    if rng.random() < 0.33:
        done = created + timedelta(days=rng.randrange(0, 30))
        lines += ["STATUS:COMPLETED", "COMPLETED:" + done.strftime("%Y%m%dT%H%M%SZ"),
                  "PERCENT-COMPLETE:100"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    lines += ["END:VTODO", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    total = 0
    for i in range(args.n):
        data = task(i, random.Random(args.seed * 1_000_003 + i))
        with open(os.path.join(args.outdir, "task-%d.ics" % i), "wb") as f:
            f.write(data)
        total += len(data)
    print("gen_tasks.py: %d tasks, %d bytes" % (args.n, total), file=sys.stderr)


if __name__ == "__main__":
    main()
