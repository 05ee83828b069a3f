import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { alarmsFromCloudWatch } from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { SHIPPED, shippedFile } from './files.ts';

describe('looking the alarms of an experiment up in CloudWatch', () => {
  let sb: Sandbox;
  let cloudwatch: CloudWatchClient;
  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    cloudwatch = new CloudWatchClient(started.config);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('finds the alarms that exist, a hundred names a call', async () => {
    const lookup = alarmsFromCloudWatch(cloudwatch, 'in the sandbox');
    const names = [
      ...Array.from({ length: 150 }, (_, i) => `nope-${i}`),
      'checkout-5xx-rate',
      'checkout-availability-critical',
    ];
    expect(await lookup.existing(names)).toEqual(
      new Set(['checkout-5xx-rate', 'checkout-availability-critical']),
    );
  });

  it.each(SHIPPED)('finds every alarm the shipped %s experiment names', async (name) => {
    await expect(
      loadExperimentFile(shippedFile(name), { alarms: alarmsFromCloudWatch(cloudwatch, 'in the sandbox') }),
    ).resolves.toMatchObject({ name });
  });

  it('refuses an experiment whose stop condition is not there', async () => {
    const lookup = alarmsFromCloudWatch(cloudwatch, 'in the sandbox');
    const missing = {
      where: lookup.where,
      existing: async (names: string[]) => {
        const found = await lookup.existing(names);
        found.delete('checkout-availability-critical');
        return found;
      },
    };
    const err = await loadExperimentFile(shippedFile('instance-kill'), { alarms: missing }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExperimentFileError);
    expect((err as ExperimentFileError).field).toBe('stopConditions[0]');
  });
});
