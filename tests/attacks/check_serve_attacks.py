#!/usr/bin/python3
"""The main attacks against h2e-serve over loopback.

Each attack runs on its own connection for a bounded number of frames
while a well-behaved client keeps fetching a page over another
connection. Checked: the well-behaved client is served throughout, the
attacker gets the reaction the engine promises (GOAWAY ENHANCE_YOUR_CALM,
or the server stops reading from it), and the server's resident memory
stays flat: after a first round has warmed everything up, a second round
of every attack may not grow it by more than a few pages.

usage: check_serve_attacks.py H2E_SERVE [--no-rss-check]
(--no-rss-check for sanitizer builds, whose allocator keeps freed memory
in quarantine: the RSS is then reported, not checked.)
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import h2.config
import h2.connection
import h2.events

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM = 0xB
# :method GET, :scheme http, :path /, :authority localhost (literal).
REQUEST = bytes([0x82, 0x86, 0x84, 0x01, 0x09]) + b"localhost"


def frame(ftype, flags, stream, payload=b""):
    return (struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) +
            struct.pack(">I", stream) + payload)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Attacker:
    """A raw connection: the preface, then whatever the attack sends."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(PREFACE + frame(4, 0, 0) + frame(4, 1, 0))
        self.inbox = b""

    def send(self, data, timeout=2.0):
        """Sends unless the server stopped reading; False when it did."""
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
            return True
        except (socket.timeout, BrokenPipeError, ConnectionResetError):
            return False

    def goaway_code(self, wait=3.0):
        """Reads what the server sent; the code of its GOAWAY, or None."""
        deadline = time.time() + wait
        self.sock.settimeout(0.2)
        while time.time() < deadline:
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            if not data:
                break
            self.inbox += data
        pos = 0
        while pos + 9 <= len(self.inbox):
            length = int.from_bytes(self.inbox[pos:pos + 3], "big")
            if self.inbox[pos + 3] == 7 and pos + 9 + length <= len(self.inbox):
                return struct.unpack(">I", self.inbox[pos + 13:pos + 17])[0]
            pos += 9 + length
        return None

    def close(self):
        self.sock.close()


def flood_until_goaway(a, make_frames, batches=50):
    """Sends batches of 100 rounds, reading what comes back between them
    (so a slow server is not mistaken for one that stopped reading), until
    the GOAWAY arrives."""
    sid = 1
    for _ in range(batches):
        batch = b"".join(make_frames(sid + 2 * k) for k in range(100))
        sid += 200
        if not a.send(batch, timeout=5.0) or a.goaway_code(wait=0.01) is not None:
            break
    return a.goaway_code() == ENHANCE_YOUR_CALM


def rapid_reset(a):
    return flood_until_goaway(a, lambda sid: frame(1, 0x5, sid, REQUEST) +
                              frame(3, 0, sid, struct.pack(">I", 8)))


def made_you_reset(a):
    return flood_until_goaway(a, lambda sid: frame(1, 0x4, sid, REQUEST) +
                              frame(8, 0, sid, struct.pack(">I", 0)))


def continuation_flood(a):
    a.send(frame(1, 0, 1, b"\x40" * 16384))
    for _ in range(1000):
        if not a.send(frame(9, 0, 1, b"\x40" * 16384)):
            break
    return a.goaway_code() == ENHANCE_YOUR_CALM


def ping_flood_unread(a):
    """Never reads: the server must stop reading, not queue ACKs."""
    sent = 0
    burst = frame(6, 0, 0, b"\0" * 8) * 1000
    for _ in range(2000):
        if not a.send(burst, timeout=1.0):
            break
        sent += 1000
    return sent < 2_000_000  # it pushed back before 2 M PINGs


def ping_flood(a):
    for _ in range(50):
        if not a.send(frame(6, 0, 0, b"\0" * 8) * 100):
            break
        a.goaway_code(wait=0.01)
    return a.goaway_code() == ENHANCE_YOUR_CALM


