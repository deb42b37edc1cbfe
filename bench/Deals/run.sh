#!/usr/bin/env bash
# ./bench.sh deals — the markets gateway. Retrieval half: GET /piece of a 1 GiB piece served from its unsealed sector
# copy (and from staging) vs nginx serving the same bytes from a file, both read by the same C# HttpClient reader in
# this run. The proposals half (proposals_per_s_sqlite / _postgres) plugs into Program.cs (see there).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
fi
exec dotnet run -c Release --project . -- "$@"
