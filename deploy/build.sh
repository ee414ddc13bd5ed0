#!/usr/bin/env bash
# Installs what is missing and builds everything (daemon, CLI, tests, benchmarks) into
# build/ at the top of the checkout. Used by demo.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/install-deps.sh
jobs="$(nproc 2>/dev/null || echo 2)"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build -j "$jobs"
