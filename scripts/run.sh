#!/usr/bin/env bash
# `make run`: what a new user sees first.
# Until the agent (`vigil run`) exists, this lints the built-in rules and policies and says so.
set -uo pipefail
cd "$(dirname "$0")/.."
vigil=${BUILD_DIR:-build}/vigil
if "$vigil" --help 2>/dev/null | grep -qE '^ +run( |$)'; then
  exec "$vigil" run --policy rules/ --policy policies/default.vgl "$@"
fi
echo "vigil: the agent ('vigil run') is not part of this build yet; linting the built-in rules and policies instead." >&2
echo "+ $vigil lint rules/ policies/" >&2
"$vigil" lint rules/ policies/
