# Installs the npm packages the interop tests drive (independent reference implementations), from
# each tests/interop/*/package-lock.json. Quick when already installed. Sourced by ./test.sh.
for dir in tests/interop/*/; do
  [ -f "$dir/package-lock.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) && touch "$dir/node_modules"
  fi
done
