// The runbooks travel with the functions as the FAULTLINE_RUNBOOKS environment variable, made here
// from the YAML files at package time (serverless.yml: `${file(./runbooks/bundle.cjs):json}`), so
// the files stay the one source of truth. The functions validate them when they read them
// (src/remediation/bundled-runbooks.ts), and they are checked here with the same checks, so that
// a bad runbook (a rate-limit window of PT-10M, say) stops `serverless package` and the sandbox's
// deploy with its file, field and line, instead of failing every remediation once deployed. They
// are read by the project's own reader and checks (TypeScript, which the project's Node 24 loads
// with require), with its limits on size, depth and aliases.
'use strict';

const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { ExperimentFileError } = require('../src/experiments/errors.ts');
const { readSourceSync } = require('../src/experiments/source.ts');
const { bundledRunbooks } = require('../src/remediation/bundled-runbooks.ts');
const { parseRunbook } = require('../src/runbooks/parse.ts');

function bundle(dir = __dirname) {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const source = readSourceSync(`runbooks/${f}`, 'yaml', join(dir, f));
      // Each file with its lines; then the set as the functions will take it (names unique).
      parseRunbook(source);
      return { file: source.file, data: source.data };
    });
}

function json() {
  try {
    const text = JSON.stringify(bundle());
    bundledRunbooks(text);
    return text;
  } catch (e) {
    // The framework prints the stack of what a resolver throws; the message is all a user needs.
    if (e instanceof ExperimentFileError) e.stack = e.message;
    throw e;
  }
}

module.exports = { bundle, json: json() };
