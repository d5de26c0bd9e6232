#!/usr/bin/env bash
# The main job, until the demo server lands: builds h2e-frames and runs it
# over the sample captures in examples/captures/ (real nghttp <-> nghttpd
# exchanges, hand-made ones covering every frame type, and invalid ones).
# Installs its prerequisites when run as root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/deps.sh"
h2e_need_packages "${H2E_BUILD_PACKAGES[@]}"

build=$root/build/demo
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DH2E_TESTS=OFF \
  -DH2E_EXAMPLES=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target h2e-frames >/dev/null

for capture in "$root"/examples/captures/*.bin; do
  echo "=== h2e-frames examples/captures/$(basename "$capture")"
  "$build/examples/h2e-frames" "$capture" || true
  echo
done
echo "Try it on your own bytes: $build/examples/h2e-frames FILE (or - for stdin)"
