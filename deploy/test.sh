#!/usr/bin/env bash
# Quick start command 2, and what CI runs (.ci/run): installs what is missing, builds
# the daemon, the CLI, the tests and the fuzz targets (not tests/bench: nothing here runs
# it, and deploy/build.sh builds it) with clang (whose thread-safety analysis of the locking
# annotations is an error: CMakeLists.txt) under
# AddressSanitizer and UndefinedBehaviorSanitizer into build-test/ (SELLO_FUZZ=ON, which
# implies SELLO_SANITIZE=ON), and runs every test with ctest: the unit and end-to-end
# tests sanitized, and each fuzz target over its corpus and regression seeds plus 30 s of
# fuzzing (label `fuzz`). The optimised build that demo.sh runs is deploy/build.sh's.
#   SELLO_TEST_BUILD  build dir (default build-test)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/install-deps.sh
build="${SELLO_TEST_BUILD:-build-test}"
jobs="$(nproc 2>/dev/null || echo 2)"
if [ ! -f "$build/build.ninja" ]; then
  # -O1: what the sanitizers recommend, and a quicker build than -O2. Assertions stay on.
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DSELLO_FUZZ=ON -DSELLO_BENCH=OFF
fi
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure --timeout 600 -j "$jobs"
