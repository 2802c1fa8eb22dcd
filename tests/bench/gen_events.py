#!/usr/bin/env python3
"""Deterministic generator of a realistic calendar (iCalendar files) for the CalDAV benchmarks.

    gen_events.py N OUTDIR [--seed S]

Writes N files OUTDIR/<name>.ics, one calendar object each (RFC 5545, CRLF, lines folded at 75
octets), each with its own UID, so that they can be dropped straight into a Radicale collection
folder (the file name is the item's href) or served by any CalDAV server. The same (N, seed)
always gives byte-identical files, and event i does not depend on N (a 200-event calendar is
the first 200 events of the 10k one).

What the calendar looks like (all generated, no real data):
  * ~70 % timed events: 15 min to 3 h, working hours, over three years (2024-2026); most carry
    DTSTART;TZID=... in one of six IANA zones (Asia/Kuala_Lumpur, Europe/Berlin, Europe/London,
    America/New_York, Asia/Tokyo, Australia/Sydney) with its VTIMEZONE in the file; some are in
    UTC ("Z"), a few name a TZID without a VTIMEZONE (as some exporters do); some use DURATION
    instead of DTEND;
  * ~15 % all-day events (VALUE=DATE, one to five days, TRANSP:TRANSPARENT);
  * ~10 % recurring events: weekly (some every two weeks on two days), daily, or every weekday,
    each bounded by COUNT or UNTIL (nothing recurs forever, so expanding 1970-2100 stays small);
    about 40 % of them with one to three EXDATEs;
  * ~5 % recurring weekly meetings with one RECURRENCE-ID override (moved, renamed) in the same
    file (two VEVENTs with the same UID);
  * on some: ORGANIZER and 1-8 ATTENDEEs (CN, ROLE, PARTSTAT, RSVP), one or two VALARMs;
    most have a LOCATION and a DESCRIPTION of a few hundred bytes (English, Malay, French,
    some Chinese), CATEGORIES, STATUS, CLASS, SEQUENCE, CREATED/LAST-MODIFIED/DTSTAMP;
  * UIDs in the styles of Thunderbird/Apple (UUID), Google (...@google.com) and Outlook (long
    hex); PRODIDs of those clients.

Prints a summary (counts per kind, total size) on stderr.
"""

import argparse
import os
import random
import sys
import unicodedata
from datetime import date, datetime, timedelta, timezone

START = datetime(2024, 1, 1)
SPAN_DAYS = 3 * 365

VTIMEZONES = {
    "Asia/Kuala_Lumpur": [
        "BEGIN:VTIMEZONE", "TZID:Asia/Kuala_Lumpur",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0800", "TZOFFSETTO:+0800", "TZNAME:+08",
        "DTSTART:19700101T000000", "END:STANDARD", "END:VTIMEZONE"],
    "Asia/Tokyo": [
        "BEGIN:VTIMEZONE", "TZID:Asia/Tokyo",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:JST",
        "DTSTART:19700101T000000", "END:STANDARD", "END:VTIMEZONE"],
    "Europe/Berlin": [
        "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
        "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
        "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
        "END:VTIMEZONE"],
    "Europe/London": [
        "BEGIN:VTIMEZONE", "TZID:Europe/London",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:BST",
        "DTSTART:19700329T010000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:GMT",
        "DTSTART:19701025T020000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
        "END:VTIMEZONE"],
    "America/New_York": [
        "BEGIN:VTIMEZONE", "TZID:America/New_York",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT",
        "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST",
        "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
        "END:VTIMEZONE"],
    "Australia/Sydney": [
        "BEGIN:VTIMEZONE", "TZID:Australia/Sydney",
        "BEGIN:STANDARD", "TZOFFSETFROM:+1100", "TZOFFSETTO:+1000", "TZNAME:AEST",
        "DTSTART:19700405T030000", "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "END:STANDARD",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+1000", "TZOFFSETTO:+1100", "TZNAME:AEDT",
        "DTSTART:19701004T020000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "END:DAYLIGHT",
        "END:VTIMEZONE"],
}
ZONES = [("Asia/Kuala_Lumpur", 30), ("Europe/Berlin", 20), ("Europe/London", 15),
         ("America/New_York", 15), ("Asia/Tokyo", 10), ("Australia/Sydney", 10)]

