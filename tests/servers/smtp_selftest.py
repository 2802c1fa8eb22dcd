#!/usr/bin/env python3
"""Self-test of tests/servers/smtp.sh and tests/servers/smtp_fault_proxy.py: start a server, send
over STARTTLS with AUTH (verifying the certificate against CA_FILE), over implicit TLS and over the
plain port; check AUTH before STARTTLS, a wrong password (535), a rejected recipient (550), RCPT
without MAIL, SMTP_LOG and the .eml files; run the proxy with each fault point once (--every 1),
--every 2, the control file, pipelined commands and --kill-pid-file; save to a Dovecot Sent folder
with REPLY_DELAY_MS; restart on the same ports; stop everything.
Usage: python3 tests/servers/smtp_selftest.py    (prints 'N passed, 0 failed' at the end)
"""
import json
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SMTP_SH = os.path.join(HERE, "smtp.sh")
DOVECOT_SH = os.path.join(HERE, "dovecot.sh")
PROXY = os.path.join(HERE, "smtp_fault_proxy.py")
KEYS = ["SMTP_HOST", "SMTP_PORT", "SUBMISSIONS_PORT", "SMTP_PLAIN_PORT", "CA_FILE", "SMTP_DIR", "SMTP_PID", "SMTP_LOG"]
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def start(dir_, **env):
    t = time.monotonic()
    out = subprocess.run(["bash", SMTP_SH, "start", dir_], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=120)
    took = time.monotonic() - t
    if out.returncode != 0:
        sys.exit(f"smtp.sh start failed: {out.stdout}\n{out.stderr}")
    lines = out.stdout.splitlines()
    check("start prints exactly one line on stdout", len(lines) == 1, repr(out.stdout))
    vars_ = dict(kv.split("=", 1) for kv in lines[-1].split())
    check("start prints the documented keys in order", list(vars_) == KEYS, list(vars_))
    with open(os.path.join(dir_, "env")) as f:
        check("DIR/env holds the same line", f.read().strip() == lines[-1])
    print(f"     started in {took:.2f}s: {lines[-1]}")
    return vars_


def stop(dir_):
    subprocess.run(["bash", SMTP_SH, "stop", dir_], check=True, timeout=30)


def log_entries(v):
    try:
        with open(v["SMTP_LOG"]) as f:
            return [json.loads(line) for line in f]
    except FileNotFoundError:
        return []


def message(mid, subject="Test"):
    return (f"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: {subject}\r\n"
            f"Message-ID: <{mid}>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\n"
            f"Hello Bob.\r\n.A line that starts with a dot.\r\nBye.\r\n").encode()


def entry_for(v, mid):
    return [e for e in log_entries(v) if e["message_id"] == f"<{mid}>"]


def tls_context(ca):
    return ssl.create_default_context(cafile=ca)  # verifies the chain and the host name


