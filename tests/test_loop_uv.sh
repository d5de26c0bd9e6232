#!/bin/sh
# The libuv example serves real clients: curl over h2c (prior knowledge)
# and, when built with TLS, over https with ALPN h2 against a certificate
# made here. Usage: test_loop_uv.sh h2e-uv-server tls(0|1)
set -eu
server=$1 tls=$2
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # extra server arguments
  "$server" --port 0 --exit-after 2 "$@" >"$work/out" 2>&1 &
  pid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/out")
    [ -n "$port" ] && return 0
    sleep 0.2
  done
  echo "server did not start"; cat "$work/out"; exit 1
}

expect() { # got, want
  [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; exit 1; }
}

start
got=$(curl -sS --max-time 5 --http2-prior-knowledge "http://127.0.0.1:$port/one")
expect "$got" "h2e over libuv (h2c): /one"
got=$(curl -sS --max-time 5 --http2-prior-knowledge -d @"$server" \
  -w ' %{http_version}' "http://127.0.0.1:$port/upload")
expect "$got" "h2e over libuv (h2c): /upload
 2"
wait $pid
echo "h2c: 2 responses, server exited"

if [ "$tls" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
  start --cert "$work/cert.pem" --key "$work/key.pem"
  got=$(curl -sS --max-time 5 --http2 --cacert "$work/cert.pem" \
    --resolve "localhost:$port:127.0.0.1" \
    -w ' %{http_version}' "https://localhost:$port/tls")
  expect "$got" "h2e over libuv (h2): /tls
 2"
  # Verification is curl's default: the self-signed certificate fails.
  if curl -sS --max-time 5 --http2 --resolve "localhost:$port:127.0.0.1" \
    "https://localhost:$port/x" 2>/dev/null; then
    echo "untrusted certificate accepted"; exit 1
  fi
  got=$(curl -sS --max-time 5 --http2 -k --resolve "localhost:$port:127.0.0.1" \
    "https://localhost:$port/two")
  expect "$got" "h2e over libuv (h2): /two"
  wait $pid
  echo "h2 over TLS: ALPN h2, verification, server exited"
fi
