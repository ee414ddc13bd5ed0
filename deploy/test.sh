#!/usr/bin/env bash
# Quick start command 2: installs what is missing, builds, and runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/build.sh
jobs="$(nproc 2>/dev/null || echo 2)"
ctest --test-dir build --output-on-failure --timeout 600 -j "$jobs"
