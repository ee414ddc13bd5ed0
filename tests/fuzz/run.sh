#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) from its committed corpus and
# regression seeds, keeping what it finds new in a scratch dir, and prints per target the
# executions, coverage and findings. Exits 1 when any target found something: its input
# is in the scratch dir (commit it under tests/fuzz/regressions/<target>/ once fixed).
#
# Usage: tests/fuzz/run.sh [SECONDS]
#   SELLO_FUZZ_BUILD  build dir (default build-fuzz; configured with clang-14 and
#                     SELLO_FUZZ=ON and built here when it is missing)
#   SELLO_FUZZ_WORK   scratch dir (default a new /tmp/sello-fuzz-XXXXXX)
#   FUZZ_JOBS         targets run at once (default 1)
#   TARGETS           which targets (default all), e.g. TARGETS="seal_code checkpoint"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-600}"
build="${SELLO_FUZZ_BUILD:-$root/build-fuzz}"
work="${SELLO_FUZZ_WORK:-$(mktemp -d /tmp/sello-fuzz-XXXXXX)}"
jobs="${FUZZ_JOBS:-1}"
targets=(${TARGETS:-standard_file inspection seal_code merkle_proof checkpoint storage_keys service})

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSELLO_FUZZ=ON
fi
nice -n 10 cmake --build "$build" -j "${BUILD_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

run_target() {
  local name="$1" dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  local corpora=("$dir/corpus" "$root/tests/fuzz/corpus/$name")
  if [ -d "$root/tests/fuzz/regressions/$name" ]; then
    corpora+=("$root/tests/fuzz/regressions/$name")
  fi
  "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=256 -timeout=1 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${corpora[@]}" \
    >"$dir/log" 2>&1 || true
}

echo "fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time; scratch: $work"
running=0
for name in "${targets[@]}"; do
  run_target "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

# One line per target, from libFuzzer's final statistics.
status=0
printf '%-14s %12s %9s %8s %8s %10s %8s  %s\n' target execs exec/s cov ft new_inputs rss_mb findings
for name in "${targets[@]}"; do
  dir="$work/$name"
  stat() { sed -n "s/^stat::$1: *//p" "$dir/log" | tail -1; }
  last="$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse)' "$dir/log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  findings="$(find "$dir/artifacts" -type f | sort)"
  if [ -n "$findings" ] || ! grep -q '^stat::number_of_executed_units' "$dir/log"; then
    status=1
    findings="${findings:-no final statistics: see $dir/log}"
  fi
  printf '%-14s %12s %9s %8s %8s %10s %8s  %s\n' "$name" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "${cov:-?}" "${ft:-?}" \
    "$(find "$dir/corpus" -type f | wc -l)" "$(stat peak_rss_mb)" "${findings:-none}"
done
exit "$status"
