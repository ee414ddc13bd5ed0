#!/usr/bin/env bash
# Sello's side-by-side benchmark (issue 8): installs and builds what it needs, starts the
# gRPC echo floor, one etcd member and a fresh sellod with a populated store, all on
# loopback and free ports, runs every scenario three times at two shapes (connections x
# calls in flight), and prints one table of medians with the ratios to the floor, etcd
# and the raw RocksDB sync-write limit, each target marked MET or NOT MET.
#
#   tests/bench/run.sh                      # defaults: 1,000,000 seals, 5 s runs
#   SEALS=200000 DURATION=3 tests/bench/run.sh
#
# Environment (all optional):
#   SEALS=1000000      seals populated before the runs
#   INSPECTIONS=N      inspections populated (default: sello-load populate's)
#   DURATION=5         measured seconds of each run;  WARMUP=1  unrecorded seconds first
#   RUNS=3             runs of each scenario (the table shows their median)
#   SHAPES="4x32 16x8" connections x calls in flight per connection of the per-call
#                      scenarios (verify, floor, etcd, submit, proof, watch, RocksDB limit)
#   BATCH_SHAPES="2x4" the same for the batch scenarios (verify-batch of 1,000 codes,
#                      issue of 10,000 seals): 128 batches in flight would only queue
#   WATCHERS=100       watchers of the fan-out scenario
#   OUT=DIR            results directory (default: a new temp dir; its path is printed)
#   WORK_DIR=DIR       parent of the temp data dirs (default: the system temp dir); the
#                      RocksDB limit is measured on the same filesystem as sellod's data
#   BUILD_DIR=DIR      use (and build) this CMake build dir instead of deploy/build.sh's build/
#   SKIP_BUILD=1       use the binaries already in the build dir
#   SELLOD_FLAGS="..." extra sellod flags (e.g. "--block-cache-mb 128")
#   SCALE=1            also the scale check: 10^4 and 10^6 seals (SCALE=full: and 10^7)
#   CALLGRIND=1        also instructions per VerifySeal, SubmitInspection and floor echo
#                      (valgrind)
#   CALLGRIND_CALLS=2000  calls of each callgrind run
#   MAIN=0             skip the side-by-side runs (e.g. SCALE=1 MAIN=0 for the scale check only)
#   HTTP=1             also the HTTP front (issue 18): JSON VerifySeal and the HTML seal
#                      page (GET /seal/CODE) over HTTP/1.1 beside
#                      gRPC VerifySeal and the floor's echo, HTTP_CONNECTIONS=64 calls in flight
#                      each (one per HTTP connection; gRPC 64 connections x 1), RUNS runs,
#                      medians; then sellod's RSS holding HTTP_IDLE=10000 idle connections.
#                      HTTP_SEALS=100000 seals for it when MAIN=0 (else the main store's).
#   WITNESS=1          also the witnesses (issue 20): three sello-witness on loopback and
#                      sellod under a two-of-three --witness-policy; while the submit
#                      scenario (WITNESS_SHAPE=4x32) writes, WITNESS_SAMPLES=100 writes
#                      are each timed from acknowledgement to the first inclusion proof
#                      from a cosigned checkpoint (p50/p99; target p99 < 1 s); then GETs of
#                      a full hash tile (/tile/0/000) over HTTP_CONNECTIONS connections.
#                      WITNESS_SEALS=20000 seals populated first.
#   SETTLE=1           before each run, wait until sellod has no flush or compaction running
#                      or pending (SETTLE=0: do not); SETTLE_TIMEOUT=60 seconds at most
# Exit status: 0 when every run succeeded (whether or not every target is met), 1 when a
# run failed or a server could not start.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

SEALS="${SEALS:-1000000}"
INSPECTIONS="${INSPECTIONS:-}"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-1}"
RUNS="${RUNS:-3}"
SHAPES="${SHAPES:-4x32 16x8}"
BATCH_SHAPES="${BATCH_SHAPES:-2x4}"
WATCHERS="${WATCHERS:-100}"
SCALE="${SCALE:-0}"
CALLGRIND="${CALLGRIND:-0}"
CALLGRIND_CALLS="${CALLGRIND_CALLS:-2000}"
MAIN="${MAIN:-1}"
SETTLE="${SETTLE:-1}"
SETTLE_TIMEOUT="${SETTLE_TIMEOUT:-60}"
SKIP_BUILD="${SKIP_BUILD:-0}"
HTTP="${HTTP:-1}"
HTTP_CONNECTIONS="${HTTP_CONNECTIONS:-64}"
HTTP_IDLE="${HTTP_IDLE:-10000}"
HTTP_SEALS="${HTTP_SEALS:-100000}"
WITNESS="${WITNESS:-1}"
WITNESS_SAMPLES="${WITNESS_SAMPLES:-100}"
WITNESS_SHAPE="${WITNESS_SHAPE:-4x32}"
WITNESS_SEALS="${WITNESS_SEALS:-20000}"

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# --- install and build --------------------------------------------------------------------

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages whose command is missing: "command:package" pairs.
install_missing() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

needed=(etcd:etcd-server python3:python3)
[ "$CALLGRIND" = 1 ] && needed+=(valgrind:valgrind)
install_missing "${needed[@]}"

