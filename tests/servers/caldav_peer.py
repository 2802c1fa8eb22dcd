#!/usr/bin/env python3
"""A second CalDAV client for Satu's tests: what another device of the same user does to the server.

Built on the Python `caldav` package (PyPI; pinned in caldav_peer.sh, which makes its venv and runs
this file: use that wrapper). Usage:

  caldav_peer.sh --url URL [--user U --password P] COMMAND ARGS...

  calendars                         [{"url","name","components"}] of the user's calendars
                                    (discovery from URL: current-user-principal, calendar-home-set)
  list CALENDAR_URL                 [{"href","etag","uid","component","summary","ics"}], every object
  get CALENDAR_URL UID              one object as in `list`; exit 3 when there is none
  put CALENDAR_URL FILE.ics         store FILE (`-` = stdin) as it is: replaces the object with its
                                    UID (unconditional PUT to that href), else creates
                                    CALENDAR_URL/<UID>.ics (with '_' for any character but letters,
                                    digits, '-', '_', '.') with If-None-Match: *  -> {"href","etag"}
  edit [--if-match ETAG] CALENDAR_URL UID PROP=VALUE...
                                    set properties of the master component (SUMMARY=..., STATUS=
                                    COMPLETED, DUE=20270105T090000Z, DUE=20270105; PROP= removes it),
                                    bump SEQUENCE, set LAST-MODIFIED and DTSTAMP to now, and PUT it
                                    with If-Match: the ETag read (or --if-match ETAG, to act on a
                                    stale copy)  -> {"href","etag"}
  delete CALENDAR_URL UID           DELETE with If-Match of the ETag read  -> {"href"}
  sync CALENDAR_URL [TOKEN]         sync-collection (RFC 6578), never a fallback to a full listing
                                    -> {"token","changed":[hrefs],"removed":[hrefs]}

CALENDAR_URL is absolute or a path on URL. Hrefs are URL paths as the server names them (as in
`list`). JSON (one line) on stdout; on failure a message on stderr and exit 1 (any failure), 2 (bad
usage), 3 (no object with that UID), 4 (412 Precondition Failed: the object changed since its ETag
was read, or a CalDAV precondition such as a UID taken at another href or data the server refuses),
5 (the server says the sync token is not valid: Radicale's 403; Xandikos answers 500, exit 1).
"""

import argparse
import datetime
import json
import os
import sys
import urllib.parse

import caldav
import icalendar
from caldav.lib import error
from icalendar.prop.factory import TypesFactory

EXIT_FAIL, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_PRECONDITION, EXIT_SYNC_TOKEN = 1, 2, 3, 4, 5
OBJECT_COMPONENTS = ("VEVENT", "VTODO", "VJOURNAL")
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


