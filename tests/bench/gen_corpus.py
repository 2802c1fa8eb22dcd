#!/usr/bin/env python3
"""Deterministic generator of a realistic mail corpus for the Satu benchmarks.

    gen_corpus.py --count N --maildir DIR [--seed S] [--jobs J]

Writes N RFC 5322 messages into DIR/cur/ (DIR/new and DIR/tmp are created too) with
Maildir file names ``<unix time>.M<n>P0.satubench,S=<size>:2,<flags>`` and mtime = Date, so a
Dovecot can pick them up with ``doveadm index`` and notmuch with ``notmuch new``. The same
(count, seed) always gives byte-identical files.

What the corpus looks like (all generated, no real data):
  * sizes 2-200 KB: most messages are 2-10 KB of text, ~20 % carry one or two attachments
    (base64 PDFs/PNGs/JPEGs of random bytes), a tail goes up to ~200 KB;
  * threads: about a third of the messages reply to an earlier one (In-Reply-To, References,
    "Re: " subject);
  * languages and charsets: English (UTF-8, us-ascii), Malay (UTF-8), Chinese (UTF-8 and
    GB2312, base64), French (ISO-8859-1, quoted-printable, RFC 2047 subjects), Thai (UTF-8);
  * about half are multipart/alternative text + HTML;
  * realistic headers: Received, DKIM-Signature, Message-ID, List-Id, X-Mailer, dates spread
    over three years in several time zones, about 70 % seen.

The set of words is fixed; a few rare words ("bioluminescence", "Kuching", ...) are planted at
known low rates so that searches for them have few hits.
"""

import argparse
import base64
import math
import multiprocessing
import os
import quopri
import random
import sys
from email.header import Header
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

