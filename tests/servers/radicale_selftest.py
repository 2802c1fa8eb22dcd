#!/usr/bin/env python3
"""Self-test of tests/servers/radicale.sh (stdlib only): start Radicale in a temporary DIR, discover
alice's calendars as a CalDAV client does (/.well-known/caldav, current-user-principal,
calendar-home-set, the two collections with their supported-calendar-component-set), PUT a VTODO
with If-None-Match / If-Match preconditions, sync-collection (RFC 6578) with and without a token,
DELETE with If-Match, a wrong password (401), another user's home (403), bob's own collections,
the HTTPS listener verified against CA_FILE, stop, restart of the same DIR (same ports, data kept),
and RADICALE_USERS.
Usage: python3 tests/servers/radicale_selftest.py    (prints 'N passed, 0 failed' at the end)
"""
import base64
import http.client
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
RADICALE_SH = os.path.join(HERE, "radicale.sh")
KEYS = ["RADICALE_URL", "RADICALE_TLS_URL", "RADICALE_PORT", "RADICALE_TLS_PORT", "CA_FILE", "RADICALE_DIR",
        "RADICALE_PID", "RADICALE_TLS_PID"]
NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
ALICE = ("alice", "alice-pass")
BOB = ("bob", "bob-pass")
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
    out = subprocess.run(["bash", RADICALE_SH, "start", dir_], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=180)
    took = time.monotonic() - t
    if out.returncode != 0:
        sys.exit(f"radicale.sh start failed: {out.stdout}\n{out.stderr}")
    lines = out.stdout.splitlines()
    check("start prints exactly one line on stdout", len(lines) == 1, repr(out.stdout))
    vars_ = dict(kv.split("=", 1) for kv in lines[-1].split())
    check("start prints the documented keys in order", list(vars_) == KEYS, list(vars_))
    with open(os.path.join(dir_, "env")) as f:
        check("DIR/env holds the same line", f.read().strip() == lines[-1])
    print(f"     started in {took:.2f}s: {lines[-1]}")
    return vars_, took


def stop(dir_):
    subprocess.run(["bash", RADICALE_SH, "stop", dir_], check=True, timeout=30)


def status(dir_):
    return subprocess.run(["bash", RADICALE_SH, "status", dir_]).returncode


