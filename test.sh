#!/usr/bin/env bash
# Runs every Granary test on a fresh machine: installs what the tests need
# (PostgreSQL from Debian packages, npm packages for interop partners), then
# runs the whole .NET test suite. Usage: ./test.sh [extra dotnet test args]
set -euo pipefail
cd "$(dirname "$0")"
export GRANARY_REPO_ROOT="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Each tests/setup/*.sh installs or starts one thing and may export variables.
for step in tests/setup/*.sh; do
  [ -e "$step" ] || continue
  echo "== setup: $step"
  # shellcheck disable=SC1090
  source "$step"
done

echo "== build"
dotnet build Orleans.sln -c Release -nologo -clp:ErrorsOnly
echo "== test"
set +e
dotnet test Orleans.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee /tmp/granary-test.log
status=${PIPESTATUS[0]}
# One closing line in a runner-neutral form, summed over all test assemblies.
awk '/^ *(Passed|Failed|Skipped): *[0-9]+ *$/ { gsub(/[: ]/, " "); n[$1] += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", n["Passed"], n["Failed"], n["Skipped"] }' /tmp/granary-test.log
exit "$status"
