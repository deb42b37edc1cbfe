# Installs Chromium from Debian packages if absent, for the web UI tests (tests/interop/browser drives it with
# playwright-core, which downloads no browser of its own). Exports GRANARY_CHROMIUM, the browser binary.
# Idempotent; sourced by ./test.sh (works as root on a fresh Debian machine).
if [ -z "${GRANARY_CHROMIUM:-}" ] || [ ! -x "${GRANARY_CHROMIUM}" ]; then
  GRANARY_CHROMIUM=/usr/bin/chromium
  if [ ! -x "$GRANARY_CHROMIUM" ]; then
    echo "installing Chromium (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  fi
fi
export GRANARY_CHROMIUM
echo "Chromium for the web UI tests: $GRANARY_CHROMIUM ($("$GRANARY_CHROMIUM" --version 2>/dev/null || echo 'not runnable'))"
