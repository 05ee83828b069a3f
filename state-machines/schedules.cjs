// Game-day schedules, declared once: each experiment file with a `schedule` gives the game-day state
// machine one schedule event (an EventBridge rule starting it with that experiment), so adding the
// line to the file is all a user does. serverless.yml loads them with
// `events: ${file(./state-machines/schedules.cjs):gameday}`, and the sandbox, which deploys the
// same resolved file, fires them on its virtual clock.
//
// The files are read and checked by the project's own experiment loader (schedule included)
// (TypeScript, which the project's Node 24 loads with require), so a bad file stops
// `serverless package` with the message `faultline validate` gives for it, before anything deploys.
'use strict';

const { createHash } = require('node:crypto');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { ExperimentFileError } = require('../src/experiments/errors.ts');
const { parseExperiment } = require('../src/experiments/load.ts');
const { readSourceSync } = require('../src/experiments/source.ts');

const PROJECT_DIR = join(__dirname, '..');
const EXPERIMENTS_DIR = 'experiments';
/** EventBridge's limits on a rule's name and on a target's constant input. */
const MAX_RULE_NAME = 64;
const MAX_INPUT = 8192;

/** `<service>-<stage>-<experiment>`: one rule per experiment and stage; shortened with a hash past 64 characters. */
function ruleName(service, stage, experiment) {
  const name = `${service}-${stage}-${experiment}`;
  if (name.length <= MAX_RULE_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_RULE_NAME - hash.length - 1)}-${hash}`;
}

/**
 * The input text as serverless-step-functions must be given it. The plugin splices the text into a
 * JSON template escaping only its double quotes, so every other backslash is read once more (a
 * quote or a newline in a description would break the template); doubled here, each survives that
 * read. It is the flaw of the framework's own schedule events, serverless/serverless#3069.
 */
function forPlugin(json) {
  return json.replace(/\\/g, '\\\\');
}

/**
 * The schedule events of the experiment files in `projectDir`/experiments, in file-name order. The
 * input is the file's content as written (the handlers apply the defaults when they parse it) and
 * `requestedBy: 'schedule'`; the run's gamedayId is its execution name (gameday.asl.json).
 */
function scheduleEvents(projectDir, names) {
  let files;
  try {
    files = readdirSync(join(projectDir, EXPERIMENTS_DIR)).filter((f) => f.endsWith('.yaml'));
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  const events = [];
  for (const f of files.sort()) {
    const file = `${EXPERIMENTS_DIR}/${f}`;
    const source = readSourceSync(file, 'yaml', join(projectDir, file));
    const written = source.data;
    if (!written || typeof written !== 'object' || !('schedule' in written)) continue;
    // Checks the schedule too, as EventBridge would (src/experiments/rules.ts).
    const experiment = parseExperiment(source);
    const input = JSON.stringify({ experiment: written, requestedBy: 'schedule' });
    if (input.length > MAX_INPUT) {
      throw new ExperimentFileError(
        file,
        `too large to schedule: EventBridge passes at most ${MAX_INPUT} characters of input, and this experiment is ${input.length}`,
      );
    }
    events.push({
      schedule: {
        name: ruleName(names.service, names.stage, experiment.name),
        description: `faultline game day: ${experiment.name}`,
        rate: experiment.schedule,
        enabled: true,
        input: forPlugin(input),
      },
    });
  }
  return events;
}

/** For serverless.yml: `${file(./state-machines/schedules.cjs):gameday}`. */
async function gameday({ resolveVariable }) {
  const names = { service: await resolveVariable('self:service'), stage: await resolveVariable('sls:stage') };
  try {
    return scheduleEvents(PROJECT_DIR, names);
  } catch (e) {
    // The framework prints the stack of what a resolver throws; the message is all a user needs.
    if (e instanceof ExperimentFileError) e.stack = e.message;
    throw e;
  }
}

module.exports = { gameday, scheduleEvents, ruleName };
