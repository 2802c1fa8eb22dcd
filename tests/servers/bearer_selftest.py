#!/usr/bin/env python3
"""Self-test of radicale.sh with OAUTH2_INTROSPECTION_URL (bearer_proxy.py in front of Radicale):
starts oidc.sh and radicale.sh in temporary dirs, gets a token for alice with the authorization
code + PKCE flow (oidc_selftest.py's helpers), then checks PROPFIND/PUT/GET with the token over
HTTP and HTTPS, the 401 challenges (no token, Basic, a garbage token, after /_test/revoke), that a
client's own X-Remote-User is ignored, 503 with the provider down, the log, stop and restart.
Stdlib only.
Usage: python3 tests/servers/bearer_selftest.py    (prints 'N passed, 0 failed' at the end)
"""
import base64
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oidc_selftest as o  # noqa: E402  (check/start/stop/login_flow/http_json; its counters)

check = o.check
PROPFIND_HOME = b"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:current-user-principal/><c:calendar-home-set/></d:prop>
</d:propfind>"""
VTODO = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Satu//bearer selftest//EN\r
BEGIN:VTODO\r
UID:bearer-selftest-1@satu\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Token-authenticated task\r
END:VTODO\r
END:VCALENDAR\r
"""


def req(url, method="GET", body=None, headers=None, token=None, ca=None, chunked=False):
    """(status, headers, body bytes); one connection per request."""
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=15,
                                           context=ssl.create_default_context(cafile=ca))
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    if chunked:
        conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=iter([body[:40], body[40:]]),
                     headers=h, encode_chunked=True)
    else:
        conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.headers, data


