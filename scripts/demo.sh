#!/usr/bin/env bash
# The main job: builds h2e and its examples, then runs the demo
# (scripts/demo_run.sh): h2e-serve serving a sample site over TLS (with a
# self-signed certificate it makes) and h2c, h2e-get fetching it, and how
# to try it with curl and a browser. Serves until Ctrl-C (--no-wait: stop
# after the fetches). Installs its prerequisites when run as root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/deps.sh"
h2e_need_packages "${H2E_BUILD_PACKAGES[@]}" libssl-dev openssl python3

build=$root/build/demo
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DH2E_TESTS=OFF \
  -DH2E_EXAMPLES=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target h2e-serve h2e-get h2e-frames \
  >/dev/null
exec "$root/scripts/demo_run.sh" "$build" "$@"
