#!/usr/bin/env python3
"""A recording SMTP submission server for tests (aiosmtpd), on 127.0.0.1 only.

Started by tests/servers/smtp.sh, which documents the interface; run it through that script. Three
listeners share one handler:
  smtp          plain SMTP offering STARTTLS; AUTH only after STARTTLS
  submissions   implicit TLS; AUTH at once
  plain         plain SMTP without TLS, AUTH allowed (loopback fault-injection tests via a proxy)

Every accepted message is written to DIR/messages/NNNNNN.eml (the bytes as received, CRLF, after
dot-unstuffing) and gets one JSON line in DIR/messages.jsonl, both fsync'd before the 250 reply.
With --deliver-dovecot the message is delivered, as the recipients' provider would, into the INBOX of
each recipient that is a user of that Dovecot instance, with a Received and an Authentication-Results
header on top (AUTHSERV_ID, AUTH_RESULTS in the environment), before the 250.
With --save-sent-dovecot the message is then also saved into the authenticated user's Sent folder
of that Dovecot instance (tests/servers/dovecot.sh append), flagged \\Seen, also before the 250.
Once the final dot has arrived, recording and saving finish even if the client goes away.

With OAUTH2_INTROSPECTION_URL in the environment, AUTH XOAUTH2 and OAUTHBEARER are offered too: the
bearer token is POSTed to that RFC 7662 introspection URL (HTTP Basic credentials taken from the URL);
it must be active and its sub the user named in the SASL message. A refused token gets the RFC 7628
error challenge `334 <base64 JSON>`, then, after the client's (dummy) response, 535 5.7.8.

Exit status 98 when a port cannot be bound (smtp.sh then retries with other ports).
"""
import argparse
import asyncio
import base64
import binascii
import errno
import json
import logging
import os
import signal
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from email.parser import BytesHeaderParser
from email.policy import compat32

from aiosmtpd.smtp import MISSING, SMTP, AuthResult

HERE = os.path.dirname(os.path.abspath(__file__))
DOVECOT_SH = os.path.join(HERE, "dovecot.sh")
# SMTP_USERS="alice:other-pass" gives the submission server passwords of its own (a test of a
# wrong SMTP password while IMAP logs in fine).
USERS = dict(
    pair.split(":", 1)
    for pair in os.environ.get("SMTP_USERS", "alice:alice-pass bob:bob-pass").split()
    if ":" in pair
)
EXIT_PORT_IN_USE = 98

log = logging.getLogger("smtp-server")


