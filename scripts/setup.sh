#!/usr/bin/env bash
# Installs every Debian 12 package vigil needs to build, test and run.
# Idempotent: when everything is present it prints nothing and exits in well under a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
  antlr4 default-jre-headless libantlr4-runtime-dev
  libre2-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libxxhash-dev
  python3 bc busybox-static runc iproute2 procps netcat-openbsd
  libclang-rt-14-dev  # make sanitize, make fuzz: the sanitizer and libFuzzer runtimes for clang
  bpftrace  # bench/overhead compares against it
  # The webhook and Kafka outputs: headers to build; libcurl.so.4 and librdkafka.so.1 (libcurl4,
  # librdkafka1) are loaded at run time, not linked. kcat reads alerts back in the Kafka tests.
  libcurl4-openssl-dev libcurl4
  librdkafka-dev librdkafka1 kcat
  prometheus python3-yaml  # e2e.agent.metrics scrapes the agent; manifests are checked as YAML
  libyaml-cpp-dev  # vigil import: Sigma and Falco rule files are YAML
  libsimdjson-dev  # vigil replay parses recorded events with simdjson
  gnuplot-nox  # make bench draws the report's plots
  strace gdb cron curl openssh-client libcap2-bin  # e2e.benign_workload and e2e.detections run them
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run 'make setup' as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