def gone(pid):
    """True when pid has exited (a zombie that no one has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


class Dav:
    """A minimal CalDAV client on http.client: one connection per request (Radicale's built-in
    server answers HTTP/1.0 and closes after each response)."""

    def __init__(self, base_url, auth=None, ca_file=None):
        u = urllib.parse.urlsplit(base_url)
        self.scheme, self.host, self.port = u.scheme, u.hostname, u.port
        self.auth = auth
        self.ctx = ssl.create_default_context(cafile=ca_file) if u.scheme == "https" else None

    def request(self, method, path, body=None, headers=None, auth="default"):
        auth = self.auth if auth == "default" else auth
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=10)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        if isinstance(body, str):
            body = body.encode()
            h.setdefault("Content-Type", "application/xml; charset=utf-8")
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def propfind(self, path, props, depth="0", **kw):
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>'
                + "".join(f"<{p}/>" for p in props) + "</d:prop></d:propfind>")
        return self.request("PROPFIND", path, body, {"Depth": depth}, **kw)

    def sync(self, path, token):
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<d:sync-collection xmlns:d="DAV:">'
                f'<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
                '<d:prop><d:getetag/></d:prop></d:sync-collection>')
        return self.request("REPORT", path, body, {"Depth": "0"})


def responses(xml_bytes):
    """{href: {'status': ..., 'props': {tag: element}}} of a multistatus (200 propstats only)."""
    root = ET.fromstring(xml_bytes)
    out = {}
    for resp in root.findall("d:response", NS):
        href = urllib.parse.unquote(resp.findtext("d:href", "", NS))
        props = {}
        for ps in resp.findall("d:propstat", NS):
            if " 200 " in ps.findtext("d:status", "", NS):
                for p in ps.find("d:prop", NS):
                    props[p.tag] = p
        out[href] = {"status": resp.findtext("d:status", None, NS), "props": props}
    return out


def prop_href(xml_bytes, tag):
    """The single href inside property tag (e.g. '{DAV:}current-user-principal')."""
    for r in responses(xml_bytes).values():
        el = r["props"].get(tag)
        if el is not None:
            return el.findtext("d:href", None, NS)
    return None


def sync_result(xml_bytes):
    """(sync-token, {href: status or None (= changed)})."""
    root = ET.fromstring(xml_bytes)
    token = root.findtext("d:sync-token", None, NS)
    changes = {}
    for resp in root.findall("d:response", NS):
        href = urllib.parse.unquote(resp.findtext("d:href", "", NS))
        changes[href] = resp.findtext("d:status", None, NS)
    return token, changes


def vtodo(uid, summary):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Satu//selftest//EN\r\nBEGIN:VTODO\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:{summary}\r\nSTATUS:NEEDS-ACTION\r\n"
            "END:VTODO\r\nEND:VCALENDAR\r\n").encode()


ICAL = {"Content-Type": "text/calendar; charset=utf-8"}
C = "{urn:ietf:params:xml:ns:caldav}"
D = "{DAV:}"


def discover(dav, user):
    """/.well-known/caldav → current-user-principal → calendar-home-set → {href: (name, comps)}."""
    st, h, _ = dav.propfind("/.well-known/caldav", ["d:current-user-principal"])
    loc = h.get("location", "")
    check(f"{user}: PROPFIND /.well-known/caldav redirects (301) to /",
          st in (301, 302, 307, 308) and urllib.parse.urlsplit(loc).path == "/", (st, loc))
    root = urllib.parse.urlsplit(loc).path or "/"
    st, _, body = dav.propfind(root, ["d:current-user-principal"])
    principal = prop_href(body, D + "current-user-principal") if st == 207 else None
    check(f"{user}: current-user-principal is /{user}/", principal == f"/{user}/", (st, body[:300]))
    st, _, body = dav.propfind(principal or f"/{user}/", ["c:calendar-home-set"])
    home = prop_href(body, C + "calendar-home-set") if st == 207 else None
    check(f"{user}: calendar-home-set is /{user}/", home == f"/{user}/", (st, body[:300]))
    st, _, body = dav.propfind(home or f"/{user}/", ["d:resourcetype", "d:displayname",
                                                     "c:supported-calendar-component-set"], depth="1")
    cals = {}
    if st == 207:
        for href, r in responses(body).items():
            rt = r["props"].get(D + "resourcetype")
            if rt is None or rt.find("c:calendar", NS) is None:
                continue
            comps = r["props"].get(C + "supported-calendar-component-set")
            cals[href] = (r["props"].get(D + "displayname").text if D + "displayname" in r["props"] else None,
                          sorted(c.get("name") for c in comps.findall("c:comp", NS)) if comps is not None else None)
    want = {f"/{user}/calendar/": ("Calendar", ["VEVENT"]), f"/{user}/tasks/": ("Tasks", ["VTODO"])}
    check(f"{user}: the home lists calendar (VEVENT) and tasks (VTODO) with their names", cals == want, (st, cals))


def exercise(v):
    dav = Dav(v["RADICALE_URL"], ALICE)
    discover(dav, "alice")
    st, h, _ = dav.request("PROPFIND", "/.well-known/caldav", auth=None)
    check("/.well-known/caldav redirects without credentials too", st == 301 and h.get("location"), (st, h))

    tasks = "/alice/tasks/"
    st, _, body = dav.sync(tasks, "")
    token0, changes = sync_result(body) if st == 207 else (None, None)
    check("initial sync-collection on an empty list: a token, no changes", bool(token0) and changes == {},
          (st, body[:300]))

    t1 = tasks + "selftest-1.ics"
    st, h, _ = dav.request("PUT", t1, vtodo("selftest-1@satu", "First"), {**ICAL, "If-None-Match": "*"})
    etag1 = h.get("etag")
    check("PUT a new VTODO with If-None-Match: * → 201 with an ETag", st == 201 and bool(etag1), (st, h))
    st, _, _ = dav.request("PUT", t1, vtodo("selftest-1@satu", "Again"), {**ICAL, "If-None-Match": "*"})
    check("PUT again with If-None-Match: * → 412", st == 412, st)
    st, _, _ = dav.request("PUT", t1, vtodo("selftest-1@satu", "Stale"), {**ICAL, "If-Match": '"not-the-etag"'})
    check("PUT with a wrong If-Match → 412", st == 412, st)
    st, _, body = dav.request("GET", t1)
    check("GET returns the first version (the refused PUTs changed nothing)",
          st == 200 and b"SUMMARY:First" in body, (st, body[:200]))
    st, h, _ = dav.request("PUT", t1, vtodo("selftest-1@satu", "Updated"), {**ICAL, "If-Match": etag1})
    etag1b = h.get("etag")
    check("PUT with the right If-Match → 2xx with a new ETag", st in (200, 201, 204) and etag1b not in (None, etag1),
          (st, etag1, etag1b))

    st, _, body = dav.sync(tasks, "")
    token1, changes = sync_result(body) if st == 207 else (None, None)
    check("sync-collection without a token: a sync-token and the changed href",
          bool(token1) and list(changes or {}) == [t1] and changes[t1] is None, (st, body[:400]))
    resp = responses(body).get(t1, {"props": {}})
    getetag = resp["props"].get(D + "getetag")
    check("sync-collection reports the item's current ETag",
          getetag is not None and getetag.text == etag1b, (getetag, etag1b))

    t2 = tasks + "selftest-2.ics"
    st, _, _ = dav.request("PUT", t2, vtodo("selftest-2@satu", "Second"), {**ICAL, "If-None-Match": "*"})
    check("PUT a second VTODO → 201", st == 201, st)
    st, _, body = dav.sync(tasks, token1)
    token2, changes = sync_result(body) if st == 207 else (None, None)
    check("sync-collection with that token returns only the later change",
          changes == {t2: None} and bool(token2) and token2 != token1, (st, body[:400]))

    st, _, _ = dav.request("DELETE", t1, headers={"If-Match": '"not-the-etag"'})
    check("DELETE with a wrong If-Match → 412", st == 412, st)
    st, _, _ = dav.request("DELETE", t1, headers={"If-Match": etag1b})
    check("DELETE with the right If-Match → 2xx", st in (200, 204), st)
    st, _, _ = dav.request("GET", t1)
    check("GET after DELETE → 404", st == 404, st)
    st, _, body = dav.sync(tasks, token2)
    token3, changes = sync_result(body) if st == 207 else (None, None)
    check("sync-collection after the DELETE: only the deleted href, with 404",
          list(changes or {}) == [t1] and " 404 " in (changes[t1] or ""), (st, body[:400]))
    st, _, body = dav.sync(tasks, token3)
    check("sync-collection with the newest token: no changes", st == 207 and sync_result(body)[1] == {},
          (st, body[:300]))
    st, _, body = dav.sync(tasks, "http://radicale.org/ns/sync/invalid")
    check("sync-collection with an unknown token → 403 valid-sync-token (RFC 6578 3.2)",
          st == 403 and b"valid-sync-token" in body, (st, body[:300]))

    ev = "/alice/calendar/selftest-ev.ics"
    event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Satu//selftest//EN\r\nBEGIN:VEVENT\r\n"
             "UID:selftest-ev@satu\r\nDTSTAMP:20261201T100000Z\r\nDTSTART:20261202T090000Z\r\n"
             "DTEND:20261202T100000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    st, _, _ = dav.request("PUT", ev, event, {**ICAL, "If-None-Match": "*"})
    check("PUT a VEVENT into /alice/calendar/ → 201", st == 201, st)

    t = time.monotonic()
    st, h, _ = dav.propfind("/alice/", ["d:displayname"], auth=("alice", "wrong-pass"))
    took = time.monotonic() - t
    check("wrong password → 401 with WWW-Authenticate: Basic",
          st == 401 and h.get("www-authenticate", "").startswith("Basic"), (st, h))
    check("the 401 is not delayed (auth delay = 0)", took < 0.5, f"{took:.2f}s")
    st, _, _ = dav.propfind("/alice/", ["d:displayname"], auth=("nobody", "alice-pass"))
    check("unknown user → 401", st == 401, st)
    st, _, _ = dav.propfind("/alice/", ["d:displayname"], auth=None)
    check("no credentials → 401", st == 401, st)
    st, _, _ = dav.propfind("/bob/", ["d:displayname"], depth="1")
    check("alice on /bob/ → 403 (owner_only)", st == 403, st)
    st, _, _ = dav.request("PUT", "/bob/tasks/intruder.ics", vtodo("intruder@satu", "No"), ICAL)
    check("alice cannot PUT into /bob/tasks/ (403)", st == 403, st)

    discover(Dav(v["RADICALE_URL"], BOB), "bob")

    # HTTPS: the certificate verifies against CA_FILE for localhost; same storage as plain HTTP.
    tls = Dav(v["RADICALE_TLS_URL"], ALICE, v["CA_FILE"])
    check("RADICALE_TLS_URL is https://localhost:RADICALE_TLS_PORT/",
          v["RADICALE_TLS_URL"] == f"https://localhost:{v['RADICALE_TLS_PORT']}/", v["RADICALE_TLS_URL"])
    try:
        st, _, body = tls.request("GET", t2)
        check("HTTPS (verified against CA_FILE): GET sees the item PUT over HTTP", st == 200 and b"Second" in body,
              (st, body[:200]))
        st, _, body = tls.sync(tasks, token3)
        check("HTTPS: sync-collection accepts the token from the HTTP listener (shared storage)",
              st == 207 and sync_result(body)[1] == {}, (st, body[:300]))
        ip_tls = Dav(f"https://127.0.0.1:{v['RADICALE_TLS_PORT']}/", ALICE, v["CA_FILE"])
        st, _, _ = ip_tls.propfind("/alice/", ["d:displayname"])
        check("HTTPS by IP 127.0.0.1 verifies too (IP SAN)", st == 207, st)
    except (ssl.SSLError, OSError) as e:
        check("HTTPS works with CA_FILE", False, repr(e))
    try:
        Dav(v["RADICALE_TLS_URL"], ALICE).request("GET", "/")  # system CAs only
        check("HTTPS without CA_FILE is refused", False)
    except ssl.SSLCertVerificationError:
        check("HTTPS without CA_FILE is refused (throw-away CA)", True)
    return t2


def main():
    with tempfile.TemporaryDirectory(prefix="satu-radicale-selftest-") as workdir:
        dir_ = os.path.join(workdir, "radicale")
        v, took = start(dir_)
        check("start takes under 3 s", took < 3, f"{took:.2f}s")
        try:
            check("RADICALE_URL is http://127.0.0.1:RADICALE_PORT/",
                  v["RADICALE_URL"] == f"http://127.0.0.1:{v['RADICALE_PORT']}/", v["RADICALE_URL"])
            check("RADICALE_DIR is DIR", os.path.samefile(v["RADICALE_DIR"], dir_), v["RADICALE_DIR"])
            check("status: running", status(dir_) == 0)
            for key in ("RADICALE_PORT", "RADICALE_TLS_PORT"):
                with socket.socket() as probe:
                    busy = probe.connect_ex(("127.0.0.1", int(v[key]))) == 0
                check(f"{key} listens on 127.0.0.1", busy)
            root = os.path.join(dir_, "collections", "collection-root")
            check("storage in DIR/collections (Radicale's layout)",
                  all(os.path.isfile(os.path.join(root, u, c, ".Radicale.props"))
                      for u in ("alice", "bob") for c in ("calendar", "tasks")))
            kept = exercise(v)
        finally:
            stop(dir_)
        check("stop: both processes are gone", gone(int(v["RADICALE_PID"])) and gone(int(v["RADICALE_TLS_PID"])))
        check("status after stop: not running", status(dir_) != 0)
        subprocess.run(["bash", RADICALE_SH, "stop", dir_], check=True)
        check("stop twice is fine", True)

        # A restart of the same DIR: same ports, the data is still there, nothing re-created.
        v2, took = start(dir_)
        try:
            check("restart: same ports", all(v2[k] == v[k] for k in ("RADICALE_PORT", "RADICALE_TLS_PORT")), (v, v2))
            dav = Dav(v2["RADICALE_URL"], ALICE)
            st, _, body = dav.request("GET", kept)
            check("restart: the items are kept", st == 200 and b"Second" in body, st)
            st, _, body = dav.propfind("/alice/tasks/", ["d:getetag"], depth="1")
            hrefs = sorted(h for h in responses(body) if h.endswith(".ics")) if st == 207 else None
            check("restart: the deleted item stays deleted", hrefs == [kept], hrefs)
        finally:
            stop(dir_)

        # RADICALE_USERS: other logins get their own collections; the default ones are gone.
        dir3 = os.path.join(workdir, "users")
        v3, _ = start(dir3, RADICALE_USERS="carol:carol-pw dave:dave-pw")
        try:
            discover(Dav(v3["RADICALE_URL"], ("carol", "carol-pw")), "carol")
            st, _, _ = Dav(v3["RADICALE_URL"], ALICE).propfind("/alice/", ["d:displayname"])
            check("RADICALE_USERS: alice is not a user there (401)", st == 401, st)
        finally:
            stop(dir3)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
