#!/usr/bin/env bash
# The container image's build and install steps. deploy/docker/Dockerfile runs them, and so
# does CI (tests/e2e/docker_test.cc), where no image can be built: the same script, so that
# what CI checks is what the image does.
#
#   image.sh build SRC BUILD [--dry-run]
#       Installs the build dependencies (deploy/install-deps.sh), configures a Release build
#       of the checkout SRC in BUILD and builds sellod and sello. --dry-run configures, then
#       only lists what the build would run (CI: the full build is the test build's job).
#   image.sh install FILES ROOT
#       Installs the programs and the image's configuration from FILES (a directory holding
#       sellod, sello and sellod.conf, as the Dockerfile copies them) under ROOT:
#       ROOT/usr/local/bin/{sellod,sello}, ROOT/etc/sello/sellod.conf, and the volumes'
#       directories ROOT/var/lib/{sello,sello-checkpoint,sello-backups} (mode 0700, owned by
#       the user sello when it exists).
#   image.sh runtime
#       In the image, as root: installs the Debian packages of the libraries sellod and
#       sello load, and creates the user sello (uid and gid 7443) that owns the volumes.
#   image.sh runtime-packages
#       Prints those packages, one a line.
#   image.sh check-libraries PROGRAM...
#       Checks that every shared library the programs load comes with the runtime packages,
#       their dependencies or Debian's required packages (which every debian:12 image has);
#       names each one missing and fails. Needs the packages installed here (dpkg).
set -euo pipefail

# The libraries sellod and sello load, by Debian package (their own dependencies come along).
runtime_packages=(
  libgrpc++1.51 libprotobuf32 librocksdb7.8 libabsl20220623 libssl3 libmicrohttpd12
  libjemalloc2
  # ICU (sellod: Unicode categories of request text), libcurl (sello and sello-witness talk
  # to witnesses over HTTP).
  libicu72 libcurl4
  # sello seal labels: QR codes (libqrencode) drawn with Cairo, text in DejaVu Sans.
  libqrencode4 libcairo2 libfontconfig1 fonts-dejavu-core
  # sello --ca with the system's roots, when no CA file is given.
  ca-certificates
)
# The user that runs sellod in the image and owns its volumes; a fixed id, so that a
# directory bind-mounted from the host can be given to it (chown 7443:7443 DIR).
user=sello
uid=7443
volumes=(/var/lib/sello /var/lib/sello-checkpoint /var/lib/sello-backups)

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

build() {
  local src="$1" build="$2" dry_run="${3:-}"
  bash "$src/deploy/install-deps.sh"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSELLO_BENCH=OFF
  if [ "$dry_run" = "--dry-run" ]; then
    cmake --build "$build" --target sellod sello sello-witness -- -n
  else
    cmake --build "$build" --target sellod sello sello-witness
  fi
}

install_files() {
  local files="$1" root="$2"
  for file in sellod sello sello-witness sellod.conf; do
    if [ ! -f "$files/$file" ]; then
      echo "image.sh install: $files/$file is missing" >&2
      exit 1
    fi
  done
  install -d -m 0755 "$root/usr/local/bin" "$root/etc/sello"
  install -m 0755 "$files/sellod" "$files/sello" "$files/sello-witness" "$root/usr/local/bin/"
  install -m 0644 "$files/sellod.conf" "$root/etc/sello/sellod.conf"
  local owner=()
  if id -u "$user" >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then owner=(-o "$user" -g "$user"); fi
  for volume in "${volumes[@]}"; do
    install -d -m 0700 "${owner[@]}" "$root$volume"
  done
}

runtime() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${runtime_packages[@]}"
  rm -rf /var/lib/apt/lists/*
  groupadd --system --gid "$uid" "$user"
  useradd --system --uid "$uid" --gid "$uid" --home-dir /var/lib/sello \
    --shell /usr/sbin/nologin "$user"
}

# Every installed package, its status and what it depends on: "package<TAB>depends", the
# depends as dpkg has them ("a (>= 1), b | c, d:any").
installed_depends() {
  dpkg-query -W -f='${Package}\t${Status}\t${Depends}, ${Pre-Depends}\n' |
    awk -F'\t' '$2 == "install ok installed" { print $1 "\t" $3 }'
}

# The packages `runtime` brings: the list and, recursively, what they depend on (of a set
# of alternatives, the first one installed here).
runtime_closure() {
  installed_depends | awk -F'\t' -v wanted="${runtime_packages[*]}" '
    { depends[$1] = $2; installed[$1] = 1 }
    END {
      n = split(wanted, queue, " ")
      for (i = 1; i <= n; i++) {
        package = queue[i]
        if (package in seen) continue
        seen[package] = 1
        print package
        count = split(depends[package], list, ",")
        for (j = 1; j <= count; j++) {
          alternatives = split(list[j], options, "|")
          for (k = 1; k <= alternatives; k++) {
            name = options[k]
            gsub(/\([^)]*\)|:any|[[:space:]]/, "", name)
            if (name in installed) { queue[++n] = name; break }
          }
        }
      }
    }'
}

check_libraries() {
  local -A available=() owner=()
  while read -r package; do available[$package]=1; done < <(
    runtime_closure
    dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" { print $1 }'
  )
  # Each library as ldd resolves it, and the paths dpkg may know it by (Debian 12 merged
  # /lib into /usr/lib; a package lists its files where it put them).
  local -a rows=() paths=()
  for program in "$@"; do
    while read -r library path; do
      rows+=("$program $library $path")
      paths+=("$path" "$(realpath "$path")")
      case "$path" in
        /usr/lib/*) paths+=("${path#/usr}") ;;
        /lib/*) paths+=("/usr$path") ;;
      esac
    done < <(ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
  done
  while IFS= read -r line; do
    # "libfoo1:amd64: /usr/lib/x86_64-linux-gnu/libfoo.so.1"
    owner["${line#*: }"]="$(echo "${line%%: *}" | sed 's/:[a-z0-9]*$//; s/,.*//')"
  done < <(dpkg-query -S "${paths[@]}" 2>/dev/null || true)
  local missing=0
  for row in "${rows[@]}"; do
    read -r program library path <<<"$row"
    local package=""
    for candidate in "$path" "$(realpath "$path")" "${path#/usr}" "/usr$path"; do
      if [ -n "${owner[$candidate]:-}" ]; then
        package="${owner[$candidate]}"
        break
      fi
    done
    if [ -z "$package" ]; then
      echo "$program: $library ($path) belongs to no Debian package" >&2
      missing=1
    elif [ -z "${available[$package]:-}" ]; then
      echo "$program: $library comes with $package, which the image does not install" >&2
      missing=1
    fi
  done
  return $missing
}

case "${1:-}" in
  build)
    [ $# -ge 3 ] || usage
    build "$2" "$3" "${4:-}"
    ;;
  install)
    [ $# -eq 3 ] || usage
    install_files "$2" "$3"
    ;;
  runtime)
    runtime
    ;;
  runtime-packages)
    printf '%s\n' "${runtime_packages[@]}"
    ;;
  check-libraries)
    [ $# -ge 2 ] || usage
    shift
    check_libraries "$@"
    ;;
  *)
    usage
    ;;
esac
