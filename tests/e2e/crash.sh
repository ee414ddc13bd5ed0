#!/usr/bin/env bash
# The crash test for longer than ctest runs it: KILLS SIGKILLs (default 1000) of a sellod
# under four concurrent writers, each followed by a restart and `sello audit verify`,
# then every acknowledged write checked. Usage: tests/e2e/crash.sh [KILLS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kills="${1:-1000}"
bash "$root/deploy/build.sh"
echo "crash test: $kills kills (about $((kills * 6 / 10)) s)"
SELLO_CRASH_KILLS="$kills" "$root/build/tests/e2e/e2e_test" \
  --gtest_filter='CrashTest.*' --gtest_brief=1
