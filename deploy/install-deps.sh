#!/usr/bin/env bash
# Installs Sello's build and test dependencies from Debian 12's packages.
# Idempotent and non-interactive: does nothing (not even `apt-get update`) when every
# package is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libboost-math-dev openssl
  libmicrohttpd-dev
  # libcurl: the HTTP client side of witnesses (add-checkpoint, `sello witness evidence`).
  libcurl4-openssl-dev
  # The interoperability test (tests/interop/): Go and its x/mod sumdb note and tlog
  # packages, built offline from /usr/share/gocode.
  golang-go golang-golang-x-mod-dev
  # ICU: Unicode general categories, to refuse format characters (bidi overrides, ...) in
  # names and texts (daemon/domain/request_hygiene.h).
  libicu-dev
  # The HTTP front: zlib for gzip bodies (libcurl above is also the end-to-end tests'
  # HTTP client).
  zlib1g-dev
  # jemalloc for sellod (SELLO_JEMALLOC): RocksDB's block cache churns through blocks.
  libjemalloc-dev
  # systemd-analyze, which checks deploy/systemd/sellod.service (tests/e2e/deploy_test.cc).
  systemd
  # promtool, which checks the example alerting rules deploy/prometheus/sello-rules.yml
  # (tests/e2e/metrics_test.cc). Only the tool is used: nothing starts the server.
  prometheus
  # The public pages: mustache templates that escape by default (header-only).
  libkainjow-mustache-dev
  # Printable labels (sello seal labels): QR codes, and PDF/SVG sheets with Cairo.
  libqrencode-dev libcairo2-dev libfontconfig-dev fonts-dejavu-core
  # The browser tests (tests/browser/): headless Chromium driven by Selenium, and the label
  # test's QR decoder and PDF renderer.
  chromium chromium-driver python3-selenium zbar-tools poppler-utils librsvg2-bin
  # Sanitizers and fuzzing (deploy/test.sh, tests/fuzz/): clang with its ASan/UBSan and
  # libFuzzer runtimes, and llvm-symbolizer for readable reports.
  clang-14 libclang-rt-14-dev libfuzzer-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
