#!/usr/bin/env node
// The faultline command. The CLI is TypeScript that Node runs directly (type stripping), which
// needs Node 24: the project pins it through the `node` package, so `npx faultline` and every
// npm script use node_modules/.bin/node. Say so plainly instead of failing on a `.ts` import.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `faultline needs Node.js 24 or newer, but this is ${process.version}.\n` +
      'Run it through the project (npx faultline …, or npm run faultline -- …), which uses the Node it pins, ' +
      'or install Node 24.',
  );
  process.exit(2);
}
// The sandbox runs the project's Lambda functions in this process, and their Powertools logger
// reads its level once, when it is loaded. What they do is on the incident's timeline and in the
// progress lines; their logs (an expected failure is logged as an error) would only interleave
// JSON with them. POWERTOOLS_LOG_LEVEL=INFO shows everything, as CloudWatch Logs would.
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
