#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine (the README's test command; .ci/run
# calls it too). Installs what is missing (Node 24, ansible, shellcheck, Incus sandbox), then
# lint, typecheck, build and every test. Exit status is non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/install-deps.sh --print-path)"

# A real Incus daemon for the integration tests (Incus 6.0 LTS from Debian backports, no systemd).
if [ -f scripts/incus-sandbox.sh ]; then
  bash scripts/incus-sandbox.sh up --with-debian --with-ssh
fi

# `npm install`, not `npm ci`: it installs the lockfile's exact versions too, and tolerates a
# registry mirror that lacks some optional per-platform packages (Biome's other-platform binaries
# were once missing, which made `npm ci` refuse). tests/toolchain/fresh-clone.test.ts checks that it
# leaves the lockfile unchanged.
npm install --no-audit --no-fund --loglevel=error
npm run lint
npm run typecheck
npm test
