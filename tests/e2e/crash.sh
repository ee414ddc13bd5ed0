#!/usr/bin/env bash
# The crash test (tests/e2e/crash_test.cc) for longer than ctest runs it: SIGKILLs of a
# sellod under concurrent writers, 50 ms to 2 s apart, each followed by a restart and the
# checks (acknowledged writes, writes in flight, gap-free events, checkpoint consistency).
#
# Usage: tests/e2e/crash.sh [KILLS]                  KILLS kills (default 1000)
#        tests/e2e/crash.sh --kills KILLS
#        tests/e2e/crash.sh --duration SECONDS       kill and restart for that long
#   --build-dir DIR   use DIR's tests/e2e/e2e_test as built (default: build deploy/build.sh
#                     into build/ first and use that)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
usage() {
  sed -n 's/^# \{0,1\}//; 6,10p' "${BASH_SOURCE[0]}" >&2
  exit 2
}
kills=1000
seconds=""
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) [ $# -ge 2 ] || usage; kills="$2"; shift 2 ;;
    --duration) [ $# -ge 2 ] || usage; seconds="$2"; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || usage; build_dir="$2"; shift 2 ;;
    -h | --help) usage ;;
    *[!0-9]* | "") usage ;;
    *) kills="$1"; shift ;;
  esac
done
for n in "$kills" ${seconds:+"$seconds"}; do
  case "$n" in *[!0-9]* | "" | 0) usage ;; esac
done
if [ -z "$build_dir" ]; then
  bash "$root/deploy/build.sh"
  build_dir="$root/build"
fi
test_binary="$build_dir/tests/e2e/e2e_test"
[ -x "$test_binary" ] || { echo "crash.sh: no $test_binary (build it first)" >&2; exit 1; }
if [ -n "$seconds" ]; then
  echo "crash test: kills for ${seconds} s"
  export SELLO_CRASH_SECONDS="$seconds"
else
  echo "crash test: $kills kills"
  export SELLO_CRASH_KILLS="$kills"
fi
exec "$test_binary" --gtest_filter='CrashTest.*' --gtest_brief=1