if [ -n "${BUILD_DIR:-}" ]; then
  build="$(mkdir -p "$BUILD_DIR" && cd "$BUILD_DIR" && pwd)"
  if [ "$SKIP_BUILD" != 1 ]; then
    bash deploy/install-deps.sh
    [ -f "$build/build.ninja" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
    cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
  fi
else
  build="$root/build"
  [ "$SKIP_BUILD" = 1 ] || bash deploy/build.sh
fi
sellod_bin="$build/daemon/sellod"
sello_bin="$build/client/sello"
load_bin="$build/tests/bench/sello-load"
floor_bin="$build/tests/bench/floor_server"
sync_bin="$build/tests/bench/rocksdb_sync_limit"
witness_bin="$build/witness/sello-witness"
for binary in "$sellod_bin" "$sello_bin" "$load_bin" "$floor_bin" "$sync_bin" "$witness_bin"; do
  [ -x "$binary" ] || die "$binary is missing: build first (or unset SKIP_BUILD)"
done

# --- directories, processes and clean-up ---------------------------------------------------

work=""          # temp data dirs, removed on exit
out=""           # results, kept
pids=()          # every server this script started
stop_timer=""    # stop_pid's watchdog while it waits
health_pid=""    # wait_serving's health check while it waits
stop_pid() {  # stop_pid PID SIGNAL: signal, then wait for the exit (KILL after STOP_TIMEOUT)
  local pid="$1" signal="$2" finished="" rc=0
  if ! kill -"$signal" "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
  fi
  sleep "${STOP_TIMEOUT:-60}" &
  stop_timer=$!
  wait -n -p finished "$pid" "$stop_timer" || rc=$?
  if [ "${finished:-}" = "$stop_timer" ]; then
    say "pid $pid did not exit within ${STOP_TIMEOUT:-60} s of SIG$signal: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 137
  fi
  kill "$stop_timer" 2>/dev/null || true
  wait "$stop_timer" 2>/dev/null || true
  stop_timer=""
  return "$rc"
}
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  set +eu
  # A helper left running by an interrupted wait (stop_pid's timer, a health check).
  for pid in $stop_timer $health_pid; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do stop_pid "$pid" TERM; done
  [ -n "$work" ] && rm -rf "$work"
  [ "$status" -eq 0 ] || say "failed (status $status)${out:+; logs in $out/logs}"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work="$(mktemp -d "${WORK_DIR:-${TMPDIR:-/tmp}}/sello-bench.XXXXXX")"
if [ -n "${OUT:-}" ]; then
  out="$(mkdir -p "$OUT" && cd "$OUT" && pwd)"
else
  out="$(mktemp -d "${TMPDIR:-/tmp}/sello-bench-results.XXXXXX")"
fi
mkdir -p "$out/json" "$out/logs"
say "results in $out (work dir $work)"
forget_pid() {
  local kept=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

# A free loopback port (the kernel's choice for a socket bound to port 0).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_serving NAME ADDRESS PID: health --wait, unless our process exits first; then checks
# that it is still alive (so that it, and not some other server, answered).
wait_serving() {
  local name="$1" address="$2" pid="$3" finished="" rc=0
  "$sello_bin" --server "$address" health --wait "${HEALTH_WAIT:-120}" >/dev/null 2>&1 &
  health_pid=$!
  wait -n -p finished "$health_pid" "$pid" || rc=$?
  if [ "${finished:-}" = "$pid" ]; then
    kill "$health_pid" 2>/dev/null || true
    wait "$health_pid" 2>/dev/null || true
    health_pid=""
    die "$name exited with status $rc before serving on $address (log: $out/logs/$name.log)"
  fi
  health_pid=""
  if [ "$rc" -ne 0 ] || ! kill -0 "$pid" 2>/dev/null; then
    die "$name did not start serving on $address (log: $out/logs/$name.log)"
  fi
}

now() { date +%s.%N; }

http_flags=()  # sellod's HTTP front, for run_http

# start_sellod NAME DATA_DIR [WRAPPER...]: starts sellod on a free port; sets sellod_pid,
# sellod_address and sellod_started (launch time, seconds since the epoch).
start_sellod() {
  local name="$1" data="$2"
  shift 2
  local port extra=()
  read -r -a extra <<<"${SELLOD_FLAGS:-}"
  extra+=("${http_flags[@]}")
  port="$(free_port)"
  sellod_address="127.0.0.1:$port"
  sellod_started="$(now)"
  # Metrics for settle, except under a wrapper (valgrind: they would count in its figures).
  sellod_metrics=""
  if [ "$#" -eq 0 ]; then
    sellod_metrics="127.0.0.1:$(free_port)"
    extra+=(--metrics-listen "$sellod_metrics")
  fi
  # Room for the fan-out scenario's watchers, all on one token (--max-watches defaults to
  # 64, --max-watches-per-principal to 8).
  "$@" "$sellod_bin" --listen "$sellod_address" --data-dir "$data" \
    --address-file "$data.address" --max-watches "$((WATCHERS + 16))" \
    --max-watches-per-principal "$((WATCHERS + 16))" "${extra[@]}" \
    >>"$out/logs/$name.log" 2>&1 &
  sellod_pid=$!
  pids+=("$sellod_pid")
  wait_serving "$name" "$sellod_address" "$sellod_pid"
}

# stop_sellod NAME: SIGINT, waits for a clean exit; sets commits_line to its "commits" log.
stop_sellod() {
  local name="$1" rc=0
  stop_pid "$sellod_pid" INT || rc=$?
  forget_pid "$sellod_pid"
  [ "$rc" -eq 0 ] || die "sellod ($name) exited with status $rc (log: $out/logs/$name.log)"
  commits_line="$(grep '"event":"commits"' "$out/logs/$name.log" | tail -n 1 || true)"
}

# Seconds from launch to the "listening" log line (the log's time has milliseconds).
serving_seconds() {
  python3 - "$1" "$2" <<'PY'
import json, sys, datetime
log, started = sys.argv[1], float(sys.argv[2])
last = None
for line in open(log):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("event") == "listening":
        last = entry["time"]
t = datetime.datetime.strptime(last, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
print(f"{t.timestamp() - started:.3f}")
PY
}

rss_mib() {  # "RSS N MiB (peak M MiB)" of PID, from VmRSS and VmHWM
  awk '/^VmRSS/ {rss = $2} /^VmHWM/ {hwm = $2}
       END {printf "RSS %.1f MiB (peak %.1f MiB)\n", rss / 1024, hwm / 1024}' "/proc/$1/status"
}

# settle: waits (up to SETTLE_TIMEOUT seconds) until sellod runs no flush or compaction and
# has none pending, so that no run pays for the background work the one before it left (an
# issue run leaves millions of new random keys to compact, and the verify run came next).
# Every scenario waits the same way, the floor's and etcd's too; the waits are logged.
settle() {
  [ "$SETTLE" = 1 ] && [ -n "${sellod_metrics:-}" ] || return 0
  python3 - "$sellod_metrics" "$SETTLE_TIMEOUT" <<'PY' >&2 || true
import sys, time, urllib.request
url, limit = f"http://{sys.argv[1]}/metrics", float(sys.argv[2])
busy = ("sello_rocksdb_running_compactions", "sello_rocksdb_running_flushes",
        "sello_rocksdb_pending_compaction_bytes")
start = time.monotonic()
while True:
    values = {}
    try:
        page = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError as error:
        print(f"  settle: {url}: {error}")
        break
    for line in page.splitlines():
        name, _, value = line.partition(" ")
        if name in busy:
            values[name] = float(value)
    if len(values) == len(busy) and not any(values.values()):
        break
    if time.monotonic() - start > limit:
        print(f"  settle: sellod still busy after {limit:.0f} s: {values}")
        break
    time.sleep(0.2)
waited = time.monotonic() - start
if waited >= 0.5:
    print(f"  settle: waited {waited:.1f} s for sellod's flushes and compactions")
PY
}

load_failures=0
# load NAME ARGS...: one sello-load run, its table to logs/NAME.txt and JSON to json/NAME.json;
# a failed run is counted and reported, and the benchmark goes on.
load() {
  local name="$1" rc=0
  shift
  "$load_bin" "$@" --json "$out/json/$name.json" >"$out/logs/$name.txt" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    load_failures=$((load_failures + 1))
    say "$name: FAILED (status $rc): $(tail -n 1 "$out/logs/$name.txt")"
  else
    summarise "$out/json/$name.json" "$name"
  fi
}
summarise() {
  python3 - "$@" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
for r in json.load(open(path))["reports"]:
    lat = r["latency_ms"]
    print(f"  {name:<34} {r['scenario']:<18} {r['calls_per_second']:>11.1f} calls/s "
          f"{r['items_per_second']:>12.1f} items/s  p50 {lat['p50']:.3f} ms  p99 {lat['p99']:.3f} ms",
          file=sys.stderr)
PY
}

# --- the servers --------------------------------------------------------------------------

start_floor() {
  local port
  port="$(free_port)"
  floor_address="127.0.0.1:$port"
  "$floor_bin" --listen "$floor_address" >>"$out/logs/floor.log" 2>&1 &
  floor_pid=$!
  pids+=("$floor_pid")
  wait_serving floor "$floor_address" "$floor_pid"
}

start_etcd() {
  local client_port peer_port
  client_port="$(free_port)"
  peer_port="$(free_port)"
  while [ "$peer_port" = "$client_port" ]; do peer_port="$(free_port)"; done
  etcd_address="127.0.0.1:$client_port"
  etcd --name sello-bench --data-dir "$work/etcd" \
    --listen-client-urls "http://$etcd_address" --advertise-client-urls "http://$etcd_address" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "sello-bench=http://127.0.0.1:$peer_port" \
    --initial-cluster-state new --logger zap --log-level warn \
    >>"$out/logs/etcd.log" 2>&1 &
  etcd_pid=$!
  pids+=("$etcd_pid")
  wait_serving etcd "$etcd_address" "$etcd_pid"
}

# populate NAME ADDRESS DATA SEALS [INSPECTIONS]: adds SEALS seals; appends their codes to
# DATA.codes and writes the certifier's token and inspection template next to DATA.
populate() {
  local name="$1" address="$2" data="$3" seals="$4" inspections="${5:-}" args=()
  [ -n "$inspections" ] && args+=(--inspections "$inspections")
  say "populating $name with $seals seals"
  "$load_bin" populate --server "$address" --token-file "$data/admin.token" --seals "$seals" \
    "${args[@]}" --codes-out "$data.codes.new" --certifier-token-out "$data.certifier.token" \
    --inspection-out "$data.inspection.json" --json "$out/json/$name.json" \
    >"$out/logs/$name.txt" 2>&1 || die "populate failed: $(tail -n 3 "$out/logs/$name.txt")"
  cat "$data.codes.new" >>"$data.codes"
  rm -f "$data.codes.new"
  grep -aE '^(populate|ok|FAILED)|populated' "$out/logs/$name.txt" | sed 's/^/  /' >&2 || true
}

# --- the side-by-side runs ----------------------------------------------------------------

run_main() {
  start_floor
  start_etcd
  local data="$work/sellod"
  start_sellod sellod "$data"
  populate populate "$sellod_address" "$data" "$SEALS" "$INSPECTIONS"
  local codes="$data.codes" certifier="$data.certifier.token" inspection="$data.inspection.json"
  local admin="$data/admin.token"

  "$load_bin" make-request floor-echo --out "$work/floor-echo.bin"
  "$load_bin" make-request etcd-put --key sello-bench --value-size 100 --out "$work/etcd-put.bin"
  "$load_bin" make-request etcd-range --key sello-bench --serializable --out "$work/etcd-range.bin"
  # The key that Range reads must exist.
  load etcd-first-put raw --server "$etcd_address" --method /etcdserverpb.KV/Put \
    --request "$work/etcd-put.bin" --connections 1 --in-flight 1 --calls 1 --duration 0
  [ "$load_failures" -eq 0 ] || die "etcd refused the first Put (log: $out/logs/etcd.log)"

  local round shape c f common name
  for round in $(seq 1 "$RUNS"); do
    for shape in $SHAPES; do
      c="${shape%x*}"
      f="${shape#*x}"
      common=(--connections "$c" --in-flight "$f" --duration "$DURATION" --warmup "$WARMUP")
      say "run $round of $RUNS, shape $c x $f"
      name="r$round-$shape"
      settle
      load "$name-verify" verify --server "$sellod_address" --codes "$codes" \
        --unknown-share 0.1 "${common[@]}"
      settle
      load "$name-floor" raw --server "$floor_address" --method /sello.bench.Floor/Echo \
        --request "$work/floor-echo.bin" "${common[@]}"
      settle
      load "$name-etcd-range" raw --server "$etcd_address" --method /etcdserverpb.KV/Range \
        --request "$work/etcd-range.bin" "${common[@]}"
      # SubmitInspection on a sellod of its own life, so that its "commits" log line counts
      # this run's writes alone (fsyncs per acknowledged write).
      stop_sellod sellod
      start_sellod sellod "$data"
      serving_seconds "$out/logs/sellod.log" "$sellod_started" >>"$out/json/restart-seconds.txt"
      settle
      load "$name-submit" submit --server "$sellod_address" --token-file "$certifier" \
        --inspection "$inspection" "${common[@]}"
      stop_sellod sellod
      echo "$commits_line" >"$out/json/$name-submit-commits.json"
      start_sellod sellod "$data"
      settle
      load "$name-etcd-put" raw --server "$etcd_address" --method /etcdserverpb.KV/Put \
        --request "$work/etcd-put.bin" "${common[@]}"
      settle
      load "$name-proof" proof --server "$sellod_address" "${common[@]}"
      settle
      load "$name-watch" watch --server "$sellod_address" --token-file "$certifier" \
        --watch-token-file "$admin" --inspection "$inspection" --watchers "$WATCHERS" \
        "${common[@]}"
      # The RocksDB limit at the same concurrency as the submissions.
      settle
      say "  rocksdb_sync_limit, $((c * f)) threads"
      "$sync_bin" --dir "$work" --threads "$((c * f))" --duration "$DURATION" \
        --warmup "$WARMUP" --json "$out/json/$name-rocksdb.json" \
        >"$out/logs/$name-rocksdb.txt" 2>&1 ||
        {
          load_failures=$((load_failures + 1))
          say "rocksdb_sync_limit FAILED: $(tail -n 1 "$out/logs/$name-rocksdb.txt")"
        }
      [ -f "$out/json/$name-rocksdb.json" ] && summarise "$out/json/$name-rocksdb.json" "$name-rocksdb"
    done
    for shape in $BATCH_SHAPES; do
      c="${shape%x*}"
      f="${shape#*x}"
      common=(--connections "$c" --in-flight "$f" --duration "$DURATION" --warmup "$WARMUP")
      say "run $round of $RUNS, batches, shape $c x $f"
      name="r$round-$shape"
      settle
      load "$name-verify-batch" verify-batch --server "$sellod_address" --codes "$codes" \
        --batch 1000 --unknown-share 0.1 "${common[@]}"
      settle
      load "$name-issue" issue --server "$sellod_address" --token-file "$certifier" \
        --inspection "$inspection" --count 10000 "${common[@]}"
    done
  done
  echo "sellod after the runs: $(rss_mib "$sellod_pid")" >"$out/json/sellod-rss.txt"
  stop_sellod sellod
  echo "$commits_line" >"$out/json/all-commits.json"
  stop_pid "$floor_pid" TERM || true
  forget_pid "$floor_pid"
  stop_pid "$etcd_pid" TERM || true
  forget_pid "$etcd_pid"
}

# --- the HTTP front (issue 18 §6) -----------------------------------------------------------

# run_http: JSON VerifySeal over HTTP beside gRPC VerifySeal and the floor, at
# HTTP_CONNECTIONS calls in flight, RUNS times; then the RSS cost of idle HTTP connections.
run_http() {
  local data="$work/sellod-http" http_address round c="$HTTP_CONNECTIONS" name
  http_address="127.0.0.1:$(free_port)"
  # No rate limit (one client address makes every call) and room for the idle ones.
  http_flags=(--http-listen "$http_address" --http-rate-limit 0
    --http-max-connections "$((HTTP_IDLE + 1000))" --http-max-connections-per-address 0
    --http-idle-timeout 3600 --http-request-timeout 3600)
  [ -n "${floor_pid:-}" ] && kill -0 "$floor_pid" 2>/dev/null || start_floor
  start_sellod sellod-http "$data"
  populate populate-http "$sellod_address" "$data" "$HTTP_SEALS"
  "$load_bin" make-request floor-echo --out "$work/floor-echo.bin"
  local common=(--duration "$DURATION" --warmup "$WARMUP")
  for round in $(seq 1 "$RUNS"); do
    say "HTTP run $round of $RUNS, $c calls in flight"
    name="http-r$round"
    settle
    load "$name-verify" verify --server "$sellod_address" --codes "$data.codes" \
      --unknown-share 0.1 --connections "$c" --in-flight 1 "${common[@]}"
    settle
    load "$name-verify-http" verify-http --server "$http_address" --codes "$data.codes" \
      --unknown-share 0.1 --connections "$c" "${common[@]}"
    settle
    load "$name-page-http" seal-page-http --server "$http_address" --codes "$data.codes" \
      --unknown-share 0.1 --connections "$c" "${common[@]}"
    settle
    load "$name-floor" raw --server "$floor_address" --method /sello.bench.Floor/Echo \
      --request "$work/floor-echo.bin" --connections "$c" --in-flight 1 "${common[@]}"
  done
  # Memory: sellod's RSS before, while HTTP_IDLE served connections are held idle, after.
  echo "before: $(rss_mib "$sellod_pid")" >"$out/json/http-idle-rss.txt"
  "$load_bin" idle-http --server "$http_address" --connections "$HTTP_IDLE" --hold 15 \
    --json "$out/json/http-idle.json" >"$out/logs/http-idle.txt" 2>&1 &
  local idle_pid=$!
  # The tool says "holding N" once every connection is open and served.
  for _ in $(seq 1 240); do
    grep -q '^holding ' "$out/logs/http-idle.txt" 2>/dev/null && break
    kill -0 "$idle_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "$(grep -h '^holding ' "$out/logs/http-idle.txt" || echo 'holding ?') idle HTTP" \
    "connections: $(rss_mib "$sellod_pid")" >>"$out/json/http-idle-rss.txt"
  wait "$idle_pid" || load_failures=$((load_failures + 1))
  echo "after they closed: $(rss_mib "$sellod_pid")" >>"$out/json/http-idle-rss.txt"
  stop_sellod sellod-http
  http_flags=()
}

report_http() {
  python3 - "$out/json" "$RUNS" "$HTTP_CONNECTIONS" <<'PY'
import json, statistics, sys
folder, runs, c = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def figures(kind):
    got = []
    for r in range(1, runs + 1):
        try:
            got.append(json.load(open(f"{folder}/http-r{r}-{kind}.json"))["reports"][0])
        except (OSError, ValueError, IndexError):
            pass
    med = lambda xs: statistics.median(xs) if xs else None
    return {"calls": med([g["calls_per_second"] for g in got]),
            "p50": med([g["latency_ms"]["p50"] for g in got]),
            "p99": med([g["latency_ms"]["p99"] for g in got]), "runs": len(got)}
rows = [("gRPC VerifySeal", figures("verify")), ("HTTP JSON VerifySeal", figures("verify-http")),
        ("HTTP GET /seal/CODE", figures("page-http")), ("floor echo (gRPC)", figures("floor"))]
f = lambda v, spec: format(v, spec) if v is not None else "-"
print(f"HTTP front: {c} calls in flight (HTTP: {c} keep-alive connections; gRPC: {c} x 1), "
      f"median of {runs} runs")
print(f"{'scenario':<24} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
for label, r in rows:
    print(f"{label:<24} {f(r['calls'], '9.0f')} {f(r['p50'], '8.3f')} {f(r['p99'], '8.3f')}")
grpc, http = rows[0][1], rows[1][1]
ratio = http["calls"] / grpc["calls"] if http["calls"] and grpc["calls"] else None
mark = lambda ok: "MET" if ok else "NOT MET"
print(f"JSON ÷ gRPC calls/s: {f(ratio, '.2f')} (target >= 0.6: {mark(ratio is not None and ratio >= 0.6)})")
print(f"JSON p99: {f(http['p99'], '.2f')} ms (target < 20 ms: {mark(http['p99'] is not None and http['p99'] < 20)})")
page = rows[2][1]
page_ratio = page["calls"] / grpc["calls"] if page["calls"] and grpc["calls"] else None
print(f"HTML page ÷ gRPC calls/s: {f(page_ratio, '.2f')} (target >= 0.5: {mark(page_ratio is not None and page_ratio >= 0.5)})")
PY
  echo "sellod RSS and idle HTTP connections:"
  sed 's/^/  /' "$out/json/http-idle-rss.txt"
  grep -h '"idle-http"\|connections served' "$out/logs/http-idle.txt" | sed 's/^/  /' || true
}

machine_line() {
  local cpu memory
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  memory="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "machine: $(nproc) CPUs ($cpu), $memory RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

report_main() {
  python3 - "$out/json" "$SHAPES" "$BATCH_SHAPES" "$RUNS" <<'PY'
import json, statistics, sys

folder, runs = sys.argv[1], int(sys.argv[4])
call_shapes, batch_shapes = sys.argv[2].split(), sys.argv[3].split()
shapes = list(dict.fromkeys(call_shapes + batch_shapes))
BATCH = {"sellod verify-batch 1000", "sellod issue 10000"}
SCENARIOS = [  # (file suffix, report name in the JSON, label, items label)
    ("verify", "verify", "sellod verify", "codes"),
    ("floor", "raw", "floor echo", "calls"),
    ("etcd-range", "raw", "etcd Range (serializable)", "calls"),
    ("submit", "submit", "sellod submit", "inspections"),
    ("etcd-put", "raw", "etcd Put", "calls"),
    ("rocksdb", "rocksdb-sync-limit", "rocksdb sync limit", "puts"),
    ("verify-batch", "verify-batch", "sellod verify-batch 1000", "codes"),
    ("issue", "issue", "sellod issue 10000", "seals"),
    ("proof", "proof", "sellod proof", "proofs"),
    ("watch", "watch-writer", "watch: writer", "inspections"),
    ("watch", "watch-delivery", "watch: delivery", "events"),
]

def load(path, scenario):
    try:
        for report in json.load(open(path))["reports"]:
            if report["scenario"] == scenario:
                return report
    except (OSError, ValueError, KeyError):
        pass
    return None

def commits(path):
    try:
        entry = json.loads(open(path).read())
        return int(entry["fsyncs"]) / max(1, int(entry["writes_acknowledged"]))
    except (OSError, ValueError, KeyError):
        return None

median = lambda values: statistics.median(values) if values else None
table = {}
for shape in shapes:
    for suffix, scenario, label, _ in SCENARIOS:
        rows = [load(f"{folder}/r{r}-{shape}-{suffix}.json", scenario) for r in range(1, runs + 1)]
        got = [row for row in rows if row is not None]
        errors = sum(sum(row.get("errors", {}).values()) for row in got)
        table[shape, label] = {
            "runs": len(got),
            "errors": errors,
            "missing": runs - len(got),
            "calls": median([row["calls_per_second"] for row in got]),
            "items": median([row["items_per_second"] for row in got]),
            "p50": median([row["latency_ms"]["p50"] for row in got]),
            "p99": median([row["latency_ms"]["p99"] for row in got]),
            "per_sync": median([row["writes_per_sync"] for row in got if "writes_per_sync" in row]),
            "threads": got[0]["connections"] if got else None,
        }
    table[shape, "fsyncs"] = median(
        [c for c in (commits(f"{folder}/r{r}-{shape}-submit-commits.json") for r in range(1, runs + 1))
         if c is not None])

def ratio(a, b):
    return a / b if a is not None and b else None

def check(value, op, target):
    if value is None:
        return "n/a"
    return "MET" if (value >= target if op == ">=" else value <= target) else "NOT MET"

lines = []
header = (f"{'scenario':<26} {'shape':>6} {'calls/s':>10} {'items/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
          f"  {'compared (median of ' + str(runs) + ')':<32} {'value':>8} {'target':>8}  status")
lines.append(header)
lines.append("-" * len(header))
targets = []
fmt = lambda v, spec: format(v, spec) if v is not None else "n/a"
for shape in shapes:
    t = lambda label: table[shape, label]
    verify, floor, rng = t("sellod verify"), t("floor echo"), t("etcd Range (serializable)")
    submit, put, limit = t("sellod submit"), t("etcd Put"), t("rocksdb sync limit")
    comparisons = {
        "sellod verify": [
            ("calls/s ÷ floor calls/s", ratio(verify["calls"], floor["calls"]), ">=", 0.8),
            ("calls/s ÷ etcd Range calls/s", ratio(verify["calls"], rng["calls"]), ">=", 1.0),
            ("p99 ÷ floor p99", ratio(verify["p99"], floor["p99"]), "<=", 1.5),
        ],
        "etcd Range (serializable)": [("calls/s ÷ floor calls/s", ratio(rng["calls"], floor["calls"]), None, None)],
        "etcd Put": [("calls/s ÷ floor calls/s", ratio(put["calls"], floor["calls"]), None, None)],
        "sellod submit": [
            ("calls/s ÷ etcd Put calls/s", ratio(submit["calls"], put["calls"]), ">=", 0.7),
            ("calls/s ÷ rocksdb writes/s", ratio(submit["calls"], limit["calls"]), ">=", 0.5),
            ("fsyncs per acknowledged write", table[shape, "fsyncs"], None, None),
        ],
        "rocksdb sync limit": [("writes per WAL sync", limit["per_sync"], None, None)],
        "sellod verify-batch 1000": [("codes/s", t("sellod verify-batch 1000")["items"], ">=", 300000)],
        "sellod issue 10000": [("seals/s", t("sellod issue 10000")["items"], ">=", 200000)],
    }
    for _, _, label, _ in SCENARIOS:
        if shape not in (batch_shapes if label in BATCH else call_shapes):
            continue
        row = t(label)
        shape_text = f"{row['threads']}thr" if label == "rocksdb sync limit" and row["threads"] else shape
        first = (f"{label:<26} {shape_text:>6} {fmt(row['calls'], '10.0f')} {fmt(row['items'], '11.0f')} "
                 f"{fmt(row['p50'], '8.3f')} {fmt(row['p99'], '8.3f')}")
        notes = []
        if row["errors"]:
            notes.append(f"ERRORS: {row['errors']} failed calls")
        if row["missing"]:
            notes.append(f"{row['missing']} of {runs} runs missing")
        comps = comparisons.get(label, [])
        if not comps:
            lines.append(first + ("  " + "; ".join(notes) if notes else ""))
        for i, (what, value, op, target) in enumerate(comps):
            prefix = first if i == 0 else " " * len(first)
            if op is None:
                status, target_text = "", ""
            else:
                status = check(value, op, target)
                target_text = ("≥ " if op == ">=" else "≤ ") + (f"{target:,.0f}" if target >= 1000 else f"{target:g}")
                targets.append((shape, label, what, value, target_text, status))
            value_text = fmt(value, ",.0f" if value is not None and value >= 1000 else ".3f")
            lines.append(f"{prefix}  {what:<32} {value_text:>8} {target_text:>8}  {status}")
        if comps and notes:
            lines.append(" " * len(first) + "  " + "; ".join(notes))
    lines.append("")
met = sum(1 for target in targets if target[5] == "MET")
lines.append(f"targets: {met} of {len(targets)} MET"
             + "".join(f"\n  NOT MET: {s} {label}: {what} = {fmt(v, '.3f')} (target {tt})"
                       for s, label, what, v, tt, st in targets if st != "MET"))
print("\n".join(lines))
summary = {f"{shape} {label}": row for (shape, label), row in table.items() if isinstance(row, dict)}
json.dump({"table": summary, "targets": [dict(zip(("shape", "scenario", "figure", "value", "target", "status"), t))
                                         for t in targets]},
          open(f"{folder}/summary.json", "w"), indent=2)
PY
}

# --- the scale check (SCALE=1) ------------------------------------------------------------

run_scale() {
  local sizes=(10000 1000000) data="$work/scale" have=0 size shape c f round
  [ "$SCALE" = full ] && sizes+=(10000000)
  shape="${SHAPES%% *}"
  c="${shape%x*}"
  f="${shape#*x}"
  start_sellod scale "$data"
  for size in "${sizes[@]}"; do
    populate "scale-populate-$size" "$sellod_address" "$data" "$((size - have))" \
      "$(( (size - have) / 1000 > 100 ? (size - have) / 1000 : 100 ))"
    have="$size"
    for round in $(seq 1 "$RUNS"); do
      settle
      load "scale-$size-r$round-verify" verify --server "$sellod_address" --codes "$data.codes" \
        --unknown-share 0.1 --connections "$c" --in-flight "$f" --duration "$DURATION" \
        --warmup "$WARMUP"
      settle
      load "scale-$size-r$round-proof" proof --server "$sellod_address" --connections "$c" \
        --in-flight "$f" --duration "$DURATION" --warmup "$WARMUP"
    done
    echo "$size $(rss_mib "$sellod_pid")" >>"$out/json/scale-rss.txt"
  done
  stop_sellod scale
  # Start-up with the biggest store: nothing should be scanned at start.
  start_sellod scale "$data"
  echo "$have $(serving_seconds "$out/logs/scale.log" "$sellod_started")" \
    >"$out/json/scale-start-seconds.txt"
  echo "$have $(rss_mib "$sellod_pid")" >>"$out/json/scale-rss-after-start.txt"
  stop_sellod scale
  python3 - "$out/json" "$RUNS" "$shape" "${RSS_BOUND_MIB:-512}" "${sizes[@]}" <<'PY'
import json, re, statistics, sys
folder, runs, shape, bound = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
sizes = [int(size) for size in sys.argv[5:]]

def figure(size, what, key):
    values = []
    for r in range(1, runs + 1):
        try:
            report = json.load(open(f"{folder}/scale-{size}-r{r}-{what}.json"))["reports"][0]
            values.append(key(report))
        except (OSError, ValueError, KeyError, IndexError):
            pass
    return statistics.median(values) if values else None

def memory(path):
    found = {}
    for line in open(path):
        size, rest = line.split(" ", 1)
        found[int(size)] = rest.strip()
    return found

def peak(text):
    match = re.search(r"peak ([0-9.]+) MiB", text or "")
    return float(match.group(1)) if match else None

f = lambda x, spec: format(x, spec) if x is not None else "n/a"
ratio = lambda a, b: a / b if a is not None and b else None
mark = lambda ok: "MET" if ok else "NOT MET"
rss = memory(f"{folder}/scale-rss.txt")
print(f"scale check at {shape}, median of {runs} runs; ratios to the {sizes[0]:,}-seal store "
      "(target: within 1.5x)")
print(f"{'seals':>10} {'verify/s':>9} {'ratio':>6} {'':8} {'proof/s':>8} {'p50 ms':>7} {'ratio':>6} "
      f"{'p99 ms':>7} {'ratio':>6} {'':8}  sellod memory after the runs")
base = None
for size in sizes:
    verify = figure(size, "verify", lambda r: r["calls_per_second"])
    proofs = figure(size, "proof", lambda r: r["calls_per_second"])
    p50 = figure(size, "proof", lambda r: r["latency_ms"]["p50"])
    p99 = figure(size, "proof", lambda r: r["latency_ms"]["p99"])
    if base is None:
        base = (verify, p50, p99)
    rv, r50, r99 = ratio(verify, base[0]), ratio(p50, base[1]), ratio(p99, base[2])
    first = size == sizes[0]
    verify_status = "" if first else mark(rv is not None and rv >= 1 / 1.5)
    proof_status = "" if first else mark(r50 is not None and r99 is not None and r50 <= 1.5 and r99 <= 1.5)
    print(f"{size:>10,} {f(verify, '9.0f')} {f(rv, '6.2f')} {verify_status:8} {f(proofs, '8.0f')} "
          f"{f(p50, '7.3f')} {f(r50, '6.2f')} {f(p99, '7.3f')} {f(r99, '6.2f')} {proof_status:8}  "
          f"{rss.get(size, 'n/a')}")
largest = sizes[-1]
top = peak(rss.get(largest))
print(f"memory with {largest:,} seals under load: peak {f(top, '.1f')} MiB "
      f"(target < {bound:.0f} MiB: {mark(top is not None and top < bound)})")
size, seconds = open(f"{folder}/scale-start-seconds.txt").read().split()
after = memory(f"{folder}/scale-rss-after-start.txt").get(int(size), "n/a")
print(f"restart with {int(size):,} seals: SERVING {float(seconds):.3f} s after launch "
      f"(target < 2 s: {mark(float(seconds) < 2)}); then {after}")
PY
}

# --- instructions per call (CALLGRIND=1) --------------------------------------------------

# Ir of the whole sellod process from a callgrind output file.
callgrind_total() {
  python3 - "$1" <<'PY'
import sys
total = None
for line in open(sys.argv[1]):
    if line.startswith(("summary:", "totals:")):
        total = int(line.split()[1])
print(total)
PY
}

run_callgrind() {
  local data="$work/callgrind" method calls total base
  : >"$out/callgrind.txt"
  start_sellod callgrind-setup "$data"
  populate callgrind-populate "$sellod_address" "$data" 10000 100
  stop_sellod callgrind-setup
  # RocksDB replays the WAL and flushes it on the first open after writes: once here, so
  # that no measured run pays for it (the submit runs come last for the same reason).
  start_sellod callgrind-setup "$data"
  stop_sellod callgrind-setup
  for method in verify submit; do
    for calls in 0 "$CALLGRIND_CALLS"; do
      HEALTH_WAIT=300 start_sellod "callgrind-$method-$calls" "$data" \
        valgrind --tool=callgrind --callgrind-out-file="$out/logs/callgrind-$method-$calls.out"
      if [ "$calls" -gt 0 ]; then
        if [ "$method" = verify ]; then
          load "callgrind-$method-$calls" verify --server "$sellod_address" --codes "$data.codes" \
            --unknown-share 0.1 --connections 1 --in-flight 1 --calls "$calls" --duration 0
        else
          load "callgrind-$method-$calls" submit --server "$sellod_address" \
            --token-file "$data.certifier.token" --inspection "$data.inspection.json" \
            --connections 1 --in-flight 1 --calls "$calls" --duration 0
        fi
      fi
      stop_sellod "callgrind-$method-$calls"
    done
    base="$(callgrind_total "$out/logs/callgrind-$method-0.out")"
    total="$(callgrind_total "$out/logs/callgrind-$method-$CALLGRIND_CALLS.out")"
    python3 -c "import sys; b, t, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); \
print(f'{sys.argv[4]:<18} {t:>16,} Ir with {n} calls, {b:>16,} with none: {(t - b) / n:>12,.0f} Ir per call')" \
      "$base" "$total" "$CALLGRIND_CALLS" "$method" | tee -a "$out/callgrind.txt"
  done
  # The floor's echo under the same count: the noise-free form of verify ÷ floor.
  "$load_bin" make-request floor-echo --out "$work/floor-echo.bin" >/dev/null
  for calls in 0 "$CALLGRIND_CALLS"; do
    local port
    port="$(free_port)"
    floor_address="127.0.0.1:$port"
    valgrind --tool=callgrind --callgrind-out-file="$out/logs/callgrind-floor-$calls.out" \
      "$floor_bin" --listen "$floor_address" >>"$out/logs/callgrind-floor-$calls.log" 2>&1 &
    floor_pid=$!
    pids+=("$floor_pid")
    HEALTH_WAIT=300 wait_serving "callgrind-floor-$calls" "$floor_address" "$floor_pid"
    if [ "$calls" -gt 0 ]; then
      load "callgrind-floor-$calls" raw --server "$floor_address" \
        --method /sello.bench.Floor/Echo --request "$work/floor-echo.bin" \
        --connections 1 --in-flight 1 --calls "$calls" --duration 0
    fi
    stop_pid "$floor_pid" TERM || true
    forget_pid "$floor_pid"
  done
  base="$(callgrind_total "$out/logs/callgrind-floor-0.out")"
  total="$(callgrind_total "$out/logs/callgrind-floor-$CALLGRIND_CALLS.out")"
  python3 -c "import sys; b, t, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); \
print(f'{sys.argv[4]:<18} {t:>16,} Ir with {n} calls, {b:>16,} with none: {(t - b) / n:>12,.0f} Ir per call')" \
    "$base" "$total" "$CALLGRIND_CALLS" "floor echo" | tee -a "$out/callgrind.txt"
  python3 - "$out/callgrind.txt" <<'PY' | tee -a "$out/callgrind.txt"
import sys
per_call = {}
for line in open(sys.argv[1]):
    name, _, rest = line.partition("  ")
    if "Ir per call" in line:
        per_call[name.strip()] = float(line.split(":")[-1].split()[0].replace(",", ""))
if "verify" in per_call and "floor echo" in per_call:
    print(f"verify ÷ floor echo, instructions per call: {per_call['verify'] / per_call['floor echo']:.2f}")
PY
}

# --- witnesses (issue 20 §2, §4) -------------------------------------------------------------

# run_witness: cosigned freshness under the submit scenario's writes, and full-tile GETs.
run_witness() {
  local data="$work/sellod-witness" http_address i policy c="${WITNESS_SHAPE%x*}"
  local f="${WITNESS_SHAPE#*x}" load_pid
  http_address="127.0.0.1:$(free_port)"
  http_flags=(--http-listen "$http_address" --http-rate-limit 0
    --http-max-connections-per-address 0)
  # The registry first (its key, its data), then three witnesses for its key.
  start_sellod sellod-witness "$data"
  populate populate-witness "$sellod_address" "$data" "$WITNESS_SEALS"
  stop_sellod sellod-witness
  policy="log $(cat "$data/log.pub")"$'\n'
  for i in 1 2 3; do
    "$witness_bin" --data-dir "$work/witness-$i" --name "w$i.bench/sello" --listen 127.0.0.1:0 \
      --address-file "$work/witness-$i.address" --log "$(cat "$data/log.pub")" \
      >>"$out/logs/witness-$i.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 200); do [ -s "$work/witness-$i.address" ] && break; sleep 0.05; done
    [ -s "$work/witness-$i.address" ] || die "witness $i did not start (log: $out/logs/witness-$i.log)"
    policy+="witness w$i $(cat "$work/witness-$i/witness.pub") http://$(cat "$work/witness-$i.address")"$'\n'
  done
  policy+="group two-of-three 2 w1 w2 w3"$'\n'"quorum two-of-three"$'\n'
  printf '%s' "$policy" >"$work/witness-policy.txt"
  http_flags+=(--witness-policy "$work/witness-policy.txt")
  start_sellod sellod-witness "$data"
  settle
  say "witnesses: freshness under the submit load ($c x $f), $WITNESS_SAMPLES samples"
  "$load_bin" submit --server "$sellod_address" --token-file "$data.certifier.token" \
    --inspection "$data.inspection.json" --connections "$c" --in-flight "$f" \
    --duration 3600 --warmup 0 --json "$out/json/witness-submit.json" \
    >"$out/logs/witness-submit.txt" 2>&1 &
  load_pid=$!
  load witness-freshness cosign-freshness --server "$sellod_address" \
    --token-file "$data/admin.token" --samples "$WITNESS_SAMPLES"
  # TERM, not INT: a background job of a non-interactive shell ignores SIGINT, and the
  # write load (an hour long) then held the run until it ended. Its own figures are not
  # reported.
  kill -TERM "$load_pid" 2>/dev/null || true
  wait "$load_pid" 2>/dev/null || true
  settle
  say "witnesses: GET /tile/0/000, $HTTP_CONNECTIONS connections"
  load witness-tile get-http --server "$http_address" --path /tile/0/000 --bytes 8192 \
    --connections "$HTTP_CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP"
  stop_sellod sellod-witness
  http_flags=()
}

report_witness() {
  python3 - "$out/json" "$HTTP_CONNECTIONS" "$WITNESS_SHAPE" <<'PY'
import json, os, sys
d, c, shape = sys.argv[1], sys.argv[2], sys.argv[3]
def report(name):
    path = os.path.join(d, name + ".json")
    return json.load(open(path))["reports"][0] if os.path.exists(path) else None
fresh, tile = report("witness-freshness"), report("witness-tile")
print(f"witnesses: three sello-witness on loopback, quorum two of three; submit load {shape}")
if fresh:
    lat = fresh["latency_ms"]
    met = "MET" if lat["p99"] < 1000 else "NOT MET"
    print(f"  acknowledged write -> cosigned checkpoint covering it: p50 {lat['p50']:.0f} ms, "
          f"p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms over {fresh['calls']} writes "
          f"(target p99 < 1 s: {met})")
if tile:
    lat = tile["latency_ms"]
    print(f"  GET /tile/0/000 (8 KiB, full tile): {tile['calls_per_second']:.0f} requests/s at {c} "
          f"connections, p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms")
PY
}

# --- main ---------------------------------------------------------------------------------

{
  echo "Sello benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), checkout at commit" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo unknown), sellod built" \
    "$(date -u -r "$sellod_bin" +%Y-%m-%dT%H:%M:%SZ)"
  machine_line
  echo "SEALS=$SEALS DURATION=${DURATION}s WARMUP=${WARMUP}s RUNS=$RUNS SHAPES=\"$SHAPES\" WATCHERS=$WATCHERS"
} >"$out/header.txt"
cat "$out/header.txt" >&2

if [ "$MAIN" = 1 ]; then
  run_main
  {
    cat "$out/header.txt"
    echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
    cat "$out/json/sellod-rss.txt"
    echo "sellod restart (for the submit runs): SERVING after $(sort -n "$out/json/restart-seconds.txt" | tr '\n' ' ')s"
    echo
    report_main
  } >"$out/table.txt"
fi
if [ "$HTTP" = 1 ]; then
  run_http
  report_http >"$out/http.txt"
fi
if [ "$WITNESS" = 1 ]; then
  run_witness
  report_witness >"$out/witness.txt"
fi
if [ "$SCALE" = 1 ] || [ "$SCALE" = full ]; then
  run_scale >"$out/scale.txt"
fi
if [ "$CALLGRIND" = 1 ]; then
  run_callgrind >/dev/null
fi

echo
[ "$MAIN" = 1 ] && cat "$out/table.txt"
[ -f "$out/http.txt" ] && { echo; cat "$out/http.txt"; }
[ -f "$out/witness.txt" ] && { echo; cat "$out/witness.txt"; }
[ -f "$out/scale.txt" ] && { echo; cat "$out/scale.txt"; }
[ -f "$out/callgrind.txt" ] && { echo; echo "instructions per call (callgrind):"; cat "$out/callgrind.txt"; }
echo
echo "results (table, raw JSON, logs): $out"
if [ "$load_failures" -gt 0 ]; then
  say "$load_failures run(s) failed: see the FAILED lines above and $out/logs"
  exit 1
fi
