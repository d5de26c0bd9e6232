#!/usr/bin/env bash
# Interop on 127.0.0.1 between h2e (tests/interop/h2e-interop) and real
# HTTP/2 peers from Debian packages. One peer per run:
#
#   run.sh H2E_INTEROP PEER     PEER: nghttp curl curl_upgrade h2load
#                                     python_h2 client_nghttpd client_push
#                                     self (or all)
#
# As a server, h2e-interop answers GET /bytes/N with N octets of a known
# pattern (octet i is i % 251) and echoes POST bodies; every body is
# compared byte for byte here (or, for h2load, every request must
# succeed). As a client, it fetches files from nghttpd and checks them
# itself. The h2e server must end (on SIGTERM) with status 0: no
# connection error or stream reset of its own making, nothing leaked.
#
# Ports: the h2e server binds port 0 and writes the one it got; nghttpd
# gets a free port found just before (retried if taken meanwhile). Every
# wait is bounded; everything started here is stopped on exit, and bounds
# itself (--seconds, timeout) should this script be killed outright. A
# missing tool is a failure, not a skip (scripts/test.sh installs them).
set -uo pipefail

bin=${1:?usage: run.sh H2E_INTEROP PEER}
peer=${2:?usage: run.sh H2E_INTEROP PEER}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3 # the system one, which has python3-h2
work=$(mktemp -d "${TMPDIR:-/tmp}/h2e-interop.XXXXXX")
started=()
lifetime=120 # seconds any server started here lives at most

forget() { # pid: stopped and reaped, so no longer ours to signal
  local kept=() pid
  for pid in "${started[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  started=("${kept[@]}")
}

cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${started[@]}"; do
    wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
  local log
  for log in "$work"/*.log; do
    [ -s "$log" ] || continue
    echo "---- $(basename "$log") (last 30 lines)"
    tail -n 30 "$log"
  done
}

fail() {
  echo "interop $peer: FAIL: $*"
  show_logs
  exit 1
}

ok() { echo "interop $peer: ok: $*"; }

need() { # tool, Debian package
  command -v "$1" >/dev/null 2>&1 || fail "$1 not found (apt-get install $2)"
}

need_python() {
  [ -x "$python" ] || fail "$python not found (apt-get install python3)"
}

need_python_h2() {
  need_python
  "$python" -c 'import h2' 2>/dev/null ||
    fail "$python cannot import h2 (apt-get install python3-h2)"
}

# ---- files ----------------------------------------------------------------

pattern_file() { # size -> path of a file holding the pattern
  local path=$work/pattern.$1
  [ -f "$path" ] || "$python" -c '
import sys
n = int(sys.argv[1])
period = bytes(range(251))
sys.stdout.buffer.write((period * (n // 251 + 1))[:n])' "$1" >"$path"
  echo "$path"
}

random_file() { # size, path
  head -c "$1" /dev/urandom >"$2"
}

same() { # expected file, actual file, what
  cmp -s "$1" "$2" || fail "$3: body differs ($(wc -c <"$2") octets, \
expected $(wc -c <"$1"))"
}

# ---- processes ------------------------------------------------------------

wait_gone() { # pid, seconds: 0 when it ended in time
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

server_pid='' server_port=''
start_h2e_server() { # extra server options...
  rm -f "$work/port"
  "$bin" server 0 --port-file "$work/port" --seconds "$lifetime" "$@" \
    >>"$work/h2e-server.log" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  local i
  for ((i = 0; i < 100; i++)); do
    [ -s "$work/port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "h2e server did not start"
    sleep 0.1
  done
  [ -s "$work/port" ] || fail "h2e server did not listen within 10 s"
  server_port=$(cat "$work/port")
}

stop_h2e_server() {
  kill -TERM "$server_pid" 2>/dev/null
  wait_gone "$server_pid" 15 || fail "h2e server did not exit on SIGTERM"
  wait "$server_pid"
  local status=$?
  forget "$server_pid"
  grep -h 'h2e-interop server:' "$work/h2e-server.log" | tail -n 1
  [ "$status" -eq 0 ] || fail "h2e server exited with status $status"
}

free_port() {
  "$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

listening() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

nghttpd_pid='' nghttpd_port=''
start_nghttpd() { # document root, extra nghttpd options...
  local attempt i root=$1
  shift
  for attempt in 1 2 3; do
    nghttpd_port=$(free_port)
    timeout "$lifetime" nghttpd --no-tls -a 127.0.0.1 -d "$root" \
      --echo-upload "$@" "$nghttpd_port" >>"$work/nghttpd.log" 2>&1 &
    nghttpd_pid=$!
    started+=("$nghttpd_pid")
    for ((i = 0; i < 100; i++)); do
      kill -0 "$nghttpd_pid" 2>/dev/null || break
      listening "$nghttpd_port" && return 0
      sleep 0.1
    done
    kill -KILL "$nghttpd_pid" 2>/dev/null
    wait "$nghttpd_pid" 2>/dev/null
    forget "$nghttpd_pid"
  done
  fail "nghttpd did not start"
}

url() { echo "http://127.0.0.1:$server_port$1"; }

# ---- h2e as a server ------------------------------------------------------

sizes=(0 1 100 16383 16384 16385 65535 65536 100000 1048576)

peer_nghttp() {
  need nghttp nghttp2-client
  local n urls=() expected=$work/expected
  : >"$expected"
  for n in "${sizes[@]}"; do cat "$(pattern_file "$n")" >>"$expected"; done

  # Several URLs on one connection, one stream at a time (both sides say
  # so) so that nghttp's output is the bodies in order; small receive
  # windows make the server split its DATA by flow control.
  start_h2e_server --max-streams 1
  for n in "${sizes[@]}"; do urls+=("$(url "/bytes/$n")"); done
  timeout 20 nghttp -M 1 -w 12 -W 14 -t 15 "${urls[@]}" >"$work/out" \
    2>>"$work/nghttp.log" || fail "nghttp (in order) exited with $?"
  same "$expected" "$work/out" "nghttp ${#urls[@]} URLs in order"
  stop_h2e_server
  ok "${#urls[@]} URLs on one connection, bodies in order"

  # The same URLs three times each, all at once: DATA of different
  # streams interleave in nghttp's output, so compare the octet counts.
  # The server runs with tiny bounds (--tight): backpressure throughout.
  start_h2e_server --tight
  urls=()
  for n in "${sizes[@]}"; do urls+=("$(url "/bytes/$n")"); done
  timeout 20 nghttp -m 3 -t 15 "${urls[@]}" >"$work/out" \
    2>>"$work/nghttp.log" || fail "nghttp (concurrent) exited with $?"
  cat "$expected" "$expected" "$expected" >"$expected.3"
  "$python" - "$expected.3" "$work/out" <<'EOF' || fail "nghttp concurrent bodies"
import collections, sys
want, got = (open(p, "rb").read() for p in sys.argv[1:3])
if collections.Counter(want) != collections.Counter(got):
    sys.exit("octets differ: %d received, %d expected" % (len(got), len(want)))
EOF
  ok "$((3 * ${#urls[@]})) concurrent streams on one connection"

  # POST with a 1 MiB body, padded frames, a header block in CONTINUATIONs.
  random_file 1048576 "$work/post.bin"
  timeout 20 nghttp -b 64 --continuation -t 15 -d "$work/post.bin" \
    "$(url /echo)" >"$work/out" 2>>"$work/nghttp.log" ||
    fail "nghttp POST exited with $?"
  same "$work/post.bin" "$work/out" "nghttp POST echo"
  ok "POST 1 MiB (padding, CONTINUATION) echoed"
  stop_h2e_server
}

# One request per curl run: curl 7.88.1 (Debian 12) fails any second
# request on a prior-knowledge connection, whatever the server, with
# "Error in the HTTP2 framing layer" (curl/curl#10634, fixed in 8.0).
curl_h2() { # curl arguments...
  timeout 20 curl --http2-prior-knowledge -sS --max-time 15 "$@" \
    2>>"$work/curl.log"
}

curl_check() { # expected status, expected body file, curl arguments...
  local status=$1 body=$2 got
  shift 2
  got=$(curl_h2 -w '%{http_version} %{http_code}' -o "$work/out" "$@") ||
    fail "curl $* exited with $?"
  [ "$got" = "2 $status" ] || fail "curl $*: HTTP version and status $got"
  [ -z "$body" ] || same "$body" "$work/out" "curl $*"
}

peer_curl() {
  need curl curl
  start_h2e_server
  local n
  for n in "${sizes[@]}"; do
    curl_check 200 "$(pattern_file "$n")" "$(url "/bytes/$n")"
  done
  ok "${#sizes[@]} GETs, bodies checked"
  random_file 1048576 "$work/post.bin"
  curl_check 200 "$work/post.bin" --data-binary "@$work/post.bin" \
    "$(url /echo)"
  curl_check 200 "$work/post.bin" -H 'Expect: 100-continue' -X PUT \
    --data-binary "@$work/post.bin" "$(url /echo)"
  ok "POST and PUT (Expect: 100-continue) of 1 MiB echoed"
  curl_check 404 "" "$(url /nothing)"
  stop_h2e_server
}

# curl --http2 on http:// asks for an upgrade from HTTP/1.1 (RFC 7540
# §3.2): the server answers 101 and the response comes over HTTP/2 on
# stream 1. One request per curl run (see curl_h2 above).
peer_curl_upgrade() {
  need curl curl
  start_h2e_server
  local n got runs=0
  for n in 0 1 16384 100000 1048576; do
    got=$(timeout 20 curl --http2 -sS --max-time 15 \
      -w '%{http_version} %{http_code}' -o "$work/out" "$(url "/bytes/$n")" \
      2>>"$work/curl.log") || fail "curl --http2 /bytes/$n exited with $?"
    [ "$got" = "2 200" ] || fail "curl --http2 /bytes/$n: HTTP version and \
status $got"
    same "$(pattern_file "$n")" "$work/out" "curl --http2 /bytes/$n"
    runs=$((runs + 1))
  done
  got=$(timeout 20 curl --http2 -sS --max-time 15 -w '%{http_version} %{http_code}' \
    -o "$work/out" "$(url /nothing)" 2>>"$work/curl.log") ||
    fail "curl --http2 /nothing exited with $?"
  [ "$got" = "2 404" ] || fail "curl --http2 /nothing: $got"
  runs=$((runs + 1))
  stop_h2e_server
  grep -q "($runs upgraded from HTTP/1.1)" "$work/h2e-server.log" ||
    fail "the server did not take $runs upgrades"
  ok "$runs GETs upgraded from HTTP/1.1 to h2c, bodies checked"
}

h2load_run() { # what, h2load arguments...
  local what=$1 log=$work/h2load.log
  shift
  timeout 25 h2load -T 20 "$@" >"$log" 2>&1 || fail "h2load ($what) exited with $?"
  grep -E '^(requests|status codes):' "$log"
}

peer_h2load() {
  need h2load nghttp2-client
  start_h2e_server
  local n
  for n in 0 100 1024 4096; do url "/bytes/$n"; done >"$work/uris"
  h2load_run GET -n 20000 -c 10 -m 32 -i "$work/uris"
  grep -q '20000 succeeded, 0 failed, 0 errored' "$work/h2load.log" ||
    fail "h2load: not every request succeeded"
  grep -q '20000 2xx' "$work/h2load.log" || fail "h2load: statuses not 2xx"
  ok "20000 GETs, 10 connections x 32 streams, 0 errors"
  # Large header blocks (a 16000-octet field on every request).
  h2load_run "large headers" -n 200 -c 2 -m 4 \
    -H "x-large: $(printf '%016000d' 0)" "$(url /bytes/10)"
  grep -q '200 succeeded, 0 failed, 0 errored' "$work/h2load.log" ||
    fail "h2load large headers: not every request succeeded"
  ok "200 GETs with a 16000-octet header field, 0 errors"
  stop_h2e_server
  # Again with tiny engine bounds (--tight), then request bodies on many
  # streams (the server's receive windows).
  start_h2e_server --tight
  for n in 0 100 1024 4096; do url "/bytes/$n"; done >"$work/uris"
  h2load_run GET -n 20000 -c 10 -m 32 -i "$work/uris"
  grep -q '20000 succeeded, 0 failed, 0 errored' "$work/h2load.log" ||
    fail "h2load --tight: not every request succeeded"
  ok "20000 GETs against a --tight server, 0 errors"
  random_file 65536 "$work/post.bin"
  h2load_run POST -n 2000 -c 4 -m 16 -d "$work/post.bin" "$(url /echo)"
  grep -q '2000 succeeded, 0 failed, 0 errored' "$work/h2load.log" ||
    fail "h2load POST: not every request succeeded"
  grep -q '2000 2xx' "$work/h2load.log" || fail "h2load POST: statuses not 2xx"
  ok "2000 POSTs of 64 KiB echoed, 4 connections x 16 streams, 0 errors"
  stop_h2e_server
}

peer_python_h2() {
  need_python_h2
  local options
  for options in "" --tight; do
    start_h2e_server $options
    timeout 25 "$python" "$here/h2_client.py" "$server_port" \
      >"$work/python-h2.log" 2>&1 || fail "h2_client.py exited with $?"
    cat "$work/python-h2.log"
    stop_h2e_server
  done
}

# ---- h2e as a client ------------------------------------------------------

client_failures=0
client() { # what, log name, client arguments...
  local what=$1 log=$work/$2.log
  shift 2
  if timeout 25 "$bin" client --seconds 20 "$@" >"$log" 2>&1; then
    ok "$what ($(tail -n 1 "$log"))"
  else
    echo "interop $peer: FAIL: $what:"
    grep -v '^stream' "$log" | head -n 10
    client_failures=$((client_failures + 1))
  fi
}

peer_client_nghttpd() {
  need nghttpd nghttp2-server
  local www=$work/www n specs=()
  mkdir -p "$www"
  for n in "${sizes[@]}"; do
    random_file "$n" "$www/f$n"
    specs+=("GET,/f$n,expect=file:$www/f$n")
  done
  random_file 1048576 "$work/post.bin"
  start_nghttpd "$www"
  client "${#specs[@]} GETs and a 404" get "$nghttpd_port" "${specs[@]}" \
    "GET,/missing,status=404,expect=any"
  # nghttpd --echo-upload answers a POST with its body.
  client "POST 1 MiB from memory and as a file region, echoed" post \
    "$nghttpd_port" "POST,/f0,body=$work/post.bin,expect=echo" \
    "POST,/f1,bodyfile=$work/post.bin,expect=echo"
  client "100 concurrent streams" concurrent "$nghttpd_port" --repeat 10 \
    --min-peak 100 "${specs[@]}"
  client "100 concurrent streams, tiny engine bounds" tight "$nghttpd_port" \
    --tight --repeat 10 --min-peak 100 "${specs[@]}"
  kill -TERM "$nghttpd_pid"
  wait "$nghttpd_pid" 2>/dev/null
  forget "$nghttpd_pid"
  # Padded DATA and HEADERS (padding counts against our small windows).
  start_nghttpd "$www" -b 255
  client "${#specs[@]} GETs, padded, 4 KiB stream windows" padded \
    "$nghttpd_port" --window 4096 "${specs[@]}"
  [ "$client_failures" -eq 0 ] || fail "$client_failures client runs failed"
}

# Server push from nghttpd (RFC 9113 §8.4): a request for /f100 brings
# promises of /f1 and /f100000; the client takes the first (its pushed
# body checked) and refuses the second with RST_STREAM CANCEL (larger
# than our window, it cannot be over before the refusal).
peer_client_push() {
  need nghttpd nghttp2-server
  local www=$work/www n
  mkdir -p "$www"
  for n in 1 100 16384 100000; do random_file "$n" "$www/f$n"; done
  start_nghttpd "$www" -p/f100=/f1,/f100000 -p/f16384=/f100000
  client "a push accepted and one cancelled" push "$nghttpd_port" \
    --push "/f1=file:$www/f1" --push /f100000=cancel \
    "GET,/f100,expect=file:$www/f100"
  client "the body of a large push checked" push-large "$nghttpd_port" \
    --push "/f100000=file:$www/f100000" "GET,/f16384,expect=file:$www/f16384"
  kill -TERM "$nghttpd_pid"
  wait "$nghttpd_pid" 2>/dev/null
  forget "$nghttpd_pid"
  [ "$client_failures" -eq 0 ] || fail "$client_failures client runs failed"
}

# h2e against itself: both roles, small windows, tiny bounds on either
# side (a --tight client cannot keep 100 streams open: its output buffer
# holds about 30 request heads).
peer_self() {
  start_h2e_server --window 16384 --tight
  local n specs=()
  random_file 1048576 "$work/post.bin"
  for n in "${sizes[@]}"; do
    specs+=("GET,/bytes/$n,expect=pattern:$n")
  done
  specs+=("POST,/echo,body=$work/post.bin,expect=echo"
    "PUT,/echo,bodyfile=$work/post.bin,expect=echo")
  client "120 streams, small windows, --tight server" self "$server_port" \
    --window 20000 --repeat 10 --min-peak 100 "${specs[@]}"
  client "120 streams, small windows, --tight both" self-tight \
    "$server_port" --tight --window 20000 --repeat 10 "${specs[@]}"
  stop_h2e_server
  [ "$client_failures" -eq 0 ] || fail "$client_failures client runs failed"
}

[ -x "$bin" ] || fail "$bin is not an executable"
need_python # generates the pattern files
case "$peer" in
  nghttp | curl | curl_upgrade | h2load | python_h2 | client_nghttpd | \
    client_push | self) "peer_$peer" ;;
  all)
    for p in nghttp curl curl_upgrade h2load python_h2 client_nghttpd \
      client_push self; do
      bash "$0" "$bin" "$p" || exit 1
    done
    ;;
  *) fail "unknown peer $peer" ;;
esac
