import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGameDay } from '../../cli/actions/gameday.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { importTemplateFile } from '../../src/experiments/import-template.ts';

const DOCUMENT = 'arn:aws:ssm:us-east-1:123456789012:document/x';
const MISSING = `AutomationDefinitionNotFoundException: Document ${DOCUMENT} does not exist.`;

/** A library-style template whose only fault runs an SSM document the account does not have. */
const TEMPLATE = {
  description: 'Impair the SQS queues with a document that is not there',
  targets: {},
  actions: {
    impair: {
      actionId: 'aws:ssm:start-automation-execution',
      parameters: {
        maxDuration: 'PT1H',
        documentArn: DOCUMENT,
        documentParameters: '{"AutomationAssumeRole": "arn:aws:iam::123456789012:role/x"}',
      },
      targets: {},
    },
    hold: { actionId: 'aws:fis:wait', parameters: { duration: 'PT3M' }, targets: {}, startAfter: ['impair'] },
  },
  stopConditions: [{ source: 'none' }],
  roleArn: 'arn:aws:iam::123456789012:role/x',
};
const SIDE =
  'service: checkout\nobjectives:\n  rto: PT15M\nhypothesis:\n  alarms: [checkout-availability-critical]\n';

let stack: LocalStack | undefined;
let dir: string | undefined;
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a game day whose only fault fails as it starts, run in the sandbox', () => {
  it('injected nothing, and every output says so with FIS’s reason', async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-nothing-'));
    await writeFile(join(dir, 'sqs.json'), JSON.stringify(TEMPLATE));
    await writeFile(join(dir, 'sqs-side.yaml'), SIDE);
    const experiment = await importTemplateFile(join(dir, 'sqs.json'), join(dir, 'sqs-side.yaml'));
    stack = await startLocal({ seed: 1, start: DEFAULT_EPOCH, time: 'fast' });
    const lines: string[] = [];
    const summary = await runGameDay(
      experiment,
      { dryRun: false, out: dir, json: false, stage: 'dev' },
      stack,
      { out: (line) => lines.push(line), err: () => {} },
    );
    expect(summary.status).toBe('completed');
    const reason = `Action impair (aws:ssm:start-automation-execution) failed: ${MISSING}`;
    expect(lines).toContain(
      'Verdict: nothing injected · hypothesis UNTESTED · RTO 15m00s: not measured (nothing was injected) · fault stopped: yes',
    );
    expect(lines).toContain(`Experiment ${summary.experiment.id}: failed: ${reason}`);
    const json = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
    expect(json.verdict).toMatchObject({
      hypothesis: 'untested',
      injected: false,
      rto: { met: null },
      experiment: { finalStatus: 'failed', reason },
    });
    expect(json.impact).toBeNull();
    const md = await readFile(summary.reports!.markdown, 'utf8');
    expect(md).toContain(
      `injected nothing: the experiment failed before injecting anything. Experiment ${summary.experiment.id} ended failed at 09:00:03: ${reason} `,
    );
  });
});
