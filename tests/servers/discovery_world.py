#!/usr/bin/env python3
"""The outside world of discovery tests, on 127.0.0.1 only: a DNS server answering from a zone
file (dnslib) and an HTTPS server answering from a folder per host name (autoconfig files, an
ISPDB stand-in). Started by tests/servers/discovery.sh; see there for the files it reads.

    discovery_world.py --dir DIR --dns-port N --https-port N

DNS: DIR/zone.txt in zone-file syntax (absolute names), read again when it changes. A name in the zone without the asked
type answers NOERROR with no records; a name not in the zone answers NXDOMAIN; a name whose
only record is `TXT "servfail"` answers SERVFAIL (a broken server). UDP and TCP.
HTTPS: GET https://HOST:PORT/PATH answers the file DIR/web/HOST/PATH (the query ignored), 404
else; DIR/web/HOST/PATH.slow makes it wait 30 s first (a server that hangs). Certificate:
DIR/cert.pem and DIR/key.pem. Every request is logged to DIR/requests.log (one line each).
"""
import argparse
import http.server
import os
import ssl
import sys
import threading
import time

from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class ZoneResolver(BaseResolver):
    """Answers from the zone file, read again whenever it changed (a test writes it late)."""

    def __init__(self, path, log):
        self.path = path
        self.log = log
        self.mtime = None
        self.records = []
        self.lock = threading.Lock()

    def reload(self):
        with self.lock:
            mtime = os.stat(self.path).st_mtime_ns
            if mtime != self.mtime:
                with open(self.path) as f:
                    self.records = RR.fromZone(f.read())
                self.mtime = mtime

    def resolve(self, request, handler):
        self.reload()
        reply = request.reply()
        qname = request.q.qname
        qtype = QTYPE[request.q.qtype]
        named = [rr for rr in self.records if rr.rname == qname]
        with open(self.log, "a") as f:
            f.write(f"dns {qname} {qtype}\n")
        if any(QTYPE[rr.rtype] == "TXT" and b"servfail" in rr.rdata.data[0] for rr in named if QTYPE[rr.rtype] == "TXT"):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if not named:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for rr in named:
            if QTYPE[rr.rtype] == qtype or (qtype == "ANY"):
                reply.add_answer(rr)
        return reply


def web_handler(root, log):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            path = self.path.split("?")[0]
            with open(log, "a") as f:
                f.write(f"https {host} {path}\n")
            file = os.path.normpath(os.path.join(root, host, path.lstrip("/")))
            if not file.startswith(os.path.join(root, host) + os.sep) or not os.path.isfile(file):
                self.send_error(404)
                return
            if os.path.exists(file + ".slow"):
                time.sleep(30)
            with open(file, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            # A one-click unsubscribe (RFC 8058) and the like: logged with its body and the
            # headers that must not be there; answered 200 when web/HOST/PATH exists.
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            path = self.path.split("?")[0]
            length = min(int(self.headers.get("Content-Length") or 0), 65536)
            body = self.rfile.read(length).decode("utf-8", "replace")
            extra = " ".join(h for h in ("Cookie", "Authorization") if self.headers.get(h))
            with open(log, "a") as f:
                f.write(f"post {host} {path} {body}{' with ' + extra if extra else ''}\n")
            file = os.path.normpath(os.path.join(root, host, path.lstrip("/")))
            status = 200 if file.startswith(os.path.join(root, host) + os.sep) and os.path.isfile(file) else 404
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--dns-port", type=int, required=True)
    parser.add_argument("--https-port", type=int, required=True)
    args = parser.parse_args()
    log = os.path.join(args.dir, "requests.log")
    resolver = ZoneResolver(os.path.join(args.dir, "zone.txt"), log)
    resolver.reload()
    quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    for tcp in (False, True):
        DNSServer(resolver, address="127.0.0.1", port=args.dns_port, tcp=tcp, logger=quiet).start_thread()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(args.dir, "cert.pem"), os.path.join(args.dir, "key.pem"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.https_port), web_handler(os.path.join(args.dir, "web"), log))
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
