#!/usr/bin/env bash
# `make run`: what a new user sees first: the agent on the built-in rules and the default
# policy, one readable line per alert. For JSON lines, run the same command with --format json.
set -uo pipefail
cd "$(dirname "$0")/.."
vigil=${BUILD_DIR:-build}/vigil
if [ "$(id -u)" -ne 0 ]; then
  echo "vigil: the agent loads BPF programs and must run as root (sudo make run)" >&2
  exit 2
fi
echo "+ $vigil run --policy rules/ --policy policies/default.vgl --format text  (Ctrl-C stops it)" >&2
exec "$vigil" run --policy rules/ --policy policies/default.vgl --format text --stats-interval 60 "$@"
