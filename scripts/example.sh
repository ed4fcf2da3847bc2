#!/usr/bin/env bash
# The main job on the bundled example estate (the README's first command): installs what is
# missing, builds plumb, validates infra/, generates the Ansible tree, starts the local Incus
# sandbox (scripts/incus-sandbox.sh up: Incus 6.0 LTS from Debian, needs root) and applies the
# estate to it. Run it twice: the second run reports no changes.
#
# This machine has no image server: the example's `images:debian/13` is mapped to the sandbox's
# busybox image, and bridges get no addresses (no DHCP, no NAT, nothing on the host's network).
# EXAMPLE_BRIDGE_ADDRESSES=declared gives them the estate's subnets instead. These site settings
# are written to .plumb/site.yml (scripts/incus-sandbox.sh site), not kept in this shell's
# environment, so a plain `plumb plan` or `plumb apply` afterwards sees the same settings.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/install-deps.sh --print-path)"
[ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error # not npm ci: see scripts/test.sh
npm run --silent build

plumb() { node dist/cli/main.js "$@"; }
echo "== plumb validate =="
plumb validate
echo "== plumb generate =="
plumb generate

echo "== incus sandbox =="
bash scripts/incus-sandbox.sh up

echo "== site settings (.plumb/site.yml) =="
bash scripts/incus-sandbox.sh site --bridge-addresses "${EXAMPLE_BRIDGE_ADDRESSES:-none}"
# Settings come from the file only: a variable left in the caller's shell must not change them.
unset PLUMB_IMAGE_MAP PLUMB_BRIDGE_ADDRESSES PLUMB_STORAGE_POOL
echo "== plumb apply =="
plumb apply --yes
echo "== plumb plan --detailed-exitcode (0: live Incus matches infra/) =="
plumb plan --detailed-exitcode
