#!/usr/bin/env node
// The faultline command. The CLI is TypeScript that Node runs directly (type stripping), which
// needs Node 24: the project pins it through the `node` package, so bin/faultline, `npx faultline`
// and every npm script use node_modules/.bin/node. Say so plainly instead of failing on a `.ts` import.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `faultline needs Node.js 24 or newer, but this is ${process.version}.\n` +
      'Run it through the project (bin/faultline …, npx faultline …, or npm run faultline -- …), which uses the Node it pins ' +
      '(npm ci installs it), or install Node 24.',
  );
  process.exit(2);
}
// Node keeps what it compiled (the TypeScript with its types stripped, and V8's code for it) in
// this folder, keyed by each file's content: a changed file is compiled afresh, the others are
// not compiled again. Without it every run strips a few hundred files before printing a line.
// NODE_COMPILE_CACHE, when set, chooses the folder instead; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache(
  process.env.NODE_COMPILE_CACHE
    ? undefined
    : fileURLToPath(new URL('../node_modules/.cache/faultline/compile', import.meta.url)),
);
// The sandbox runs the project's Lambda functions in this process, and their Powertools logger
// reads its level once, when it is loaded. What they do is on the incident's timeline and in the
// progress lines; their logs (an expected failure is logged as an error) would only interleave
// JSON with them. POWERTOOLS_LOG_LEVEL=INFO shows everything, as CloudWatch Logs would.
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
