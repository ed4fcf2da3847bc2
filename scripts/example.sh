#!/usr/bin/env bash
# The main job on the bundled example estate (the README's first command): installs what is
# missing, builds plumb, validates infra/, generates the Ansible tree, starts the local Incus
# sandbox (scripts/incus-sandbox.sh up: Incus 6.0 LTS from Debian, needs root), applies the
# estate to it and delivers the contracts infra/ declares (motd on every machine, a package on
# ops-bastion; docs/delivery.md). Run it twice: the second run reports no changes and sends no
# contract.
#
# This machine has no image server: the example's `images:debian/13` is mapped to the sandbox's
# Debian test image (plumb-debian: contract targets need bash, flock and ssh-keygen for the
# target-side verifier), and bridges get no addresses (no DHCP, no NAT, nothing on the host's
# network). EXAMPLE_BRIDGE_ADDRESSES=declared gives them the estate's subnets instead. These site
# settings are written to .plumb/site.yml (scripts/incus-sandbox.sh site), not kept in this
# shell's environment, so a plain `plumb plan` or `plumb apply` afterwards sees the same settings.
#
# Contracts are signed at apply. On the first run, when keys/keyring.json does not exist yet, a
# demo trust root is made: your key (~/.config/plumb/keys/id_ed25519, generated if absent) becomes
# the keyring's only key (contract threshold 1) and signs the keyring and templates.lock; the key
# is recorded in .plumb/site.yml `signing.keys`. keys/ and templates.lock.sig.d/ are then the
# repository's new trust root: review and commit them.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/install-deps.sh --print-path)"
[ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error # not npm ci: see scripts/test.sh
npm run --silent build

plumb() { node dist/cli/main.js "$@"; }
key="${PLUMB_EXAMPLE_KEY:-$HOME/.config/plumb/keys/id_ed25519}"
if [ ! -f keys/keyring.json ]; then
  echo "== demo trust root (keys/ absent) =="
  [ -f "$key" ] || plumb keys generate --out "$key"
  plumb keys init --pub "$key.pub" --org acme-lab --principal "${USER:-operator}"
  plumb keys sign-keyring --key "$key"
  plumb templates sign --key "$key"
  echo "keys/ and templates.lock.sig.d/ are this repository's new trust root: review and commit them."
fi

echo "== plumb validate =="
plumb validate
echo "== plumb generate =="
plumb generate

echo "== incus sandbox =="
bash scripts/incus-sandbox.sh up --with-debian

echo "== site settings (.plumb/site.yml) =="
bash scripts/incus-sandbox.sh site --debian --bridge-addresses "${EXAMPLE_BRIDGE_ADDRESSES:-none}"
# The signing key apply uses for contracts (site.yml is rewritten above, so it is added each run).
printf 'signing:\n  keys: ["%s"]\n' "$key" >>.plumb/site.yml
# Settings come from the file only: a variable left in the caller's shell must not change them.
unset PLUMB_IMAGE_MAP PLUMB_BRIDGE_ADDRESSES PLUMB_STORAGE_POOL
echo "== plumb apply (Incus changes, then the contracts) =="
plumb apply --yes
echo "== plumb contracts status =="
plumb contracts status
echo "== plumb plan --detailed-exitcode (0: live Incus and the contracts match infra/) =="
plumb plan --detailed-exitcode
