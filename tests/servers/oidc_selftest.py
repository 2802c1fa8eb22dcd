#!/usr/bin/env python3
"""Self-test of the OAuth2 test servers: oidc.sh (oidc-provider), oidc_browser.py, and dovecot.sh /
smtp.sh with OAUTH2_INTROSPECTION_URL. Gets tokens with the authorization-code flow + PKCE itself
(a loopback listener as the redirect URI, oidc_browser.py as the browser), then checks IMAP
AUTHENTICATE XOAUTH2 / OAUTHBEARER, SMTP AUTH XOAUTH2 / OAUTHBEARER, refresh (rotation), expiry
(OIDC_ACCESS_TTL), denial, a wrong password, /_test/revoke and /_test/issued, and that password
logins still work. Stdlib only.
Usage: python3 tests/servers/oidc_selftest.py    (prints 'N passed, 0 failed' at the end)
"""
import base64
import hashlib
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ACCESS_TTL = 5
passed = failed = 0
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")
    return cond


def start(script, dir_, **env):
    t = time.monotonic()
    out = subprocess.run(["bash", os.path.join(HERE, script), "start", dir_], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=120)
    if out.returncode != 0:
        sys.exit(f"{script} start failed: {out.stdout}\n{out.stderr}")
    lines = out.stdout.splitlines()
    check(f"{script} start prints exactly one line on stdout", len(lines) == 1, repr(out.stdout))
    print(f"     started in {time.monotonic() - t:.2f}s: {lines[-1]}")
    return dict(kv.split("=", 1) for kv in lines[-1].split())


def stop(script, dir_):
    subprocess.run(["bash", os.path.join(HERE, script), "stop", dir_], timeout=60)
    st = subprocess.run(["bash", os.path.join(HERE, script), "status", dir_])
    check(f"{script} stop: status says stopped", st.returncode != 0)


# ---- HTTP helpers ----

def http_req(url, form=None, auth=None, method=None):
    """(status, headers, body bytes) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    op = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with op.open(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def http_json(url, form=None, auth=None, method=None):
    status, _, body = http_req(url, form, auth, method)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body.decode("utf-8", "replace")}


class Redirects:
    """A loopback listener playing the client's redirect URI: remembers the query of each GET."""

    def __init__(self, host="127.0.0.1"):
        got = self.got = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                got.append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))
                body = b"<html><body>You can close this window.</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.srv = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.uri = f"http://{host}:{self.srv.server_port}/"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def auth_url(issuer, redirect_uri, challenge, state, scope="openid email offline_access", **extra):
    q = dict(client_id="satu-test", response_type="code", redirect_uri=redirect_uri, scope=scope, state=state,
             code_challenge=challenge, code_challenge_method="S256", **extra)
    return issuer + "/auth?" + urllib.parse.urlencode(q)


def browser(url, **env):
    return subprocess.run([sys.executable, os.path.join(HERE, "oidc_browser.py"), url], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=60)


def login_flow(issuer, user="alice", password=None, host="127.0.0.1"):
    """The whole authorization-code + PKCE flow; returns the token response (or exits)."""
    listener = Redirects(host)
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(12)
    b = browser(auth_url(issuer, listener.uri, challenge, state), OIDC_LOGIN=user,
                OIDC_PASSWORD=password or f"{user}-pass")
    listener.close()
    if b.returncode != 0 or not listener.got or "code" not in listener.got[0]:
        print(b.stderr)
        sys.exit(f"the authorization flow for {user} failed: {listener.got}")
    q = listener.got[0]
    check(f"flow {user}: state and iss come back", q.get("state") == state and q.get("iss") == issuer, q)
    status, tok = http_json(issuer + "/token", dict(grant_type="authorization_code", code=q["code"],
                                                     redirect_uri=listener.uri, client_id="satu-test",
                                                     code_verifier=verifier))
    if status != 200:
        sys.exit(f"the token request failed: {status} {tok}")
    return tok


def refresh(issuer, refresh_token):
    return http_json(issuer + "/token", dict(grant_type="refresh_token", refresh_token=refresh_token,
                                             client_id="satu-test"))


# ---- IMAP and SMTP, raw ----

def xoauth2(user, token):
    return base64.b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode()


