#!/usr/bin/env python3
"""A fault-injecting SMTP proxy for tests (asyncio, standard library only), on 127.0.0.1 only.

Listens on a free port (or --port), prints `PROXY_PORT=N` as its first stdout line, and forwards
each connection to --upstream HOST:PORT (a plain SMTP server: smtp.sh's SMTP_PLAIN_PORT; the
proxy must see the commands, so no TLS). On the connections it picks it injects one fault:

  before-mail  the client's MAIL FROM line is not forwarded; the connection is closed
  after-rcpt   RCPT and its reply pass; when the client sends DATA, it is not forwarded and the
               connection is closed
  mid-data     DATA and its 354 pass; about half of the message bytes are forwarded, then the
               connection is closed (the server gets no final dot: no message)
  after-dot    the whole message, final "\\r\\n.\\r\\n" included, is forwarded; the server's answer
               is awaited, DROPPED, and the connection closed (the server has the message, the
               client does not know)
  none         no fault

Before a fault, the replies to everything already forwarded reach the client (so after-rcpt's
client has seen the RCPT reply). With --kill-pid-file FILE, the process whose pid FILE holds (read
at that moment) is first killed with SIGKILL: the client dies right there. Then the server side
is reset and the client side closed.

Which connections: the first one, then every Nth (--every N: 1 = all, 2 = the 1st, 3rd, 5th, …
so that a retry succeeds). --control FILE, when it exists and is not empty, overrides --point and
--every; it is re-read for each new connection and holds `POINT [EVERY]` (e.g. `after-dot 1`).
Counting starts again at "the first" whenever the point or EVERY changes.

Each connection and each fault is logged to stderr (or --log FILE). --stats FILE holds the JSON
summary {"connections": N, "faults": M}, rewritten (atomically) at start, on each new
connection, after each fault (before the client sees it) and on exit (SIGTERM, SIGINT).

SMTP is parsed as lines, not packets: commands may arrive pipelined, several in one read, or a
line in pieces. Each command line gets one reply (multi-line "250-…" replies are joined), DATA's
content gets one after its final dot, the greeting is the first.

Usage: smtp_fault_proxy.py --upstream 127.0.0.1:PORT [--point after-dot] [--every 2]
         [--control FILE] [--kill-pid-file FILE] [--stats FILE] [--log FILE] [--port N]
"""
import argparse
import asyncio
import collections
import ipaddress
import json
import os
import signal
import sys
import time

POINTS = ("before-mail", "after-rcpt", "mid-data", "after-dot", "none")
REPLY_WAIT = 10  # seconds to wait for outstanding replies before a fault
MESSAGE = b"<message>"  # the pending-reply label of DATA's content


class Faulted(Exception):
    """The fault was injected: this connection is over."""


class Proxy:
    def __init__(self, args):
        self.upstream_host, _, port = args.upstream.rpartition(":")
        self.upstream_port = int(port)
        self.point, self.every = args.point, args.every
        self.control = args.control
        self.kill_pid_file = args.kill_pid_file
        self.stats_path = args.stats
        self.log_file = open(args.log, "a", buffering=1) if args.log else sys.stderr
        self.connections = 0
        self.faults = 0
        self.config = None  # (point, every) the counting below belongs to
        self.since_config = 0  # connections since the config last changed

    def log(self, text):
        stamp = time.strftime("%H:%M:%S") + f".{int(time.time() * 1000) % 1000:03d}"
        print(f"{stamp} smtp_fault_proxy: {text}", file=self.log_file, flush=True)

    def write_stats(self):
        if not self.stats_path:
            return
        tmp = self.stats_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"connections": self.connections, "faults": self.faults}, f)
            f.write("\n")
        os.replace(tmp, self.stats_path)

    def current_config(self):
        """(point, every) from the control file when it says so, else from the command line."""
        if self.control:
            try:
                with open(self.control) as f:
                    words = f.read().split()
            except FileNotFoundError:
                words = []
            if words:
                try:
                    point = words[0]
                    every = int(words[1]) if len(words) > 1 else self.every
                    if point not in POINTS or every < 1:
                        raise ValueError
                    return point, every
                except ValueError:
                    self.log(f"ignoring the control file {self.control}: want 'POINT [EVERY]', "
                             f"POINT one of {', '.join(POINTS)}, EVERY >= 1; got {' '.join(words)!r}")
        return self.point, self.every

    async def handle(self, client_reader, client_writer):
        self.connections += 1
        n = self.connections
        config = self.current_config()
        if config != self.config:
            self.config, self.since_config = config, 0
        self.since_config += 1
        point, every = config
        inject = point != "none" and (self.since_config - 1) % every == 0
        peer = client_writer.get_extra_info("peername")
        self.log(f"connection {n} from {peer[0]}:{peer[1]}: "
                 + (f"will inject {point}" if inject else f"passing through (point {point}, every {every})"))
        self.write_stats()
        try:
            up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError as e:
            self.log(f"connection {n}: upstream {self.upstream_host}:{self.upstream_port} unreachable: {e}")
            client_writer.close()
            return
        conn = Connection(self, n, point if inject else "none", client_reader, client_writer, up_reader, up_writer)
        await conn.run()

    def fault_happened(self):
        self.faults += 1
        self.write_stats()


