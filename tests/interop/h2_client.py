#!/usr/bin/python3
"""A plain-socket HTTP/2 client on python3-h2, against h2e-interop server.

usage: h2_client.py PORT

Three rounds on one connection, each a batch of concurrent requests:
GETs of /bytes/N (N octets of the pattern: octet i is i % 251), one of
them with a 16000-octet header field, POST echoes (one with trailers, one
empty), a 404, and a PING. Then GETs with a 16000-octet header field one
after the other (each header block is then the last thing the server
reads). Between rounds
the client changes its SETTINGS_INITIAL_WINDOW_SIZE (down, then up) and
opens its connection window. Request bodies go out as the peer's windows
allow; received DATA is acknowledged as it is read. Exits non-zero on
any difference, reset or connection error.
"""
import os
import socket
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

TIMEOUT = 10


def pattern(n):
    return (bytes(range(251)) * (n // 251 + 1))[:n]


class Failure(Exception):
    pass


class Stream:
    def __init__(self, method, path, expected, status, body, trailers):
        self.method, self.path = method, path
        self.expected, self.status = expected, status
        self.to_send = None if body is None else memoryview(body)
        self.trailers = trailers
        self.got_status = None
        self.body = bytearray()
        self.ended = False


class Client:
    def __init__(self, port):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=TIMEOUT)
        config = h2.config.H2Configuration(client_side=True,
                                           header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.streams = {}
        self.pings = 0
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, method, path, expected, status=200, body=None,
                trailers=None, extra=()):
        sid = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":scheme", "http"),
                   (":authority", "127.0.0.1:%d" % self.port),
                   (":path", path), ("user-agent", "h2e-interop-python")]
        headers.extend(extra)
        if body is not None:
            headers.append(("content-length", str(len(body))))
        self.conn.send_headers(sid, headers, end_stream=body is None)
        self.streams[sid] = Stream(method, path, expected, status, body,
                                   trailers)

    def send_bodies(self):
        for sid, st in self.streams.items():
            while st.to_send is not None:
                window = self.conn.local_flow_control_window(sid)
                size = min(window, self.conn.max_outbound_frame_size,
                           len(st.to_send))
                if size == 0 and len(st.to_send) > 0:
                    break
                last = size == len(st.to_send)
                end = last and st.trailers is None
                self.conn.send_data(sid, bytes(st.to_send[:size]),
                                    end_stream=end)
                st.to_send = None if last else st.to_send[size:]
                if last and st.trailers is not None:
                    self.conn.send_headers(sid, st.trailers, end_stream=True)

    def on_event(self, ev):
        st = self.streams.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived):
            st.got_status = int(dict(ev.headers)[":status"])
        elif isinstance(ev, h2.events.DataReceived):
            st.body += ev.data
            self.conn.acknowledge_received_data(ev.flow_controlled_length,
                                                ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            st.ended = True
        elif isinstance(ev, h2.events.StreamReset):
            raise Failure("stream %d (%s %s) reset: %r" %
                          (ev.stream_id, st.method, st.path, ev.error_code))
        elif isinstance(ev, h2.events.ConnectionTerminated):
            raise Failure("GOAWAY from the server: %r %r" %
                          (ev.error_code, ev.additional_data))
        elif isinstance(ev, h2.events.PingAckReceived):
            self.pings -= 1

    def run(self):
        """Until every stream has ended and every PING came back."""
        while self.pings or not all(s.ended for s in self.streams.values()):
            self.send_bodies()
            self.flush()
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                waiting = ["%d (%s %s)" % (sid, s.method, s.path)
                           for sid, s in sorted(self.streams.items())
                           if not s.ended]
                raise Failure("no answer in %d s; waiting for streams %s%s"
                              % (TIMEOUT, ", ".join(waiting) or "none",
                                 ", a PING" if self.pings else ""))
            if not data:
                raise Failure("the server closed the connection")
            for ev in self.conn.receive_data(data):
                self.on_event(ev)
            self.flush()

    def check(self):
        for sid, st in sorted(self.streams.items()):
            what = "stream %d (%s %s)" % (sid, st.method, st.path)
            if st.got_status != st.status:
                raise Failure("%s: status %r, expected %d" %
                              (what, st.got_status, st.status))
            if st.expected is not None and bytes(st.body) != st.expected:
                raise Failure("%s: body of %d octets differs from the "
                              "expected %d" %
                              (what, len(st.body), len(st.expected)))
        count = len(self.streams)
        self.streams = {}
        return count

    def ping(self):
        self.conn.ping(os.urandom(8))
        self.pings += 1


def one_round(client, post_body):
    for n in (0, 1, 16384, 70000, 1048576):
        client.request("GET", "/bytes/%d" % n, pattern(n))
    # A large header block (several frames' worth once encoded).
    client.request("GET", "/bytes/100", pattern(100),
                   extra=[("x-large", "v" * 16000)])
    client.request("POST", "/echo", post_body, body=post_body)
    client.request("POST", "/echo", post_body[:100000],
                   body=post_body[:100000],
                   trailers=[("x-checksum", "%d" % sum(post_body[:100000]))])
    client.request("POST", "/echo", b"", body=b"")
    client.request("GET", "/nothing", None, status=404)
    client.ping()
    client.run()
    return client.check()


def main():
    client = Client(int(sys.argv[1]))
    post_body = os.urandom(300000)
    done = one_round(client, post_body)
    # Smaller stream windows while responses are under way, then larger
    # ones and a wide connection window (RFC 9113 §6.9.2).
    client.conn.update_settings(
        {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16384})
    done += one_round(client, post_body)
    client.conn.update_settings(
        {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20,
         h2.settings.SettingCodes.MAX_FRAME_SIZE: 65536})
    client.conn.increment_flow_control_window(8 << 20)
    done += one_round(client, post_body)
    for _ in range(3):
        client.request("GET", "/bytes/10", pattern(10),
                       extra=[("x-large", "w" * 16000)])
        client.run()
        done += client.check()
    client.conn.close_connection()
    client.flush()
    client.sock.close()
    print("python-h2: %d requests ok on one connection" % done)


if __name__ == "__main__":
    try:
        main()
    except (Failure, OSError, h2.exceptions.ProtocolError) as e:
        print("python-h2: FAIL: %s" % e)
        sys.exit(1)