def oauthbearer(user, token, port):
    return base64.b64encode(f"n,a={user},\x01host=127.0.0.1\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()).decode()


class Line:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def read(self):
        return self.f.readline().decode().rstrip("\r\n")

    def close(self):
        self.sock.close()


def imap_auth(port, tag_line, then=None):
    """Sends the AUTHENTICATE line; on a '+' continuation sends `then` (if given, else '' — the
    dummy response after an error challenge). Returns the list of server lines (untagged skipped)."""
    c = Line(port)
    c.read()  # greeting
    c.send(tag_line)
    out = []
    sent_then = False
    while True:
        line = c.read()
        if line.startswith("* "):
            continue
        out.append(line)
        if line.startswith("+"):
            c.send(then if then is not None and not sent_then else "")
            sent_then = True
            continue
        break
    c.send("z LOGOUT")
    c.close()
    return out


def smtp_session(port, commands):
    """EHLO, then each command; on a 334 sends the next queued response. Returns the reply lines."""
    c = Line(port)
    c.read()
    c.send("EHLO selftest")
    ehlo = []
    while True:
        line = c.read()
        ehlo.append(line)
        if line[3:4] != "-":
            break
    replies = [ehlo]
    queue = list(commands)
    while queue:
        c.send(queue.pop(0))
        line = c.read()
        replies.append(line)
    c.send("QUIT")
    c.close()
    return replies


def smtp_auth(port, first, *responses):
    """Sends `first` (an AUTH line) and then each response after a 334; returns the replies."""
    c = Line(port)
    c.read()
    c.send("EHLO selftest")
    while c.read()[3:4] == "-":
        pass
    c.send(first)
    replies = []
    queue = list(responses)
    while True:
        line = c.read()
        replies.append(line)
        if line.startswith("334") and queue:
            c.send(queue.pop(0))
            continue
        break
    if replies[-1].startswith("235"):
        for cmd in ("MAIL FROM:<alice@localhost>", "RCPT TO:<x@example.test>", "DATA"):
            c.send(cmd)
            c.read()
        c.send("Subject: oauth2\r\nMessage-ID: <oauth2-%s@selftest>\r\n\r\nhi\r\n." % secrets.token_hex(4))
        replies.append(c.read())
    c.send("QUIT")
    c.close()
    return replies


def b64json(line):
    try:
        return json.loads(base64.b64decode(line.split(" ", 1)[1]))
    except (ValueError, IndexError):
        return None


def main():
    if not shutil.which("node"):
        sys.exit("node is missing: run tests/servers/install.sh")
    root = tempfile.mkdtemp(prefix="satu-oidc-selftest-")
    os.chmod(root, 0o711)  # run as root, Dovecot's userdb lookups run as another user
    odir, ddir, sdir = (os.path.join(root, n) for n in ("oidc", "dovecot", "smtp"))
    try:
        run(odir, ddir, sdir)
    finally:
        for script, d in (("smtp.sh", sdir), ("dovecot.sh", ddir), ("oidc.sh", odir)):
            subprocess.run(["bash", os.path.join(HERE, script), "stop", d], capture_output=True, timeout=60)
        if failed == 0:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"     left {root} for a look")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run(odir, ddir, sdir):
    o = start("oidc.sh", odir, OIDC_ACCESS_TTL=str(ACCESS_TTL))
    keys = ["OIDC_ISSUER", "OIDC_PORT", "OIDC_PID", "OIDC_DIR", "OIDC_CLIENT_ID", "OIDC_INTROSPECTION_URL", "OIDC_LOG"]
    check("oidc.sh line has the keys in order", list(o) == keys, list(o))
    check("oidc.sh line is kept in DIR/env", open(os.path.join(odir, "env")).read().split() ==
          [f"{k}={v}" for k, v in o.items()])
    iss = o["OIDC_ISSUER"]
    check("issuer is http://127.0.0.1:PORT", iss == f"http://127.0.0.1:{o['OIDC_PORT']}", iss)
    check("oidc.sh status: running", subprocess.run(["bash", os.path.join(HERE, "oidc.sh"), "status", odir]).returncode == 0)
    url = o["OIDC_INTROSPECTION_URL"]
    d = start("dovecot.sh", ddir, OAUTH2_INTROSPECTION_URL=url)
    s = start("smtp.sh", sdir, OAUTH2_INTROSPECTION_URL=url)
    imap, smtp = int(d["IMAP_PORT"]), int(s["SMTP_PLAIN_PORT"])
    parts = urllib.parse.urlsplit(url)
    basic = f"{parts.username}:{parts.password}"
    introspection = f"{iss}/token/introspection"

    # Discovery.
    status, disc = http_json(iss + "/.well-known/openid-configuration")
    check("discovery: 200, issuer", status == 200 and disc.get("issuer") == iss, disc)
    check("discovery: S256 only", disc.get("code_challenge_methods_supported") == ["S256"], disc)
    check("discovery: introspection and revocation endpoints",
          disc.get("introspection_endpoint") == introspection and disc.get("revocation_endpoint") == iss + "/token/revocation")
    check("discovery: scopes", set(disc.get("scopes_supported", [])) >= {"openid", "email", "profile", "offline_access"})

    # Redirect URIs: any loopback port, both names; other hosts and paths refused.
    _, ch = pkce()
    for host in ("127.0.0.1", "localhost"):
        st, h, _ = http_req(auth_url(iss, f"http://{host}:45678/", ch, "s"))
        check(f"redirect_uri http://{host}:45678/ accepted (303 to the login)", st == 303 and "/interaction/" in h.get("Location", ""), (st, h.get("Location")))
    for bad in ("http://127.0.0.1:45678/callback", "http://example.test:45678/", "http://127.0.0.1:45678"):
        st, _, body = http_req(auth_url(iss, bad, ch, "s"))
        check(f"redirect_uri {bad} refused (400, no redirect)", st == 400, (st, body[:200]))
    # PKCE is required: without code_challenge the error goes back to the client.
    q = dict(client_id="satu-test", response_type="code", redirect_uri="http://127.0.0.1:45678/", scope="openid", state="s")
    st, h, _ = http_req(iss + "/auth?" + urllib.parse.urlencode(q))
    loc = h.get("Location", "")
    check("no code_challenge: redirect with error=invalid_request", st == 303 and "error=invalid_request" in loc, (st, loc))

    # The flow, with a code exchange without / with the verifier.
    listener = Redirects()
    verifier, challenge = pkce()
    b = browser(auth_url(iss, listener.uri, challenge, "st1"))
    check("oidc_browser.py: exit 0", b.returncode == 0, b.stderr)
    check("oidc_browser.py: steps on stderr, no code", "signing in as alice" in b.stderr and "pressing Allow" in b.stderr
          and (not listener.got or listener.got[0].get("code", "-") not in b.stderr), b.stderr)
    code = listener.got[0].get("code") if listener.got else None
    check("redirect with code and state", bool(code) and listener.got[0].get("state") == "st1", listener.got)
    form = dict(grant_type="authorization_code", code=code, redirect_uri=listener.uri, client_id="satu-test")
    st, err = http_json(iss + "/token", form)
    check("token without code_verifier: invalid_grant", st == 400 and err.get("error") == "invalid_grant", (st, err))
    listener.close()
    tok = login_flow(iss)
    check("token response: access, refresh, id token, Bearer, expires_in",
          all(k in tok for k in ("access_token", "refresh_token", "id_token")) and tok.get("token_type") == "Bearer"
          and tok.get("expires_in") == ACCESS_TTL, tok)
    claims = json.loads(base64.urlsafe_b64decode(tok["id_token"].split(".")[1] + "=="))
    check("id token: sub alice, email alice@localhost", claims.get("sub") == "alice" and claims.get("email") == "alice@localhost", claims)
    st, info = http_json(introspection, {"token": tok["access_token"]}, auth=basic)
    check("introspection by dovecot: active, sub alice", st == 200 and info.get("active") is True and info.get("sub") == "alice", info)
    st, info = http_json(introspection, {"token": tok["access_token"]}, auth="dovecot:wrong")
    check("introspection with a wrong secret: 401 invalid_client", st == 401 and info.get("error") == "invalid_client", (st, info))
    at = tok["access_token"]

    # IMAP.
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('alice', at)}")
    check("IMAP XOAUTH2 with SASL-IR: OK", r[-1].startswith("a OK"), r)
    r = imap_auth(imap, f"a AUTHENTICATE OAUTHBEARER {oauthbearer('alice', at, imap)}")
    check("IMAP OAUTHBEARER with SASL-IR: OK", r[-1].startswith("a OK"), r)
    r = imap_auth(imap, "a AUTHENTICATE XOAUTH2", then=xoauth2("alice", at))
    check("IMAP XOAUTH2 after a '+ ' continuation: OK", r[0] == "+ " or r[0] == "+", r) and check(
        "  … then OK", r[-1].startswith("a OK"), r)
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('bob', at)}")
    check("IMAP XOAUTH2 as bob with alice's token: + JSON, then NO",
          len(r) == 2 and r[0].startswith("+ ") and b64json(r[0]) is not None and r[1].startswith("a NO"), r)
    print(f"     refused: {r[0]}  ->  {b64json(r[0])}  ->  {r[1]}")

    # SMTP.
    r = smtp_session(smtp, [])
    check("SMTP EHLO offers XOAUTH2 and OAUTHBEARER", any("AUTH" in l and "XOAUTH2" in l and "OAUTHBEARER" in l for l in r[0]), r)
    r = smtp_auth(smtp, f"AUTH XOAUTH2 {xoauth2('alice', at)}")
    check("SMTP XOAUTH2 initial response: 235, message accepted", r[0].startswith("235") and r[-1].startswith("250"), r)
    r = smtp_auth(smtp, "AUTH OAUTHBEARER", oauthbearer("alice", at, smtp))
    check("SMTP OAUTHBEARER after 334 empty challenge: 235", r[0] == "334 " and r[1].startswith("235") and r[-1].startswith("250"), r)
    r = smtp_auth(smtp, f"AUTH XOAUTH2 {xoauth2('bob', at)}", "")
    err = b64json(r[0]) if r else None
    check("SMTP XOAUTH2 as bob with alice's token: 334 JSON invalid_token, 535 5.7.8",
          r[0].startswith("334 ") and err and err.get("status") == "invalid_token" and r[1].startswith("535 5.7.8"), r)
    print(f"     refused: {r[0]}  ->  {err}  ->  {r[1]}")
    r = smtp_auth(smtp, f"AUTH OAUTHBEARER {oauthbearer('alice', 'bogus' + at, smtp)}", "AQ==")
    check("SMTP OAUTHBEARER with a bogus token: 334 JSON, AQ==, 535", r[0].startswith("334 ") and r[1].startswith("535"), r)
    log = [json.loads(l) for l in open(s["SMTP_LOG"])]
    check("SMTP log: two messages, auth_user alice", [e["auth_user"] for e in log] == ["alice", "alice"], log)

    # Refresh (rotated).
    st, tok2 = refresh(iss, tok["refresh_token"])
    check("refresh: 200 with a new access token", st == 200 and tok2.get("access_token") not in (None, at), (st, tok2))
    check("refresh: a new refresh token (rotation)", tok2.get("refresh_token") not in (None, tok["refresh_token"]), tok2)
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('alice', tok2['access_token'])}")
    check("IMAP XOAUTH2 with the refreshed token: OK", r[-1].startswith("a OK"), r)

    # Expiry.
    time.sleep(ACCESS_TTL + 1)
    st, info = http_json(introspection, {"token": at}, auth=basic)
    check(f"after {ACCESS_TTL + 1}s: introspection active:false", info == {"active": False}, info)
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('alice', at)}")
    check("IMAP XOAUTH2 with the expired token: + JSON, then NO", r[0].startswith("+ ") and r[-1].startswith("a NO"), r)
    print(f"     expired: {r[0]}  ->  {b64json(r[0])}  ->  {r[-1]}")
    r = imap_auth(imap, f"a AUTHENTICATE OAUTHBEARER {oauthbearer('alice', at, imap)}", then="AQ==")
    check("IMAP OAUTHBEARER with the expired token: + JSON, AQ==, NO", r[0].startswith("+ ") and r[-1].startswith("a NO"), r)
    r = smtp_auth(smtp, f"AUTH XOAUTH2 {xoauth2('alice', at)}", "")
    check("SMTP XOAUTH2 with the expired token: 334 JSON, 535", r[0].startswith("334 ") and r[1].startswith("535"), r)
    t = time.monotonic()
    r = imap_auth(imap, "a LOGIN alice alice-pass")
    check("IMAP LOGIN with the password still works, at once after refusals", r[-1].startswith("a OK") and time.monotonic() - t < 1.5,
          (r, time.monotonic() - t))
    r = imap_auth(imap, "a AUTHENTICATE PLAIN " + base64.b64encode(b"\0alice\0alice-pass").decode())
    check("IMAP AUTHENTICATE PLAIN still works", r[-1].startswith("a OK"), r)
    r = smtp_auth(smtp, "AUTH PLAIN " + base64.b64encode(b"\0alice\0alice-pass").decode())
    check("SMTP AUTH PLAIN still works", r[0].startswith("235"), r)

    # Reusing a rotated-away refresh token fails (and, per oidc-provider, revokes that grant).
    st, err = refresh(iss, tok["refresh_token"])
    check("refresh with the old (rotated) refresh token: invalid_grant", st == 400 and err.get("error") == "invalid_grant", (st, err))

    # Deny, wrong password, bob.
    listener = Redirects()
    _, ch = pkce()
    b = browser(auth_url(iss, listener.uri, ch, "st2"), OIDC_DENY="1")
    listener.close()
    check("OIDC_DENY=1: the client gets error=access_denied", b.returncode == 0 and listener.got
          and listener.got[0].get("error") == "access_denied" and listener.got[0].get("state") == "st2", (listener.got, b.stderr))
    listener = Redirects()
    b = browser(auth_url(iss, listener.uri, ch, "st3"), OIDC_PASSWORD="wrong")
    listener.close()
    check("wrong password: oidc_browser.py exits 1 with the form's error, the client gets nothing",
          b.returncode == 1 and "Wrong user name or password" in b.stderr and not listener.got, b.stderr)
    tb = login_flow(iss, "bob")
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('bob', tb['access_token'])}")
    check("bob's token logs bob in", r[-1].startswith("a OK"), r)

    # /_test/revoke.
    tok3 = login_flow(iss)
    st, _ = http_json(iss + "/_test/revoke", {}, method="POST")
    check("POST /_test/revoke: 200", st == 200)
    st, err = refresh(iss, tok3["refresh_token"])
    check("after revoke: refresh gives invalid_grant", st == 400 and err.get("error") == "invalid_grant", (st, err))
    st, info = http_json(introspection, {"token": tok3["access_token"]}, auth=basic)
    check("after revoke: introspection active:false", info == {"active": False}, info)
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('alice', tok3['access_token'])}")
    check("after revoke: IMAP refuses the token", r[-1].startswith("a NO"), r)
    tok4 = login_flow(iss)
    r = imap_auth(imap, f"a AUTHENTICATE XOAUTH2 {xoauth2('alice', tok4['access_token'])}")
    check("after revoke: a new flow (login and consent again) works", r[-1].startswith("a OK"), r)

    # /_test/issued and the log.
    st, issued = http_json(iss + "/_test/issued")
    all_at = [t["access_token"] for t in (tok, tok2, tb, tok3, tok4)]
    all_rt = [t["refresh_token"] for t in (tok, tok2, tb, tok3, tok4)]
    check("GET /_test/issued lists every access token", st == 200 and set(all_at) <= set(issued.get("access_tokens", [])), issued)
    check("GET /_test/issued lists every refresh token", set(all_rt) <= set(issued.get("refresh_tokens", [])), issued)
    text = open(o["OIDC_LOG"]).read()
    check("oidc.log has request lines and no token values", "POST /token 200" in text
          and not any(t in text for t in all_at + all_rt), text[-500:])

    # Without the env: nothing changes.
    stop("smtp.sh", sdir)
    stop("dovecot.sh", ddir)
    env = {k: v for k, v in os.environ.items() if k != "OAUTH2_INTROSPECTION_URL"}
    out = subprocess.run(["bash", os.path.join(HERE, "dovecot.sh"), "start", ddir], capture_output=True, text=True, env=env, timeout=60)
    d2 = dict(kv.split("=", 1) for kv in out.stdout.split())
    c = Line(int(d2["IMAP_PORT"]))
    greeting = c.read()
    c.close()
    check("dovecot.sh without OAUTH2_INTROSPECTION_URL: no XOAUTH2", "AUTH=PLAIN" in greeting and "XOAUTH2" not in greeting, greeting)
    stop("dovecot.sh", ddir)
    stop("oidc.sh", odir)


if __name__ == "__main__":
    main()
