#!/bin/sh
# Makes sure a program some tests need is installed from its Debian package, so that a fresh
# machine gets it from the project's own files: npm test's pretest runs the ensure-*.sh scripts,
# which name the package, the program's path and the tests that need it. Quiet when there is
# nothing to do; installs only as root on a system with apt-get, and otherwise says how.
#   usage: ensure-debian-package.sh PACKAGE PROGRAM WHAT-NEEDS-IT
set -eu

PACKAGE=$1
PROGRAM=$2
NEEDED_BY=$3
NAME="ensure-$PACKAGE"

if [ -x "$PROGRAM" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "$NAME: $PROGRAM is missing; installing the $PACKAGE package with apt-get (for $NEEDED_BY)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if { apt-get update -qq && apt-get install -y -qq "$PACKAGE"; } >"$log" 2>&1 && [ -x "$PROGRAM" ]; then
    rm -f "$log"
    echo "$NAME: installed $PROGRAM" >&2
    exit 0
  fi
  cat "$log" >&2
  rm -f "$log"
  echo "$NAME: apt-get could not install $PACKAGE; install it by hand (apt-get install $PACKAGE) and run the tests again." >&2
  exit 1
fi

cat >&2 <<MSG
$NAME: $NEEDED_BY needs $PROGRAM (Debian's $PACKAGE package), and it is not there.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install $PACKAGE
(This script installs it by itself only when run as root on a system with apt-get.)
MSG
exit 1
