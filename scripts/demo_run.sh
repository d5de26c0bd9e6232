#!/usr/bin/env bash
# The demo itself, on binaries already built (scripts/demo.sh builds them
# first): a sample site served by h2e-serve over TLS (a self-signed
# certificate made here) and over h2c, fetched with h2e-get, then left
# running for curl and a browser until Ctrl-C.
#   demo_run.sh BUILD_DIR [--no-wait]
# Environment: H2E_DEMO_TLS_PORT (8443), H2E_DEMO_H2C_PORT (8080).
set -euo pipefail
build=$(cd "$1" && pwd)
wait_for_user=1
[ "${2:-}" = --no-wait ] && wait_for_user=0
serve=$build/examples/h2e-serve
get=$build/examples/h2e-get
tls_port=${H2E_DEMO_TLS_PORT:-8443}
h2c_port=${H2E_DEMO_H2C_PORT:-8080}
demo=$build/demo-site
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# ---- a small site: a page, a stylesheet, 12 images, a 4 MiB download
rm -rf "$demo" && mkdir -p "$demo/www/img" "$demo/tls"
cat >"$demo/www/style.css" <<'CSS'
body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
img { width: 48px; height: 48px; margin: 2px; image-rendering: pixelated; }
CSS
{
  echo '<!doctype html><html><head><meta charset="utf-8">'
  echo '<title>h2e demo</title><link rel="stylesheet" href="/style.css">'
  echo '<link rel="icon" href="data:,"></head><body>'
  echo '<h1>Served by h2e-serve</h1>'
  echo '<p>Every request of this page went over one HTTP/2 connection:'
  echo 'see the access log the demo prints.</p><p>'
  for i in $(seq 1 12); do echo "<img src=\"/img/$i.png\" alt=\"$i\">"; done
  echo '</p><p><a href="/big.bin">a 4 MiB download</a></p></body></html>'
} >"$demo/www/index.html"
head -c 4194304 /dev/urandom >"$demo/www/big.bin"
# 12 small PNGs, one colour each (zlib and crc32 from Python's stdlib)
python3 - "$demo/www/img" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data)))
for i in range(1, 13):
    rgb = bytes(((i * 67) % 256, (i * 151) % 256, (i * 29) % 256))
    raw = b"".join(b"\0" + rgb * 8 for _ in range(8))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open(f"{sys.argv[1]}/{i}.png", "wb").write(png)
PY
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$demo/tls/key.pem" -out "$demo/tls/cert.pem" 2>/dev/null

# ---- the servers
"$serve" --listen 127.0.0.1:"$tls_port" --root "$demo/www" \
  --cert "$demo/tls/cert.pem" --key "$demo/tls/key.pem" \
  >"$demo/access-tls.log" 2>"$demo/serve-tls.err" &
pids+=($!)
"$serve" --listen 127.0.0.1:"$h2c_port" --root "$demo/www" \
  >"$demo/access-h2c.log" 2>"$demo/serve-h2c.err" &
pids+=($!)
for _ in $(seq 50); do
  if grep -q "h2e-serve:" "$demo/serve-tls.err" 2>/dev/null &&
    grep -q "h2e-serve:" "$demo/serve-h2c.err" 2>/dev/null; then break; fi
  sleep 0.1
done
cat "$demo/serve-tls.err" "$demo/serve-h2c.err"

# ---- fetch it with h2e-get
site=https://localhost:$tls_port
urls=("$site/" "$site/style.css")
for i in $(seq 1 12); do urls+=("$site/img/$i.png"); done
echo
echo "\$ h2e-get --cacert $demo/tls/cert.pem -O ... (14 URLs, one connection)"
(cd "$demo" && "$get" --cacert tls/cert.pem -O "${urls[@]}" "$site/big.bin")
echo "saved in $demo: $(cd "$demo" && ls index.html style.css ./*.png big.bin | wc -l) files"
cmp "$demo/big.bin" "$demo/www/big.bin" && echo "  big.bin: 4194304 octets, identical to the served file"
echo
echo "\$ h2e-get -v http://127.0.0.1:$h2c_port/style.css   (h2c, frames on stderr)"
"$get" -v "http://127.0.0.1:$h2c_port/style.css" 2>&1 | head -40
sleep 0.3
echo
echo "access log (TLS):"
sed 's/^/  /' "$demo/access-tls.log"
conns=$(sed -E 's/.* conn=([0-9.]+) .*/\1/' "$demo/access-tls.log" | sort -u | wc -l)
echo "  -> $(wc -l <"$demo/access-tls.log") requests over $conns HTTP/2 connection(s)"

cat <<EOT

Try it yourself while the demo runs:
  curl --http2-prior-knowledge http://127.0.0.1:$h2c_port/
  curl --http2 -v http://127.0.0.1:$h2c_port/          (HTTP/1.1 Upgrade to h2c)
  curl --cacert $demo/tls/cert.pem https://localhost:$tls_port/
  nghttp -nv http://127.0.0.1:$h2c_port/
  a browser: https://localhost:$tls_port/  (accept the self-signed certificate;
             the access log shows every request over one h2 connection)
  access logs: $demo/access-tls.log, $demo/access-h2c.log
EOT
if [ "$wait_for_user" = 1 ]; then
  echo "Serving until Ctrl-C."
  trap 'echo; echo "h2e demo: stopping (graceful GOAWAY)"; cleanup; exit 0' INT TERM
  wait
fi