def utc_now():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def message_id_of(content):
    """The Message-ID header as written (angle brackets included, folding undone), or None."""
    value = BytesHeaderParser(policy=compat32).parsebytes(content).get("Message-ID")
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def fsync_write(path, data, mode="xb"):
    with open(path, mode) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class Recorder:
    """Numbers, stores and logs accepted messages; optionally saves them to a Dovecot Sent folder."""

    def __init__(self, dir_, save_sent_dovecot, deliver_dovecot=None):
        self.messages_dir = os.path.join(dir_, "messages")
        self.log_path = os.path.join(dir_, "messages.jsonl")
        os.makedirs(self.messages_dir, exist_ok=True)
        # A restart of the same DIR goes on numbering where the previous run stopped.
        numbers = [int(n[:-4]) for n in os.listdir(self.messages_dir) if n.endswith(".eml") and n[:-4].isdigit()]
        self.seq = max(numbers, default=0)
        self.deliver_dovecot = deliver_dovecot
        self.save_sent_dovecot = save_sent_dovecot
        self.sent_lock = asyncio.Lock()  # one save at a time: the \Seen flag finds "its" UID

    def record(self, envelope, auth_user, listener):
        """Synchronous on purpose: no await, so a disconnect cannot interrupt it halfway."""
        self.seq += 1
        seq = self.seq
        content = envelope.original_content
        path = os.path.join(self.messages_dir, f"{seq:06d}.eml")
        fsync_write(path, content)
        entry = {
            "seq": seq,
            "message_id": message_id_of(content),
            "mail_from": envelope.mail_from,
            "rcpt": list(envelope.rcpt_tos),
            "auth_user": auth_user,
            "size": len(content),
            "file": path,
            "time": utc_now(),
            "listener": listener,
        }
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        fsync_write(self.log_path, line.encode("utf-8"), mode="ab")
        log.info("accepted #%d on %s: from %s to %s, auth %s, %d bytes, Message-ID %s", seq, listener,
                 entry["mail_from"], entry["rcpt"], auth_user, entry["size"], entry["message_id"])
        return entry

    async def deliver_to_inbox(self, entry, content):
        """As the receiving provider: each recipient that is a user of the Dovecot instance gets
        the message in INBOX with a Received header and the Authentication-Results the
        environment says (AUTH_RESULTS, `{mail_from}` and `{from_domain}` filled) on top, under
        the authserv-id AUTHSERV_ID. Returns None on success, else an error text."""
        authserv = os.environ.get("AUTHSERV_ID", "mx.satu.test")
        results = os.environ.get("AUTH_RESULTS", "spf=none smtp.mailfrom={mail_from}")
        headers = BytesHeaderParser(policy=compat32).parsebytes(content)
        from_domain = (headers.get("From") or "").rpartition("@")[2].strip("> \t")
        results = results.replace("{mail_from}", entry["mail_from"] or "").replace("{from_domain}", from_domain)
        stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        top = (f"Authentication-Results: {authserv}; {results}\r\n"
               f"Received: from [127.0.0.1] (localhost [127.0.0.1])\r\n\tby {authserv} (Satu test MX) with ESMTP id {entry['seq']};\r\n\t{stamp}\r\n")
        for rcpt in entry["rcpt"]:
            user = rcpt.partition("@")[0].lower()
            if user not in USERS:
                continue
            rc, out = await run(["bash", DOVECOT_SH, "append", self.deliver_dovecot, user, "INBOX", "-"],
                                top.encode() + content)
            if rc != 0:
                return f"dovecot.sh append failed: {out.strip()}"
            log.info("#%d: delivered to %s's INBOX in %s", entry["seq"], user, self.deliver_dovecot)
        return None

    async def save_to_sent(self, entry, content):
        """Saves into the user's Sent folder with `dovecot.sh append`, then flags it \\Seen.
        Returns None on success, else an error text."""
        user = entry["auth_user"]
        if user is None:
            log.warning("#%d: not authenticated, so not saved to any Sent folder", entry["seq"])
            return None
        conf = os.path.join(self.save_sent_dovecot, "dovecot.conf")
        async with self.sent_lock:
            # The UID the saved copy will get: UIDNEXT before the save.
            rc, out = await run(["doveadm", "-c", conf, "mailbox", "status", "-u", user, "uidnext", "Sent"])
            if rc != 0:
                return f"doveadm mailbox status failed: {out.strip()}"
            uidnext = out.strip().partition("=")[2]
            rc, out = await run(["bash", DOVECOT_SH, "append", self.save_sent_dovecot, user, "Sent", "-"], content)
            if rc != 0:
                return f"dovecot.sh append failed: {out.strip()}"
            query = ["mailbox", "Sent", "uid", f"{uidnext}:*"]
            if entry["message_id"]:
                query += ["header", "Message-ID", entry["message_id"]]
            rc, out = await run(["doveadm", "-c", conf, "flags", "add", "-u", user, "\\Seen", *query])
            if rc != 0:
                return f"doveadm flags add failed: {out.strip()}"
        log.info("#%d: saved to %s's Sent in %s", entry["seq"], user, self.save_sent_dovecot)
        return None


async def run(argv, stdin=None):
    """Runs argv; returns (exit status, stdout + stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate(stdin)
    return proc.returncode, out.decode("utf-8", "replace")


class Handler:
    """aiosmtpd hooks for one listener."""

    def __init__(self, listener, recorder, reply_delay, deliveries):
        self.listener = listener
        self.recorder = recorder
        self.reply_delay = reply_delay
        self.deliveries = deliveries  # pending delivery tasks, awaited on shutdown

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.rpartition("@")[0] if "@" in address else address
        if local.lower().startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        auth_user = session.auth_data if session.authenticated else None
        # Shielded: the client may hang up meanwhile (aiosmtpd then cancels this hook); the server
        # has the message all the same, as a real one would.
        task = asyncio.ensure_future(self.deliver(envelope, auth_user))
        self.deliveries.add(task)
        task.add_done_callback(self.deliveries.discard)
        reply = await asyncio.shield(task)
        if self.reply_delay > 0:
            await asyncio.sleep(self.reply_delay)
        return reply

    async def deliver(self, envelope, auth_user):
        entry = self.recorder.record(envelope, auth_user, self.listener)
        if self.recorder.deliver_dovecot:
            error = await self.recorder.deliver_to_inbox(entry, envelope.original_content)
            if error:
                log.error("#%d: delivery to INBOX failed: %s", entry["seq"], error)
                return f"451 4.3.0 Recorded as #{entry['seq']}, but delivery failed: {error.splitlines()[0][:200]}"
        if self.recorder.save_sent_dovecot:
            error = await self.recorder.save_to_sent(entry, envelope.original_content)
            if error:
                log.error("#%d: saving to Sent failed: %s", entry["seq"], error)
                return f"451 4.3.0 Recorded as #{entry['seq']}, but saving to Sent failed: {error.splitlines()[0][:200]}"
        return f"250 2.0.0 OK: queued as #{entry['seq']}"


class OAuth2Error(Exception):
    """The introspection endpoint could not be asked (a temporary failure, 454)."""


def introspect(url, token):
    """POSTs token=TOKEN to the RFC 7662 introspection URL (Basic credentials from the URL's
    userinfo); returns the JSON answer. Blocking: run it in a thread."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    req = urllib.request.Request(
        urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")),
        data=urllib.parse.urlencode({"token": token, "token_type_hint": "access_token"}).encode(),
        method="POST", headers={"Accept": "application/json"})
    if parts.username is not None:
        creds = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        req.add_header("Authorization", "Basic " + base64.b64encode(creds.encode()).decode())
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=5) as resp:
            return json.load(resp)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise OAuth2Error(f"introspection failed: {e}") from e


