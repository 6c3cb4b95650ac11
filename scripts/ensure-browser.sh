#!/bin/sh
# The console's end-to-end test drives Debian's Chromium (playwright-core
# never downloads a browser here). Install it when missing and we can; the
# package comes from Debian's own archive.
set -e
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the console's browser test..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "warning: /usr/bin/chromium is missing; install Debian's 'chromium' package for the web-e2e tests." >&2
fi
