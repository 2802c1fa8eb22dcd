#!/usr/bin/env python3
"""An OAuth2 bearer-token reverse proxy for tests (stdlib only), as real deployments put in front of
a CalDAV server that trusts the proxy's user header. radicale.sh starts it with
OAUTH2_INTROSPECTION_URL; it listens on 127.0.0.1 only.

  bearer_proxy.py --introspection-url URL --log FILE --ready-file FILE
                  --listen PORT --upstream http://127.0.0.1:P/
                  [--listen-tls PORT --upstream-tls https://127.0.0.1:P/ --cert F --key F --ca F]

Each listener forwards to its upstream. Per request:
  - no `Authorization: Bearer TOKEN` (none, Basic, any other scheme, an empty token):
    401, `WWW-Authenticate: Bearer realm="satu-test"`
  - TOKEN is POSTed as token=TOKEN (token_type_hint=access_token) to the RFC 7662 introspection URL,
    HTTP Basic from the URL's user:password. Nothing is cached: every request asks.
    - {"active":true,"sub":S}: the request (method, path and query, headers except Authorization,
      X-Remote-User and the hop-by-hop ones, body) goes to the upstream with `X-Remote-User: S`;
      the answer (status line, headers, body; read whole, then sent) is relayed unchanged
    - inactive, no sub, or the provider answers 4xx: 401,
      `WWW-Authenticate: Bearer realm="satu-test", error="invalid_token"`
    - provider unreachable, 5xx or not JSON: 503
  - upstream unreachable: 502
HTTP/1.0 to the client, as Radicale: one request per connection. A chunked request body is
decoded and forwarded with a Content-Length (Radicale reads Content-Length only).
One log line per request, written before the answer is sent: `TIME METHOD PATH STATUS sub=S|- MS`
(path without the query; never a token).
On SIGTERM/SIGINT: stops listening, finishes requests in progress (at most 5 s), exits 0.
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REALM = "satu-test"
# Request headers never forwarded (hop-by-hop, RFC 9110 §7.6.1, and the ones the proxy sets).
DROP = {"authorization", "x-remote-user", "connection", "keep-alive", "proxy-authorization",
        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect"}


class Unavailable(Exception):
    """The introspection endpoint could not be asked."""


def introspect(url, token):
    """POSTs token=TOKEN to the RFC 7662 URL (Basic credentials from its userinfo). Returns the
    subject when the token is active, None when not; raises Unavailable."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    req = urllib.request.Request(
        urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")),
        data=urllib.parse.urlencode({"token": token, "token_type_hint": "access_token"}).encode(),
        method="POST", headers={"Accept": "application/json",
                                "Content-Type": "application/x-www-form-urlencoded"})
    if parts.username is not None:
        creds = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        req.add_header("Authorization", "Basic " + base64.b64encode(creds.encode()).decode())
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=5) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as e:
        if 400 <= e.code < 500:
            return None  # e.g. a malformed token the provider refuses outright
        raise Unavailable(f"introspection answered {e.code}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Unavailable(f"introspection failed: {e}") from e
    if not isinstance(answer, dict):
        raise Unavailable("introspection answer is not a JSON object")
    sub = answer.get("sub")
    if answer.get("active") is True and isinstance(sub, str) and sub:
        return sub
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "satu-bearer-proxy"
    timeout = 30  # a client that stops sending

    def log_message(self, *args):
        pass  # our own log line per request, below

    def handle_one_request(self):
        self._t0 = time.monotonic()
        self._sub = "-"
        super().handle_one_request()

    def log_done(self, status):
        """The request's log line, written before the answer is sent: whoever got the answer finds
        the line."""
        path = urllib.parse.urlsplit(self.path).path
        self.server.log(f"{self.command} {path} {status} sub={self._sub} "
                        f"{(time.monotonic() - self._t0) * 1000:.0f}ms")

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.proxy  # every method, including WebDAV's (PROPFIND, REPORT, MKCALENDAR, …)
        raise AttributeError(name)

    def answer(self, status, text, challenge=None):
        self.log_done(status)
        body = (text + "\n").encode()
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Server", self.server_version)
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        return self.rfile.read(int(length))

    def proxy(self):
        # The body first, also when the answer is 401: closing with unread data would reset the
        # connection, and the client might lose the answer.
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return self.answer(400, "Malformed request body")
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return self.answer(401, "Bearer token required", f'Bearer realm="{REALM}"')
        try:
            sub = introspect(self.server.introspection_url, token)
        except Unavailable as e:
            self.server.log(f"introspection: {e}")
            return self.answer(503, "The token could not be checked: the OAuth2 provider is unreachable")
        if sub is None:
            return self.answer(401, "Invalid token", f'Bearer realm="{REALM}", error="invalid_token"')
        self._sub = sub
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower().replace("_", "-") not in DROP]
        if body is not None:
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        headers.append(("X-Remote-User", sub))
        up = self.server.upstream
        try:
            if up.scheme == "https":
                conn = http.client.HTTPSConnection(up.hostname, up.port, timeout=120,
                                                   context=self.server.upstream_ssl)
            else:
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                conn.putheader(k, v)
            conn.endheaders(body)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            self.server.log(f"upstream {up.geturl()}: {e}")
            return self.answer(502, "The CalDAV server behind the proxy is unreachable")
        try:
            data = resp.read()  # buffered: Radicale builds its answers in memory anyway
        except (OSError, http.client.HTTPException) as e:
            self.server.log(f"upstream {up.geturl()}: {e}")
            return self.answer(502, "The CalDAV server behind the proxy broke off its answer")
        finally:
            conn.close()
        self.log_done(resp.status)
        try:
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.msg.items():
                if k.lower() != "transfer-encoding":  # http.client decoded the chunks; the body ends at close
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client went away
        self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # SIGTERM waits for the requests in progress (server_close joins them)
    block_on_close = True

    def __init__(self, port, upstream, introspection_url, logf, upstream_ssl=None, tls=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.upstream_ssl = upstream_ssl
        self.introspection_url = introspection_url
        self.logf = logf
        self.tls = tls
        super().__init__(("127.0.0.1", port), Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls:
            # The handshake happens on the first read, in the request's thread.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        self.log(f"connection from {client_address[0]}:{client_address[1]}: {sys.exc_info()[1]!r}")

    def log(self, line):
        self.logf(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--introspection-url", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--listen-tls", type=int)
    ap.add_argument("--upstream-tls")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ca")
    a = ap.parse_args()
    if not a.introspection_url.startswith(("http://", "https://")):
        sys.exit("bearer_proxy: --introspection-url must be an http(s) URL")

    lock = threading.Lock()
    logfile = open(a.log, "a", buffering=1)

    def log(line):
        with lock:
            logfile.write(time.strftime("%Y-%m-%dT%H:%M:%S") + f".{int(time.time() * 1000) % 1000:03d} {line}\n")

    servers = []
    port = a.listen
    try:
        servers.append(Server(port, a.upstream, a.introspection_url, log))
        if a.listen_tls is not None:
            port = a.listen_tls
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(a.cert, a.key)
            up_ssl = ssl.create_default_context(cafile=a.ca)
            servers.append(Server(port, a.upstream_tls, a.introspection_url, log,
                                  upstream_ssl=up_ssl, tls=tls))
    except OSError as e:
        log(f"cannot listen on 127.0.0.1:{port}: {e}")
        print(f"bearer_proxy: cannot listen on 127.0.0.1:{port}: {e}", file=sys.stderr)
        sys.exit(98 if e.errno == 98 else 1)  # 98: EADDRINUSE, radicale.sh retries

    ports = [s.server_address[1] for s in servers]
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log(f"bearer proxy ready: ports {' '.join(map(str, ports))}, introspection "
        f"{urllib.parse.urlsplit(a.introspection_url).hostname}:{urllib.parse.urlsplit(a.introspection_url).port}"
        f"{urllib.parse.urlsplit(a.introspection_url).path}, no cache")
    tmp = a.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(map(str, ports)) + "\n")
    os.replace(tmp, a.ready_file)
    stop.wait()
    for s in servers:
        s.shutdown()
    done = threading.Event()

    def close():
        for s in servers:
            s.server_close()  # joins the request threads
        done.set()
    threading.Thread(target=close, daemon=True).start()
    done.wait(5)
    log("bearer proxy stopped")
    os._exit(0)


if __name__ == "__main__":
    main()
