#!/bin/sh
# h2e-serve against real clients over 127.0.0.1: curl (prior knowledge,
# Upgrade from HTTP/1.1, TLS with ALPN h2), nghttp, h2load and python3-h2,
# bodies compared byte for byte, status codes, the access log, and a
# graceful exit on SIGTERM. $1: h2e-serve.
set -eu
serve=$1
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/log" ] && tail -5 "$work/log"; exit 1; }

mkdir -p "$work/site/img"
printf '<html><body>h2e</body></html>\n' >"$work/site/index.html"
head -c 1048576 /dev/urandom >"$work/site/img/big.bin"
: >"$work/site/empty.txt"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

start() { # port, extra args
  port=$1; shift
  "$serve" --listen 127.0.0.1:"$port" --root "$work/site" "$@" \
    >"$work/log" 2>"$work/err" &
  pid=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null --max-time 2 --http2-prior-knowledge \
      "http://127.0.0.1:$port/" 2>/dev/null && return
    curl -s -o /dev/null --max-time 2 -k "https://127.0.0.1:$port/" \
      2>/dev/null && return
    sleep 0.1
  done
  fail "h2e-serve did not start: $(cat "$work/err")"
}
stop() {
  kill -TERM "$pid"
  wait "$pid" || fail "h2e-serve exited with $? after SIGTERM"
  pid=""
}

port=$((20000 + $$ % 20000))
start "$port"
url=http://127.0.0.1:$port

# curl, prior knowledge and Upgrade (RFC 7540 §3.2).
curl -sf --http2-prior-knowledge "$url/img/big.bin" | cmp - "$work/site/img/big.bin" ||
  fail "curl prior knowledge: body differs"
curl -sf --http2 "$url/img/big.bin" | cmp - "$work/site/img/big.bin" ||
  fail "curl --http2 (Upgrade): body differs"
[ "$(curl -s --http2 -o /dev/null -w '%{http_version}' "$url/")" = 2 ] ||
  fail "curl --http2 did not upgrade"
[ "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' "$url/nope")" = 404 ] ||
  fail "missing file is not 404"
[ "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' -d x "$url/")" = 405 ] ||
  fail "POST is not 405"
[ "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' --path-as-is "$url/../etc/passwd")" = 400 ] ||
  fail "dot segments are not 400"
[ "$(curl -s --http2-prior-knowledge -I -o /dev/null -w '%{http_code}' "$url/empty.txt")" = 200 ] ||
  fail "HEAD of an empty file"
[ "$(curl -s --http1.1 -o /dev/null -w '%{http_code}' "$url/")" = 505 ] ||
  fail "plain HTTP/1.1 is not answered 505"

# nghttp: several streams on one connection.
nghttp -n -s "$url/index.html" "$url/img/big.bin" "$url/nope" >"$work/nghttp" ||
  fail "nghttp"
grep -q ' 404 ' "$work/nghttp" || fail "nghttp saw no 404"

# h2load: 10 connections x 32 streams, no error.
h2load -n 20000 -c 10 -m 32 "$url/index.html" >"$work/h2load"
grep -q '20000 succeeded, 0 failed, 0 errored' "$work/h2load" ||
  fail "h2load: $(grep requests: "$work/h2load")"
# ... and 100 streams per connection: default limits must not trip it.
h2load -n 20000 -c 4 -m 100 "$url/index.html" >"$work/h2load"
grep -q '20000 succeeded, 0 failed, 0 errored' "$work/h2load" ||
  fail "h2load -m 100: $(grep requests: "$work/h2load")"

# python3-h2: one connection, three requests, bodies checked.
/usr/bin/python3 - "$port" "$work/site/img/big.bin" <<'PY' || fail "python3-h2"
import socket, sys, h2.connection, h2.events
port, big = int(sys.argv[1]), open(sys.argv[2], "rb").read()
s = socket.create_connection(("127.0.0.1", port))
c = h2.connection.H2Connection()
c.initiate_connection()
want = {}
for path in ("/index.html", "/img/big.bin", "/nope"):
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, [(":method", "GET"), (":scheme", "http"),
                         (":authority", "127.0.0.1"), (":path", path)],
                   end_stream=True)
    want[sid] = path
s.sendall(c.data_to_send())
bodies, status, done = {}, {}, set()
while len(done) < 3:
    data = s.recv(65536)
    if not data:
        sys.exit("connection closed early")
    for ev in c.receive_data(data):
        if isinstance(ev, h2.events.ResponseReceived):
            status[ev.stream_id] = dict(ev.headers)[b":status"]
        elif isinstance(ev, h2.events.DataReceived):
            bodies[ev.stream_id] = bodies.get(ev.stream_id, b"") + ev.data
            c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            done.add(ev.stream_id)
    s.sendall(c.data_to_send())
by_path = {want[k]: (status[k], bodies.get(k, b"")) for k in want}
assert by_path["/img/big.bin"] == (b"200", big), "big body"
assert by_path["/index.html"][0] == b"200"
assert by_path["/nope"][0] == b"404"
PY

stop
grep -q ' h2c-upgrade .* "GET /img/big.bin" 200 1048576 ' "$work/log" ||
  fail "access log lacks the upgraded request"
grep -q ' h2c .* stream=1 "GET /nope" 404 ' "$work/log" ||
  fail "access log lacks the 404"
echo "h2c: $(wc -l <"$work/log") access log lines"

# TLS with ALPN h2, two threads.
port=$((port + 1))
start "$port" --cert "$work/cert.pem" --key "$work/key.pem" --threads 2
url=https://127.0.0.1:$port
curl -sf --cacert "$work/cert.pem" --resolve "localhost:$port:127.0.0.1" \
  "https://localhost:$port/img/big.bin" | cmp - "$work/site/img/big.bin" ||
  fail "curl over TLS: body differs"
[ "$(curl -sk -o /dev/null -w '%{http_version}' "$url/")" = 2 ] ||
  fail "TLS did not negotiate h2"
h2load -n 5000 -c 10 -m 10 "$url/index.html" >"$work/h2load"
grep -q '5000 succeeded, 0 failed, 0 errored' "$work/h2load" ||
  fail "h2load over TLS: $(grep requests: "$work/h2load")"
grep -q 'Application protocol: h2' "$work/h2load" || fail "h2load ALPN"
stop
grep -q ' h2 .* "GET /img/big.bin" 200 1048576 ' "$work/log" ||
  fail "access log lacks the TLS request"
echo "h2e-serve: curl (prior knowledge, Upgrade, TLS), nghttp, h2load, python3-h2: ok"
