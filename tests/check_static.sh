#!/bin/sh
# Static analysis of the libraries: clang-tidy (checks in .clang-tidy) and
# cppcheck must report nothing. $1: source dir, $2: a build dir with
# compile_commands.json. The files are lib/'s as that build compiles them
# (lib/loop/kqueue.c has no place on Linux: a ctest compile-checks it).
set -eu
src=$1 build=$2
files=$(grep -o "\"file\": \"$src/lib/[^\"]*\\.c\"" "$build/compile_commands.json" |
  sed 's/"file": "//; s/"$//' | sort -u)
jobs=$(nproc)
echo "$files" | xargs -P "$jobs" -n 4 clang-tidy -p "$build" --quiet \
  --extra-arg=-Wno-ignored-optimization-argument \
  2>/dev/null
cppcheck --error-exitcode=1 --quiet --std=c11 --inline-suppr \
  --enable=warning,style,performance,portability \
  -I "$src/include" -I "$src/lib" $files
echo "static analysis: $(echo "$files" | wc -w) files clean (clang-tidy, cppcheck)"
