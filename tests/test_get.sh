#!/usr/bin/env bash
# h2e-get (examples/get) against real servers on 127.0.0.1:
#
#   test_get.sh H2E_GET H2E_SERVE CASE
#
#   nghttpd   GET of several URLs at once, -o, -O, -d @file POST echoed
#             back (nghttpd --echo-upload), -v, byte for byte
#   h2c       h2e-serve over h2c: bodies in URL order, HTTP errors, usage
#             errors, a refused connect (exit statuses and messages)
#   tls       h2e-serve with a self-signed certificate made here: fails
#             without -k (exit 1, a message naming the URL and the
#             certificate), works with -k and with --cacert
#   pool      1,000 requests to 3 h2e-serve origins use exactly 3
#             connections (the access logs' conn= ids), bodies exact
#   goaway    h2e-serve --goaway-after 150: the GOAWAYs mid-run lead to
#             new connections and every one of 1,000 requests succeeds
#   proxy     through h2e-serve --proxy to another h2e-serve (HTTP/2 over
#             HTTP/2 CONNECT), bodies exact, one tunnelled connection;
#             a CONNECT to a closed port is a 502 and exit status 1
#   refused   a python-h2 server refusing the first request
#             (REFUSED_STREAM): the pool retries it on a new connection
#   proxy_peer h2e-serve --proxy under python-h2 (get_proxy_peer.py): 200,
#             DATA both ways, END_STREAM as a half-close, an upstream
#             reset as RST_STREAM CONNECT_ERROR, 502 for a closed port
#
# Servers bind port 0 (h2e-serve prints the port it got) or a free port
# found just before (nghttpd); each lives at most $lifetime seconds and
# everything started here stops on exit.
set -uo pipefail