def exercise_server(v):
    host, ca = "127.0.0.1", v["CA_FILE"]
    port, sport, pport = int(v["SMTP_PORT"]), int(v["SUBMISSIONS_PORT"]), int(v["SMTP_PLAIN_PORT"])

    # STARTTLS port: no AUTH before STARTTLS, AUTH after it.
    s = smtplib.SMTP(host, port, timeout=10)
    code, _ = s.ehlo("client.test")
    check("smtp: EHLO answers 250", code == 250)
    check("smtp: STARTTLS offered", s.has_extn("starttls"), s.esmtp_features)
    check("smtp: no AUTH before STARTTLS", not s.has_extn("auth"), s.esmtp_features)
    code, text = s.docmd("AUTH", "PLAIN AGFsaWNlAGFsaWNlLXBhc3M=")
    check("smtp: AUTH before STARTTLS refused (538)", code == 538, (code, text))
    s.starttls(context=tls_context(ca))
    s.ehlo("client.test")
    check("smtp: AUTH PLAIN LOGIN after STARTTLS",
          set(s.esmtp_features.get("auth", "").split()) == {"PLAIN", "LOGIN"}, s.esmtp_features)
    s.login("alice", "alice-pass")
    raw = message("starttls-1@example.com", "Over STARTTLS")
    refused = s.sendmail("alice@example.com", ["bob@example.com", "carol@example.org"], raw)
    check("smtp: message accepted", refused == {}, refused)
    # A rejected recipient, alone and next to a good one.
    s.mail("alice@example.com")
    code, text = s.rcpt("reject@example.com")
    check("rejected recipient: 550 5.1.1 with the address",
          code == 550 and text == b"5.1.1 <reject@example.com>: Recipient address rejected: User unknown",
          (code, text))
    code, _ = s.rcpt("rejected.too@example.com")
    check("any local part starting with 'reject' is refused", code == 550, code)
    code, _ = s.rcpt("bob@example.com")
    check("a good recipient after a rejected one: 250", code == 250, code)
    s.rset()
    code, text = s.docmd("RCPT", "TO:<bob@example.com>")
    check("RCPT without MAIL FROM: 503", code == 503, (code, text))
    s.quit()

    entries = entry_for(v, "starttls-1@example.com")
    check("SMTP_LOG has one line for the message", len(entries) == 1, log_entries(v))
    e = entries[0] if entries else {}
    check("log line: envelope and auth user",
          e.get("mail_from") == "alice@example.com" and e.get("rcpt") == ["bob@example.com", "carol@example.org"]
          and e.get("auth_user") == "alice" and e.get("listener") == "smtp", e)
    check("log line: seq, size, time", e.get("seq") == 1 and e.get("size") == len(raw)
          and str(e.get("time", "")).endswith("Z"), e)
    eml = e.get("file", "")
    check("the .eml is DIR/messages/000001.eml", eml == os.path.join(v["SMTP_DIR"], "messages", "000001.eml"), eml)
    with open(eml, "rb") as f:
        check("the .eml holds the bytes as sent (CRLF, dot-unstuffed)", f.read() == raw)

    # Wrong password, then implicit TLS with AUTH LOGIN.
    s = smtplib.SMTP_SSL(host, sport, context=tls_context(ca), timeout=10)
    s.ehlo("client.test")
    check("submissions: AUTH offered at once", s.has_extn("auth") and not s.has_extn("starttls"), s.esmtp_features)
    try:
        s.login("bob", "wrong")
        check("wrong password: 535", False, "login succeeded")
    except smtplib.SMTPAuthenticationError as err:
        check("wrong password: 535 5.7.8 with a clear text",
              err.smtp_code == 535 and err.smtp_error.startswith(b"5.7.8 ") and b"password" in err.smtp_error,
              (err.smtp_code, err.smtp_error))
    s.user, s.password = "bob", "bob-pass"
    code, _ = s.auth("LOGIN", s.auth_login)
    check("submissions: AUTH LOGIN works", code == 235, code)
    raw2 = b"Subject: no id\r\n\r\nno Message-ID here\r\n"
    s.sendmail("bob@example.com", ["alice@example.com"], raw2)
    s.quit()
    last = log_entries(v)[-1]
    check("submissions: logged with message_id null, auth bob",
          last["message_id"] is None and last["auth_user"] == "bob" and last["listener"] == "submissions"
          and last["seq"] == 2, last)

    # The plain port: AUTH without TLS.
    s = smtplib.SMTP(host, pport, timeout=10)
    s.ehlo("client.test")
    check("plain: AUTH offered without TLS, no STARTTLS",
          s.has_extn("auth") and not s.has_extn("starttls"), s.esmtp_features)
    s.login("alice", "alice-pass")
    s.sendmail("alice@example.com", ["bob@example.com"], message("plain-1@example.com"))
    s.quit()
    check("plain: logged", [x["listener"] for x in entry_for(v, "plain-1@example.com")] == ["plain"])