def settings_flood(a):
    for _ in range(50):
        if not a.send(frame(4, 0, 0, struct.pack(">HI", 2, 0)) * 100):
            break
        a.goaway_code(wait=0.01)
    return a.goaway_code() == ENHANCE_YOUR_CALM


def hpack_bomb(a):
    """4000 octets indexed once, then referenced 4000 times per block
    (16 MB decoded if nothing stopped it): each stream is refused, and
    the refusals spend the misbehaviour budget."""
    bomb = (bytes([0x82, 0x86, 0x84, 0x01, 0x09]) + b"localhost" +
            bytes([0x40, 0x06]) + b"x-bomb" + bytes([0x7F, 0xA1, 0x1E]) +
            b"b" * 4000 + b"\xbe" * 4000)
    return flood_until_goaway(a, lambda sid: frame(1, 0x5, sid, bomb))


def empty_data_flood(a):
    a.send(frame(1, 0x4, 1, REQUEST))
    for _ in range(20):
        if not a.send(frame(0, 0, 1) * 100):
            break
    return a.goaway_code() == ENHANCE_YOUR_CALM


ATTACKS = [rapid_reset, made_you_reset, continuation_flood,
           ping_flood_unread, ping_flood, settings_flood, hpack_bomb,
           empty_data_flood]


class Bystander(threading.Thread):
    """A well-behaved client fetching / over its own connection."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.served, self.failed = port, 0, None
        self.stop = threading.Event()

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port))
            s.settimeout(5)
            c = h2.connection.H2Connection(
                h2.config.H2Configuration(client_side=True))
            c.initiate_connection()
            s.sendall(c.data_to_send())
            while not self.stop.is_set():
                sid = c.get_next_available_stream_id()
                c.send_headers(sid, [(":method", "GET"), (":scheme", "http"),
                                     (":authority", "localhost"),
                                     (":path", "/")], end_stream=True)
                s.sendall(c.data_to_send())
                done = False
                while not done:
                    data = s.recv(65536)
                    if not data:
                        raise RuntimeError("bystander connection closed")
                    for ev in c.receive_data(data):
                        if isinstance(ev, h2.events.DataReceived):
                            c.acknowledge_received_data(
                                ev.flow_controlled_length, ev.stream_id)
                        if (isinstance(ev, h2.events.StreamEnded) and
                                ev.stream_id == sid):
                            done = True
                    s.sendall(c.data_to_send())
                self.served += 1
                time.sleep(0.005)
        except Exception as e:  # reported by the main thread
            self.failed = repr(e)


def round_of_attacks(port, label):
    for attack in ATTACKS:
        bystander = Bystander(port)
        bystander.start()
        time.sleep(0.05)
        before = bystander.served
        a = Attacker(port)
        ok = attack(a)
        a.close()
        time.sleep(0.1)
        during = bystander.served - before
        bystander.stop.set()
        bystander.join(10)
        print(f"{label} {attack.__name__}: reaction "
              f"{'ok' if ok else 'MISSING'}, bystander served {during}")
        if not ok:
            sys.exit(f"FAIL: {attack.__name__}: no reaction")
        if bystander.failed or during == 0:
            sys.exit(f"FAIL: {attack.__name__}: bystander not served "
                     f"({bystander.failed})")


def main():
    serve = sys.argv[1]
    site = tempfile.mkdtemp()
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write("<html>h2e</html>\n")
    port = 20000 + os.getpid() % 20000
    server = subprocess.Popen([serve, "--listen", f"127.0.0.1:{port}",
                               "--root", site, "--quiet"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        round_of_attacks(port, "round 1")
        warm = rss_kb(server.pid)
        round_of_attacks(port, "round 2")
        time.sleep(0.5)
        after = rss_kb(server.pid)
        print(f"server RSS: {warm} KB after round 1, {after} KB after "
              f"round 2")
        if "--no-rss-check" not in sys.argv and after - warm > 1024:
            sys.exit(f"FAIL: RSS grew by {after - warm} KB in round 2")
        fds = len(os.listdir(f"/proc/{server.pid}/fd"))
        print(f"server fds after the attacks: {fds}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