START = datetime(2023, 11, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 3 * 365 * 24 * 3600

FIRST = ["James", "Mary", "Aminah", "Wei", "Siti", "Pierre", "Somchai", "Ahmad", "Nurul", "Li",
         "Claire", "Rahman", "Hui Min", "Kanya", "David", "Sarah", "Farid", "Mei Ling", "Julien",
         "Arjun", "Priya", "Tan", "Lim", "Chloé", "Étienne", "Zainab", "Hafiz", "Anong", "Tom",
         "Emma", "Olivia", "Noah", "Liam", "Aisyah", "Daniel", "Grace", "Kevin", "Jessica"]
LAST = ["Smith", "Rahman", "Tan", "Wong", "Lefèvre", "Dubois", "Abdullah", "Ismail", "Chen",
        "Lim", "Ng", "Srisuk", "Jones", "Brown", "Martin", "Bernard", "Hassan", "Yusof", "Lee",
        "Kaur", "Singh", "Garcia", "Müller", "Nakamura", "Ong", "Teo", "Chua", "Wilson"]
DOMAINS = ["example.com", "example.org", "contoh.my", "entreprise.fr", "gongsi.cn",
           "bisnes.com.my", "lists.example.net", "university.edu", "บริษัท.th", "mail.test"]

EN = ("the of and to in is for that on with as this was at by be from are have it not or we an "
      "will can all has more about our your their which one new would there been also when if "
      "meeting project update report budget review schedule deadline team client invoice "
      "payment contract proposal draft agenda minutes quarterly annual release version server "
      "database migration design feedback question answer please thanks regards attached "
      "document presentation slides customer support ticket issue bug feature request travel "
      "flight hotel conference workshop training holiday leave approval manager office lunch "
      "dinner weekend tomorrow yesterday morning afternoon evening week month year plan "
      "strategy marketing sales revenue forecast target growth hiring interview candidate "
      "offer onboarding security password account access login network backup storage cloud "
      "performance latency throughput benchmark results analysis data model training "
      "deployment pipeline testing coverage reviewer merge branch commit repository "
      "documentation configuration settings notification reminder calendar invitation "
      "confirmed cancelled postponed urgent important following discussed agreed").split()
MS = ("dan yang untuk dengan ini itu dari pada ke di akan tidak ada saya kami kita anda mereka "
      "mesyuarat laporan projek belanjawan jadual minggu bulan tahun pejabat pelanggan bayaran "
      "invois kontrak cadangan terima kasih sila semak lampiran dokumen segera penting esok "
      "semalam pagi petang malam cuti kelulusan pengurus pasukan makan tengah hari "
      "persidangan latihan keselamatan rangkaian pelayan pangkalan data kemaskini").split()
FR = ("le la les de des du un une et est en que qui dans pour pas sur avec au aux ce cette il "
      "nous vous ils être avoir fait réunion rapport projet budget calendrier équipe client "
      "facture paiement contrat proposition ordre du jour procès-verbal trimestriel annuel "
      "déjà très après où à ça élève hôtel été café prêt reçu merci cordialement pièce jointe "
      "présentation réponse question semaine mois année demain hier matin après-midi soir "
      "congés approbation responsable bureau déjeuner dîner sécurité réseau sauvegarde").split()
ZH = ["会议", "报告", "项目", "预算", "时间表", "团队", "客户", "发票", "付款", "合同", "建议",
      "议程", "季度", "年度", "版本", "服务器", "数据库", "迁移", "设计", "反馈", "问题", "回答",
      "谢谢", "附件", "文件", "演示", "支持", "旅行", "酒店", "培训", "假期", "批准", "经理",
      "办公室", "午餐", "明天", "昨天", "上午", "下午", "计划", "市场", "销售", "收入", "安全",
      "网络", "备份", "性能", "测试", "我们", "你们", "他们", "今天", "请", "确认", "重要"]
TH = ["สวัสดี", "ครับ", "ค่ะ", "การประชุม", "รายงาน", "โครงการ", "งบประมาณ", "ตาราง", "ทีม",
      "ลูกค้า", "ใบแจ้งหนี้", "การชำระเงิน", "สัญญา", "ข้อเสนอ", "ขอบคุณ", "เอกสาร", "แนบ",
      "พรุ่งนี้", "เมื่อวาน", "เช้า", "บ่าย", "วันหยุด", "ผู้จัดการ", "สำนักงาน", "อาหารกลางวัน",
      "ความปลอดภัย", "เครือข่าย", "สำรองข้อมูล", "ประสิทธิภาพ", "ทดสอบ", "สำคัญ", "ด่วน"]
# Rare words and how often (per message) each is planted.
RARE = [("bioluminescence", 0.0003), ("Kuching", 0.002), ("zeppelin", 0.001),
        ("xylophone", 0.00005), ("quarantine", 0.005), ("Putrajaya", 0.003)]

LANGS = [  # (language, charset, share)
    ("en", "utf-8", 0.50), ("en", "us-ascii", 0.10), ("ms", "utf-8", 0.14),
    ("fr", "iso-8859-1", 0.10), ("zh", "utf-8", 0.07), ("zh", "gb2312", 0.04),
    ("th", "utf-8", 0.05),
]
ATTACHMENTS = [("application/pdf", "pdf", ["laporan", "invoice", "report", "contract", "facture", "slides"]),
               ("image/png", "png", ["screenshot", "diagram", "chart", "photo"]),
               ("image/jpeg", "jpg", ["IMG_", "photo", "scan", "gambar"])]


def words_for(lang):
    return {"en": EN, "ms": MS, "fr": FR, "zh": ZH, "th": TH}[lang]


def sentence(rng, lang, n):
    ws = [rng.choice(words_for(lang)) for _ in range(n)]
    if lang == "zh":
        # Chinese has no spaces; clauses are separated by punctuation.
        return "".join(ws[: n // 2]) + "，" + "".join(ws[n // 2:]) + "。"
    if lang == "th":
        # Thai writes words together; spaces separate phrases.
        return "".join(ws[: n // 2]) + " " + "".join(ws[n // 2:]) + " "
    s = " ".join(ws)
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng, lang, sentences):
    return " ".join(sentence(rng, lang, rng.randint(6, 18)) for _ in range(sentences))


def person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = (first.split()[0] + "." + last).lower()
    local = local.encode("ascii", "ignore").decode() or "user"
    return f"{first} {last}", f"{local}@{rng.choice(DOMAINS[:8])}"


def addr(name, address):
    if all(ord(c) < 128 for c in name):
        return f'"{name}" <{address}>'
    return f"{Header(name, 'utf-8').encode()} <{address}>"


def plan(count, seed):
    """Per-message metadata that depends on earlier messages (threads, dates): cheap, serial."""
    rng = random.Random(seed)
    times = sorted(rng.randrange(SPAN_SECONDS) for _ in range(count))
    metas = []
    threads = []  # (subject, lang, charset, [message ids])
    for i, t in enumerate(times):
        mid = f"{i:08d}.{rng.getrandbits(40):010x}@satu-bench.example"
        reply_to = None
        if threads and rng.random() < 0.35:
            # Reply to a recent thread (locality: the last 200 threads).
            th = threads[max(0, len(threads) - 1 - int(rng.expovariate(1 / 30)) % 200)]
            reply_to = th
        if reply_to is not None:
            subject, lang, charset, ids = reply_to
            refs = ids[-10:]
            ids.append(mid)
            metas.append((i, t, mid, lang, charset, "Re: " + subject, refs))
        else:
            r, acc = rng.random(), 0.0
            lang, charset = LANGS[0][0], LANGS[0][1]
            for lg, cs, share in LANGS:
                acc += share
                if r < acc:
                    lang, charset = lg, cs
                    break
            srng = random.Random(seed * 7919 + i)
            subject = sentence(srng, lang, srng.randint(3, 8)).rstrip(".?!。 ")
            if rng.random() < 0.1:
                subject = "[" + rng.choice(["team", "ops", "announce", "sales"]) + "] " + subject
            threads.append((subject, lang, charset, [mid]))
            metas.append((i, t, mid, lang, charset, subject, []))
    return metas


def encode_text(text, charset, html=False):
    """(Content-Type, Content-Transfer-Encoding, body bytes) of a text part."""
    ctype = "text/html" if html else "text/plain"
    if charset == "us-ascii":
        data = text.encode("ascii", "replace")
        return f"{ctype}; charset=us-ascii", "7bit", data
    if charset == "iso-8859-1":
        data = quopri.encodestring(text.encode("iso-8859-1", "replace"))
        return f"{ctype}; charset=iso-8859-1", "quoted-printable", data
    if charset == "gb2312":
        data = base64.encodebytes(text.encode("gb2312", "replace"))
        return f"{ctype}; charset=gb2312", "base64", data
    raw = text.encode("utf-8")
    if html:
        if len(raw) > len(text) * 1.3:  # mostly non-Latin: base64 is smaller than QP
            return f"{ctype}; charset=utf-8", "base64", base64.encodebytes(raw)
        return f"{ctype}; charset=utf-8", "quoted-printable", quopri.encodestring(raw)
    return f"{ctype}; charset=utf-8", "8bit", wrap8(raw)


def wrap8(raw):
    # 8bit bodies still need lines under 998 octets.
    out = []
    for line in raw.split(b"\n"):
        while len(line) > 900:
            cut = line.rfind(b" ", 0, 900)
            cut = 900 if cut <= 0 else cut
            while cut < len(line) and (line[cut] & 0xC0) == 0x80:
                cut += 1  # never split a UTF-8 sequence
            out.append(line[:cut])
            line = line[cut:].lstrip(b" ")
        out.append(line)
    return b"\n".join(out)


def subject_header(subject, charset):
    if all(ord(c) < 128 for c in subject):
        return subject
    cs = "utf-8" if charset in ("us-ascii", "utf-8") else charset
    try:
        return Header(subject, cs).encode()
    except UnicodeEncodeError:
        return Header(subject, "utf-8").encode()


def target_size(rng):
    """Bytes of the whole message: mostly 2-10 KB, a tail to 200 KB."""
    r = rng.random()
    if r < 0.70:
        return rng.randint(2_000, 10_000)
    if r < 0.92:
        return rng.randint(10_000, 50_000)
    return int(min(200_000, 50_000 * math.exp(rng.random() * math.log(4))))


def make(meta, seed):
    i, t, mid, lang, charset, subject, refs = meta
    rng = random.Random(seed * 1_000_003 + i)
    when = START + timedelta(seconds=t)
    tz = timezone(timedelta(hours=rng.choice([8, 8, 8, 0, 1, 7, -5, -8, 5.5])))
    date = format_datetime(when.astimezone(tz))
    from_name, from_addr = person(rng)
    tos = [person(rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    size = target_size(rng)
    attach = size > 12_000 and rng.random() < 0.8 or rng.random() < 0.05

    has_html = rng.random() < 0.5
    # Text: a few KB when attachments fill the message, else the whole budget (shared with the
    # HTML alternative, which is about as big).
    text_budget = min(size, rng.randint(1_500, 9_000)) if attach else size - 1_500
    if has_html:
        text_budget //= 2
    paras = []
    greeting = {"en": "Hi", "ms": "Salam", "fr": "Bonjour", "zh": "您好", "th": "สวัสดีครับ"}[lang]
    paras.append(f"{greeting} {tos[0][0].split()[0]},")
    body_len = 0
    while body_len < max(300, text_budget * 0.8):
        p = paragraph(rng, lang, rng.randint(2, 6))
        paras.append(p)
        body_len += len(p.encode("utf-8"))
    for word, rate in RARE:
        if rng.random() < rate:
            k = rng.randrange(1, len(paras))
            paras[k] += " " + word + "."
    paras.append(f"-- \n{from_name}")
    if refs:
        paras.append("> " + paragraph(rng, lang, 2))
    text = "\n\n".join(paras) + "\n"

    headers = [
        f"Return-Path: <{from_addr}>",
        f"Received: from mx{rng.randint(1, 9)}.{from_addr.split('@')[1]} (mx.{from_addr.split('@')[1]} "
        f"[192.0.2.{rng.randint(1, 254)}]) by mail.satu-bench.example with ESMTPS id {rng.getrandbits(48):012X}; {date}",
        f"Received: from [10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}] by "
        f"smtp.{from_addr.split('@')[1]} with ESMTPSA; {date}",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + from_addr.split("@")[1] +
        "; s=mail; h=from:to:subject:date:message-id;\r\n\tbh=" +
        base64.b64encode(rng.randbytes(32)).decode() + ";\r\n\tb=" +
        base64.b64encode(rng.randbytes(128)).decode(),
        f"From: {addr(from_name, from_addr)}",
        "To: " + ", ".join(addr(n, a) for n, a in tos),
        f"Subject: {subject_header(subject, charset)}",
        f"Date: {date}",
        f"Message-ID: <{mid}>",
    ]
    if refs:
        headers.append(f"In-Reply-To: <{refs[-1]}>")
        headers.append("References: " + "\r\n\t".join(f"<{r}>" for r in refs))
    if subject.startswith("["):
        tag = subject[1:subject.index("]")]
        headers.append(f"List-Id: {tag} list <{tag}.lists.example.net>")
    headers.append("X-Mailer: " + rng.choice(["Thunderbird 128.3", "Apple Mail (2.3774)",
                                               "Microsoft Outlook 16.0", "Roundcube 1.6", "Satu bench"]))
    headers.append("MIME-Version: 1.0")

    boundary = f"=_satu_{rng.getrandbits(64):016x}"
    alt_boundary = f"=_alt_{rng.getrandbits(64):016x}"
    parts = []  # (headers, body) of the top-level multipart, or a single part
    tctype, tcte, tdata = encode_text(text, charset)
    text_part = [f"Content-Type: {tctype}", f"Content-Transfer-Encoding: {tcte}"], tdata
    if has_html:
        html = "<html><body>" + "".join(
            f"<p>{p.replace('&', '&amp;').replace('<', '&lt;')}</p>\n" for p in paras
        ) + "</body></html>\n"
        hctype, hcte, hdata = encode_text(html, charset, html=True)
        body_part = (
            [f'Content-Type: multipart/alternative; boundary="{alt_boundary}"'],
            b"".join(
                f"--{alt_boundary}\r\n".encode() + "\r\n".join(h).encode() + b"\r\n\r\n" + d.replace(b"\n", b"\r\n") + b"\r\n"
                for h, d in [text_part, ([f"Content-Type: {hctype}", f"Content-Transfer-Encoding: {hcte}"], hdata)]
            ) + f"--{alt_boundary}--\r\n".encode(),
        )
    else:
        body_part = text_part[0], text_part[1].replace(b"\n", b"\r\n")

    if attach:
        parts.append(body_part)
        remaining = max(1_000, size - 2_000 - len(body_part[1]))
        n_att = 1 if rng.random() < 0.8 else 2
        for k in range(n_att):
            ctype, ext, stems = rng.choice(ATTACHMENTS)
            raw_len = int(remaining / n_att * 0.72)
            data = rng.randbytes(max(200, raw_len))
            if ext == "pdf":
                data = b"%PDF-1.4\n" + data
            name = f"{rng.choice(stems)}{rng.randint(1, 9999)}.{ext}"
            parts.append((
                [f'Content-Type: {ctype}; name="{name}"',
                 f'Content-Disposition: attachment; filename="{name}"',
                 "Content-Transfer-Encoding: base64"],
                base64.encodebytes(data).replace(b"\n", b"\r\n"),
            ))
        headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        body = b"This is a multi-part message in MIME format.\r\n\r\n" + b"".join(
            f"--{boundary}\r\n".encode() + "\r\n".join(h).encode() + b"\r\n\r\n" + d + b"\r\n"
            for h, d in parts
        ) + f"--{boundary}--\r\n".encode()
    else:
        headers.extend(body_part[0])
        body = body_part[1]
    msg = "\r\n".join(headers).encode("utf-8") + b"\r\n\r\n" + body
    flags = "S" if rng.random() < 0.7 else ""
    if rng.random() < 0.03:
        flags = "F" + flags
    return i, int(when.timestamp()), msg, flags


def write_one(args):
    meta, seed, cur = args
    i, ts, msg, flags = make(meta, seed)
    name = f"{ts}.M{i}P0.satubench,S={len(msg)}:2,{flags}"
    path = os.path.join(cur, name)
    with open(path, "wb") as f:
        f.write(msg)
    os.utime(path, (ts, ts))
    return len(msg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--days", type=float, default=None,
                    help="spread the dates over the last DAYS days up to now (default: three years from 2023-11-01)")
    args = ap.parse_args()
    if args.days is not None:
        # Workers are forked after this: they see the new span.
        global START, SPAN_SECONDS
        SPAN_SECONDS = max(1, int(args.days * 24 * 3600))
        START = datetime.now(timezone.utc) - timedelta(seconds=SPAN_SECONDS)
    cur = os.path.join(args.maildir, "cur")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(args.maildir, sub), exist_ok=True)
    metas = plan(args.count, args.seed)
    work = [(m, args.seed, cur) for m in metas]
    with multiprocessing.Pool(args.jobs) as pool:
        sizes = pool.map(write_one, work, chunksize=200)
    sizes.sort()
    total = sum(sizes)
    print(f"gen_corpus: {len(sizes)} messages, {total / 1e6:.0f} MB, median {sizes[len(sizes) // 2] / 1e3:.1f} KB, "
          f"mean {total / len(sizes) / 1e3:.1f} KB, p99 {sizes[int(len(sizes) * 0.99)] / 1e3:.0f} KB, "
          f"max {sizes[-1] / 1e3:.0f} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
