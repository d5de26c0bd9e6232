#!/bin/sh
# h2e-frames prints every sample capture exactly as its .txt says, and
# exits 1 exactly on the invalid ones (bad-*).
set -u
tool=$1 dir=$2 status=0
for capture in "$dir"/*.bin; do
  expected=${capture%.bin}.txt
  actual=$("$tool" "$capture")
  rv=$?
  case $(basename "$capture") in bad-*) want=1 ;; *) want=0 ;; esac
  if [ "$rv" -ne "$want" ]; then
    echo "FAIL $capture: exit $rv, expected $want"; status=1
  elif ! printf '%s\n' "$actual" | diff -u "$expected" - ; then
    echo "FAIL $capture: output differs"; status=1
  else
    echo "ok   $capture"
  fi
done
exit $status
