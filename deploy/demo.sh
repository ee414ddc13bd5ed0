#!/usr/bin/env bash
# Quick start command 1: installs what is missing, builds, starts sellod on
# 127.0.0.1:7443 (gRPC) and 127.0.0.1:7080 (the HTTP JSON API) with its store under
# .sello-demo/ in the checkout and its log in .sello-demo/sellod.log, loads the demo data
# (idempotent: a second run keeps what is there) and serves until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

listen="${SELLO_DEMO_LISTEN:-127.0.0.1:7443}"
http_listen="${SELLO_DEMO_HTTP_LISTEN:-127.0.0.1:7080}"
demo_dir="$root/.sello-demo"
data_dir="$demo_dir/data"
tokens_dir="$demo_dir/tokens"
log_file="$demo_dir/sellod.log"

bash deploy/build.sh
sello=("$root/build/client/sello" --server "$listen")

mkdir -p "$demo_dir"
# The daemon's log (one JSON line per event, and one per call made with a token: the
# loading below makes hundreds) goes to a file, so that this terminal stays readable.
echo "demo: starting sellod; its log is $log_file"
"$root/build/daemon/sellod" --listen="$listen" --data-dir="$data_dir" \
  --http-listen="$http_listen" \
  --bootstrap-org-id=salmonchile \
  --bootstrap-org-name="SalmonChile (Asociación de la Industria del Salmón de Chile)" \
  2>>"$log_file" &
sellod_pid=$!
stop() {
  kill -TERM "$sellod_pid" 2>/dev/null || true
  wait "$sellod_pid" || true
}
trap stop INT TERM

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
  build/client/sello audit --log-key-file $data_dir/log.pub verify
  build/client/sello watch --from 1

The web pages: http://$http_listen/ (open it in a browser), and one seal's page:
  http://$http_listen/seal/$(head -1 "$demo_dir/seals.txt")

The HTTP JSON API (the Connect protocol) is at http://$http_listen/, e.g.:

  curl -s http://$http_listen/sello.v1.SealService/VerifySeal \\
    -H 'Content-Type: application/json' -d "{\"codes\": [\"\$(head -1 $demo_dir/seals.txt)\"]}"
  curl -s 'http://$http_listen/sello.v1.LogService/GetCheckpoint?encoding=json&message=%7B%7D'

The ADMIN token is in $data_dir/admin.token; a token per demo organisation is in
$tokens_dir/; the codes of the demo's seals are in $demo_dir/seals.txt.
sellod's log is $log_file.
Press Ctrl-C to stop sellod.
INFO
wait "$sellod_pid"
