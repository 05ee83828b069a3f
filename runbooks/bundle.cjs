// The runbooks travel with the functions as the FAULTLINE_RUNBOOKS environment variable, made here
// from the YAML files at package time (serverless.yml: `${file(./runbooks/bundle.cjs):json}`), so
// the files stay the one source of truth. Only parsed here: the functions validate them
// (src/remediation/bundled-runbooks.ts) with the same checks `faultline validate` runs. They are
// read by the project's own reader (TypeScript, which the project's Node 24 loads with require),
// with its limits on size, depth and aliases: a hostile file is refused in one line, at once.
'use strict';

const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { ExperimentFileError } = require('../src/experiments/errors.ts');
const { readSourceSync } = require('../src/experiments/source.ts');

function bundle(dir = __dirname) {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({
      file: `runbooks/${f}`,
      data: readSourceSync(`runbooks/${f}`, 'yaml', join(dir, f)).data,
    }));
}

function json() {
  try {
    return JSON.stringify(bundle());
  } catch (e) {
    // The framework prints the stack of what a resolver throws; the message is all a user needs.
    if (e instanceof ExperimentFileError) e.stack = e.message;
    throw e;
  }
}

module.exports = { bundle, json: json() };
