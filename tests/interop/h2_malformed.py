#!/usr/bin/python3
"""Malformed requests (RFC 9113 §8) from python3-h2 against h2e-interop.

usage: h2_malformed.py PORT

One connection. Each malformed request (python3-h2 with its outbound
checks off, so it sends what it is given) goes out between two
well-formed GETs of /bytes/N. Every malformed one must come back as
RST_STREAM PROTOCOL_ERROR and nothing else; every well-formed one must be
answered with its body; the connection must stay up, and a last round of
GETs after all of it must succeed too. Exits non-zero on any difference.
"""
import socket
import sys

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

TIMEOUT = 10


def pattern(n):
    return (bytes(range(251)) * (n // 251 + 1))[:n]


class Failure(Exception):
    pass


def malformed_requests(authority):
    def get(path=b"/bytes/1", *extra):
        return [(b":method", b"GET"), (b":scheme", b"http"),
                (b":authority", authority), (b":path", path)] + list(extra)

    return [
        ("no :scheme", [(b":method", b"GET"), (b":authority", authority),
                        (b":path", b"/bytes/1")]),
        ("no :method", get()[1:]),
        ("no :path", get()[:3]),
        ("empty :path", get(b"")),
        ("relative :path", get(b"bytes/1")),
        ("absolute-form :path", get(b"http://" + authority + b"/bytes/1")),
        ("repeated :method", [(b":method", b"GET")] + get()),
        ("pseudo-header after a regular field",
         get()[:3] + [(b"user-agent", b"x"), (b":path", b"/bytes/1")]),
        ("undefined pseudo-header", get(b"/bytes/1", (b":foo", b"bar"))),
        (":status in a request", get(b"/bytes/1", (b":status", b"200"))),
        ("uppercase field name", get(b"/bytes/1", (b"X-Upper", b"1"))),
        ("non-token field name", get(b"/bytes/1", (b"x y", b"1"))),
        ("connection field", get(b"/bytes/1", (b"connection", b"close"))),
        ("keep-alive field", get(b"/bytes/1", (b"keep-alive", b"5"))),
        ("transfer-encoding field",
         get(b"/bytes/1", (b"transfer-encoding", b"chunked"))),
        ("upgrade field", get(b"/bytes/1", (b"upgrade", b"websocket"))),
        ("te: gzip", get(b"/bytes/1", (b"te", b"gzip"))),
        ("leading space in a value", get(b"/bytes/1", (b"x-a", b" 1"))),
        ("trailing tab in a value", get(b"/bytes/1", (b"x-a", b"1\t"))),
        ("NUL in a value", get(b"/bytes/1", (b"x-a", b"a\x00b"))),
        ("CR LF in a value",
         get(b"/bytes/1", (b"x-a", b"a\r\nx-injected: 1"))),
        ("CONNECT with :path", [(b":method", b"CONNECT"),
                                (b":authority", authority),
                                (b":path", b"/")]),
        ("CONNECT without :authority", [(b":method", b"CONNECT")]),
        (":protocol without ENABLE_CONNECT_PROTOCOL",
         [(b":method", b"CONNECT"), (b":protocol", b"websocket"),
          (b":scheme", b"http"), (b":path", b"/chat"),
          (b":authority", authority)]),
        ("content-length 5 and no body",
         get(b"/bytes/1", (b"content-length", b"5"))),
        ("content-length not a number",
         get(b"/bytes/1", (b"content-length", b"5x"))),
    ]


class Client:
    def __init__(self, port):
        self.authority = b"127.0.0.1:%d" % port
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=TIMEOUT)
        config = h2.config.H2Configuration(
            client_side=True, header_encoding=None,
            validate_outbound_headers=False,
            normalize_outbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.good = {}  # stream id -> [expected body, body, ended]
        self.bad = {}   # stream id -> [what, reset code or None]
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def get(self, n):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [
            (b":method", b"GET"), (b":scheme", b"http"),
            (b":authority", self.authority),
            (b":path", b"/bytes/%d" % n)], end_stream=True)
        self.good[sid] = [pattern(n), bytearray(), False]

    def malformed(self, what, headers, body=None):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, headers, end_stream=body is None)
        if body is not None:  # in flight when the reset comes: discarded
            self.conn.send_data(sid, body, end_stream=True)
        self.bad[sid] = [what, None]

    def on_event(self, ev):
        sid = getattr(ev, "stream_id", None)
        if isinstance(ev, h2.events.ResponseReceived):
            if sid in self.bad:
                raise Failure("malformed request answered (%s): %r" %
                              (self.bad[sid][0], ev.headers))
        elif isinstance(ev, h2.events.DataReceived):
            self.good[sid][1] += ev.data
            self.conn.acknowledge_received_data(ev.flow_controlled_length,
                                                sid)
        elif isinstance(ev, h2.events.StreamEnded):
            self.good[sid][2] = True
        elif isinstance(ev, h2.events.StreamReset):
            if sid not in self.bad:
                raise Failure("well-formed stream %d reset: %r" %
                              (sid, ev.error_code))
            self.bad[sid][1] = ev.error_code
        elif isinstance(ev, h2.events.ConnectionTerminated):
            raise Failure("GOAWAY from the server: %r %r" %
                          (ev.error_code, ev.additional_data))

    def done(self):
        return (all(g[2] for g in self.good.values()) and
                all(b[1] is not None for b in self.bad.values()))

    def run(self):
        while not self.done():
            self.flush()
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise Failure("no answer in %d s" % TIMEOUT)
            if not data:
                raise Failure("the server closed the connection")
            for ev in self.conn.receive_data(data):
                self.on_event(ev)
            self.flush()

    def check(self):
        for sid, (expected, body, _) in sorted(self.good.items()):
            if bytes(body) != expected:
                raise Failure("stream %d: body of %d octets, expected %d" %
                              (sid, len(body), len(expected)))
        for sid, (what, code) in sorted(self.bad.items()):
            if code != h2.errors.ErrorCodes.PROTOCOL_ERROR:
                raise Failure("stream %d (%s): reset with %r, expected "
                              "PROTOCOL_ERROR" % (sid, what, code))
        counts = len(self.good), len(self.bad)
        self.good, self.bad = {}, {}
        return counts


def main():
    client = Client(int(sys.argv[1]))
    cases = malformed_requests(client.authority)
    for i, (what, headers) in enumerate(cases):
        client.get(100 + i)
        client.malformed(what, headers)
    client.malformed("POST with a body, uppercase field name", [
        (b":method", b"POST"), (b":scheme", b"http"),
        (b":authority", client.authority), (b":path", b"/echo"),
        (b"Content-Type", b"text/plain")], body=b"x" * 1000)
    client.get(70000)
    client.run()
    good, bad = client.check()
    # The connection still serves after all of it.
    for n in (0, 1, 16384, 100000):
        client.get(n)
    client.run()
    good += client.check()[0]
    client.conn.close_connection()
    client.flush()
    client.sock.close()
    print("python-h2 malformed: %d malformed requests reset with "
          "PROTOCOL_ERROR, %d well-formed ones answered, one connection" %
          (bad, good))


if __name__ == "__main__":
    try:
        main()
    except (Failure, OSError, h2.exceptions.ProtocolError) as e:
        print("python-h2 malformed: FAIL: %s" % e)
        sys.exit(1)
