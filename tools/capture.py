#!/usr/bin/env python3
"""Records both directions of one TCP connection to files.

  capture.py LISTEN_PORT TARGET_PORT OUT_PREFIX

Accepts one connection on 127.0.0.1:LISTEN_PORT, relays it to
127.0.0.1:TARGET_PORT, and writes what the client sent to
OUT_PREFIX.client.bin and what the server sent to OUT_PREFIX.server.bin.
Used to make the sample captures that h2e-frames reads.
"""
import selectors
import socket
import sys


def relay(client, server, prefix):
    sent = {client: bytearray(), server: bytearray()}
    peer = {client: server, server: client}
    sel = selectors.DefaultSelector()
    for s in (client, server):
        sel.register(s, selectors.EVENT_READ)
    open_count = 2
    while open_count:
        for key, _ in sel.select(timeout=5):
            data = key.fileobj.recv(65536)
            if not data:
                sel.unregister(key.fileobj)
                open_count -= 1
                try:
                    peer[key.fileobj].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            sent[key.fileobj] += data
            peer[key.fileobj].sendall(data)
    with open(prefix + ".client.bin", "wb") as f:
        f.write(sent[client])
    with open(prefix + ".server.bin", "wb") as f:
        f.write(sent[server])


def main():
    listen_port, target_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(1)
    client, _ = listener.accept()
    server = socket.create_connection(("127.0.0.1", target_port))
    relay(client, server, prefix)


if __name__ == "__main__":
    main()
