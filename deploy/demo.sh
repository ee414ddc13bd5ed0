#!/usr/bin/env bash
# Quick start command 1: installs what is missing, builds, starts two witnesses
# (sello-witness, as a regulator and a buyers' association would run them) on
# 127.0.0.1:7091 and 127.0.0.1:7092, writes the witness policy (two of two) to
# .sello-demo/witness-policy.txt and prints it, starts sellod on 127.0.0.1:7443 (gRPC)
# and 127.0.0.1:7080 (the HTTP JSON API and the log's tiles) under that policy, with its
# store under .sello-demo/ in the checkout and its log in .sello-demo/sellod.log, loads
# the demo data (idempotent: a second run keeps what is there) and serves until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

listen="${SELLO_DEMO_LISTEN:-127.0.0.1:7443}"
http_listen="${SELLO_DEMO_HTTP_LISTEN:-127.0.0.1:7080}"
demo_dir="$root/.sello-demo"
data_dir="$demo_dir/data"
tokens_dir="$demo_dir/tokens"
log_file="$demo_dir/sellod.log"
witness_listens=("${SELLO_DEMO_WITNESS1_LISTEN:-127.0.0.1:7091}"
                 "${SELLO_DEMO_WITNESS2_LISTEN:-127.0.0.1:7092}")
witness_names=(regulator buyers)
policy_file="$demo_dir/witness-policy.txt"

bash deploy/build.sh
sello=("$root/build/client/sello" --server "$listen")

mkdir -p "$demo_dir"
sellod_args=(--listen="$listen" --data-dir="$data_dir" --http-listen="$http_listen"
  --bootstrap-org-id=salmonchile
  --bootstrap-org-name="SalmonChile (Asociación de la Industria del Salmón de Chile)")
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM
# Waits (bounded) until FILE exists, or fails naming LOG.
wait_for_file() {
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "demo: $1 did not appear; the end of $2:" >&2
  tail -n 5 "$2" >&2 || true
  stop
  exit 1
}

# The witnesses must know the log's key, and the registry its witnesses' keys: on the
# first run, sellod starts once alone to make its key (DATA_DIR/log.pub).
if [ ! -s "$data_dir/log.pub" ]; then
  "$root/build/daemon/sellod" "${sellod_args[@]}" 2>>"$log_file" &
  pids=($!)
  wait_for_file "$data_dir/log.pub" "$log_file"
  stop
  pids=()
fi
log_key="$(cat "$data_dir/log.pub")"
policy="log $log_key"$'\n'
for i in 0 1; do
  name="${witness_names[$i]}"
  witness_dir="$demo_dir/witness-$name"
  witness_log="$demo_dir/witness-$name.log"
  rm -f "$witness_dir.address"
  "$root/build/witness/sello-witness" --data-dir="$witness_dir" --name="$name.demo/sello-witness" \
    --listen="${witness_listens[$i]}" --address-file="$witness_dir.address" --log="$log_key" \
    2>>"$witness_log" &
  pids+=($!)
  wait_for_file "$witness_dir.address" "$witness_log"
  policy+="witness $name $(cat "$witness_dir/witness.pub") http://$(cat "$witness_dir.address")"$'\n'
done
policy+="group both all regulator buyers"$'\n'"quorum both"$'\n'
printf '%s' "$policy" > "$policy_file"
echo "demo: two witnesses run beside sellod; the witness policy ($policy_file):"
sed 's/^/  /' "$policy_file"

# The daemon's log (one JSON line per event, and one per call made with a token: the
# loading below makes hundreds) goes to a file, so that this terminal stays readable.
echo "demo: starting sellod; its log is $log_file"
"$root/build/daemon/sellod" "${sellod_args[@]}" --witness-policy="$policy_file" \
  2>>"$log_file" &
sellod_pid=$!
pids+=("$sellod_pid")

if ! "${sello[@]}" health --wait 30 >/dev/null || ! kill -0 "$sellod_pid" 2>/dev/null; then
  # Not serving, or something else answered on the port while ours exited.
  echo "demo: sellod did not start serving on $listen; the end of $log_file:" >&2
  tail -n 5 "$log_file" >&2 || true
  echo "demo: is another sellod already running? Set SELLO_DEMO_LISTEN=HOST:PORT and" \
       "SELLO_DEMO_HTTP_LISTEN=HOST:PORT to use other addresses." >&2
  stop
  exit 1
fi
"${sello[@]}" --token-file "$data_dir/admin.token" demo load \
  --manifest deploy/demo/demo.json --tokens-dir "$tokens_dir" --codes-file "$demo_dir/seals.txt"

cat <<INFO

Sello is running on $listen (store: $data_dir).
Try, in another terminal from $root:

  build/client/sello standard list
  build/client/sello standard show CSCS
  build/client/sello standard diff CSCS@1 CSCS@2
  build/client/sello org list --kind firm
  build/client/sello --token-file $data_dir/admin.token token list
  build/client/sello --token-file $tokens_dir/salmones-calbuco.token site list
  head -3 $demo_dir/seals.txt | build/client/sello seal verify
  build/client/sello accredit list
  build/client/sello norm list
  build/client/sello comply site salmones-quellon-pp
  build/client/sello --token-file $tokens_dir/sernapesca.token comply report NORM_ID
  build/client/sello --token-file $tokens_dir/salmones-calbuco.token inspect list
  build/client/sello --token-file $tokens_dir/salmonera-hualaihue.token appeal list
  build/client/sello --token-file $tokens_dir/sernapesca.token stats certifiers --standard CSCS
  build/client/sello --token-file $tokens_dir/sernapesca.token stats benchmark --standard CSCS@2 --firm salmones-calbuco
  build/client/sello --token-file $tokens_dir/sernapesca.token stats criteria --standard CSCS@2
  build/client/sello --token-file $data_dir/admin.token lot list
  build/client/sello audit --log-key-file $data_dir/log.pub --witness-policy $policy_file verify
  build/client/sello witness evidence --witness http://${witness_listens[0]}
  build/client/sello watch --from 1

The web pages: http://$http_listen/ (open it in a browser), and one seal's page:
  http://$http_listen/seal/$(head -1 "$demo_dir/seals.txt")

The HTTP JSON API (the Connect protocol) is at http://$http_listen/, e.g.:

  curl -s http://$http_listen/sello.v1.SealService/VerifySeal \\
    -H 'Content-Type: application/json' -d "{\"codes\": [\"\$(head -1 $demo_dir/seals.txt)\"]}"
  curl -s 'http://$http_listen/sello.v1.LogService/GetCheckpoint?encoding=json&message=%7B%7D'

The log as C2SP tlog-tiles (checkpoints cosigned by both witnesses; hash tiles for
anyone; entry bundles for ADMIN and REGULATOR tokens):

  curl -s http://$http_listen/checkpoint
  curl -s http://$http_listen/tile/0/000.p/1 | xxd | head -2
  curl -s -H "Authorization: Bearer \$(cat $data_dir/admin.token)" http://$http_listen/tile/entries/000.p/1 | xxd | head -2

The ADMIN token is in $data_dir/admin.token; a token per demo organisation is in
$tokens_dir/; the codes of the demo's seals are in $demo_dir/seals.txt.
sellod's log is $log_file; the witnesses' are beside it ($demo_dir/witness-*.log).
Press Ctrl-C to stop sellod and the witnesses.
INFO
wait "$sellod_pid"
