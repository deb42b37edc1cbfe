#!/usr/bin/env bash
# ./bench.sh commp — CommP throughput (1 thread, all cores), peak RSS while streaming 32 GiB, and the
# references measured in the same run: @web3-storage/data-segment (64 MiB) and a native SHA-NI CommP.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
if ! command -v gcc >/dev/null || [ ! -f /usr/include/openssl/sha.h ] && ! echo '#include <immintrin.h>' | gcc -x c -E - >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq gcc >/dev/null
fi
native=$(mktemp -d)/commp_shani
gcc -O3 -msha -msse4.1 -mssse3 -o "$native" native/commp_shani.c
(cd "$root" && bash tests/setup/30-npm.sh >/dev/null)
exec dotnet run -c Release --project . -- "$native" "$root/tests/interop/filecoin" "$@"
