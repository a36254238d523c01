#!/usr/bin/env bash
# The suite drives real programs that pip cannot provide: Debian's Chromium for the browser tests
# (Playwright cannot download browsers here), PgBouncer for the connection-pooler test, and
# redis-server for the tests that start a private Redis (faults, and the cache without REDIS_URL).
# Installs whichever is missing (as root, or with sudo); otherwise says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "[ascent] installing Debian's ${missing[*]} for the suite"
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "[ascent] the suite needs: apt-get install ${missing[*]}" >&2
  exit 1
fi
