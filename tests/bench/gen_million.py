#!/usr/bin/python3
"""Writes a large, deterministic local store's input for tests/bench/million.sh: an mbox of small
messages (threads, several languages, three years of dates) and an iCalendar file of events.

    gen_million.py --mail N --events M --mbox OUT.mbox --ics OUT.ics
"""

import argparse
import random
from datetime import datetime, timedelta, timezone

WORDS = (
    "budget review meeting invoice report project plan deadline harbour museum design draft "
    "contract client supplier shipment schedule quarterly forecast approval hiring offer travel "
    "mesyuarat bajet laporan projek jadual kelulusan pelanggan penghantaran "
    "réunion budget rapport projet calendrier approbation "
    "预算 会议 报告 项目 明天 审批 "
    "งบประมาณ รายงาน ประชุม โครงการ"
).split()
PEOPLE = [
    ("Siti Aminah", "siti@harbour.example"), ("Daniel Tan", "daniel@studio.example"),
    ("Priya Nair", "priya@studio.example"), ("Wei Chen", "wei@factory.example"),
    ("Camille Roux", "camille@atelier.example"), ("Somchai Dee", "somchai@trade.example"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mail", type=int, required=True)
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--mbox", required=True)
    ap.add_argument("--ics", required=True)
    a = ap.parse_args()
    rnd = random.Random(20261207)
    start = datetime(2023, 12, 1, tzinfo=timezone.utc)
    span = 3 * 365 * 24 * 3600
    with open(a.mbox, "w", encoding="utf-8", newline="\n") as out:
        for i in range(a.mail):
            when = start + timedelta(seconds=int(span * i / max(a.mail, 1)) + rnd.randint(0, 600))
            name, addr = PEOPLE[rnd.randrange(len(PEOPLE))]
            words = " ".join(rnd.choice(WORDS) for _ in range(5))
            reply = rnd.random() < 0.4 and i > 0
            parent = max(0, i - rnd.randint(1, 200))
            subject = ("Re: " if reply else "") + words
            body = " ".join(rnd.choice(WORDS) for _ in range(40))
            refs = f"In-Reply-To: <m{parent}@bench>\n" if reply else ""
            out.write(
                f"From bench {when:%a %b %d %H:%M:%S %Y}\n"
                f"From: {name} <{addr}>\nTo: alice@bench.example\nSubject: {subject}\n"
                f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\n"
                f"Message-ID: <m{i}@bench>\n"
                f"{refs}MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n\n"
            )
    with open(a.ics, "w", encoding="utf-8", newline="\r\n") as out:
        out.write("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Satu bench//EN\n")
        for i in range(a.events):
            when = start + timedelta(seconds=int(span * i / max(a.events, 1)))
            words = " ".join(rnd.choice(WORDS) for _ in range(3))
            out.write(
                f"BEGIN:VEVENT\nUID:e{i}@bench\nDTSTAMP:20261207T000000Z\n"
                f"DTSTART:{when:%Y%m%dT%H%M%SZ}\nDTEND:{when + timedelta(hours=1):%Y%m%dT%H%M%SZ}\n"
                f"SUMMARY:{words}\nEND:VEVENT\n"
            )
        out.write("END:VCALENDAR\n")


if __name__ == "__main__":
    main()
