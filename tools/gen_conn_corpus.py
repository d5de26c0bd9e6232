#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/conn_server.c and fuzz/conn_client.c
into fuzz/corpus/conn_server/ and fuzz/corpus/conn_client/.

A seed is a program for fuzz/conn_fuzz_driver.h: 8 configuration octets,
then operations (an opcode octet and its operands). The seeds are:

  - realistic byte streams fed raw: for the server, a client's preface,
    SETTINGS, WINDOW_UPDATE and requests with bodies, HPACK-encoded with
    incremental indexing like a real client (later blocks hit the dynamic
    table); for the client, a server's SETTINGS, ACK and responses with
    bodies to the requests the engine submitted;
  - the same conversations built with the driver's frame operations;
  - a few that aim at edges: flow control, CONTINUATION, resets, GOAWAY,
    PING, timers, small bounds.

Usage: tools/gen_conn_corpus.py [fuzz/corpus directory]
"""
import os
import struct
import sys

# ---- the driver's opcodes (cf_ops in fuzz/conn_fuzz_driver.h) -----------
(FEED, EVENTS, OUTPUT, PUMP, PEER_RAW, PEER_SETTINGS, PEER_HEADERS, PEER_DATA,
 PEER_WINDOW_UPDATE, PEER_RST, PEER_PING, PEER_GOAWAY, PEER_MISC, ACK,
 SUBMIT_HEADERS, SUBMIT_DATA, SUBMIT_RST, SUBMIT_PING, SUBMIT_GOAWAY,
 SUBMIT_SETTINGS, CONSUME, TICK, QUERY, PEER_PUSH_PROMISE) = range(24)

# configuration octet 0
AUTO_CONSUME, RAW_START, TIMERS, PUSH, SMALL_BOUNDS, AUTO_ACK = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20)

# ---- frames --------------------------------------------------------------
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = (
    0, 1, 3, 4, 6, 7, 8)
END_STREAM = ACK_FLAG = 0x1
END_HEADERS = 0x4
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def settings(*pairs):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", i, v)
                                          for i, v in pairs))


# ---- a small HPACK encoder (RFC 7541), no Huffman ------------------------
STATIC = [
    (":authority", ""), (":method", "GET"), (":method", "POST"),
    (":path", "/"), (":path", "/index.html"), (":scheme", "http"),
    (":scheme", "https"), (":status", "200"), (":status", "204"),
    (":status", "206"), (":status", "304"), (":status", "400"),
    (":status", "404"), (":status", "500"), ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"), ("accept-language", ""),
    ("accept-ranges", ""), ("accept", ""),
    ("access-control-allow-origin", ""), ("age", ""), ("allow", ""),
    ("authorization", ""), ("cache-control", ""),
    ("content-disposition", ""), ("content-encoding", ""),
    ("content-language", ""), ("content-length", ""),
    ("content-location", ""), ("content-range", ""), ("content-type", ""),
    ("cookie", ""), ("date", ""), ("etag", ""), ("expect", ""),
    ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
    ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""),
    ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""),
    ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
    ("proxy-authorization", ""), ("range", ""), ("referer", ""),
    ("refresh", ""), ("retry-after", ""), ("server", ""),
    ("set-cookie", ""), ("strict-transport-security", ""),
    ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
    ("www-authenticate", ""),
]


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def hpack_string(text):
    data = text.encode()
    return hpack_int(len(data), 7, 0) + data


class Encoder:
    """Indexes every field but :path and content-length, like a browser."""

    def __init__(self, max_size=4096):
        self.table = []  # newest first
        self.max_size = max_size

    def size(self):
        return sum(len(n) + len(v) + 32 for n, v in self.table)

    def find(self, name, value):
        entries = STATIC + self.table
        for i, entry in enumerate(entries):
            if entry == (name, value):
                return i + 1, True
        for i, entry in enumerate(entries):
            if entry[0] == name:
                return i + 1, False
        return 0, False

    def add(self, name, value):
        self.table.insert(0, (name, value))
        while self.size() > self.max_size:
            self.table.pop()

    def encode(self, fields):
        out = b""
        for name, value in fields:
            index, exact = self.find(name, value)
            if exact:
                out += hpack_int(index, 7, 0x80)
                continue
            if name in (":path", "content-length"):  # without indexing
                out += hpack_int(index, 4, 0x00)
                if not index:
                    out += hpack_string(name)
                out += hpack_string(value)
                continue
            out += hpack_int(index, 6, 0x40)
            if not index:
                out += hpack_string(name)
            out += hpack_string(value)
            self.add(name, value)
        return out


# ---- realistic conversations ---------------------------------------------
BODY = bytes((i * 7 + 3) % 251 for i in range(4096))


def request_fields(n, body_len):
    return [(":method", "POST"), (":scheme", "https"),
            (":path", "/api/items/%d" % n), (":authority", "example.com"),
            ("user-agent", "h2e-fuzz-seed/1.0"),
            ("accept", "application/json"),
            ("accept-encoding", "gzip, deflate, br"),
            ("content-type", "application/json"),
            ("content-length", str(body_len))]


def client_stream(requests, body_len):
    """What a client sends: preface, SETTINGS, WINDOW_UPDATE, requests."""
    enc = Encoder()
    out = PREFACE + settings((2, 0), (3, 100), (4, 1 << 20))
    out += frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 24))
    for n in range(requests):
        stream = 2 * n + 1
        out += frame(HEADERS, END_HEADERS, stream,
                     enc.encode(request_fields(n, body_len)))
        out += frame(DATA, END_STREAM, stream, BODY[:body_len])
    return out


def server_stream(responses, body_len):
    """What a server sends: SETTINGS, ACK, responses to streams 1, 3, ..."""
    enc = Encoder()
    out = settings((3, 128), (4, 1 << 20), (5, 16384))
    out += frame(SETTINGS, ACK_FLAG, 0)
    for n in range(responses):
        stream = 2 * n + 1
        fields = [(":status", "200"), ("content-type", "application/json"),
                  ("content-length", str(body_len)),
                  ("date", "Mon, 01 Jan 2024 00:00:00 GMT"),
                  ("server", "seed"), ("cache-control", "no-store")]
        out += frame(HEADERS, END_HEADERS, stream, enc.encode(fields))
        out += frame(DATA, END_STREAM, stream, BODY[:body_len])
    return out


def raw(data):
    """PEER_RAW ops, 65535 octets at most each."""
    out = b""
    for pos in range(0, len(data), 65535):
        part = data[pos:pos + 65535]
        out += bytes([PEER_RAW, 0xf0]) + struct.pack(">H", len(part)) + part
    return out


def config(flags=0, streams=0, window=0, table=0, conn=0, small=0, timers=0,
           alloc=0):
    return bytes([flags, streams, window, table, conn, small, timers, alloc])


# ---- driver operations ---------------------------------------------------
def pump(rounds=7):
    return bytes([PUMP, rounds])


def response(stream_choice, end_stream=False, extra=0):
    """SUBMIT_HEADERS: a response head (server) with `extra` more fields."""
    return bytes([SUBMIT_HEADERS, 1 if end_stream else 0, stream_choice,
                  extra] + [0x06, 0x0d] * extra)


def trailers(stream_choice):
    """SUBMIT_HEADERS: trailers (END_STREAM) of two fields."""
    return bytes([SUBMIT_HEADERS, 0x07, stream_choice, 0x82,
                  0x0e, 0x10, 0x0f, 0x0e])


def request(end_stream=False):
    """SUBMIT_HEADERS: a request (client engine), 2 more fields."""
    return bytes([SUBMIT_HEADERS, 1 if end_stream else 0, 0, 2,
                  0x08, 0x16, 0x09, 0x17])


def body(stream_choice, length_choice, end_stream=True, file=False):
    ctl = (1 if end_stream else 0) | (2 if file else 0)
    return bytes([SUBMIT_DATA, ctl, stream_choice, length_choice])


FIELD_PAIRS = [0x08, 0x16, 0x09, 0x17, 0x0e, 0x05]  # user-agent, accept, ...


def peer_headers(ctl, stream_choice, extra=2, head=True):
    """PEER_HEADERS: the message's head (unless not `head`) + `extra`."""
    return bytes([PEER_HEADERS, ctl, stream_choice,
                  extra | (0 if head else 0x80)] + FIELD_PAIRS[:2 * extra])