def parse_xoauth2(blob):
    """user=USER^Aauth=Bearer TOKEN^A^A -> (user, token)"""
    fields = dict(f.split("=", 1) for f in blob.split("\x01") if "=" in f)
    auth = fields.get("auth", "")
    if "user" not in fields or not auth.lower().startswith("bearer "):
        raise ValueError("not user=…^Aauth=Bearer …^A^A")
    return fields["user"], auth[7:].strip()


def parse_oauthbearer(blob):
    """n,a=USER,^Ahost=…^Aport=…^Aauth=Bearer TOKEN^A^A (RFC 7628) -> (user or None, token)"""
    gs2, sep, rest = blob.partition("\x01")
    if not sep:
        raise ValueError("no ^A after the GS2 header")
    flag, authzid, *_ = gs2.split(",") + ["", ""]
    if flag not in ("n", "y") or not gs2.endswith(","):
        raise ValueError("bad GS2 header")
    user = None
    if authzid:
        if not authzid.startswith("a="):
            raise ValueError("bad authzid")
        user = authzid[2:].replace("=2C", ",").replace("=3D", "=")
    fields = dict(f.split("=", 1) for f in rest.split("\x01") if "=" in f)
    auth = fields.get("auth", "")
    if not auth.lower().startswith("bearer "):
        raise ValueError("no auth=Bearer …")
    return user, auth[7:].strip()


