#!/usr/bin/env bash
# The whole h2e test suite, as CI runs it:
#   1. Release build (gcc), ctest
#      then every CMocka program of it under valgrind memcheck
#   2. ASan+UBSan build (clang), ctest
#   3. libFuzzer targets (clang, ASan+UBSan), each run over its corpus
# Installs its prerequisites when run as root. Exits non-zero on any failure.
# Environment: H2E_FUZZ_SECONDS (default 60) per fuzz target,
#              H2E_SHARED_DIR (default ../shared beside the checkout).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/deps.sh"
h2e_need_packages "${H2E_BUILD_PACKAGES[@]}" clang clang-format libclang-rt-14-dev \
  libcmocka-dev libnghttp2-dev python3 python3-h2 nghttp2-client \
  nghttp2-server curl valgrind clang-tidy cppcheck libuv1-dev libssl-dev openssl \
  chromium fonts-liberation libgl1-mesa-dri

shared=${H2E_SHARED_DIR:-$root/../shared}
fuzz_seconds=${H2E_FUZZ_SECONDS:-60}
build=$root/build
jobs=$(nproc)
passed=0 failed=0

run_ctest() { # name, build dir
  local log=$build/$1-ctest.log
  if (cd "$2" && ctest --output-on-failure -j"$jobs") | tee "$log"; then :; fi
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$log" || echo "")
  local total=${line##* out of }
  local fail
  fail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
  if [ -z "$line" ]; then
    echo "h2e: $1: ctest did not run"; failed=$((failed + 1)); return
  fi
  passed=$((passed + total - fail)); failed=$((failed + fail))
  local cases
  cases=$(grep -oE '\[  PASSED  \] [0-9]+ test' "$2/Testing/Temporary/LastTest.log" |
    awk '{s += $4} END {print s + 0}')
  echo "h2e: $1: $total ctest programs ($fail failed), $cases CMocka cases passed"
}

configure_and_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -DH2E_SHARED_DIR="$shared" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" >/dev/null
}

echo "== release build (gcc) =="
CC=gcc configure_and_build "$build/release" -DCMAKE_BUILD_TYPE=Release \
  -DH2E_BENCH=ON -DH2E_EXAMPLES=ON
run_ctest release "$build/release"

echo "== valgrind memcheck (release CMocka programs) =="
run_valgrind() { # program
  local log=$build/valgrind-$(basename "$1").log
  if valgrind -q --error-exitcode=99 --leak-check=full \
       --errors-for-leak-kinds=definite,indirect "$1" >"$log" 2>&1; then
    echo "valgrind $(basename "$1"): clean"
  else
    tail -n 30 "$log"; echo "valgrind $(basename "$1"): FAILED (log: $log)"
  fi
}
export -f run_valgrind; export build
vg_results=$(find "$build/release/tests" -maxdepth 1 -name 'test_*' -type f \
  -perm -u+x | sort | xargs -P "$jobs" -I{} bash -c 'run_valgrind {}')
echo "$vg_results"
vg_clean=$(grep -c ': clean$' <<<"$vg_results" || true)
vg_failed=$(grep -c ': FAILED' <<<"$vg_results" || true)
echo "h2e: valgrind: $vg_clean programs clean, $vg_failed failed"
passed=$((passed + vg_clean)); failed=$((failed + vg_failed))

echo "== ASan+UBSan build (clang) =="
CC=clang configure_and_build "$build/asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH2E_SANITIZE=ON -DH2E_EXAMPLES=ON
run_ctest asan "$build/asan"

echo "== fuzz targets (clang, libFuzzer, ${fuzz_seconds}s each) =="
CC=clang configure_and_build "$build/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH2E_SANITIZE=ON -DH2E_FUZZ=ON -DH2E_TESTS=OFF -DH2E_EXAMPLES=OFF
for src in "$root"/fuzz/*.c; do
  name=$(basename "$src" .c)
  work=$build/fuzz/work-$name
  rm -rf "$work" && mkdir -p "$work"
  log=$build/fuzz/$name.log
  if "$build/fuzz/fuzz/$name" -max_total_time="$fuzz_seconds" \
       -print_final_stats=1 -artifact_prefix="$build/fuzz/$name-" \
       "$work" "$root/fuzz/corpus/$name" >"$log" 2>&1; then
    execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz $name: ok, $execs executions"
    passed=$((passed + 1))
  else
    tail -n 40 "$log"
    echo "fuzz $name: FAILED (log: $log)"
    failed=$((failed + 1))
  fi
done

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