get=${1:?usage: test_get.sh H2E_GET H2E_SERVE CASE}
serve=${2:?usage: test_get.sh H2E_GET H2E_SERVE CASE}
case=${3:?usage: test_get.sh H2E_GET H2E_SERVE CASE}
python=/usr/bin/python3
work=$(mktemp -d "${TMPDIR:-/tmp}/h2e-get.XXXXXX")
lifetime=120
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do # servers first, then their timeout
    kill -TERM "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL ($case): $*"
  local log
  for log in "$work"/*.log "$work"/*.err; do
    [ -s "$log" ] || continue
    echo "---- $(basename "$log") (last 20 lines)"
    tail -n 20 "$log"
  done
  exit 1
}

# The document root: small files, a 5 MB one, and 10 numbered ones.
root=$work/root
mkdir -p "$root/dir"
printf 'alpha\n' >"$root/a.txt"
printf 'bravo bravo\n' >"$root/b.txt"
printf 'in a directory\n' >"$root/dir/c.txt"
head -c 5000000 /dev/urandom >"$root/big.bin"
for i in 0 1 2 3 4 5 6 7 8 9; do
  head -c $((1000 + i * 37)) /dev/urandom >"$root/f$i"
done

# start_serve NAME OPTIONS...: h2e-serve on a port of its choosing; sets
# port_NAME and pid_NAME. Its access log is $work/NAME.log.
start_serve() {
  local name=$1 port='' i
  shift
  timeout "$lifetime" "$serve" --listen 127.0.0.1:0 --root "$root" "$@" \
    >"$work/$name.log" 2>"$work/$name.err" &
  local pid=$! child
  for i in $(seq 100); do
    child=$(pgrep -P "$pid")
    [ -n "$child" ] && break
    sleep 0.05
  done
  # Signals go to h2e-serve itself (listed first, so cleanup stops it
  # before its timeout): timeout follows a SIGTERM it forwards with a
  # SIGCONT, which can upset LeakSanitizer's check at exit.
  pids+=($child "$pid")
  [ -n "$child" ] || fail "no h2e-serve under timeout $pid"
  for i in $(seq 100); do
    port=$(sed -n 's/.* on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/$name.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "h2e-serve $name did not start"
  eval "port_$name=$port pid_$name=$pid child_$name=$child"
}

# stop_serve NAME: graceful stop, so that the access log is complete.
stop_serve() {
  local pid child
  eval "pid=\$pid_$1 child=\$child_$1"
  kill -TERM "$child"
  wait "$pid" || fail "h2e-serve $1 exited with status $?"
  forget "$child"
  forget "$pid"
}

forget() { # pid: reaped, no longer ours to signal
  local kept=() p
  for p in "${pids[@]}"; do
    [ "$p" = "$1" ] || kept+=("$p")
  done
  pids=("${kept[@]}")
}

# conns NAME: distinct connection ids in an access log.
conns() {
  grep -o 'conn=[0-9.]*' "$work/$1.log" | sort -u | wc -l
}

# expect_status WANT COMMAND...: runs h2e-get, output in $work/out and
# $work/err.
expect_status() {
  local want=$1
  shift
  timeout 60 "$get" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ] ||
    fail "h2e-get $* exited $got, want $want: $(head -c 600 "$work/err")"
}

expect_err() { # text
  grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(cat "$work/err")"
}

same() { # expected-file actual-file
  cmp -s "$1" "$2" || fail "$2 differs from $1"
}

free_port() {
  "$python" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() { # port: up to 10 s
  local i
  for i in $(seq 50); do
    "$python" -c "import socket; socket.create_connection(('127.0.0.1', $1))" \
      2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

case_nghttpd() {
  local port i
  for i in 1 2 3 4 5; do # retried should another take the free port
    port=$(free_port)
    timeout "$lifetime" nghttpd --no-tls --echo-upload -d "$root" "$port" \
      >"$work/nghttpd.log" 2>&1 &
    pids+=($!)
    wait_listening "$port" && break
  done
  local u=http://127.0.0.1:$port
  expect_status 0 "$u/a.txt" "$u/big.bin" "$u/dir/c.txt" "$u/b.txt"
  cat "$root/a.txt" "$root/big.bin" "$root/dir/c.txt" "$root/b.txt" \
    >"$work/want"
  same "$work/want" "$work/out"
  # -o names the next URL's file; -O saves the others under their names.
  mkdir "$work/save" && cd "$work/save" || fail "cd"
  expect_status 0 -O -o "$work/save/first" "$u/a.txt" "$u/big.bin" \
    "$u/dir/c.txt"
  same "$root/a.txt" first
  same "$root/big.bin" big.bin
  same "$root/dir/c.txt" c.txt
  [ -s "$work/out" ] && fail "-o/-O wrote to stdout"
  cd "$work" || fail "cd"
  # -d @file: a POST whose body nghttpd sends back.
  expect_status 0 -d @"$root/big.bin" "$u/upload"
  same "$root/big.bin" "$work/out"
  expect_status 0 -d 'literal body' -H 'X-Test: yes' "$u/upload"
  [ "$(cat "$work/out")" = "literal body" ] || fail "-d literal not echoed"
  # -v: frames both ways on stderr.
  expect_status 0 -v "$u/a.txt"
  expect_err "] send client connection preface <PRI * HTTP/2.0>"
  expect_err "] send SETTINGS frame <length=30, flags=0x00, stream_id=0>"
  expect_err "] send HEADERS frame <length="
  expect_err "          :path: /a.txt"
  expect_err "] recv SETTINGS frame <length=0, flags=0x01, stream_id=0>"
  expect_err "          :status: 200"
  expect_err "] recv DATA frame <length=6, flags=0x01, stream_id=1>"
  same "$root/a.txt" "$work/out"
}

case_h2c() {
  start_serve s
  local u=http://127.0.0.1:$port_s
  expect_status 0 "$u/f3" "$u/big.bin" "$u/f1" "$u/dir/c.txt" "$u/f3"
  cat "$root/f3" "$root/big.bin" "$root/f1" "$root/dir/c.txt" "$root/f3" \
    >"$work/want"
  same "$work/want" "$work/out"
  # An HTTP error: exit 1 naming the URL; the other bodies still come.
  expect_status 1 "$u/a.txt" "$u/missing" "$u/b.txt"
  expect_err "h2e-get: $u/missing: HTTP status 404"
  cat "$root/a.txt" - "$root/b.txt" >"$work/want" <<<"404 not found"
  same "$work/want" "$work/out"
  # Usage errors: exit 2.
  expect_status 2
  expect_status 2 --frobnicate "$u/a.txt"
  expect_status 2 "ftp://127.0.0.1/x"
  expect_err "ftp://127.0.0.1/x: not an http:// or https:// URL"
  expect_status 2 -o
  # Transport failures: exit 1 with the reason.
  stop_serve s
  expect_status 1 "$u/a.txt"
  expect_err "h2e-get: $u/a.txt: cannot connect to 127.0.0.1:$port_s: Connection refused"
  [ "$(conns s)" = 2 ] || fail "want 2 connections, log has $(conns s)"
}

case_tls() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" \
    -out "$work/cert.pem" >"$work/openssl.err" 2>&1 || fail "openssl req"
  start_serve s --cert "$work/cert.pem" --key "$work/key.pem"
  local u=https://127.0.0.1:$port_s
  expect_status 1 "$u/a.txt"
  expect_err "h2e-get: $u/a.txt: TLS failed:"
  expect_err "certificate"
  expect_status 0 -k "$u/a.txt" "$u/big.bin"
  cat "$root/a.txt" "$root/big.bin" >"$work/want"
  same "$work/want" "$work/out"
  expect_status 0 --cacert "$work/cert.pem" "$u/b.txt"
  same "$root/b.txt" "$work/out"
  stop_serve s
  grep -q ' h2 .*"GET /big.bin" 200 5000000' "$work/s.log" ||
    fail "no TLS (h2) request for /big.bin in the access log"
  # A TLS server that selects no ALPN protocol (python's ssl, one
  # connection): no h2, said so.
  "$python" -c 'import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0))
srv.settimeout(60)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(60)
try:
    tls = ctx.wrap_socket(conn, server_side=True)
    tls.recv(1)
except (OSError, ssl.SSLError):
    pass' "$work/cert.pem" "$work/key.pem" >"$work/noalpn.port" \
    2>"$work/noalpn.err" &
  pids+=($!)
  local port='' i
  for i in $(seq 100); do
    port=$(cat "$work/noalpn.port")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "the python TLS server did not start"
  expect_status 1 -k "https://127.0.0.1:$port/"
  expect_err "h2e-get: https://127.0.0.1:$port/: the server did not select h2 by ALPN"
}

# urls N PORTS...: N URLs over the numbered files, round robin over the
# ports; the expected stdout goes to $work/want.
urls() {
  local n=$1
  shift
  local ports="$*"
  awk -v n="$n" -v ports="$ports" 'BEGIN {
    k = split(ports, p, " ")
    for (i = 0; i < n; i++)
      printf "http://127.0.0.1:%s/f%d\n", p[i % k + 1], i % 10
  }' >"$work/urls"
  sed "s|.*/|$root/|" "$work/urls" | xargs cat >"$work/want"
}

