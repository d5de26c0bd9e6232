#!/bin/sh
# Headless Chromium loads a page with 50 images from h2e-serve over TLS
# (self-signed, --ignore-certificate-errors): the access log must show the
# page and all 50 images over HTTP/2 ("h2") on one connection.
# $1: h2e-serve, $2: chromium.
set -eu
serve=$1 chromium=$2
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/site/img" "$work/profile"
# A 1x1 PNG, 50 copies under distinct names.
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211\000\000\000\rIDATx\234c\370\377\377?\000\005\376\002\376\247\065\201\204\000\000\000\000IEND\256B`\202' \
  >"$work/pixel.png"
{
  echo '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>'
  for i in $(seq 1 50); do
    cp "$work/pixel.png" "$work/site/img/$i.png"
    echo "<img src=\"/img/$i.png\" alt=\"$i\">"
  done
  echo '</body></html>'
} >"$work/site/index.html"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

port=$((20000 + ($$ + 7919) % 20000))
"$serve" --listen 127.0.0.1:"$port" --root "$work/site" \
  --cert "$work/cert.pem" --key "$work/key.pem" >"$work/log" 2>"$work/err" &
pid=$!
for _ in $(seq 50); do
  curl -sk -o /dev/null "https://127.0.0.1:$port/?probe" 2>/dev/null && break
  sleep 0.1
done

timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --user-data-dir="$work/profile" --ignore-certificate-errors \
  --dump-dom "https://127.0.0.1:$port/" >"$work/dom" 2>"$work/chromium.err" ||
  fail "chromium: $(tail -3 "$work/chromium.err")"
grep -c '<img' "$work/dom" | grep -qx 50 || fail "the page did not render"
kill -TERM "$pid"
wait "$pid" || true
pid=""

# Chromium's lines only (the readiness probe asked for "/?probe").
grep -v '?probe' "$work/log" >"$work/chromium.log"
requests=$(grep -cE '"GET /(|img/[0-9]+\.png)" 200 ' "$work/chromium.log" || true)
h2=$(grep -E '"GET /(|img/[0-9]+\.png)" 200 ' "$work/chromium.log" | grep -c ' h2 ' || true)
conns=$(grep -E '"GET /(|img/[0-9]+\.png)" 200 ' "$work/chromium.log" |
  sed -E 's/.* conn=([0-9.]+) .*/\1/' | sort -u | wc -l)
echo "chromium: $requests requests, $h2 over h2, on $conns connection(s)"
[ "$requests" -eq 51 ] || { cat "$work/chromium.log"; fail "expected 51 requests"; }
[ "$h2" -eq 51 ] || fail "not all over h2"
[ "$conns" -eq 1 ] || fail "more than one connection"
