#!/usr/bin/env bash
# ./bench.sh deals — the markets gateway. Proposals half: offline deal proposals accepted and durably recorded per
# second over one libp2p connection, on SQLite and on PostgreSQL (ProposalBench.cs). Retrieval half: GET /piece of a
# 1 GiB piece served from its unsealed sector copy (and from staging) vs nginx serving the same bytes from a file, both
# read by the same C# HttpClient reader in this run. Options: see Program.cs.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${GRANARY_TEST_POSTGRES:-}" ]; then
  # The tests' throw-away PostgreSQL server (installed from Debian packages if absent); the bench makes its own database.
  source ../../tests/setup/10-postgres.sh
fi
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
fi
exec dotnet run -c Release --project . -- "$@"
