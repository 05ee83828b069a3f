#!/bin/sh
# Makes sure Debian's Chromium is installed: test/report/browser.test.ts opens the HTML report in
# it (through playwright-core, which brings no browser of its own). Runs as `npm test`'s pretest,
# so a fresh machine gets it from the project's own files. Quiet when there is nothing to do.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing; installing the chromium package with apt-get (for the browser test)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if { apt-get update -qq && apt-get install -y -qq chromium; } >"$log" 2>&1 && [ -x "$CHROMIUM" ]; then
    rm -f "$log"
    echo "ensure-chromium: installed $CHROMIUM" >&2
    exit 0
  fi
  cat "$log" >&2
  rm -f "$log"
  echo "ensure-chromium: apt-get could not install chromium; install it by hand (apt-get install chromium) and run the tests again." >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: the browser test needs Chromium at $CHROMIUM, and it is not there.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install chromium
(This script installs it by itself only when run as root on a system with apt-get.)
MSG
exit 1