def run(odir, rdir):
    ov = o.start("oidc.sh", odir)
    iss = ov["OIDC_ISSUER"]
    t = time.monotonic()
    rv = o.start("radicale.sh", rdir, OAUTH2_INTROSPECTION_URL=ov["OIDC_INTROSPECTION_URL"])
    check("radicale.sh start with the bearer option: within 5 s", time.monotonic() - t < 5)
    for key in ("RADICALE_URL", "RADICALE_TLS_URL", "RADICALE_PORT", "RADICALE_TLS_PORT", "CA_FILE",
                "RADICALE_DIR", "RADICALE_PID", "RADICALE_TLS_PID", "BEARER", "BEARER_PROXY_PID",
                "BEARER_LOG", "RADICALE_BACKEND_URL"):
        check(f"start line has {key}", key in rv, rv)
    check("BEARER=1", rv.get("BEARER") == "1")
    url, tls_url, ca = rv["RADICALE_URL"], rv["RADICALE_TLS_URL"], rv["CA_FILE"]
    check("RADICALE_URL is the proxy on RADICALE_PORT", url == f"http://127.0.0.1:{rv['RADICALE_PORT']}/")
    conf = open(os.path.join(rdir, "radicale.conf")).read()
    check("Radicale runs with [auth] type = http_x_remote_user", "type = http_x_remote_user" in conf)
    check("Radicale listens on a private port", f":{rv['RADICALE_PORT']}" not in conf and
          rv["RADICALE_BACKEND_URL"].rstrip("/").rsplit(":", 1)[1] in conf)

    tok = o.login_flow(iss)["access_token"]

    # With the token.
    st, h, body = req(url + "alice/", "PROPFIND", PROPFIND_HOME, {"Depth": "0", "Content-Type": "application/xml"}, tok)
    check("PROPFIND /alice/ with the token: 207", st == 207, (st, body[:200]))
    check("Radicale sees alice: current-user-principal and calendar-home-set are /alice/",
          body.count(b"<href>/alice/</href>") >= 2, body[:400])
    st, _, body = req(url, "PROPFIND", PROPFIND_HOME, {"Depth": "0"}, tok)
    check("PROPFIND / with the token: 207, principal /alice/",
          st == 207 and b"<current-user-principal><href>/alice/</href>" in body, (st, body[:300]))
    st, _, body = req(url + "alice/", "PROPFIND", None, {"Depth": "1"}, tok)
    check("PROPFIND Depth 1 of the home lists calendar/ and tasks/",
          st == 207 and b"/alice/calendar/" in body and b"/alice/tasks/" in body, (st, body[:300]))
    item = url + "alice/tasks/bearer-selftest-1.ics"
    st, h, _ = req(item, "PUT", VTODO, {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}, tok)
    etag = h.get("ETag")
    check("PUT a VTODO with the token: 201 with an ETag", st == 201 and etag, (st, dict(h)))
    st, h, body = req(item, "GET", token=tok)
    check("GET it back: 200, same ETag, the VTODO", st == 200 and h.get("ETag") == etag and
          b"SUMMARY:Token-authenticated task" in body, (st, h.get("ETag"), body[:200]))
    st, h, _ = req(item, "PUT", VTODO.replace(b"Token-authenticated", b"Chunked"),
                   {"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag}, tok, chunked=True)
    check("PUT with a chunked body and If-Match: 204", st == 204, st)
    st, _, body = req(item, "GET", token=tok)
    check("GET: the chunked PUT arrived whole", b"SUMMARY:Chunked task" in body, body[:200])
    st, _, _ = req(item, "HEAD", token=tok)
    check("HEAD with the token: 200", st == 200, st)
    st, _, body = req(tls_url + "alice/tasks/bearer-selftest-1.ics", "GET", token=tok, ca=ca)
    check("HTTPS (RADICALE_TLS_URL, verified against CA_FILE): GET with the token 200",
          st == 200 and b"SUMMARY:Chunked task" in body, st)
    st, _, _ = req(url + "bob/", "PROPFIND", None, {"Depth": "0"}, tok)
    check("alice's token on /bob/: 403 (Radicale's owner_only)", st == 403, st)
    st, _, _ = req(url + "bob/", "PROPFIND", None, {"Depth": "0", "X-Remote-User": "bob", "X_Remote_User": "bob"}, tok)
    check("alice's token + the client's own X-Remote-User: bob on /bob/: still 403", st == 403, st)
    st, _, _ = req(url + ".well-known/caldav", "GET", token=tok)
    check("/.well-known/caldav with the token: 301 (relayed)", st == 301, st)

    # Without a (valid) token.
    st, h, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0"})
    check("no token: 401 with WWW-Authenticate: Bearer realm=\"satu-test\"",
          st == 401 and h.get("WWW-Authenticate") == 'Bearer realm="satu-test"', (st, dict(h)))
    st, h, _ = req(item, "PUT", VTODO, {"Content-Type": "text/calendar"})
    check("no token, PUT with a body: 401 (answer received)", st == 401, st)
    st, h, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0", "X-Remote-User": "alice"})
    check("no token but X-Remote-User: alice: 401", st == 401, st)
    basic = base64.b64encode(b"alice:alice-pass").decode()
    st, h, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0", "Authorization": f"Basic {basic}"})
    check("Basic alice/alice-pass: 401 with the Bearer challenge",
          st == 401 and h.get("WWW-Authenticate") == 'Bearer realm="satu-test"', (st, dict(h)))
    st, h, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0"}, "garbage-token-123")
    check("a garbage token: 401 with error=\"invalid_token\"",
          st == 401 and 'error="invalid_token"' in h.get("WWW-Authenticate", ""), (st, dict(h)))
    st, h, _ = req(tls_url + "alice/", "PROPFIND", None, {"Depth": "0"}, ca=ca)
    check("HTTPS, no token: 401 Bearer", st == 401 and h.get("WWW-Authenticate", "").startswith("Bearer "), st)

    # Revocation: nothing is cached, the next request sees it.
    st, _ = o.http_json(iss + "/_test/revoke", {}, method="POST")
    check("POST /_test/revoke: 200", st == 200)
    st, h, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0"}, tok)
    check("after /_test/revoke the old token: 401 invalid_token",
          st == 401 and 'error="invalid_token"' in h.get("WWW-Authenticate", ""), (st, dict(h)))

    # bob, and stop/restart with the data kept and the same public ports.
    tok_b = o.login_flow(iss, "bob")["access_token"]
    st, _, body = req(url + "bob/", "PROPFIND", PROPFIND_HOME, {"Depth": "0"}, tok_b)
    check("bob's token: PROPFIND /bob/ 207, principal /bob/", st == 207 and b"<href>/bob/</href>" in body, st)
    pids = [int(rv[k]) for k in ("RADICALE_PID", "RADICALE_TLS_PID", "BEARER_PROXY_PID")]
    o.stop("radicale.sh", rdir)
    check("stop: Radicale (both) and the proxy are gone", all(gone(p) for p in pids), pids)
    rv2 = o.start("radicale.sh", rdir, OAUTH2_INTROSPECTION_URL=ov["OIDC_INTROSPECTION_URL"])
    check("restart: the same RADICALE_PORT and RADICALE_TLS_PORT",
          (rv2["RADICALE_PORT"], rv2["RADICALE_TLS_PORT"]) == (rv["RADICALE_PORT"], rv["RADICALE_TLS_PORT"]), rv2)
    tok = o.login_flow(iss)["access_token"]
    st, _, body = req(item, "GET", token=tok)
    check("restart: a new token GETs the task stored before", st == 200 and b"Chunked task" in body, st)

    # The provider down: 503, not 401.
    o.stop("oidc.sh", odir)
    st, _, _ = req(url + "alice/", "PROPFIND", None, {"Depth": "0"}, tok)
    check("provider unreachable: 503", st == 503, st)

    # The log: one line per request with method, path, status, sub; never a token.
    log = open(rv["BEARER_LOG"]).read()
    check("log: PROPFIND /alice/ 207 sub=alice", " PROPFIND /alice/ 207 sub=alice " in log, log[-500:])
    check("log: 401 sub=-", " 401 sub=- " in log)
    check("log: 503", " PROPFIND /alice/ 503 sub=- " in log)
    check("log: never a token", tok not in log and tok_b not in log and "garbage-token-123" not in log)
    o.stop("radicale.sh", rdir)


def gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def main():
    base = tempfile.mkdtemp(prefix="satu-bearer-selftest-")
    odir, rdir = os.path.join(base, "oidc"), os.path.join(base, "radicale")
    t = time.monotonic()
    try:
        run(odir, rdir)
    finally:
        for script, d in (("radicale.sh", rdir), ("oidc.sh", odir)):
            subprocess.run(["bash", os.path.join(o.HERE, script), "stop", d], capture_output=True, timeout=60)
        if o.failed == 0:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"     kept {base}")
    print(f"     ({time.monotonic() - t:.1f}s)")
    print(f"{o.passed} passed, {o.failed} failed")
    sys.exit(1 if o.failed else 0)


if __name__ == "__main__":
    main()
