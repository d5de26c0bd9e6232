#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/frame_parse.c into fuzz/corpus/frame_parse/.

Each file is one control octet (bit 0: stream DATA, bit 1: max frame size
2^24-1, other bits: split seed) followed by a stream of HTTP/2 frames: one
file per frame type, per frame-level rule, and a few mixed streams.

Usage: tools/gen_frame_corpus.py [output directory]
"""
import os
import struct
import sys

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE = range(6)
PING, GOAWAY, WINDOW_UPDATE, CONTINUATION, ALTSVC = range(6, 11)
ORIGIN, PRIORITY_UPDATE = 0xC, 0x10
END_STREAM = ACK = 0x1
END_HEADERS, PADDED, PRIORITY_FLAG = 0x4, 0x8, 0x20


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def u32(value):
    return struct.pack(">I", value)


def setting(ident, value):
    return struct.pack(">HI", ident, value)


def entry(text):
    return struct.pack(">H", len(text)) + text


VALID = {
    "data": frame(DATA, END_STREAM, 1, b"hello"),
    "data_padded": frame(DATA, PADDED, 1, b"\x03abc\0\0\0"),
    "data_empty": frame(DATA, END_STREAM, 1),
    "headers": frame(HEADERS, END_HEADERS, 1, b"\x82\x86\x84\x41\x8a"),
    "headers_priority_padded": frame(
        HEADERS, PADDED | PRIORITY_FLAG | END_HEADERS, 3,
        b"\x02" + u32(0x80000001) + b"\x0f\x82\0\0"),
    "priority": frame(PRIORITY, 0, 3, u32(1) + b"\x10"),
    "rst_stream": frame(RST_STREAM, 0, 1, u32(8)),
    "settings": frame(SETTINGS, 0, 0, setting(3, 100) + setting(4, 65535) +
                      setting(5, 16384) + setting(8, 1) + setting(9, 1) +
                      setting(0x42, 7)),
    "settings_ack": frame(SETTINGS, ACK, 0),
    "push_promise": frame(PUSH_PROMISE, END_HEADERS | PADDED, 1,
                          b"\x01" + u32(2) + b"\x82\0"),
    "ping": frame(PING, 0, 0, b"12345678"),
    "goaway": frame(GOAWAY, 0, 0, u32(3) + u32(0) + b"bye"),
    "window_update": frame(WINDOW_UPDATE, 0, 0, u32(0x10000)),
    "window_update_stream": frame(WINDOW_UPDATE, 0, 1, u32(1)),
    "continuation": frame(CONTINUATION, END_HEADERS, 1, b"\x84"),
    "altsvc_origin": frame(ALTSVC, 0, 0, entry(b"example.com") + b'h2=":443"'),
    "altsvc_stream": frame(ALTSVC, 0, 1, entry(b"") + b"clear"),
    "origin": frame(ORIGIN, 0, 0, entry(b"https://a.example") + entry(b"")),
    "priority_update": frame(PRIORITY_UPDATE, 0, 0, u32(1) + b"u=1, i"),
    "unknown_type": frame(0xFA, 0xFF, 0x80000001, b"xyz"),
}

RULE_BREAKERS = {
    # The header alone proves it.
    "oversized": frame(DATA, 0, 1, bytes(16385))[:9],
    "data_stream0": frame(DATA, 0, 0, b"x"),
    "data_pad_too_long": frame(DATA, PADDED, 1, b"\x04abc"),
    "data_padded_empty": frame(DATA, PADDED, 1),
    "headers_stream0": frame(HEADERS, END_HEADERS, 0, b"\x82"),
    "headers_priority_short": frame(HEADERS, PRIORITY_FLAG, 1, b"\0\0\0"),
    "headers_self_dependency": frame(HEADERS, PRIORITY_FLAG, 5,
                                     u32(5) + b"\x10"),
    "priority_length4": frame(PRIORITY, 0, 3, u32(1)),
    "priority_self": frame(PRIORITY, 0, 3, u32(3) + b"\x10"),
    "rst_stream_stream0": frame(RST_STREAM, 0, 0, u32(8)),
    "rst_stream_length5": frame(RST_STREAM, 0, 1, u32(8) + b"\0"),
    "settings_stream1": frame(SETTINGS, 0, 1),
    "settings_length7": frame(SETTINGS, 0, 0, setting(3, 1) + b"\0"),
    "settings_ack_payload": frame(SETTINGS, ACK, 0, setting(3, 1)),
    "settings_enable_push2": frame(SETTINGS, 0, 0, setting(2, 2)),
    "settings_window_too_big": frame(SETTINGS, 0, 0, setting(4, 1 << 31)),
    "settings_frame_size_small": frame(SETTINGS, 0, 0, setting(5, 16383)),
    "push_promise_short": frame(PUSH_PROMISE, 0, 1, b"\0\0\0"),
    "push_promise_id0": frame(PUSH_PROMISE, 0, 1, u32(0)),
    "ping_stream1": frame(PING, 0, 1, b"12345678"),
    "ping_length7": frame(PING, 0, 0, b"1234567"),
    "goaway_short": frame(GOAWAY, 0, 0, u32(0)),
    "window_update_zero_stream": frame(WINDOW_UPDATE, 0, 1, u32(0)),
    "window_update_zero_conn": frame(WINDOW_UPDATE, 0, 0, u32(0x80000000)),
    "continuation_stream0": frame(CONTINUATION, 0, 0, b"\x84"),
    "priority_update_stream1": frame(PRIORITY_UPDATE, 0, 1, u32(1)),
    "priority_update_id0": frame(PRIORITY_UPDATE, 0, 0, u32(0)),
    "altsvc_stream0_no_origin": frame(ALTSVC, 0, 0, entry(b"") + b"clear"),
    "altsvc_cut": frame(ALTSVC, 0, 0, b"\0\x09abc"),
    "origin_stream1": frame(ORIGIN, 0, 1, entry(b"a")),
    "origin_cut": frame(ORIGIN, 0, 0, b"\0\x05ab"),
}


def write(directory, name, control, body):
    with open(os.path.join(directory, name), "wb") as out:
        out.write(bytes([control]) + body)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "fuzz", "corpus", "frame_parse")
    os.makedirs(directory, exist_ok=True)
    for name, body in VALID.items():
        write(directory, name, 0x04, body)
    for name, body in RULE_BREAKERS.items():
        write(directory, name, 0x08, body)
    everything = b"".join(VALID.values())
    write(directory, "mixed", 0x10, everything)
    write(directory, "mixed_stream_data", 0x11, everything)
    write(directory, "mixed_big_frames", 0x22 | 0x1,
          frame(DATA, PADDED, 1, b"\x10" + bytes(16400) + bytes(16)) +
          everything)
    write(directory, "errors_then_frames", 0x30,
          RULE_BREAKERS["priority_length4"] +
          RULE_BREAKERS["window_update_zero_stream"] + everything)


if __name__ == "__main__":
    main()
