#!/usr/bin/env bash
# Runs one benchmark in Release: ./bench.sh NAME (a folder under bench/, case-insensitive).
# Each benchmark prints one JSON object per line; the last line is its summary.
set -euo pipefail
cd "$(dirname "$0")"
name="${1:-}"
if [ -z "$name" ]; then
  echo "usage: ./bench.sh NAME   (one of: $(ls bench | grep -v '\.' | tr '\n' ' '))" >&2
  exit 2
fi
shift
dir=$(find bench -mindepth 1 -maxdepth 1 -type d -iname "$name" | head -n1)
if [ -z "$dir" ]; then
  echo "no benchmark named '$name' under bench/ (have: $(ls bench | grep -v '\.' | tr '\n' ' '))" >&2
  exit 2
fi
if [ -x "$dir/run.sh" ]; then
  exec "$dir/run.sh" "$@"
fi
exec dotnet run -c Release --project "$dir" -- "$@"
