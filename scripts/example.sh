#!/usr/bin/env bash
# The main job on the bundled example estate (the README's first command): installs what is
# missing, builds plumb, validates infra/ and generates the Ansible tree from it.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/install-deps.sh --print-path)"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

plumb() { node dist/cli/main.js "$@"; }
echo "== plumb validate =="
plumb validate
if node dist/cli/main.js generate --help >/dev/null 2>&1; then
  echo "== plumb generate =="
  plumb generate
fi
