#!/usr/bin/env bash
# Installs, with apt-get, exactly the Debian 12 packages rill's build and tests need.
# Idempotent: packages already installed are skipped, and apt-get runs only when
# something is missing. Must run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  cmake make g++ clang pkg-config
  # libraries (see ../shared/docs/DEPS.md)
  libabsl-dev libfmt-dev libxxhash-dev
  zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
  # tests and benchmarks
  catch2 libbenchmark-dev
  # the wire server: standalone Asio
  libasio-dev
  # independent RecordBatch implementation for the cross-check, with its codecs
  python3 python3-kafka python3-snappy python3-lz4 python3-zstandard
  # real Kafka clients for the wire-protocol tests and benchmarks
  librdkafka-dev kcat python3-confluent-kafka
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
