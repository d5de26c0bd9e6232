#!/bin/sh
# Static analysis of the library: clang-tidy (checks in .clang-tidy) and
# cppcheck must report nothing. $1: source dir, $2: a build dir with
# compile_commands.json.
set -eu
src=$1 build=$2
files=$(find "$src/lib" -name '*.c' | sort)
jobs=$(nproc)
echo "$files" | xargs -P "$jobs" -n 4 clang-tidy -p "$build" --quiet \
  2>/dev/null
cppcheck --error-exitcode=1 --quiet --std=c11 --inline-suppr \
  --enable=warning,style,performance,portability \
  -I "$src/include" -I "$src/lib" $files
echo "static analysis: $(echo "$files" | wc -w) files clean (clang-tidy, cppcheck)"
