import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { loadRunbookFile, loadRunbooks } from '../../src/runbooks/load.ts';
import { type Draft, scratch } from '../experiments/files.ts';

const RUNBOOKS = fileURLToPath(new URL('../../runbooks/', import.meta.url));

function validRunbook(): Draft {
  return {
    name: 'restart-instance',
    description: 'Restart the instance behind a status-check alarm.',
    match: { alarm: { name: 'checkout-status-*', dimensions: { InstanceId: 'i-*' } } },
    action: {
      automation: {
        document: 'AWS-RestartEC2Instance',
        parameters: { InstanceId: '{{alarm.dimensions.InstanceId}}' },
      },
    },
    verify: { within: 'PT10M', alarms: ['{{alarm.name}}'] },
    limits: { resource: '{{alarm.dimensions.InstanceId}}' },
  };
}

describe('loading runbooks', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  async function errorFor(change: ((r: Draft) => void) | string): Promise<ExperimentFileError> {
    let text: string;
    if (typeof change === 'string') text = change;
    else {
      const r = validRunbook();
      change(r);
      text = stringify(r);
    }
    const file = await files.write('rb.yaml', text);
    const err = await loadRunbookFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExperimentFileError);
    expect((err as Error).message.startsWith(`${file}: `)).toBe(true);
    return err as ExperimentFileError;
  }

  it('loads the four shipped runbooks, in file-name order', async () => {
    const runbooks = await loadRunbooks(RUNBOOKS);
    expect(runbooks.map((r) => r.name)).toEqual([
      'az-capacity',
      'lambda-throttling',
      'primary-region-failover',
      'unhealthy-hosts',
    ]);
    const failover = runbooks[2]!;
    expect(failover.approval).toEqual({ required: true, timeout: 'PT15M' });
    expect(failover.action.automation).toMatchObject({
      document: 'Faultline-RegionFailover',
      parameters: { GlobalClusterIdentifier: 'checkout-global', RecordName: 'checkout.example.com.' },
    });
    expect(runbooks.every((r) => r.dryRun === false)).toBe(true);
  });

  it('fills in safe defaults for approval and limits', async () => {
    const r = await loadRunbookFile(await files.write('ok.yaml', stringify(validRunbook())));
    expect(r.approval.required).toBe(false);
    expect(r.limits.cooldown).toBe('PT10M');
    expect(r.limits.breaker).toEqual({ failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' });
    expect(r.dryRun).toBe(false);
  });

  const cases: [string, (r: Draft) => void, string, string, number][] = [
    [
      'a misspelt field, with a suggestion',
      (r) => {
        r.verify.alarm = r.verify.alarms;
        delete r.verify.alarms;
      },
      'verify.alarm',
      'did you mean alarms?',
      15,
    ],
    [
      'an alarm match that would match every alarm',
      (r) => {
        r.match.alarm = {};
      },
      'match.alarm',
      'a runbook never matches every alarm',
      4,
    ],
    [
      'both kinds of match',
      (r) => {
        r.match.experiment = { status: ['failed'] };
      },
      'match',
      'exactly one of alarm or experiment',
      3,
    ],
    [
      'an unknown experiment status',
      (r) => {
        r.match = { experiment: { status: ['exploded'] } };
      },
      'match.experiment.status[0]',
      'must be one of pending',
      6,
    ],
    [
      'a malformed glob',
      (r) => {
        r.match.alarm.name = 'checkout-{a,b';
      },
      'match.alarm.name',
      'braces closed',
      5,
    ],
    [
      'a reference to nothing an event tells',
      (r) => {
        r.action.automation.parameters.InstanceId = '{{alarm.instance}}';
      },
      'action.automation.parameters.InstanceId',
      "'alarm.instance' is not something an event tells",
      12,
    ],
    [
      'an unclosed reference',
      (r) => {
        r.limits.resource = '{{alarm.name';
      },
      'limits.resource',
      "'{{' without its closing '}}'",
      18,
    ],
    [
      'a reference to the other kind of event',
      (r) => {
        r.verify.alarms = ['{{experiment.id}}'];
      },
      'verify.alarms[0]',
      'this runbook matches alarms, whose events have no experiment',
      16,
    ],
    [
      'two actions',
      (r) => {
        r.action.failover = { hostedZone: 'example.com.', record: 'a.example.com.', healthCheck: 'x' };
      },
      'action',
      'exactly one of automation or failover',
      8,
    ],
    [
      'nothing to verify',
      (r) => {
        r.verify.alarms = [];
      },
      'verify',
      'a remediation must be checked',
      13,
    ],
    [
      'a limit of zero',
      (r) => {
        r.limits.perRunbook = { max: 0, window: 'PT1H' };
      },
      'limits.perRunbook.max',
      'must be a whole number from 1 to 1000 (got 0)',
      20,
    ],
    [
      'a duration that is not ISO-8601',
      (r) => {
        r.limits.cooldown = '10 minutes';
      },
      'limits.cooldown',
      'ISO-8601 duration',
      19,
    ],
    [
      'a number as an SSM parameter value',
      (r) => {
        r.action.automation.parameters.Count = 2;
      },
      'action.automation.parameters.Count',
      "quote numbers and booleans, e.g. '2'",
      13,
    ],
  ];

  it.each(cases)('refuses %s, naming the field and its line', async (_, change, field, detail, line) => {
    const err = await errorFor(change);
    expect(err.field).toBe(field);
    expect(err.detail).toContain(detail);
    expect(err.line).toBe(line);
  });

  it('refuses an empty file and broken YAML with one error', async () => {
    expect((await errorFor('')).detail).toContain('a runbook needs at least name');
    expect((await errorFor('name: [oops')).message).toMatch(/not valid YAML/);
  });

  it('refuses two runbooks of the same name in one folder, naming the second file', async () => {
    const dir = await scratch();
    try {
      await dir.write('a.yaml', stringify(validRunbook()));
      const second = await dir.write('b.yaml', stringify(validRunbook()));
      const err = await loadRunbooks(dir.dir).catch((e: unknown) => e as ExperimentFileError);
      expect(err).toBeInstanceOf(ExperimentFileError);
      expect((err as ExperimentFileError).file).toBe(second);
      expect((err as ExperimentFileError).detail).toBe(
        `'restart-instance' is already the name of ${join(dir.dir, 'a.yaml')}`,
      );
    } finally {
      await dir.cleanup();
    }
  });
});
