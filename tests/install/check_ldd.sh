#!/bin/sh
# Fails when the shared library depends on anything beyond libc and the loader.
set -eu
deps=$(ldd "$1" | awk '{print $1}')
echo "$deps"
for dep in $deps; do
  case "$dep" in
    linux-vdso.so.*|libc.so.*|/lib*/ld-linux*|ld-linux*) ;;
    *) echo "unexpected dependency: $dep"; exit 1 ;;
  esac
done