class OAuth2Handler(Handler):
    """Handler that also offers AUTH XOAUTH2 and OAUTHBEARER (aiosmtpd finds `auth_*` methods on
    the handler; each gets the SMTP server and the AUTH line split into words)."""

    def __init__(self, *args, introspection_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection_url = introspection_url

    async def auth_XOAUTH2(self, server, args):
        return await self.oauth2(server, args, "XOAUTH2", parse_xoauth2)

    async def auth_OAUTHBEARER(self, server, args):
        return await self.oauth2(server, args, "OAUTHBEARER", parse_oauthbearer)

    async def oauth2(self, server, args, mechanism, parse):
        if len(args) == 1:  # no initial response: an empty challenge, as for PLAIN
            blob = await server.challenge_auth("")
            if blob is MISSING:  # "*" or bad base64: aiosmtpd has answered 501
                return AuthResult(success=False, handled=True)
        elif args[1] == "=":  # an empty initial response (RFC 4954)
            blob = b""
        else:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(success=False, handled=False, message="501 5.5.2 Can't decode base64")
        try:
            user, token = parse(blob.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            log.info("AUTH %s: malformed (%s)", mechanism, e)
            return AuthResult(success=False, handled=False, message=f"501 5.5.2 Malformed {mechanism} message: {e}")
        try:
            info = await asyncio.to_thread(introspect, self.introspection_url, token)
        except OAuth2Error as e:
            log.warning("AUTH %s as %s: %s", mechanism, user, e)
            return AuthResult(success=False, handled=False,
                              message="454 4.7.0 Temporary authentication failure: the token could not be checked")
        sub = info.get("sub") if isinstance(info, dict) else None
        if info.get("active") is True and sub and (user is None or user == sub):
            log.info("AUTH %s as %s: ok", mechanism, sub)
            return AuthResult(success=True, auth_data=sub)
        why = "inactive token" if info.get("active") is not True else f"token of {sub!r}, not of {user!r}"
        log.info("AUTH %s as %s: refused (%s)", mechanism, user, why)
        # RFC 7628 §3.2.2: an error challenge with a JSON status; the client answers with a dummy
        # response (^A for OAUTHBEARER, an empty line for XOAUTH2), then the final failure.
        error = {"status": "invalid_token", "schemes": "bearer", "scope": "openid email"}
        response = await server.challenge_auth(json.dumps(error, separators=(",", ":")))
        if response is MISSING:  # "*": aiosmtpd has answered 501 5.7.0 Auth aborted
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Authentication failed: invalid or expired token")


def authenticator(server, session, envelope, mechanism, auth_data):
    login = auth_data.login.decode("utf-8", "replace")
    password = auth_data.password.decode("utf-8", "replace")
    if USERS.get(login) == password:
        log.info("AUTH %s as %s: ok", mechanism, login)
        return AuthResult(success=True, auth_data=login)
    log.info("AUTH %s as %s: wrong user name or password", mechanism, login)
    return AuthResult(success=False, handled=False,
                      message="535 5.7.8 Authentication failed: wrong user name or password")


def bind(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"smtp_server.py: 127.0.0.1:{port}: Address already in use", file=sys.stderr)
            sys.exit(EXIT_PORT_IN_USE)
        raise
    s.listen(128)
    return s


async def serve(args):
    loop = asyncio.get_running_loop()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    recorder = Recorder(args.dir, args.save_sent_dovecot, args.deliver_dovecot)
    deliveries = set()
    reply_delay = args.reply_delay_ms / 1000

    # name: (port, implicit TLS, STARTTLS offered, AUTH needs STARTTLS)
    listeners = {
        "smtp": (args.smtp_port, False, True, True),
        "submissions": (args.submissions_port, True, False, False),  # auth_require_tls only counts STARTTLS
        "plain": (args.plain_port, False, False, False),
    }
    socks = {name: bind(port) for name, (port, *_rest) in listeners.items()}
    servers = []
    introspection_url = os.environ.get("OAUTH2_INTROSPECTION_URL", "")
    for name, (_port, implicit, starttls, auth_needs_tls) in listeners.items():
        if introspection_url:
            handler = OAuth2Handler(name, recorder, reply_delay, deliveries, introspection_url=introspection_url)
        else:
            handler = Handler(name, recorder, reply_delay, deliveries)

        def factory(handler=handler, starttls=starttls, auth_needs_tls=auth_needs_tls):
            return SMTP(handler, hostname="localhost", ident="Satu test SMTP", loop=loop,
                        tls_context=tls if starttls else None, require_starttls=False,
                        auth_required=args.auth_required, auth_require_tls=auth_needs_tls,
                        authenticator=authenticator, enable_SMTPUTF8=True)

        servers.append(await loop.create_server(factory, sock=socks[name], ssl=tls if implicit else None,
                                                ssl_handshake_timeout=10 if implicit else None))

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Ready: smtp.sh waits for this file (and then for the greeting).
    pid_file = os.path.join(args.dir, "smtp.pid")
    with open(pid_file + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(pid_file + ".tmp", pid_file)
    log.info("pid %d listening on 127.0.0.1: smtp %d, submissions %d, plain %d%s%s%s", os.getpid(),
             args.smtp_port, args.submissions_port, args.plain_port,
             f", saving to Sent in {args.save_sent_dovecot}" if args.save_sent_dovecot else "",
             f", reply delay {args.reply_delay_ms} ms" if args.reply_delay_ms else "",
             ", XOAUTH2 and OAUTHBEARER by token introspection" if introspection_url else "")

    await stop.wait()
    log.info("stopping")
    for s in servers:
        s.close()
    if deliveries:  # let messages whose dot has arrived be recorded and saved
        await asyncio.wait(list(deliveries), timeout=10)
    try:
        os.unlink(pid_file)
    except FileNotFoundError:
        pass


def main():
    p = argparse.ArgumentParser(description="Recording SMTP server for tests (use tests/servers/smtp.sh).")
    p.add_argument("--dir", required=True, help="instance directory (absolute)")
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--submissions-port", type=int, required=True)
    p.add_argument("--plain-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--save-sent-dovecot", default="", help="directory of a tests/servers/dovecot.sh instance")
    p.add_argument("--deliver-dovecot", default="", help="deliver to the INBOX of that instance's users (as their provider)")
    p.add_argument("--reply-delay-ms", type=int, default=0, help="delay before the reply to the final dot")
    p.add_argument("--auth-required", action="store_true", help="530 for MAIL/RCPT/DATA before AUTH")
    args = p.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # aiosmtpd's own logger chats about every command, and with --auth-required warns on every
    # connection to the plain listener that AUTH without TLS is insecure (it is loopback only).
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
