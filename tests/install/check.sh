#!/bin/sh
# Installs h2e into a scratch prefix, then builds and runs a tiny consumer
# twice: once through find_package(h2e), once through pkg-config.
set -eu
src=$1 work=$2 cc=$3
rm -rf "$work"
mkdir -p "$work"
cmake -S "$src" -B "$work/build" -DCMAKE_C_COMPILER="$cc" -DH2E_TESTS=OFF \
  -DH2E_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >"$work/log" 2>&1
cmake --build "$work/build" -j2 >>"$work/log" 2>&1
cmake --install "$work/build" >>"$work/log" 2>&1

# find_package
cmake -S "$src/tests/install/consumer" -B "$work/consumer" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$work/prefix" >>"$work/log" 2>&1
cmake --build "$work/consumer" >>"$work/log" 2>&1
LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64" "$work/consumer/consumer"
"$work/consumer/consumer_static"

# pkg-config
libdir=$(ls -d "$work/prefix"/lib*/pkgconfig | head -n 1)
export PKG_CONFIG_PATH="$libdir"
# shellcheck disable=SC2046
"$cc" -o "$work/consumer_pc" "$src/tests/install/consumer/consumer.c" \
  $(pkg-config --cflags --libs h2e)
LD_LIBRARY_PATH="$(dirname "$libdir")" "$work/consumer_pc"
echo "install tree: find_package and pkg-config consumers ran"