class FaultProxy:
    def __init__(self, upstream_port, workdir, *args):
        self.stats = os.path.join(workdir, "proxy-stats.json")
        self.log = os.path.join(workdir, "proxy.log")
        for p in (self.stats,):
            if os.path.exists(p):
                os.unlink(p)
        self.proc = subprocess.Popen(
            [sys.executable, PROXY, "--upstream", f"127.0.0.1:{upstream_port}", "--stats", self.stats,
             "--log", self.log, *args], stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().strip()
        assert first.startswith("PROXY_PORT="), first
        self.port = int(first.split("=", 1)[1])

    def read_stats(self):
        with open(self.stats) as f:
            return json.load(f)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        return self.read_stats()


def send_via(port, mid, login=True):
    """Sends one message through 127.0.0.1:port; returns None or the exception that ended it."""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.ehlo("client.test")
        if login:
            s.login("alice", "alice-pass")
        s.sendmail("alice@example.com", ["bob@example.com"], message(mid))
        s.quit()
        return None
    except (smtplib.SMTPException, OSError) as err:
        return err


def exercise_proxy(v, workdir):
    pport = int(v["SMTP_PLAIN_PORT"])
    for point in ("none", "before-mail", "after-rcpt", "mid-data", "after-dot"):
        proxy = FaultProxy(pport, workdir, "--point", point, "--every", "1")
        mid = f"proxy-{point}@example.com"
        err = send_via(proxy.port, mid)
        recorded = bool(entry_for(v, mid))
        stats_now = proxy.read_stats()
        # A message straight to the server afterwards: what the fault left behind is settled.
        send_via(pport, f"after-{point}@example.com")
        recorded = recorded or bool(entry_for(v, mid))
        stats = proxy.stop()
        if point == "none":
            check("proxy none: message passes", err is None and recorded, err)
            check("proxy none: stats 1 connection, 0 faults", stats == {"connections": 1, "faults": 0}, stats)
            continue
        check(f"proxy {point}: the client sees the connection drop",
              isinstance(err, (smtplib.SMTPServerDisconnected, ConnectionError)), repr(err))
        check(f"proxy {point}: fault counted before the client saw it", stats_now["faults"] == 1, stats_now)
        check(f"proxy {point}: stats on exit", stats == {"connections": 1, "faults": 1}, stats)
        if point == "after-dot":
            check("proxy after-dot: the server recorded the message", recorded, log_entries(v)[-3:])
        else:
            check(f"proxy {point}: the server recorded nothing", not recorded)

    # --every 2: the first connection faults, the retry passes, the third faults again.
    proxy = FaultProxy(pport, workdir, "--point", "after-dot", "--every", "2")
    errs = [send_via(proxy.port, f"every2-{i}@example.com") for i in (1, 2, 3)]
    stats = proxy.stop()
    check("proxy --every 2: connections 1 and 3 fault, 2 passes",
          [e is None for e in errs] == [False, True, False], errs)
    check("proxy --every 2: stats", stats == {"connections": 3, "faults": 2}, stats)
    check("proxy --every 2: after-dot still delivered all three",
          all(entry_for(v, f"every2-{i}@example.com") for i in (1, 2, 3)))

    # The control file overrides --point and re-arms counting when it changes.
    control = os.path.join(workdir, "proxy-control")
    with open(control, "w") as f:
        f.write("none\n")
    proxy = FaultProxy(pport, workdir, "--point", "after-dot", "--every", "1", "--control", control)
    e1 = send_via(proxy.port, "control-1@example.com")
    with open(control, "w") as f:
        f.write("before-mail 2\n")
    e2 = send_via(proxy.port, "control-2@example.com")
    e3 = send_via(proxy.port, "control-3@example.com")
    os.unlink(control)  # back to the command line: after-dot, every connection
    e4 = send_via(proxy.port, "control-4@example.com")
    stats = proxy.stop()
    check("proxy --control: none, then before-mail 2 (fault, pass), then the CLI's after-dot",
          [e1 is None, e2 is None, e3 is None, e4 is None] == [True, False, True, False]
          and bool(entry_for(v, "control-4@example.com")) and not entry_for(v, "control-2@example.com"),
          (e1, e2, e3, e4))
    check("proxy --control: stats", stats == {"connections": 4, "faults": 2}, stats)

    # Pipelined commands in one packet, and a line split across packets: after-rcpt lets the MAIL
    # and RCPT replies through, then drops the connection at DATA.
    proxy = FaultProxy(pport, workdir, "--point", "after-rcpt", "--every", "1")
    c = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    f = c.makefile("rb")
    greeting = f.readline()
    c.sendall(b"EH")
    time.sleep(0.05)
    c.sendall(b"LO client.test\r\n")
    ehlo = []
    while True:
        line = f.readline()
        ehlo.append(line)
        if line[3:4] != b"-":
            break
    c.sendall(b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
    replies = [f.readline(), f.readline(), f.readline()]
    f.close()
    c.close()  # (the socket stays open while its makefile() does)
    stats = proxy.stop()
    check("proxy pipelined: greeting and a multi-line EHLO reply pass",
          greeting.startswith(b"220 ") and len(ehlo) > 1 and ehlo[-1].startswith(b"250 "), (greeting, ehlo))
    check("proxy pipelined after-rcpt: MAIL and RCPT replies, then EOF at DATA",
          replies[0].startswith(b"250") and replies[1].startswith(b"250") and replies[2] == b"", replies)
    check("proxy pipelined: one fault", stats == {"connections": 1, "faults": 1}, stats)

    # --kill-pid-file: the "client" process dies at the fault point.
    victim = subprocess.Popen(["sleep", "60"])
    pid_file = os.path.join(workdir, "client.pid")
    with open(pid_file, "w") as f:
        f.write(f"{victim.pid}\n")
    proxy = FaultProxy(pport, workdir, "--point", "after-dot", "--every", "1", "--kill-pid-file", pid_file)
    err = send_via(proxy.port, "killed-client@example.com")
    try:
        rc = victim.wait(timeout=5)
    except subprocess.TimeoutExpired:
        victim.kill()
        rc = "still running"
    proxy.stop()
    check("proxy --kill-pid-file: the pid was killed with SIGKILL", rc == -9, rc)
    check("proxy --kill-pid-file after-dot: dropped and recorded",
          err is not None and bool(entry_for(v, "killed-client@example.com")), err)
    with open(os.path.join(workdir, "proxy.log")) as f:
        text = f.read()
    check("proxy log names connections and faults", "connection 1" in text and "injected after-dot" in text)


def doveadm_sent(conf, mid):
    out = subprocess.run(["doveadm", "-c", conf, "fetch", "-u", "alice", "flags hdr.message-id", "mailbox", "Sent"],
                         capture_output=True, text=True, check=True).stdout
    return [r for r in out.split("\f") if f"<{mid}>" in r]


def exercise_save_sent(workdir):
    # Run as root, Dovecot serves mail as nobody, which must get through the temporary directory.
    os.chmod(workdir, 0o711)
    dov_dir = os.path.join(workdir, "dovecot")
    os.mkdir(dov_dir)
    out = subprocess.run(["bash", DOVECOT_SH, "start", dov_dir], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        check("dovecot.sh start (for SAVE_SENT_DOVECOT)", False, out.stderr)
        return
    dv = dict(kv.split("=", 1) for kv in out.stdout.split())
    smtp_dir = os.path.join(workdir, "smtp-sent")
    try:
        v = start(smtp_dir, SAVE_SENT_DOVECOT=dov_dir, REPLY_DELAY_MS="300")
        s = smtplib.SMTP("127.0.0.1", int(v["SMTP_PORT"]), timeout=10)
        s.starttls(context=tls_context(v["CA_FILE"]))
        s.login("alice", "alice-pass")
        t = time.monotonic()
        s.sendmail("alice@example.com", ["bob@example.com"], message("sent-1@example.com"))
        took = time.monotonic() - t
        # The copy is there as soon as the 250 has arrived.
        records = doveadm_sent(dv["DOVECOT_CONF"], "sent-1@example.com")
        check("SAVE_SENT_DOVECOT: in alice's Sent before the 250", len(records) == 1, records)
        check("SAVE_SENT_DOVECOT: flagged \\Seen", bool(records) and "\\Seen" in records[0], records)
        check("REPLY_DELAY_MS=300: the reply to the dot waits", took >= 0.3, f"{took:.3f}s")
        s.quit()
        # Through the proxy with after-dot: saved to Sent although the client never heard back.
        proxy = FaultProxy(int(v["SMTP_PLAIN_PORT"]), workdir, "--point", "after-dot", "--every", "1")
        err = send_via(proxy.port, "sent-2@example.com")
        proxy.stop()
        check("SAVE_SENT_DOVECOT + after-dot: dropped, yet in Sent",
              err is not None and len(doveadm_sent(dv["DOVECOT_CONF"], "sent-2@example.com")) == 1, err)
        # A client that hangs up right after its final dot: the server still records and saves.
        c = socket.create_connection(("127.0.0.1", int(v["SMTP_PLAIN_PORT"])), timeout=10)
        f = c.makefile("rb")
        for cmd in (None, b"EHLO client.test", b"AUTH PLAIN AGFsaWNlAGFsaWNlLXBhc3M=",
                    b"MAIL FROM:<alice@example.com>", b"RCPT TO:<bob@example.com>", b"DATA"):
            if cmd:
                c.sendall(cmd + b"\r\n")
            while f.readline()[3:4] == b"-":  # to the last line of the reply
                pass
        c.sendall(message("sent-3@example.com") + b".\r\n")
        f.close()
        c.close()  # (the socket stays open while its makefile() does)
        deadline = time.monotonic() + 5
        while not doveadm_sent(dv["DOVECOT_CONF"], "sent-3@example.com") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the \Seen flag comes last
        records = doveadm_sent(dv["DOVECOT_CONF"], "sent-3@example.com")
        check("SAVE_SENT_DOVECOT: a client gone after its dot still gets its copy in Sent, \\Seen",
              len(records) == 1 and "\\Seen" in records[0] and len(entry_for(v, "sent-3@example.com")) == 1,
              records)
    finally:
        stop(smtp_dir)
        subprocess.run(["bash", DOVECOT_SH, "stop", dov_dir], timeout=30)


def gone(pid):
    """True when pid has exited (a zombie that no one has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def main():
    with tempfile.TemporaryDirectory(prefix="satu-smtp-selftest-") as workdir:
        dir_ = os.path.join(workdir, "smtp")
        v = start(dir_)
        try:
            check("SMTP_HOST is 127.0.0.1", v["SMTP_HOST"] == "127.0.0.1")
            check("status: running", subprocess.run(["bash", SMTP_SH, "status", dir_]).returncode == 0)
            for key in ("SMTP_PORT", "SUBMISSIONS_PORT", "SMTP_PLAIN_PORT"):
                with socket.socket() as probe:
                    busy = probe.connect_ex(("127.0.0.1", int(v[key]))) == 0
                check(f"{key} listens on 127.0.0.1", busy)
            exercise_server(v)
            exercise_proxy(v, workdir)
        finally:
            stop(dir_)
        check("stop: the process is gone", gone(int(v["SMTP_PID"])))
        check("status after stop: not running", subprocess.run(["bash", SMTP_SH, "status", dir_]).returncode != 0)
        subprocess.run(["bash", SMTP_SH, "stop", dir_], check=True)
        check("stop twice is fine", True)

        # A restart of the same DIR: same ports, numbering goes on.
        before = len(log_entries(v))
        v2 = start(dir_)
        try:
            check("restart: same ports", all(v2[k] == v[k] for k in ("SMTP_PORT", "SUBMISSIONS_PORT", "SMTP_PLAIN_PORT")),
                  (v, v2))
            send_via(int(v2["SMTP_PLAIN_PORT"]), "after-restart@example.com")
            e = entry_for(v2, "after-restart@example.com")
            check("restart: seq goes on", bool(e) and e[0]["seq"] == before + 1, (before, e))
        finally:
            stop(dir_)

        exercise_save_sent(workdir)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