case_pool() {
  start_serve s1 && start_serve s2 && start_serve s3
  urls 1000 "$port_s1" "$port_s2" "$port_s3"
  mapfile -t list <"$work/urls"
  expect_status 0 "${list[@]}"
  same "$work/want" "$work/out"
  stop_serve s1 && stop_serve s2 && stop_serve s3
  local s
  for s in s1 s2 s3; do
    [ "$(grep -c '" 200 ' "$work/$s.log")" -ge 333 ] ||
      fail "$s served $(grep -c '" 200 ' "$work/$s.log") requests"
    [ "$(conns $s)" = 1 ] || fail "$s saw $(conns $s) connections, want 1"
  done
  [ "$(cat "$work"/s?.log | grep -c '" 200 ')" = 1000 ] || fail "not 1000"
}

case_goaway() {
  start_serve s --goaway-after 150
  urls 1000 "$port_s"
  mapfile -t list <"$work/urls"
  expect_status 0 "${list[@]}"
  same "$work/want" "$work/out"
  stop_serve s
  [ "$(grep -c '" 200 ' "$work/s.log")" = 1000 ] ||
    fail "$(grep -c '" 200 ' "$work/s.log") of 1000 answered 200"
  # 100 streams at a time and a GOAWAY after 150 requests: at least 4.
  [ "$(conns s)" -ge 4 ] || fail "only $(conns s) connections after GOAWAYs"
}

case_proxy() {
  start_serve target && start_serve proxy --proxy
  local u=http://127.0.0.1:$port_target p=http://127.0.0.1:$port_proxy
  urls 200 "$port_target"
  mapfile -t list <"$work/urls"
  expect_status 0 --proxy "$p" "$u/big.bin" "${list[@]}" "$u/a.txt"
  cat "$root/big.bin" "$work/want" "$root/a.txt" >"$work/want2"
  same "$work/want2" "$work/out"
  # -v shows the frames inside the tunnel too.
  expect_status 0 -v --proxy "$p" "$u/b.txt"
  same "$root/b.txt" "$work/out"
  expect_err "[127.0.0.1:$port_proxy] send HEADERS frame"
  expect_err "          :method: CONNECT"
  expect_err "[127.0.0.1:$port_target tunnel] send client connection preface"
  expect_err "[127.0.0.1:$port_target tunnel] recv DATA frame <length=12, flags=0x01, stream_id=1>"
  # A target that refuses: the proxy answers 502.
  expect_status 1 --proxy "$p" "http://127.0.0.1:1/x"
  expect_err "answered CONNECT 127.0.0.1:1 with 502"
  expect_status 2 --proxy "$p" "https://127.0.0.1:$port_target/a.txt"
  stop_serve target && stop_serve proxy
  # One tunnelled connection per h2e-get run.
  [ "$(conns target)" = 2 ] || fail "target saw $(conns target) connections"
  [ "$(grep -c '" 200 ' "$work/target.log")" = 203 ] || fail "target count"
  grep -q "\"CONNECT 127.0.0.1:$port_target\" 200" "$work/proxy.log" ||
    fail "no CONNECT in the proxy's log"
  grep -q '"CONNECT 127.0.0.1:1" 502' "$work/proxy.log" ||
    fail "no 502 CONNECT in the proxy's log"
}

case_proxy_peer() {
  start_serve proxy --proxy
  timeout 60 "$python" "$(dirname "$0")/get_proxy_peer.py" "$port_proxy" \
    >"$work/peer.log" 2>&1 || fail "get_proxy_peer.py: $(cat "$work/peer.log")"
  stop_serve proxy
  grep -q '"CONNECT 127.0.0.1:[0-9]*" 200 12 .* reset$' "$work/proxy.log" ||
    fail "the reset tunnel is not in the proxy's log"
}

case_refused() {
  "$python" "$(dirname "$0")/get_refuse_server.py" >"$work/refuse.port" \
    2>"$work/refuse.err" &
  pids+=($!)
  local port='' i
  for i in $(seq 100); do
    port=$(cat "$work/refuse.port")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "get_refuse_server.py did not start"
  # /x is refused on connection 1 and retried once, on a new connection;
  # /y stays on connection 1. Bodies still come in URL order.
  expect_status 0 "http://127.0.0.1:$port/x" "http://127.0.0.1:$port/y"
  printf 'answered on connection 2\nanswered on connection 1\n' >"$work/want"
  same "$work/want" "$work/out"
  grep -q "refused on connection 1" "$work/refuse.err" || fail "no refusal"
}

"case_$case"
echo "ok: h2e-get $case"