class Fail(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def out(value):
    sys.stdout.write(json.dumps(value) + "\n")


def path_of(url):
    return urllib.parse.urlsplit(str(url)).path


def propfind_body(*names):
    props = "".join(f"<{name}/>" for name in names)
    return f'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop>{props}</prop></propfind>'


def body_text(response):
    try:
        body = response.raw or ""
    except Exception:  # an XML body the package could not parse
        body = ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return body.strip()


def status_text(response):
    reason = getattr(response, "reason", "") or ""
    body = body_text(response)
    text = f"{response.status} {reason}".strip()
    if body:
        text += f": {body[:500]}"
    return text


class Peer:
    def __init__(self, url, user, password):
        self.base = url if url.endswith("/") else url + "/"
        self.client = caldav.DAVClient(url=self.base, username=user, password=password, timeout=30)

    def abs_url(self, ref):
        return urllib.parse.urljoin(self.base, ref)

    def calendar(self, ref):
        """The calendar at ref, after checking that it is one (Xandikos answers a PROPFIND of a
        missing collection with a 207 holding a 404, on which a listing would look empty)."""
        url = self.abs_url(ref)
        if not url.endswith("/"):
            url += "/"
        response = self.client.propfind(url, props=propfind_body("resourcetype"), depth=0)
        tree = getattr(response, "tree", None) if response.status == 207 else None
        found = tree is not None and any(
            "200" in (propstat.findtext("{DAV:}status") or "")
            for propstat in tree.iter("{DAV:}propstat")
            if propstat.find(".//{DAV:}resourcetype/{urn:ietf:params:xml:ns:caldav}calendar") is not None
        )
        if not found:
            raise Fail(EXIT_FAIL, f"{url} is not a calendar (PROPFIND: {status_text(response)})")
        return self.client.calendar(url=url)

    # --- reading -------------------------------------------------------------------------------

    def calendars(self):
        principal = self.client.principal()
        result = []
        for cal in principal.get_calendars():
            result.append(
                {
                    "url": str(cal.url),
                    "name": cal.get_display_name(),
                    "components": list(cal.get_supported_components()),
                }
            )
        return sorted(result, key=lambda c: c["url"])

    def load(self, cal, url):
        """The object at url, loaded with GET (data and ETag), or None when it is gone."""
        obj = caldav.CalendarObjectResource(client=self.client, url=url, parent=cal)
        try:
            obj.load()
        except error.NotFoundError:
            return None
        return obj

    def objects(self, cal):
        """Every object of the calendar: a Depth 1 PROPFIND, then a GET of each member."""
        found = []
        for url, _types, _name in cal.children():
            if str(url).endswith("/"):
                continue  # a sub-collection, not a calendar object
            obj = self.load(cal, url)
            if obj is not None:
                found.append(self.describe(obj))
        return sorted(found, key=lambda o: o["href"])

    @staticmethod
    def master(ical):
        comps = [c for c in ical.subcomponents if c.name in OBJECT_COMPONENTS]
        if not comps:
            raise Fail(EXIT_FAIL, "the object has no VEVENT, VTODO or VJOURNAL")
        for comp in comps:
            if "RECURRENCE-ID" not in comp:
                return comp
        return comps[0]

    def describe(self, obj):
        data = obj.raw_data  # the bytes the server sent, not the package's normalised copy
        if data is None:
            data = obj.data
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        comp = self.master(icalendar.Calendar.from_ical(data))
        summary = comp.get("SUMMARY")
        return {
            "href": path_of(obj.url),
            "etag": obj.etag,
            "uid": str(comp.get("UID")) if comp.get("UID") is not None else None,
            "component": comp.name,
            "summary": str(summary) if summary is not None else None,
            "ics": data,
        }

    def find(self, cal, uid):
        """(object, description) of the object with that UID."""
        for url, _types, _name in cal.children():
            if str(url).endswith("/"):
                continue
            obj = self.load(cal, url)
            if obj is None:
                continue
            desc = self.describe(obj)
            if desc["uid"] == uid:
                return obj, desc
        raise Fail(EXIT_NOT_FOUND, f"no object with UID {uid} in {cal.url}")

    def etag_of(self, url):
        """The current ETag of url (for a server whose PUT answer carries none)."""
        response = self.client.propfind(str(url), props=propfind_body("getetag"), depth=0)
        tree = getattr(response, "tree", None) if response.status == 207 else None
        etag = tree.findtext(".//{DAV:}getetag") if tree is not None else None
        return etag or None

    # --- writing -------------------------------------------------------------------------------

    def put_bytes(self, url, body, headers, what):
        response = self.client.put(str(url), body, dict(ICS, **headers))
        if response.status == 412 or (response.status == 207 and "412" in body_text(response)):
            # Xandikos answers a UID taken at another href with a 207 holding a 412.
            raise Fail(EXIT_PRECONDITION, f"{what}: {status_text(response)}")
        if response.status not in (200, 201, 204):
            raise Fail(EXIT_FAIL, f"{what}: the server answered {status_text(response)}")
        etag = response.headers.get("ETag") or self.etag_of(url)
        return {"href": path_of(url), "etag": etag}

    def put(self, cal, filename):
        if filename == "-":
            body = sys.stdin.buffer.read()
        else:
            with open(filename, "rb") as f:
                body = f.read()
        try:
            comp = self.master(icalendar.Calendar.from_ical(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as e:
            raise Fail(EXIT_FAIL, f"{filename} is not an iCalendar object: {e}") from e
        uid = comp.get("UID")
        if uid is None:
            raise Fail(EXIT_FAIL, f"{filename} has no UID")
        uid = str(uid)
        try:
            obj, _ = self.find(cal, uid)
        except Fail as e:
            if e.code != EXIT_NOT_FOUND:
                raise
            # A name needing no percent-encoding, so that every client spells its href alike.
            name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in uid)
            url = cal.url.join(name + ".ics")
            return self.put_bytes(url, body, {"If-None-Match": "*"}, f"PUT {path_of(url)} (new)")
        return self.put_bytes(obj.url, body, {}, f"PUT {path_of(obj.url)} (replace)")

    @staticmethod
    def set_property(comp, assignment):
        name, sep, raw = assignment.partition("=")
        name = name.strip().upper()
        if not sep or not name or not name.replace("-", "").isalnum():
            raise Fail(EXIT_USAGE, f"not PROP=VALUE: {assignment!r}")
        while name in comp:
            del comp[name]
        if raw == "":
            return  # PROP= removes it
        try:
            value = TypesFactory.instance().from_ical(name, raw)
        except ValueError as e:
            raise Fail(EXIT_USAGE, f"{name}: not a valid value: {raw!r} ({e})") from e
        comp.add(name, value)

    def edit(self, cal, uid, assignments, if_match=None):
        for assignment in assignments:  # the syntax, before anything is read
            self.set_property(icalendar.Todo(), assignment)
        obj, desc = self.find(cal, uid)
        ical = icalendar.Calendar.from_ical(desc["ics"])
        comp = self.master(ical)
        for assignment in assignments:
            self.set_property(comp, assignment)
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        sequence = int(comp.get("SEQUENCE", 0)) + 1
        for name, value in (("SEQUENCE", sequence), ("LAST-MODIFIED", now), ("DTSTAMP", now)):
            while name in comp:
                del comp[name]
            comp.add(name, value)
        etag = if_match or desc["etag"]
        if not etag:
            raise Fail(EXIT_FAIL, f"the server gave no ETag for {desc['href']}: cannot send If-Match")
        return self.put_bytes(
            obj.url, ical.to_ical(), {"If-Match": etag}, f"PUT {desc['href']} with If-Match {etag}"
        )

    def delete(self, cal, uid):
        obj, desc = self.find(cal, uid)
        headers = {"If-Match": desc["etag"]} if desc["etag"] else {}
        response = self.client.delete(str(obj.url), headers)
        what = f"DELETE {desc['href']}"
        if response.status == 412:
            raise Fail(EXIT_PRECONDITION, f"{what}: {status_text(response)}")
        if response.status not in (200, 204):
            raise Fail(EXIT_FAIL, f"{what}: the server answered {status_text(response)}")
        return {"href": desc["href"]}

    def sync(self, cal, token):
        try:
            result = cal.get_objects_by_sync_token(
                sync_token=token, load_objects=False, disable_fallback=True
            )
        except error.DAVError as e:
            text = str(e)
            if "valid-sync-token" in text or "valid-sync-token" in str(getattr(e, "preconditions", "")):
                raise Fail(EXIT_SYNC_TOKEN, f"sync-collection: the token is not valid: {text}") from e
            raise Fail(EXIT_FAIL, f"sync-collection failed: {text}") from e
        removed = {path_of(u) for u in result.deleted_urls}
        changed = {path_of(o.url) for o in result.objects} - removed
        return {"token": result.sync_token, "changed": sorted(changed), "removed": sorted(removed)}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="caldav_peer.sh",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", required=True, help="the server (discovery starts here)")
    parser.add_argument("--user", default=os.environ.get("CALDAV_PEER_USER"))
    parser.add_argument("--password", default=os.environ.get("CALDAV_PEER_PASSWORD"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("calendars")
    p = sub.add_parser("list")
    p.add_argument("calendar")
    p = sub.add_parser("get")
    p.add_argument("calendar")
    p.add_argument("uid")
    p = sub.add_parser("put")
    p.add_argument("calendar")
    p.add_argument("file")
    p = sub.add_parser("edit")
    p.add_argument("--if-match", dest="if_match", metavar="ETAG")
    p.add_argument("calendar")
    p.add_argument("uid")
    p.add_argument("assignments", nargs="+", metavar="PROP=VALUE")
    p = sub.add_parser("delete")
    p.add_argument("calendar")
    p.add_argument("uid")
    p = sub.add_parser("sync")
    p.add_argument("calendar")
    p.add_argument("token", nargs="?")
    return parser.parse_args(argv)


def run(args):
    peer = Peer(args.url, args.user, args.password)
    if args.command == "calendars":
        return peer.calendars()
    cal = peer.calendar(args.calendar)
    if args.command == "list":
        return peer.objects(cal)
    if args.command == "get":
        return peer.find(cal, args.uid)[1]
    if args.command == "put":
        return peer.put(cal, args.file)
    if args.command == "edit":
        return peer.edit(cal, args.uid, args.assignments, args.if_match)
    if args.command == "delete":
        return peer.delete(cal, args.uid)
    if args.command == "sync":
        return peer.sync(cal, args.token)
    raise Fail(EXIT_USAGE, f"unknown command {args.command}")


def main(argv):
    args = parse_args(argv)
    try:
        out(run(args))
    except Fail as e:
        print(f"caldav_peer: {e}", file=sys.stderr)
        return e.code
    except error.NotFoundError as e:  # e.g. the calendar itself: not exit 3, kept for a missing UID
        print(f"caldav_peer: not found: {e}", file=sys.stderr)
        return EXIT_FAIL
    except error.AuthorizationError as e:
        print(f"caldav_peer: refused (wrong user name or password?): {e}", file=sys.stderr)
        return EXIT_FAIL
    except (error.DAVError, OSError) as e:
        print(f"caldav_peer: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAIL
    except Exception as e:  # the caldav package raises many kinds (niquests, lxml, ...)
        print(f"caldav_peer: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAIL
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