PRODIDS = [
    ("-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", "uuid"),
    ("-//Apple Inc.//macOS 14.5//EN", "uuid"),
    ("-//Google Inc//Google Calendar 70.9054//EN", "google"),
    ("-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "outlook"),
]

FIRST = ["James", "Mary", "Aminah", "Wei", "Siti", "Pierre", "Somchai", "Ahmad", "Nurul", "Li",
         "Claire", "Rahman", "Hui Min", "Kanya", "David", "Sarah", "Farid", "Mei Ling", "Julien",
         "Arjun", "Priya", "Chloé", "Étienne", "Zainab", "Hafiz", "Anong", "Tom", "Emma"]
LAST = ["Smith", "Rahman", "Tan", "Wong", "Lefèvre", "Dubois", "Abdullah", "Ismail", "Chen",
        "Lim", "Ng", "Srisuk", "Jones", "Brown", "Martin", "Hassan", "Yusof", "Lee", "Kaur",
        "Müller", "Nakamura", "Ong", "Teo", "Wilson"]
DOMAINS = ["example.com", "example.org", "contoh.my", "entreprise.fr", "university.edu",
           "bisnes.com.my", "mail.test"]

SUBJECTS = [
    "Weekly team sync", "1:1 {name}", "Project {proj} kick-off", "Budget review Q{q}",
    "Design review: {proj}", "Sprint planning", "Sprint retrospective", "Client call – {org}",
    "Interview: {name}", "Lunch with {name}", "Dentist", "Flight to {city}", "Conference: {conf}",
    "Workshop {proj}", "Mesyuarat pasukan {proj}", "Semakan belanjawan", "Réunion d'équipe",
    "Point hebdomadaire {proj}", "Déjeuner avec {name}", "项目会议 {proj}", "季度报告审查",
    "Release {ver} go/no-go", "Incident post-mortem", "Board meeting", "Training: security",
    "Yoga", "School pick-up", "Doctor's appointment", "Coffee with {name}", "All hands",
]
ALLDAY = ["Public holiday", "Cuti umum", "Hari Raya", "Chinese New Year", "Vacances",
          "Annual leave", "Conference: {conf}", "Trip to {city}", "Offsite {proj}",
          "{name}'s birthday", "Deadline: {proj}", "Release freeze", "Moving day", "Jour férié"]
PROJECTS = ["Atlas", "Borneo", "Cendana", "Delta", "Eclipse", "Merbau", "Orion", "Pelangi",
            "Quasar", "Rimba", "Saturn", "Tembusu"]
CITIES = ["Kuching", "Kuala Lumpur", "Paris", "Berlin", "London", "New York", "Tokyo",
          "Sydney", "Singapore", "Lyon", "Penang", "Shanghai"]
CONFS = ["RustConf", "FOSDEM", "PyCon APAC", "KubeCon", "WWDC", "Devoxx", "JSConf Asia"]
ORGS = ["Acme Sdn Bhd", "Globex", "Initech", "Société Générale des Tests", "Wayne Enterprises",
        "Syarikat Contoh", "Umbrella Ltd"]
LOCATIONS = ["Room 3.14, Level 3", "Bilik Mesyuarat Utama", "Salle Voltaire", "Zoom",
             "Google Meet", "Microsoft Teams", "Cafe Mocha, Jalan Padungan", "Home office",
             "HQ, 12 Rue de la Paix, Paris", "Level 20, Menara Contoh, Kuala Lumpur",
             "Building B; entrance via car park", "会议室 A", "Dental clinic, 2nd floor"]
CATEGORIES = ["Work", "Personal", "Meeting", "Travel", "Holiday", "Family", "Health",
              "Kerja", "Travail", "Important"]

EN = ("the of and to in is for that on with as this was at by be from are have it not or we an "
      "will can all has more about our your their which one new would there been also when if "
      "meeting project update report budget review schedule deadline team client invoice agenda "
      "minutes quarterly release version server database migration design feedback question "
      "please thanks attached document presentation slides customer support ticket travel "
      "flight hotel conference workshop training approval manager office lunch plan strategy "
      "revenue forecast hiring interview security network backup performance deployment "
      "pipeline testing documentation configuration reminder calendar invitation confirmed "
      "postponed urgent important following discussed agreed").split()
MS = ("dan yang untuk dengan ini itu dari pada ke di akan tidak ada saya kami kita anda mereka "
      "mesyuarat laporan projek belanjawan jadual minggu bulan tahun pejabat pelanggan bayaran "
      "kontrak cadangan terima kasih sila semak lampiran dokumen segera penting esok pagi "
      "petang cuti kelulusan pengurus pasukan persidangan latihan keselamatan").split()
FR = ("le la les de des du un une et est en que qui dans pour pas sur avec au aux ce cette il "
      "nous vous être avoir fait réunion rapport projet budget calendrier équipe client "
      "facture contrat proposition ordre du jour trimestriel déjà très après où à hôtel été "
      "café prêt reçu merci cordialement présentation réponse semaine demain matin soir").split()
ZH = ["会议", "报告", "项目", "预算", "时间表", "团队", "客户", "合同", "建议", "议程", "季度",
      "版本", "服务器", "数据库", "设计", "反馈", "问题", "谢谢", "附件", "文件", "演示", "培训",
      "经理", "办公室", "明天", "上午", "下午", "计划", "安全", "测试", "我们", "确认", "重要"]


def escape_text(s):
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line):
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF + one space, never
    splitting a UTF-8 sequence."""
    out = []
    cur = b""
    limit = 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            out.append(cur)
            cur = b" "
            limit = 75
        cur += b
    out.append(cur)
    return b"\r\n".join(out) + b"\r\n"


def quote_param(s):
    return '"%s"' % s.replace('"', "'")


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def fmt_utc(dt):
    return dt.strftime("%Y%m%dT%H%M%SZ")


def fmt_date(d):
    return d.strftime("%Y%m%d")


def words(rng, n):
    r = rng.random()
    if r < 0.6:
        vocab, sep = EN, " "
    elif r < 0.78:
        vocab, sep = MS, " "
    elif r < 0.93:
        vocab, sep = FR, " "
    else:
        vocab, sep = ZH, ""
    return sep.join(rng.choice(vocab) for _ in range(n))


def paragraph(rng, target_bytes):
    parts = []
    size = 0
    while size < target_bytes:
        s = words(rng, rng.randint(6, 16))
        s = s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!"])
        parts.append(s)
        size += len(s.encode("utf-8")) + 1
    return " ".join(parts)


def person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = (first + "." + last).lower()
    local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode().replace(" ", "")
    return "%s %s" % (first, last), "%s@%s" % (local, rng.choice(DOMAINS))


def fill(rng, template):
    return template.format(name=rng.choice(FIRST), proj=rng.choice(PROJECTS), q=rng.randint(1, 4),
                           org=rng.choice(ORGS), city=rng.choice(CITIES), conf=rng.choice(CONFS),
                           ver="%d.%d" % (rng.randint(1, 9), rng.randint(0, 20)))


def make_uid(rng, style):
    if style == "uuid":
        h = "%032x" % rng.getrandbits(128)
        u = "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20],
                                   h[20:32])
        return u.upper() if rng.random() < 0.5 else u
    if style == "google":
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(rng.choice(alphabet) for _ in range(26)) + "@google.com"
    return "040000008200E00074C5B7101A82E00800000000%032X" % rng.getrandbits(128)


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def common_props(rng, uid, stamp, created, modified, seq):
    return [
        "UID:" + uid,
        "DTSTAMP:" + fmt_utc(stamp),
        "CREATED:" + fmt_utc(created),
        "LAST-MODIFIED:" + fmt_utc(modified),
    ] + (["SEQUENCE:%d" % seq] if seq or rng.random() < 0.5 else [])


def describe(rng, props, summary):
    props.append("SUMMARY:" + escape_text(summary))
    if rng.random() < 0.65:
        props.append("LOCATION:" + escape_text(rng.choice(LOCATIONS)))
    if rng.random() < 0.9:
        text = paragraph(rng, rng.randint(120, 450))
        if rng.random() < 0.5:
            text += "\n\n" + paragraph(rng, rng.randint(60, 250))
        if rng.random() < 0.3:
            text += "\n\nJoin: https://meet.example.com/%s-%s" % (
                rng.choice(PROJECTS).lower(), rng.randint(100000, 999999))
        props.append("DESCRIPTION:" + escape_text(text))
    if rng.random() < 0.5:
        cats = rng.sample(CATEGORIES, rng.randint(1, 2))
        props.append("CATEGORIES:" + ",".join(escape_text(c) for c in cats))
    if rng.random() < 0.6:
        props.append("STATUS:" + rng.choice(["CONFIRMED", "CONFIRMED", "CONFIRMED", "TENTATIVE"]))
    if rng.random() < 0.3:
        props.append("CLASS:" + rng.choice(["PUBLIC", "PRIVATE", "CONFIDENTIAL"]))
    if rng.random() < 0.05:
        props.append("URL:https://www.example.org/events/%d" % rng.randint(1000, 99999))


def attendees(rng, props):
    if rng.random() >= 0.4:
        return
    org_name, org_mail = person(rng)
    props.append("ORGANIZER;CN=%s:mailto:%s" % (quote_param(org_name), org_mail))
    for k in range(rng.randint(1, 8)):
        name, mail = person(rng)
        role = "REQ-PARTICIPANT" if rng.random() < 0.8 else "OPT-PARTICIPANT"
        stat = rng.choice(["ACCEPTED", "ACCEPTED", "NEEDS-ACTION", "TENTATIVE", "DECLINED"])
        rsvp = ";RSVP=TRUE" if stat == "NEEDS-ACTION" else ""
        cutype = ";CUTYPE=INDIVIDUAL" if rng.random() < 0.5 else ""
        props.append("ATTENDEE%s;ROLE=%s;PARTSTAT=%s%s;CN=%s:mailto:%s" % (
            cutype, role, stat, rsvp, quote_param(name), mail))
    if rng.random() < 0.3:
        props.append("ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED;CN=%s:"
                     "mailto:room-%d@example.com" % (quote_param(rng.choice(LOCATIONS)),
                                                     rng.randint(1, 40)))


def alarms(rng, all_day):
    if rng.random() >= 0.35:
        return []
    out = []
    triggers = ["-PT15H", "-P1D", "-PT9H"] if all_day else ["-PT15M", "-PT10M", "-PT5M",
                                                           "-PT30M", "-PT1H", "-P1D"]
    for _ in range(1 if rng.random() < 0.8 else 2):
        out += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:" + rng.choice(triggers),
                "DESCRIPTION:Reminder"]
        if rng.random() < 0.3:
            out.append("X-WR-ALARMUID:%032x" % rng.getrandbits(128))
        out.append("END:VALARM")
    return out


def local_start(rng):
    day = START + timedelta(days=rng.randrange(SPAN_DAYS))
    return day.replace(hour=rng.randint(7, 18), minute=rng.choice([0, 0, 0, 15, 30, 30, 45]))


def event(i, seed):
    """Returns (kind, uid, file bytes) of event number i."""
    rng = random.Random("%s-%d" % (seed, i))
    prodid, uid_style = rng.choice(PRODIDS)
    uid = make_uid(rng, uid_style)
    r = rng.random()
    kind = ("timed" if r < 0.70 else "allday" if r < 0.85 else "recurring" if r < 0.95
            else "override")
    start = local_start(rng)
    created = start - timedelta(days=rng.randint(1, 90), seconds=rng.randint(0, 86399))
    if created < datetime(2023, 6, 1):
        created = datetime(2023, 6, 1) + timedelta(seconds=rng.randint(0, 86400 * 30))
    modified = created + timedelta(seconds=rng.randint(0, 86400 * 20))
    stamp = modified
    seq = rng.choice([0, 0, 0, 1, 2])
    tzid = weighted(rng, ZONES)
    tz_lines = []
    vevents = []  # lists of property lines, then alarms

    def when_timed(props, dt, minutes, zone_mode):
        if zone_mode == "utc":
            props.append("DTSTART:" + fmt_utc(dt))
            end = dt + timedelta(minutes=minutes)
            props.append("DTEND:" + fmt_utc(end))
            return
        props.append("DTSTART;TZID=%s:%s" % (tzid, fmt_local(dt)))
        if rng.random() < 0.1:
            h, m = divmod(minutes, 60)
            props.append("DURATION:PT%s%s" % ("%dH" % h if h else "", "%dM" % m if m else ""))
        else:
            props.append("DTEND;TZID=%s:%s" % (tzid, fmt_local(dt + timedelta(minutes=minutes))))

    minutes = rng.choice([15, 30, 30, 45, 60, 60, 60, 90, 120, 180])
    if kind == "timed":
        z = rng.random()
        zone_mode = "utc" if z < 0.12 else "tzid-only" if z < 0.20 else "vtimezone"
        if zone_mode == "vtimezone":
            tz_lines = VTIMEZONES[tzid]
        props = common_props(rng, uid, stamp, created, modified, seq)
        when_timed(props, start, minutes, zone_mode)
        describe(rng, props, fill(rng, rng.choice(SUBJECTS)))
        attendees(rng, props)
        props.append("TRANSP:OPAQUE")
        vevents.append(props + alarms(rng, False))
    elif kind == "allday":
        d = start.date()
        days = rng.choice([1, 1, 1, 1, 2, 3, 5])
        props = common_props(rng, uid, stamp, created, modified, seq)
        props.append("DTSTART;VALUE=DATE:" + fmt_date(d))
        props.append("DTEND;VALUE=DATE:" + fmt_date(d + timedelta(days=days)))
        describe(rng, props, fill(rng, rng.choice(ALLDAY)))
        props.append("TRANSP:TRANSPARENT")
        vevents.append(props + alarms(rng, True))
    else:
        tz_lines = VTIMEZONES[tzid]
        props = common_props(rng, uid, stamp, created, modified, seq)
        when_timed(props, start, minutes, "vtimezone")
        days = "MO TU WE TH FR SA SU".split()
        wd = days[start.weekday()]
        style = rng.random() if kind == "recurring" else 0.0
        per_step = 1  # occurrences per step (for the COUNT of the last EXDATE-able one)
        if style < 0.5:  # weekly on the start's day
            step = timedelta(days=7)
            count = rng.randint(6, 52)
            rule = "FREQ=WEEKLY;BYDAY=" + wd
        elif style < 0.65:  # every two weeks on two days
            step = timedelta(days=14)
            count = rng.randint(6, 40)
            other = days[(start.weekday() + 2) % 5] if start.weekday() < 5 else "MO"
            rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=%s,%s" % (wd, other)
            per_step = 2
        elif style < 0.85:  # daily
            step = timedelta(days=1)
            count = rng.randint(3, 30)
            rule = "FREQ=DAILY"
        else:  # every weekday
            if start.weekday() >= 5:
                start = start + timedelta(days=7 - start.weekday())
                props = [p for p in props if not p.startswith(("DTSTART", "DTEND", "DURATION"))]
                when_timed(props, start, minutes, "vtimezone")
            step = timedelta(days=7)  # EXDATEs on the same weekday are occurrences
            count = rng.randint(5, 60)
            rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
            per_step = 5
        if rng.random() < 0.6:
            rule += ";COUNT=%d" % count
            last_k = (count - 1) // per_step
        else:
            last = start + step * (count - 1)
            rule += ";UNTIL=" + fmt_utc(last.replace(hour=23, minute=59, second=59))
            last_k = count - 1
        props.append("RRULE:" + rule)
        if kind == "recurring" and rng.random() < 0.4 and last_k >= 2:
            ks = sorted(rng.sample(range(1, last_k + 1), min(last_k, rng.randint(1, 3))))
            props.append("EXDATE;TZID=%s:%s" % (tzid, ",".join(fmt_local(start + step * k)
                                                               for k in ks)))
        subject = fill(rng, rng.choice(SUBJECTS))
        describe(rng, props, subject)
        attendees(rng, props)
        vevents.append(props + alarms(rng, False))
        if kind == "override":
            k = rng.randint(1, max(1, last_k))
            orig = start + step * k
            moved = orig + rng.choice([timedelta(hours=1), timedelta(hours=-1), timedelta(days=1),
                                       timedelta(minutes=30)])
            o = common_props(rng, uid, stamp + timedelta(days=3), created,
                             modified + timedelta(days=3), seq + 1)
            o.append("RECURRENCE-ID;TZID=%s:%s" % (tzid, fmt_local(orig)))
            o.append("DTSTART;TZID=%s:%s" % (tzid, fmt_local(moved)))
            o.append("DTEND;TZID=%s:%s" % (tzid, fmt_local(moved + timedelta(minutes=minutes))))
            describe(rng, o, subject + rng.choice([" (moved)", " – rescheduled", " (dipinda)",
                                                   " (déplacé)"]))
            attendees(rng, o)
            vevents.append(o + alarms(rng, False))

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + prodid]
    if uid_style == "google":
        lines += ["CALSCALE:GREGORIAN"]
    lines += tz_lines
    for v in vevents:
        lines += ["BEGIN:VEVENT"] + v + ["END:VEVENT"]
    lines.append("END:VCALENDAR")
    return kind, uid, modified, b"".join(fold(line) for line in lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of calendar objects (events)")
    ap.add_argument("outdir", help="folder to write the .ics files into (created if missing)")
    ap.add_argument("--seed", default="20261202", help="seed (default 20261202)")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    uids = set()
    kinds = {}
    total = 0
    for i in range(args.n):
        kind, uid, modified, data = event(i, args.seed)
        if uid in uids:  # astronomically unlikely; keeps the promise of unique UIDs
            sys.exit("gen_events.py: duplicate UID %s at event %d" % (uid, i))
        uids.add(uid)
        kinds[kind] = kinds.get(kind, 0) + 1
        total += len(data)
        path = os.path.join(args.outdir, uid + ".ics")
        with open(path, "wb") as f:
            f.write(data)
        t = modified.replace(tzinfo=timezone.utc).timestamp()
        os.utime(path, (t, t))
    n = max(args.n, 1)
    print("gen_events.py: %d events (%s), %.1f MB, mean %.0f bytes, seed %s" % (
        args.n, ", ".join("%s %d" % (k, kinds.get(k, 0))
                          for k in ("timed", "allday", "recurring", "override")),
        total / 1e6, total / n, args.seed), file=sys.stderr)


if __name__ == "__main__":
    main()
