#!/bin/sh
# The C sources follow .clang-format (generated tables opt out inside).
set -eu
cd "$1"
files=$(find lib include examples tests fuzz bench -name '*.[ch]' | sort)
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -w) files follow .clang-format"