def peer_data(ctl, stream_choice, length_choice):
    return bytes([PEER_DATA, ctl, stream_choice, length_choice])


def server_seeds():
    seeds = {}
    # raw client bytes, answered: headers + body on each stream
    answers = b"".join(response(i) + body(i, 4) for i in range(4))
    seeds["raw_requests_small"] = config(RAW_START | AUTO_ACK) + \
        raw(client_stream(4, 1024)) + pump() + answers + pump()
    seeds["raw_requests_bulk"] = config(RAW_START | AUTO_ACK, conn=2) + \
        raw(client_stream(6, 4096)) + pump() + answers + pump()
    stream = client_stream(3, 300)
    seeds["raw_requests_dribble"] = config(RAW_START | AUTO_ACK) + \
        raw(stream) + bytes([FEED, 1, EVENTS, 0x80, FEED, 3, FEED, 4,
                             OUTPUT, 0x0f, FEED, 5, EVENTS, 1, FEED, 0]) + \
        pump() + response(0, True) + pump()
    # built frames: requests with bodies, responses with trailers
    ops = b""
    for i in range(3):
        ops += peer_headers(0, 0x60) + peer_data(1, i, 3)
    ops += pump() + response(0) + body(0, 4, end_stream=False) + \
        bytes([SUBMIT_HEADERS, 0x07, 0, 1, 0x0e, 0x10]) + pump()
    ops += response(1, True) + response(2) + body(2, 5, file=True) + pump()
    seeds["frames_requests"] = config(AUTO_ACK) + ops
    # flow control: small windows, consume later, window updates
    seeds["frames_flow"] = config(AUTO_ACK, streams=8, window=3, conn=0x05) + \
        peer_headers(0, 0x60) + peer_data(0, 0, 9) + pump() + \
        bytes([CONSUME, 1, 0]) + response(0) + body(0, 11) + pump() + \
        bytes([PEER_WINDOW_UPDATE, 0, 9, PEER_WINDOW_UPDATE, 0x80, 9]) + \
        pump() + bytes([CONSUME, 0x80, 0])
    # CONTINUATION, padding, priority, resets, PING, GOAWAY
    seeds["frames_edges"] = config(AUTO_ACK) + \
        peer_headers(0x1b, 0x60, 3) + peer_headers(0x42, 0x60) + pump() + \
        bytes([PEER_RST, 0, 8, PEER_PING, 0, 7, PEER_MISC, 0, 0]) + pump() + \
        response(0) + bytes([SUBMIT_RST, 0, 8, SUBMIT_PING, 9]) + pump() + \
        bytes([SUBMIT_GOAWAY, 0x10]) + pump() + \
        bytes([PEER_GOAWAY, 0x40, 0]) + pump()
    # timers and small bounds
    seeds["frames_timers_bounds"] = \
        config(AUTO_ACK | TIMERS | SMALL_BOUNDS, small=0x15, timers=0x25) + \
        peer_headers(1, 0x60) + peer_headers(1, 0x60) + pump() + \
        bytes([TICK, 3, TICK, 7, PEER_PING, 0, 1, PEER_PING, 0, 2]) + \
        pump() + bytes([TICK, 6, TICK, 7]) + pump()
    # trailers held behind blocked bodies, a reset leaving a hole, more
    # trailers: the held area (a quarter of a 1 KiB output buffer) compacts
    ops = b"".join(peer_headers(1, 0x60) for _ in range(4)) + pump()
    for i in range(4):
        ops += response(i) + body(i, 5, end_stream=False) + \
            trailers(i) + pump(1)
    ops += bytes([SUBMIT_RST, 0, 8]) + trailers(2) + trailers(3) + pump()
    ops += b"".join(bytes([PEER_WINDOW_UPDATE, i, 9]) for i in range(4))
    seeds["frames_held_trailers"] = \
        config(AUTO_ACK, window=0x18, conn=0x10) + ops + pump()
    seeds["http1"] = config(RAW_START) + \
        raw(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n") + bytes([FEED, 0])
    return seeds


def client_seeds():
    seeds = {}
    requests = request() + body(0, 4) + request(True) + request(True)
    seeds["raw_responses"] = config(RAW_START | AUTO_ACK) + requests + \
        pump() + raw(server_stream(3, 1024)) + pump() + request(True) + pump()
    seeds["raw_responses_bulk"] = config(RAW_START | AUTO_ACK, conn=2) + \
        requests + pump() + raw(server_stream(3, 4096)) + pump()
    # built frames: informational, response, body, trailers, push
    ops = requests + pump()
    ops += peer_headers(0x30, 0) + peer_headers(0, 0) + peer_data(0, 0, 4) + \
        peer_headers(0x01, 0, 1, head=False)
    ops += peer_headers(1, 1) + bytes([PEER_PUSH_PROMISE, 0, 2, 0]) + pump()
    seeds["frames_responses"] = config(AUTO_ACK | PUSH) + ops
    seeds["frames_flow"] = config(AUTO_ACK, window=3, conn=0x05) + \
        request() + body(0, 11, end_stream=False) + pump() + \
        bytes([PEER_WINDOW_UPDATE, 0, 9, PEER_WINDOW_UPDATE, 0x80, 9]) + \
        body(0, 9, file=True) + pump() + peer_headers(0, 0) + \
        peer_data(1, 0, 9) + pump() + bytes([CONSUME, 1, 0])
    seeds["frames_goaway"] = config(AUTO_ACK) + requests + request() + \
        pump() + bytes([PEER_GOAWAY, 0x40, 0]) + pump() + request() + \
        bytes([PEER_MISC, 2, 0, PEER_MISC, 3, 0x80]) + pump()
    return seeds


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")
    write(os.path.join(root, "conn_server"), server_seeds())
    write(os.path.join(root, "conn_client"), client_seeds())


if __name__ == "__main__":
    main()
