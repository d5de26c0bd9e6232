"""An HTTP/2 server (python-h2, h2c) that refuses the very first request
it sees with RST_STREAM REFUSED_STREAM and answers every other with 200
and "answered on connection N\\n" (tests/test_get.sh, case refused). It
prints its port, then serves up to 9 connections, each in its own
thread, for at most 60 s; it logs "refused" / "answered" on stderr.

    get_refuse_server.py
"""
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.errors
import h2.events


def serve(sock, number, state):
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    while True:
        data = sock.recv(65536)
        if not data:
            return
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                if not state["refused"]:
                    state["refused"] = True
                    conn.reset_stream(event.stream_id,
                                      h2.errors.ErrorCodes.REFUSED_STREAM)
                    print("refused on connection %d" % number,
                          file=sys.stderr, flush=True)
                    continue
                body = b"answered on connection %d\n" % number
                conn.send_headers(event.stream_id, [
                    (":status", "200"), ("content-length", str(len(body)))])
                conn.send_data(event.stream_id, body, end_stream=True)
                print("answered on connection %d" % number,
                      file=sys.stderr, flush=True)
            elif isinstance(event, h2.events.ConnectionTerminated):
                sock.sendall(conn.data_to_send())
                return
        sock.sendall(conn.data_to_send())


def serve_one(sock, number, state):
    sock.settimeout(60)
    try:
        serve(sock, number, state)
    except OSError:
        pass
    sock.close()


def main():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(60)
    print(server.getsockname()[1], flush=True)
    state = {"refused": False}
    for number in range(1, 10):
        try:
            sock, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=serve_one, args=(sock, number, state),
                         daemon=True).start()


main()