class Connection:
    """One client connection and its upstream connection, with the fault at `point`."""

    def __init__(self, proxy, n, point, client_reader, client_writer, up_reader, up_writer):
        self.proxy, self.n, self.point = proxy, n, point
        self.client_reader, self.client_writer = client_reader, client_writer
        self.up_reader, self.up_writer = up_reader, up_writer
        self.pending = collections.deque([b"<greeting>"])  # commands awaiting a reply, in order
        self.idle = asyncio.Event()  # set while no reply is pending
        self.data_reply = None  # a future for the code of the reply to DATA
        self.faulted = False

    def log(self, text):
        self.proxy.log(f"connection {self.n}: {text}")

    async def run(self):
        c2s = asyncio.ensure_future(self.client_to_server())
        s2c = asyncio.ensure_future(self.server_to_client())
        try:
            done, _ = await asyncio.wait([c2s, s2c], return_when=asyncio.FIRST_COMPLETED)
            if done == {c2s} and c2s.exception() is None:
                # The client has half-closed: the server answers what it got, then closes.
                done, _ = await asyncio.wait([s2c], timeout=REPLY_WAIT)
                done.add(c2s)
        finally:
            for t in (c2s, s2c):
                t.cancel()
            await asyncio.gather(c2s, s2c, return_exceptions=True)
        errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
        errors = [e for e in errors if not isinstance(e, Faulted)]
        for w in (self.up_writer, self.client_writer):
            w.close()
        if errors:
            self.log(f"closed after an error: {errors[0]!r}")
        elif not self.faulted:
            self.log("closed, no fault")

    def expect_reply(self, label):
        self.pending.append(label)
        self.idle.clear()

    async def fault(self, what):
        """Injects the fault: kills the client when told to, counts, and closes both sides."""
        self.faulted = True
        if self.proxy.kill_pid_file:
            try:
                with open(self.proxy.kill_pid_file) as f:
                    pid = int(f.read().split()[0])
                os.kill(pid, signal.SIGKILL)
                what += f"; killed pid {pid}"
            except (OSError, ValueError, IndexError) as e:
                what += f"; could not kill the pid in {self.proxy.kill_pid_file}: {e}"
        self.proxy.fault_happened()
        self.log(f"injected {self.point}: {what}")
        self.up_writer.transport.abort()  # the server sees the connection reset
        self.client_writer.close()
        raise Faulted()

    async def wait_for_replies(self):
        """Lets the replies to everything forwarded so far reach the client."""
        try:
            await asyncio.wait_for(self.idle.wait(), REPLY_WAIT)
        except asyncio.TimeoutError:
            self.log(f"no reply to {[p.decode(errors='replace') for p in self.pending]} within {REPLY_WAIT}s")

    async def client_to_server(self):
        buf = bytearray()
        in_data = False
        held = bytearray()  # mid-data: the message, held back until its final dot
        while True:
            chunk = await self.client_reader.read(65536)
            if not chunk:
                if self.up_writer.can_write_eof():
                    self.up_writer.write_eof()  # the server answers what it has, then closes
                return
            buf += chunk
            while True:
                end = buf.find(b"\n")
                if end < 0:
                    break  # an incomplete line: wait for the rest
                line = bytes(buf[:end + 1])
                del buf[:end + 1]
                if in_data:
                    last = line == b".\r\n"
                    if self.point == "mid-data":
                        held += line
                        if last:
                            half = len(held) // 2
                            self.up_writer.write(bytes(held[:half]))
                            await self.up_writer.drain()
                            await self.fault(f"forwarded {half} of the message's {len(held)} bytes")
                        continue
                    if last:
                        self.expect_reply(MESSAGE)
                        in_data = False
                    self.up_writer.write(line)
                    continue
                verb = line.split(None, 1)[0].upper() if line.strip() else b""
                if verb == b"MAIL" and self.point == "before-mail":
                    await self.wait_for_replies()
                    await self.fault("did not forward MAIL FROM")
                if verb == b"DATA" and self.point == "after-rcpt":
                    await self.wait_for_replies()
                    await self.fault("did not forward DATA")
                self.expect_reply(verb)
                self.up_writer.write(line)
                if verb == b"DATA":
                    # The content follows only after a 354; anything else ends the transaction.
                    self.data_reply = asyncio.get_running_loop().create_future()
                    await self.up_writer.drain()
                    in_data = await self.data_reply == 354
            await self.up_writer.drain()

    async def server_to_client(self):
        buf = bytearray()
        reply = []
        while True:
            chunk = await self.up_reader.read(65536)
            if not chunk:
                self.client_writer.close()  # the server ended the session: so do we
                return
            buf += chunk
            while True:
                end = buf.find(b"\n")
                if end < 0:
                    break
                line = bytes(buf[:end + 1])
                del buf[:end + 1]
                reply.append(line)
                if line[3:4] == b"-":
                    continue  # a continuation line of a multi-line reply
                text, reply = b"".join(reply), []
                label = self.pending.popleft() if self.pending else b"<unsolicited>"
                code = int(line[:3]) if line[:3].isdigit() else 0
                if label == MESSAGE and self.point == "after-dot":
                    await self.fault("dropped the server's reply to the message: "
                                     + text.decode(errors="replace").strip())
                self.client_writer.write(text)
                await self.client_writer.drain()
                if label == b"DATA" and self.data_reply is not None and not self.data_reply.done():
                    self.data_reply.set_result(code)
                if not self.pending:
                    self.idle.set()


def loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def main_async(args):
    proxy = Proxy(args)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    proxy.write_stats()
    print(f"PROXY_PORT={port}", flush=True)
    proxy.log(f"listening on 127.0.0.1:{port}, upstream {args.upstream}, point {args.point}, every {args.every}"
              + (f", control file {args.control}" if args.control else "")
              + (f", killing the pid in {args.kill_pid_file}" if args.kill_pid_file else ""))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()
        proxy.write_stats()
        proxy.log(f"exiting after {proxy.connections} connections, {proxy.faults} faults")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="HOST:PORT of the SMTP server (loopback)")
    p.add_argument("--point", choices=POINTS, default="none", help="where to inject the fault")
    p.add_argument("--every", type=int, default=2, help="inject on the first and then every Nth connection")
    p.add_argument("--control", help="file with 'POINT [EVERY]', re-read for each connection")
    p.add_argument("--kill-pid-file", help="SIGKILL the pid in this file at the fault point")
    p.add_argument("--stats", help='JSON {"connections": N, "faults": M}, kept up to date')
    p.add_argument("--log", help="log file (default stderr)")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    args = p.parse_args()
    host, sep, port = args.upstream.rpartition(":")
    if not sep or not port.isdigit():
        p.error("--upstream must be HOST:PORT")
    if not loopback(host):
        p.error("--upstream must be on the loopback interface (tests talk to 127.0.0.1 only)")
    if args.every < 1:
        p.error("--every must be >= 1")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
