#!/bin/sh
# Makes sure Debian's AWS CLI is installed: test/sandbox/awscli.test.ts drives the sandbox with it
# (botocore, a client implementation other than the SDK v3 the project uses). Runs as `npm test`'s
# pretest, so a fresh machine gets it from the project's own files. Quiet when there is nothing to
# do. The test runs /usr/bin/aws by its path, not whatever `aws` comes first on PATH (a pyenv or
# pip install of another major version would answer differently).
set -eu

AWS=/usr/bin/aws

if [ -x "$AWS" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-awscli: $AWS is missing; installing the awscli package with apt-get (for the AWS CLI test)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if { apt-get update -qq && apt-get install -y -qq --no-install-recommends awscli; } >"$log" 2>&1 && [ -x "$AWS" ]; then
    rm -f "$log"
    echo "ensure-awscli: installed $AWS ($("$AWS" --version 2>&1))" >&2
    exit 0
  fi
  cat "$log" >&2
  rm -f "$log"
  echo "ensure-awscli: apt-get could not install awscli; install it by hand (apt-get install awscli) and run the tests again." >&2
  exit 1
fi

cat >&2 <<MSG
ensure-awscli: the AWS CLI test needs Debian's AWS CLI at $AWS, and it is not there.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install awscli
(This script installs it by itself only when run as root on a system with apt-get.)
MSG
exit 1
