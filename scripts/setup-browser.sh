#!/bin/sh
# The browser tests drive Debian's Chromium through playwright-core, which
# never downloads a browser here. This is the documented set-up step for them
# (`npm run setup:browser`, run by CI before `npm test`): it installs the
# package from Debian's archive when it is missing. `npm test` itself never
# installs anything.
set -e
[ -x /usr/bin/chromium ] && { echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"; exit 0; }
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "error: /usr/bin/chromium is missing; install Debian's 'chromium' package (sudo apt-get install chromium)." >&2
  exit 1
fi
