#!/usr/bin/env bash
# The main job on the bundled example estate (the README's first command): installs what is
# missing, builds plumb, validates infra/, generates the Ansible tree, starts the local Incus
# sandbox (scripts/incus-sandbox.sh up: Incus 6.0 LTS from Debian, needs root) and applies the
# estate to it. Run it twice: the second run reports no changes.
#
# This machine has no image server: the example's `images:debian/13` is mapped to the sandbox's
# busybox image, and bridges get no addresses (no DHCP, no NAT, nothing on the host's network).
# EXAMPLE_BRIDGE_ADDRESSES=declared gives them the estate's subnets instead.
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

export PLUMB_IMAGE_MAP="${PLUMB_IMAGE_MAP:-images:debian/13=plumb-busybox}"
export PLUMB_BRIDGE_ADDRESSES="${EXAMPLE_BRIDGE_ADDRESSES:-none}"
echo "== plumb apply (image map: $PLUMB_IMAGE_MAP; bridge addresses: $PLUMB_BRIDGE_ADDRESSES) =="
plumb apply --yes
echo "== plumb plan --detailed-exitcode (0: live Incus matches infra/) =="
plumb plan --detailed-exitcode
