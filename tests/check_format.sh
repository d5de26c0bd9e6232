#!/bin/sh
# The C sources follow .clang-format (generated tables opt out inside).
set -eu
cd "$1"
files=$(ls lib/*.c lib/*.h include/*.h examples/*.c tests/*.c \
  tests/support/*.c tests/support/*.h tests/attacks/*.c tests/attacks/*.h fuzz/*.c fuzz/*.h bench/*.c bench/*.h \
  tests/interop/*.c 2>/dev/null || true)
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -w) files follow .clang-format"
