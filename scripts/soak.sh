#!/usr/bin/env bash
# Soak: h2load against h2e-serve with 1,000 connections and 10 streams
# each for 30 s. Pass: 0 failed/errored requests, the server's RSS at the
# 30th second within 10% of the 10th, and no fd left open once h2load is
# gone. usage: scripts/soak.sh [H2E_SERVE] (default: build/release's)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serve=${1:-$root/build/release/examples/h2e-serve}
seconds=${H2E_SOAK_SECONDS:-30}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '<html>soak</html>\n' >"$work/index.html"
port=$((20000 + $$ % 20000))
"$serve" --listen 127.0.0.1:$port --root "$work" --quiet 2>/dev/null &
pid=$!
sleep 0.5
fds_before=$(ls /proc/$pid/fd | wc -l)
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
h2load -c 1000 -m 10 -D "$seconds" "http://127.0.0.1:$port/index.html" \
  >"$work/h2load" 2>&1 &
load=$!
sleep $((seconds / 3)); rss_early=$(rss)
sleep $((seconds - seconds / 3 - 1)); rss_late=$(rss)
wait $load || true
sleep 1
fds_after=$(ls /proc/$pid/fd | wc -l)
grep -E 'finished in|requests:' "$work/h2load"
echo "soak: RSS ${rss_early} KB at ${seconds}/3 s, ${rss_late} KB near the end; fds ${fds_before} before, ${fds_after} after"
grep -qE ' 0 failed, 0 errored, 0 timeout' "$work/h2load" || { echo "soak: FAIL: request errors"; exit 1; }
awk -v a="$rss_early" -v b="$rss_late" 'BEGIN { d = b - a; if (d < 0) d = -d; exit !(d <= a * 0.10) }' ||
  { echo "soak: FAIL: RSS moved more than 10%"; exit 1; }
[ "$fds_after" -le "$fds_before" ] || { echo "soak: FAIL: fds left open"; exit 1; }
echo "soak: ok"
