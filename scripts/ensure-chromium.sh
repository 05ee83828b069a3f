#!/bin/sh
# test/report/browser.test.ts opens the HTML report in Debian's Chromium (through playwright-core,
# which brings no browser of its own). Run by npm test's pretest.
exec sh "$(dirname "$0")/ensure-debian-package.sh" chromium /usr/bin/chromium 'the browser test'
