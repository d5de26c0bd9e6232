#!/bin/sh
# The C sources follow .clang-format (generated tables opt out inside).
set -eu
cd "$1"
files=$(ls lib/*.c lib/*.h lib/loop/*.c lib/loop/*.h include/*.h examples/*.c \
  tests/*.c tests/*.h tests/support/sys/*.h \
  tests/support/*.c tests/support/*.h fuzz/*.c fuzz/*.h bench/*.c bench/*.h \
  tests/interop/*.c examples/get/*.c examples/get/*.h \
  examples/serve/*.c examples/serve/*.h 2>/dev/null || true)
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -w) files follow .clang-format"
