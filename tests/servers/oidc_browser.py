#!/usr/bin/env python3
"""Plays the user's browser for an authorization URL of tests/servers/oidc.sh's provider.

Usage: oidc_browser.py URL      (Satu runs `$SATU_BROWSER URL`)

Follows the authorization request, signs in as ${OIDC_LOGIN:-alice} / ${OIDC_PASSWORD:-alice-pass},
presses "Allow" on the consent page (or "Deny"/"Cancel" with OIDC_DENY=1: the client then gets
error=access_denied) and follows the final redirect to the loopback redirect URI with a GET, as a
browser would: that request goes to the client under test. Each step is printed on stderr (without
codes or tokens). Exit 0 when the redirect GET got an HTTP answer (any status), 1 otherwise with
the reason. Python stdlib only.

Environment: OIDC_LOGIN, OIDC_PASSWORD, OIDC_DENY=1, OIDC_BROWSER_TIMEOUT (seconds per request,
default 10), OIDC_BROWSER_LOG (a file to append the steps to, besides stderr).
"""
import html.parser
import http.cookiejar
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = float(os.environ.get("OIDC_BROWSER_TIMEOUT", "10"))
LOGIN = os.environ.get("OIDC_LOGIN", "alice")
PASSWORD = os.environ.get("OIDC_PASSWORD", "alice-pass")
DENY = os.environ.get("OIDC_DENY", "") not in ("", "0")
MAX_STEPS = 20


def say(msg):
    line = f"oidc_browser: {msg}"
    print(line, file=sys.stderr, flush=True)
    log = os.environ.get("OIDC_BROWSER_LOG")
    if log:
        with open(log, "a") as f:
            f.write(line + "\n")


def fail(msg):
    say(f"FAILED: {msg}")
    sys.exit(1)


def shown(url):
    """The URL without its query values (codes, states, challenges stay out of logs)."""
    p = urllib.parse.urlsplit(url)
    keys = [k for k, _ in urllib.parse.parse_qsl(p.query, keep_blank_values=True)]
    q = "&".join(f"{k}=…" for k in keys)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, p.path, q, ""))


class Forms(html.parser.HTMLParser):
    """Collects <form id action method> with their <input name value>, and the #error text."""

    def __init__(self):
        super().__init__()
        self.forms = {}
        self.current = None
        self.error = None
        self.in_error = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms[a.get("id") or f"form{len(self.forms)}"] = self.current
        elif tag == "input" and self.current is not None and a.get("name"):
            self.current["fields"][a["name"]] = a.get("value") or ""
        if a.get("id") == "error":
            self.in_error = True
            self.error = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        if self.in_error and tag in ("p", "pre", "div"):
            self.in_error = False

    def handle_data(self, data):
        if self.in_error:
            self.error += data


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    url = sys.argv[1]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect,
                                         urllib.request.ProxyHandler({}))
    provider = urllib.parse.urlsplit(url).netloc
    method, data = "GET", None
    logged_in = consented = False

    for _ in range(MAX_STEPS):
        to_provider = urllib.parse.urlsplit(url).netloc == provider
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            resp = opener.open(req, timeout=TIMEOUT)
            status, headers, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if to_provider:
                fail(f"{method} {shown(url)}: {reason}")
            fail(f"the redirect to the client {shown(url)} got no answer: {reason}")
        say(f"{method} {shown(url)} -> {status}")

        if not to_provider:
            # The loopback redirect URI: the client under test answered.
            q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
            what = "error=" + q["error"] if "error" in q else ("a code" if "code" in q else "no code")
            say(f"the client answered {status} to the redirect with {what}")
            return 0

        if status in (301, 302, 303, 307, 308):
            location = headers.get("Location")
            if not location:
                fail(f"{status} without Location")
            url = urllib.parse.urljoin(url, location)
            method, data = "GET", None
            continue

        text = body.decode("utf-8", "replace")
        forms = Forms()
        forms.feed(text)
        if status != 200:
            fail(f"the provider answered {status}: {(forms.error or text).strip()[:500]}")
        if forms.error and "login" in forms.forms and logged_in:
            fail(f"the provider refused the login {LOGIN!r}: {forms.error.strip()}")
        if DENY and "deny" in forms.forms:
            form, step = forms.forms["deny"], "pressing Deny/Cancel"
        elif "login" in forms.forms:
            if logged_in:
                fail("the login form came back")
            form, step = forms.forms["login"], f"signing in as {LOGIN}"
            form["fields"].update(login=LOGIN, password=PASSWORD)
            logged_in = True
        elif "consent" in forms.forms:
            if consented:
                fail("the consent form came back")
            form, step = forms.forms["consent"], "pressing Allow"
            consented = True
        elif forms.error is not None:
            fail(f"the provider shows an error: {forms.error.strip()[:500]}")
        else:
            fail(f"a page without a known form: {text.strip()[:300]}")
        say(step)
        url = urllib.parse.urljoin(url, form["action"])
        method = form["method"].upper()
        data = urllib.parse.urlencode(form["fields"]).encode() if method == "POST" else None
        if method == "GET":
            url = url.split("?")[0] + "?" + urllib.parse.urlencode(form["fields"])
    fail(f"no redirect to the client after {MAX_STEPS} steps")


if __name__ == "__main__":
    sys.exit(main())
