// The runbooks travel with the functions as the FAULTLINE_RUNBOOKS environment variable, made here
// from the YAML files at package time (serverless.yml: `${file(./runbooks/bundle.cjs):json}`), so
// the files stay the one source of truth. Only parsed here: the functions validate them
// (src/remediation/bundled-runbooks.ts) with the same checks `faultline validate` runs.
'use strict';

const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

function bundle(dir = __dirname) {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ file: `runbooks/${f}`, data: parse(readFileSync(join(dir, f), 'utf8')) }));
}

module.exports = { bundle, json: JSON.stringify(bundle()) };
