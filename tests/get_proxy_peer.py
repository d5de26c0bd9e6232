"""A CONNECT tunnel through h2e-serve --proxy, driven byte by byte with
python-h2 (tests/test_get.sh, case proxy_peer): 200 once the proxy
reached the upstream, DATA both ways, END_STREAM as a TCP half-close
(the upstream reads EOF), then a reset of the upstream socket arrives as
RST_STREAM CONNECT_ERROR (RFC 9113 §8.5). A CONNECT to a closed port is
a 502. Backpressure: toward an upstream that does not read, the client's
sending stalls once the socket buffers and one stream window are full
(the proxy credits only what it wrote), and every octet arrives once the
upstream reads.

    get_proxy_peer.py PROXY_PORT
"""
import socket
import struct
import sys

import h2.config
import h2.connection
import h2.events

CONNECT_ERROR = 0xA


def events_until(sock, conn, want, limit=200):
    """Reads until an event satisfying want(event) arrives; returns it."""
    sock.settimeout(10)
    for _ in range(limit):
        data = sock.recv(65536)
        if not data:
            raise SystemExit("the proxy closed the connection")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id)
            if want(event):
                sock.sendall(conn.data_to_send())
                return event
        sock.sendall(conn.data_to_send())
    raise SystemExit("the awaited event never came")


def connect(sock, conn, authority):
    sid = conn.get_next_available_stream_id()
    conn.send_headers(sid, [(":method", "CONNECT"), (":authority", authority)])
    sock.sendall(conn.data_to_send())
    return sid


def status_of(event):
    return dict(event.headers)[b":status"]


def main():
    proxy_port = int(sys.argv[1])
    upstream = socket.create_server(("127.0.0.1", 0))
    upstream.settimeout(10)
    up_port = upstream.getsockname()[1]
    sock = socket.create_connection(("127.0.0.1", proxy_port))
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=True,
                                  validate_outbound_headers=False))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())

    sid = connect(sock, conn, "127.0.0.1:%d" % up_port)
    peer, _ = upstream.accept()
    peer.settimeout(10)
    ev = events_until(sock, conn,
                      lambda e: isinstance(e, h2.events.ResponseReceived))
    assert status_of(ev) == b"200", ev
    # Client DATA -> upstream bytes, END_STREAM -> EOF upstream.
    conn.send_data(sid, b"hello upstream", end_stream=True)
    sock.sendall(conn.data_to_send())
    got = b""
    while True:
        chunk = peer.recv(100)
        if not chunk:
            break
        got += chunk
    assert got == b"hello upstream", got
    # Upstream bytes -> DATA on the stream.
    peer.sendall(b"hello client")
    body = b""
    while body != b"hello client":
        ev = events_until(sock, conn,
                          lambda e: isinstance(e, h2.events.DataReceived))
        body += ev.data
    # A reset upstream connection is RST_STREAM CONNECT_ERROR.
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    peer.close()
    ev = events_until(sock, conn,
                      lambda e: isinstance(e, h2.events.StreamReset))
    assert ev.stream_id == sid and ev.error_code == CONNECT_ERROR, ev

    # A port nobody listens on: 502, the stream ended.
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    sid = connect(sock, conn, "127.0.0.1:%d" % closed_port)
    ev = events_until(sock, conn,
                      lambda e: isinstance(e, h2.events.ResponseReceived))
    assert status_of(ev) == b"502", ev
    stalled = backpressure(sock, conn, upstream)
    print("ok: CONNECT 200, data both ways, half-close, CONNECT_ERROR, 502, "
          "sending stalled after %d octets toward a silent upstream" % stalled)


STALL_BOUND = 32 << 20  # octets: far above socket buffers plus a window


def send_until_stalled(sock, conn, sid, block):
    """Sends while the stream window allows; returns the octets sent once
    no window came back for a second."""
    sent = 0
    sock.settimeout(1)
    while sent < STALL_BOUND:
        room = min(conn.local_flow_control_window(sid),
                   conn.max_outbound_frame_size, len(block) - 256)
        if room > 0:  # octet n of the stream is n % 256
            conn.send_data(sid, block[sent % 256:sent % 256 + room])
            sock.sendall(conn.data_to_send())
            sent += room
            continue
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return sent
        if not data:
            raise SystemExit("the proxy closed the connection")
        conn.receive_data(data)
        sock.sendall(conn.data_to_send())
    raise SystemExit("no backpressure: %d octets went out" % sent)


def backpressure(sock, conn, upstream):
    sid = connect(sock, conn, "127.0.0.1:%d" % upstream.getsockname()[1])
    peer, _ = upstream.accept()
    peer.settimeout(10)
    ev = events_until(sock, conn,
                      lambda e: isinstance(e, h2.events.ResponseReceived))
    assert status_of(ev) == b"200", ev
    block = bytes(range(256)) * 65
    sent = send_until_stalled(sock, conn, sid, block)
    assert conn.local_flow_control_window(sid) == 0, "stalled with room left"
    # The upstream reads: every octet arrives, in order, and the window
    # opens again.
    got = 0
    while got < sent:
        chunk = peer.recv(1 << 20)
        assert chunk, "upstream EOF after %d of %d" % (got, sent)
        for i in range(len(chunk)):
            assert chunk[i] == (got + i) % 256, "octet %d differs" % (got + i)
        got += len(chunk)
    events_until(sock, conn, lambda e: isinstance(e, h2.events.WindowUpdated)
                 and e.stream_id == sid)
    assert conn.local_flow_control_window(sid) > 0
    return sent


main()
