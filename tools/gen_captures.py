#!/usr/bin/python3
"""Writes the hand-made sample captures in examples/captures/.

The nghttp-* captures were recorded from real nghttp/nghttpd runs with
tools/capture.py; these ones exercise what those peers do not send: every
frame type, padding, CONTINUATION, trailers, extension frames, and a few
invalid streams that h2e-frames must reject with the right error code.
Needs Debian's python3-hpack (pulled in by python3-h2).
"""
import os
import struct

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE = range(6)
PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(6, 10)
ALTSVC, ORIGIN, PRIORITY_UPDATE = 0xA, 0xC, 0x10
END_STREAM, ACK, END_HEADERS, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20


def frame(ftype, flags, stream, payload):
    length = len(payload)
    return struct.pack(">BHBBI", length >> 16, length & 0xFFFF, ftype, flags,
                       stream) + payload


def settings(*pairs):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v)
                                          for k, v in pairs))


def client_features():
    enc = hpack.Encoder()
    request = enc.encode([(":method", "POST"), (":scheme", "https"),
                          (":path", "/upload?id=7"),
                          (":authority", "example.com"),
                          ("content-type", "text/plain"),
                          ("priority", "u=2, i")])
    padded_headers = (bytes([3]) + struct.pack(">IB", 0, 31) + request[:10]
                      + b"\0\0\0")
    trailers = enc.encode([("x-checksum", "abc123")])
    return b"".join([
        PREFACE,
        settings((0x1, 4096), (0x2, 0), (0x3, 100), (0x4, 1 << 20),
                 (0x6, 16384), (0x9, 1), (0xF0, 7)),
        frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 24)),
        frame(SETTINGS, ACK, 0, b""),
        frame(HEADERS, PADDED | PRIO, 1, padded_headers),
        frame(CONTINUATION, END_HEADERS, 1, request[10:]),
        frame(DATA, PADDED, 1, bytes([4]) + b"hello, " + b"\0" * 4),
        frame(DATA, 0, 1, b"world"),
        frame(HEADERS, END_STREAM | END_HEADERS, 1, trailers),
        frame(PRIORITY_UPDATE, 0, 0, struct.pack(">I", 3) + b"u=5"),
        frame(PRIORITY, 0, 3, struct.pack(">IB", 0x80000001, 15)),
        frame(PING, 0, 0, b"h2e-ping"),
        frame(0xFA, 0x3, 0, b"an extension frame"),
        frame(RST_STREAM, 0, 3, struct.pack(">I", 8)),
        frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0) + b"bye"),
    ])


def server_features():
    enc = hpack.Encoder()
    response = enc.encode([(":status", "200"), ("content-type", "text/html"),
                           ("content-length", "5")])
    promise = enc.encode([(":method", "GET"), (":scheme", "https"),
                          (":path", "/style.css"),
                          (":authority", "example.com")])
    origin = b"https://example.com"
    return b"".join([
        settings((0x3, 128), (0x4, 65535), (0x5, 32768), (0x8, 1), (0x9, 1)),
        frame(SETTINGS, ACK, 0, b""),
        frame(PUSH_PROMISE, END_HEADERS, 1, struct.pack(">I", 2) + promise),
        frame(HEADERS, END_HEADERS, 1, response),
        frame(DATA, END_STREAM, 1, b"hello"),
        frame(ALTSVC, 0, 0, struct.pack(">H", len(origin)) + origin
              + b'h2=":8443"; ma=3600'),
        frame(ORIGIN, 0, 0, struct.pack(">H", len(origin)) + origin),
        frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 65535)),
        frame(PING, ACK, 0, b"h2e-ping"),
        frame(GOAWAY, 0, 0, struct.pack(">II", 1, 0)),
    ])


def bad(*frames):
    return PREFACE + settings() + b"".join(frames)


CAPTURES = {
    "features.client.bin": client_features(),
    "features.server.bin": server_features(),
    # RFC 9113 §6.7: a PING payload other than 8 bytes: FRAME_SIZE_ERROR.
    "bad-ping-length.client.bin": bad(frame(PING, 0, 0, b"1234567")),
    # RFC 9113 §6.9: a zero increment on stream 0: PROTOCOL_ERROR.
    "bad-window-update.client.bin":
        bad(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0))),
    # RFC 9113 §6.1: padding not shorter than the payload: PROTOCOL_ERROR.
    "bad-padding.client.bin": bad(frame(DATA, PADDED, 1, bytes([5]) + b"abcd")),
    # RFC 7541 §6.1: indexed field with index 0: COMPRESSION_ERROR.
    "bad-hpack.client.bin": bad(frame(HEADERS, END_HEADERS | END_STREAM, 1,
                                      b"\x80")),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "examples", "captures")
    for name, data in CAPTURES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
