#!/usr/bin/env python3
"""Self-test of tests/servers/dovecot.sh: start two instances (one PERSONALITY=plain) at once, log in
over plain, STARTTLS and implicit TLS (verifying the certificate against CA_FILE), check the
folders, the capabilities, a wrong password and `append`, then stop both and check they are gone.
Usage: python3 tests/servers/selftest.py    (prints 'N passed, 0 failed' at the end)
"""
import imaplib
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "dovecot.sh")
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
    out = subprocess.run(["bash", SCRIPT, "start", dir_], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=60)
    took = time.monotonic() - t
    if out.returncode != 0:
        sys.exit(f"start failed: {out.stdout}\n{out.stderr}")
    lines = out.stdout.splitlines()
    check("start prints exactly one line on stdout", len(lines) == 1, repr(out.stdout))
    vars_ = dict(kv.split("=", 1) for kv in lines[-1].split())
    print(f"     started in {took:.2f}s: {lines[-1]}")
    return vars_


def tls_context(ca):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = True
    return ctx


def caps_after_login(conn):
    typ, data = conn.capability()
    return set(data[0].decode().upper().split())


def folders(conn):
    typ, data = conn.list()
    out = {}
    for raw in data:
        m = re.match(r'\((?P<flags>[^)]*)\) "(?P<sep>[^"]*)" (?P<name>.+)', raw.decode())
        out[m["name"].strip('"')] = set(m["flags"].split())
    return out


def exercise(v, personality):
    host, port, sport, ca = "127.0.0.1", int(v["IMAP_PORT"]), int(v["IMAPS_PORT"]), v["CA_FILE"]
    # Plain (loopback) login.
    c = imaplib.IMAP4(host, port)
    check(f"[{personality}] plain port greets", c.welcome.startswith(b"* OK"), c.welcome)
    pre = set(c.capabilities)
    check(f"[{personality}] STARTTLS offered before login", "STARTTLS" in pre, pre)
    c.login("alice", "alice-pass")
    caps = caps_after_login(c)
    f = folders(c)
    want = {"INBOX": None, "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk", "Archive": "\\Archive"}
    for name, flag in want.items():
        check(f"[{personality}] LIST has {name} {flag or ''}", name in f and (flag is None or flag in f[name]), f)
    c.logout()
    if personality == "full":
        for cap in ["IDLE", "CONDSTORE", "QRESYNC", "ENABLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "LITERAL+"]:
            check(f"[full] capability {cap}", cap in caps, caps)
    else:
        for cap in ["CONDSTORE", "QRESYNC"]:
            check(f"[plain] no capability {cap}", cap not in caps, caps)
        for cap in ["IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE"]:
            check(f"[plain] still capability {cap}", cap in caps, caps)
    # STARTTLS with certificate verification for "localhost".
    c = imaplib.IMAP4("localhost", port)
    c.starttls(ssl_context=tls_context(ca))
    c.login("bob", "bob-pass")
    check(f"[{personality}] STARTTLS + LOGIN bob", True)
    c.logout()
    # Implicit TLS, verified for the IP address.
    c = imaplib.IMAP4_SSL(host, sport, ssl_context=tls_context(ca))
    c.login("alice", "alice-pass")
    check(f"[{personality}] implicit TLS on 127.0.0.1 verifies against CA_FILE", True)
    c.logout()
    # Without the CA the certificate is refused.
    try:
        imaplib.IMAP4_SSL(host, sport, ssl_context=ssl.create_default_context())
        check(f"[{personality}] untrusted certificate refused", False)
    except ssl.SSLCertVerificationError:
        check(f"[{personality}] untrusted certificate refused", True)
    # Wrong password.
    c = imaplib.IMAP4(host, port)
    t = time.monotonic()
    try:
        c.login("alice", "wrong")
        check(f"[{personality}] wrong password fails", False)
    except imaplib.IMAP4.error as e:
        check(f"[{personality}] wrong password gives NO [AUTHENTICATIONFAILED]", "AUTHENTICATIONFAILED" in str(e), str(e))
        check(f"[{personality}] ... without Dovecot's 2 s delay", time.monotonic() - t < 1.0, time.monotonic() - t)
    c.logout()


def append_and_fetch(dir_, v):
    msg = os.path.join(dir_, "msg.eml")
    with open(msg, "w") as fh:
        fh.write("From: carol@example.org\r\nTo: alice@example.com\r\nSubject: Appended\r\n"
                 "Message-ID: <appended@example.org>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n")
    c = imaplib.IMAP4("127.0.0.1", int(v["IMAP_PORT"]))
    c.login("alice", "alice-pass")
    c.select("Archive")
    c.send(b"i1 IDLE\r\n")
    check("IDLE accepted", c.readline().startswith(b"+"))
    t = time.monotonic()
    out = subprocess.run(["bash", SCRIPT, "append", dir_, "alice", "Archive", msg], capture_output=True, text=True)
    check("append exits 0", out.returncode == 0, out.stderr)
    c.sock.settimeout(5)
    line = c.readline()
    check("IDLE sees the appended message (EXISTS)", b"EXISTS" in line, line)
    print(f"     IDLE notification after {time.monotonic() - t:.2f}s")
    c.send(b"DONE\r\n")
    while not c.readline().startswith(b"i1 "):
        pass
    typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    check("appended message is in Archive", b"Appended" in data[0][1], data)
    c.logout()


def listening(port):
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def main():
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        va = start(a)
        vb = start(b, PERSONALITY="plain")
        check("two instances use different ports", {va["IMAP_PORT"], va["IMAPS_PORT"]}.isdisjoint({vb["IMAP_PORT"], vb["IMAPS_PORT"]}))
        try:
            exercise(va, "full")
            exercise(vb, "plain")
            append_and_fetch(a, va)
            again = subprocess.run(["bash", SCRIPT, "start", a], capture_output=True, text=True)
            check("a second start on a running DIR fails clearly", again.returncode != 0 and "already runs" in again.stderr, again.stderr)
        finally:
            for d, v in ((a, va), (b, vb)):
                t = time.monotonic()
                subprocess.run(["bash", SCRIPT, "stop", d], check=True)
                took = time.monotonic() - t
                print(f"     stopped in {took:.2f}s")
                check("stopped: ports closed", not listening(int(v["IMAP_PORT"])) and not listening(int(v["IMAPS_PORT"])))
                check("stopped: master gone", not os.path.exists(f"/proc/{v['DOVECOT_PID']}"))
                st = subprocess.run(["bash", SCRIPT, "status", d])
                check("status says stopped", st.returncode == 1)
        # Restart of the same DIR keeps the mail and (when free) the ports.
        vr = start(a)
        check("restart keeps the ports", (vr["IMAP_PORT"], vr["IMAPS_PORT"]) == (va["IMAP_PORT"], va["IMAPS_PORT"]), vr)
        c = imaplib.IMAP4("127.0.0.1", int(vr["IMAP_PORT"]))
        c.login("alice", "alice-pass")
        typ, data = c.select("Archive")
        check("restart keeps the mail", data[0] == b"1", data)
        c.logout()
        subprocess.run(["bash", SCRIPT, "stop", a], check=True)
        subprocess.run(["bash", SCRIPT, "stop", a], check=True)  # stopping twice is fine
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
