#!/usr/bin/env bash
# ctest's run of one fuzz target: every committed seed and regression input once, then
# SECONDS of fuzzing from them. New inputs go to a fresh scratch corpus, never into the
# source tree; a finding fails the test and leaves its input in the scratch dir.
# Usage: fuzz_test.sh TARGET_BINARY FUZZ_SOURCE_DIR NAME SCRATCH_ROOT SECONDS
set -euo pipefail
binary="$1" source_dir="$2" name="$3" scratch="$4/$3" seconds="$5"

rm -rf "$scratch"
mkdir -p "$scratch/corpus" "$scratch/artifacts"
dirs=("$scratch/corpus" "$source_dir/corpus/$name")
if [ -d "$source_dir/regressions/$name" ]; then dirs+=("$source_dir/regressions/$name"); fi
# 512 MiB: the service target holds a whole registry (a RocksDB store with a memtable per
# table, over thirty now) under AddressSanitizer, which passed 256 MiB at rest; a real
# leak still grows past it within the run.
exec "$binary" -max_total_time="$seconds" -rss_limit_mb=512 -timeout=1 -print_final_stats=1 \
  -artifact_prefix="$scratch/artifacts/" "${dirs[@]}"
