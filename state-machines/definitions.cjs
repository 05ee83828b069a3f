// The ASL files in this folder are deployed as they are. Their Lambda Task resources are written
// as `${<Name>FunctionArn}`, where <Name> is the serverless.yml function key in PascalCase
// (`${OpenIncidentFunctionArn}` is the function `openIncident`). This module is the one place that
// maps those placeholders: serverless.yml loads the definitions through it (the placeholder becomes
// the function's Fn::GetAtt, which serverless-step-functions turns into its ARN), and the sandbox
// fills the same placeholders with the ARNs of the functions it runs in-process.
'use strict';

const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const PLACEHOLDER = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/;

/** `OpenIncident` → `openIncident`. */
function functionKey(pascal) {
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** Every state machine in this folder, by name (`gameday.asl.json` → `gameday`). */
function loadDefinitions() {
  const out = {};
  for (const file of readdirSync(__dirname)) {
    if (!file.endsWith('.asl.json')) continue;
    out[file.slice(0, -'.asl.json'.length)] = JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
  }
  return out;
}

/** Returns a copy of `definition` with each placeholder replaced by `resolve(functionKey)`. */
function substitute(definition, resolve) {
  const walk = (node) => {
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      const out = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v);
      return out;
    }
    if (typeof node === 'string') {
      const m = PLACEHOLDER.exec(node);
      if (m) return resolve(functionKey(m[1]));
    }
    return node;
  };
  return walk(definition);
}

/** The function keys a definition's Task states call. */
function referencedFunctions(definition) {
  const keys = new Set();
  substitute(definition, (key) => {
    keys.add(key);
    return key;
  });
  return [...keys];
}

/** For serverless.yml: `${file(./state-machines/definitions.cjs):forServerless.gameday}`. */
const forServerless = Object.fromEntries(
  Object.entries(loadDefinitions()).map(([name, def]) => [
    name,
    substitute(def, (key) => ({
      'Fn::GetAtt': [`${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`, 'Arn'],
    })),
  ]),
);

module.exports = { loadDefinitions, substitute, referencedFunctions, functionKey, forServerless };
