#!/bin/sh
# npm links the bins of a project's dependencies into node_modules/.bin, not the project's own.
# Runs as `prepare` (npm ci, npm install), so that node_modules/.bin/faultline exists on a fresh
# clone too: with node_modules/.bin on PATH, `faultline …` runs bin/faultline.
set -eu
mkdir -p node_modules/.bin
ln -sfn ../../bin/faultline node_modules/.bin/faultline
