import {
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  FisClient,
  GetExperimentTemplateCommand,
  ListExperimentTemplatesCommand,
  UpdateExperimentTemplateCommand,
} from '@aws-sdk/client-fis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { buildTemplate, compileTemplate, templateUpdate } from '../../src/experiments/compile.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { type ExperimentSpec, experimentSchema } from '../../src/experiments/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { type Draft, SHIPPED, shippedFile, validExperiment } from './files.ts';

const CTX = {
  region: 'us-east-1',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/faultline-fis',
};

const spec = (raw: unknown): ExperimentSpec => experimentSchema.parse(raw);

/** The same value with the keys of every map in another order (arrays keep theirs). */
function reorderKeys(value: unknown, next: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, next));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, reorderKeys(v, next)]));
}

describe('compiling an experiment into a FIS template', () => {
  it('gives CreateExperimentTemplate input with targets, actions, alarm ARNs, options and tags', async () => {
    const az = await loadExperimentFile(shippedFile('az-outage'));
    const t = compileTemplate(az, CTX);
    expect(t.roleArn).toBe(CTX.roleArn);
    expect(t.description).toBe(az.description);
    expect(t.stopConditions).toEqual([
      {
        source: 'aws:cloudwatch:alarm',
        value: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-availability-critical',
      },
    ]);
    expect(t.targets!['az-instances']).toEqual({
      resourceType: 'aws:ec2:instance',
      resourceTags: { ChaosReady: 'true', Service: 'checkout' },
      filters: [
        { path: 'Placement.AvailabilityZone', values: ['us-east-1a'] },
        { path: 'State.Name', values: ['running'] },
      ],
      selectionMode: 'ALL',
    });
    expect(t.actions!['power-off-instances']).toEqual({
      actionId: 'aws:ec2:stop-instances',
      description: 'The AZ loses power; instances come back when it returns.',
      parameters: { completeIfInstancesTerminated: 'true', startInstancesAfterDuration: 'PT10M' },
      targets: { Instances: 'az-instances' },
    });
    expect(t.experimentOptions).toEqual({
      accountTargeting: 'single-account',
      emptyTargetResolutionMode: 'fail',
    });
    const digest = t.tags!['faultline:digest']!;
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(t.tags).toEqual({
      'faultline:digest': digest,
      'faultline:experiment': 'az-outage',
      'faultline:service': 'checkout',
    });
    expect(t.clientToken).toBe(`faultline-az-outage-${digest}`);
  });

  it('writes the alarms in the partition of the role', () => {
    const t = compileTemplate(spec(validExperiment()), {
      region: 'cn-north-1',
      accountId: '123456789012',
      roleArn: 'arn:aws-cn:iam::123456789012:role/fis',
    });
    expect(t.stopConditions![0]!.value).toBe(
      'arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:checkout-availability-critical',
    );
  });

  it('gives the same bytes for the same file, every time', async () => {
    for (const name of SHIPPED) {
      const once = JSON.stringify(compileTemplate(await loadExperimentFile(shippedFile(name)), CTX));
      const twice = JSON.stringify(compileTemplate(await loadExperimentFile(shippedFile(name)), CTX));
      expect(twice).toBe(once);
    }
  });

  it('changes the digest and the client token when the experiment changes, and only then', () => {
    const base = validExperiment();
    const a = compileTemplate(spec(base), CTX);
    const again = compileTemplate(spec(validExperiment()), CTX);
    expect(again.tags!['faultline:digest']).toBe(a.tags!['faultline:digest']);
    const changes: ((e: Draft) => void)[] = [
      (e) => {
        e.fault.targets.web.select = 'COUNT(2)';
      },
      (e) => {
        e.description = 'Terminate one instance, again.';
      },
      (e) => {
        e.stopConditions = ['checkout-5xx-rate'];
      },
      (e) => {
        e.tags = { team: 'sre' };
      },
    ];
    for (const change of changes) {
      const e = validExperiment();
      change(e);
      const b = compileTemplate(spec(e), CTX);
      expect(b.tags!['faultline:digest']).not.toBe(a.tags!['faultline:digest']);
      expect(b.clientToken).not.toBe(a.clientToken);
    }
    // Another role is another template content too.
    const otherRole = compileTemplate(spec(base), {
      ...CTX,
      roleArn: 'arn:aws:iam::123456789012:role/other',
    });
    expect(otherRole.tags!['faultline:digest']).not.toBe(a.tags!['faultline:digest']);
  });

  it('keeps what FIS treats as sets in one order', () => {
    const e = validExperiment();
    e.stopConditions = ['b-alarm', 'a-alarm'];
    e.fault.targets.web.filters = { 'State.Name': ['stopped', 'running'] };
    const f = validExperiment();
    f.stopConditions = ['a-alarm', 'b-alarm'];
    f.fault.targets.web.filters = { 'State.Name': ['running', 'stopped'] };
    expect(JSON.stringify(compileTemplate(spec(e), CTX))).toBe(JSON.stringify(compileTemplate(spec(f), CTX)));
  });

  it('refuses to compile with a role that is not one, naming it', () => {
    const err = (() => {
      try {
        compileTemplate(spec(validExperiment()), { ...CTX, roleArn: 'arn:aws:iam::123456789012:user/me' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ExperimentFileError);
    expect((err as Error).message).toBe(
      "experiment kill-one: 'roleArn' must be the ARN of an IAM role (got 'arn:aws:iam::123456789012:user/me')",
    );
  });

  it('refuses to compile an experiment FIS would refuse, naming the experiment field', () => {
    const e = validExperiment();
    e.fault.actions.kill.action = 'aws:ec2:explode';
    expect(() => compileTemplate(spec(e), CTX)).toThrow(
      /^experiment kill-one: fault\.actions\.kill\.action: aws:ec2:explode is not a FIS action/,
    );
  });

  const targetArb = fc.record(
    {
      type: fc.constantFrom('aws:ec2:instance', 'aws:ec2:subnet', 'aws:rds:cluster'),
      tags: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), {
        minKeys: 1,
        maxKeys: 4,
      }),
      filters: fc.dictionary(
        fc.constantFrom('State.Name', 'Placement.AvailabilityZone', 'SubnetId', 'VpcId'),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 5 }),
          fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
        ),
        { maxKeys: 3 },
      ),
      select: fc.constantFrom('ALL', 'COUNT(1)', 'PERCENT(25)'),
      parameters: fc.dictionary(
        fc.constantFrom('vpc', 'availabilityZoneIdentifier'),
        fc.string({ maxLength: 5 }),
        {
          maxKeys: 2,
        },
      ),
    },
    { requiredKeys: ['type', 'tags', 'select'] },
  );
  const nameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const specArb = fc
    .record({
      targets: fc.dictionary(nameArb, targetArb, { minKeys: 1, maxKeys: 4 }),
      actionNames: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 4 }),
      tags: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
      stopConditions: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 3 }),
      emptyTargets: fc.constantFrom('fail', 'skip'),
    })
    .chain(({ targets, actionNames, tags, stopConditions, emptyTargets }) => {
      const targetNames = Object.keys(targets);
      const action = fc.record(
        {
          action: fc.constantFrom('aws:ec2:stop-instances', 'aws:ec2:terminate-instances', 'aws:fis:wait'),
          description: fc.string({ maxLength: 10 }),
          targets: fc.dictionary(fc.constantFrom('Instances', 'Subnets'), fc.constantFrom(...targetNames), {
            maxKeys: 2,
          }),
          parameters: fc.dictionary(
            fc.constantFrom('duration', 'scope', 'startInstancesAfterDuration'),
            fc.constantFrom('PT5M', 'all'),
            {
              maxKeys: 3,
            },
          ),
          startAfter: fc.subarray(actionNames),
        },
        { requiredKeys: ['action'] },
      );
      return fc.tuple(...actionNames.map(() => action)).map((actions) => ({
        ...validExperiment(),
        tags,
        stopConditions,
        fault: {
          targets,
          actions: Object.fromEntries(actionNames.map((n, i) => [n, actions[i]])),
          emptyTargets,
        },
      }));
    });

  it('gives the same template whatever order the maps of the file are written in', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (raw, numbers) => {
        let i = 0;
        const next = () => numbers[i++ % numbers.length]!;
        const a = JSON.stringify(buildTemplate(spec(raw), CTX));
        const b = JSON.stringify(buildTemplate(spec(reorderKeys(raw, next)), CTX));
        expect(b).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('compiles the shipped experiments the same whatever order their maps are in', async () => {
    for (const name of SHIPPED) {
      const loaded = await loadExperimentFile(shippedFile(name));
      const want = JSON.stringify(compileTemplate(loaded, CTX));
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (numbers) => {
          let i = 0;
          const next = () => numbers[i++ % numbers.length]!;
          expect(JSON.stringify(compileTemplate(spec(reorderKeys(loaded, next)), CTX))).toBe(want);
        }),
        { numRuns: 50 },
      );
    }
  });
});

describe('updating an existing template', () => {
  const compiled = () => compileTemplate(spec(validExperiment()), CTX);

  /** How GetExperimentTemplate shows a template: every member present, empty ones as {} or []. */
  function asFisShowsIt(t: CreateExperimentTemplateCommandInput) {
    return {
      id: 'EXT123',
      description: t.description,
      roleArn: t.roleArn,
      stopConditions: [...t.stopConditions!].reverse(),
      targets: Object.fromEntries(
        Object.entries(t.targets!).map(([k, v]) => [k, { parameters: {}, filters: [], ...v }]),
      ),
      actions: Object.fromEntries(
        Object.entries(t.actions!).map(([k, v]) => [k, { parameters: {}, startAfter: [], ...v }]),
      ),
      experimentOptions: {
        accountTargeting: 'single-account' as const,
        emptyTargetResolutionMode: 'fail' as const,
      },
      tags: t.tags,
    };
  }

  it('sends nothing when the template already says the same', () => {
    expect(templateUpdate(asFisShowsIt(compiled()), compiled())).toBeUndefined();
  });

  it('sends every member when something changed', () => {
    const existing = asFisShowsIt(compiled());
    existing.targets.web!.selectionMode = 'ALL';
    const update = templateUpdate(existing, compiled());
    expect(update).toEqual({
      id: 'EXT123',
      description: compiled().description,
      targets: compiled().targets,
      actions: compiled().actions,
      stopConditions: compiled().stopConditions,
      roleArn: CTX.roleArn,
      experimentOptions: { emptyTargetResolutionMode: 'fail' },
    });
  });
});

describe('the compiled shipped experiments, in the sandbox FIS', () => {
  let sb: Sandbox;
  let fis: FisClient;
  let ctx: typeof CTX;
  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    fis = new FisClient(started.config);
    ctx = {
      region: sb.world.region,
      accountId: sb.world.accountId,
      roleArn: `arn:aws:iam::${sb.world.accountId}:role/faultline-fis`,
    };
  });
  afterAll(async () => {
    await sb.close();
  });

  it.each(SHIPPED)(
    '%s is accepted, once however often it is created, and reads back unchanged',
    async (name) => {
      const input = compileTemplate(await loadExperimentFile(shippedFile(name)), ctx);
      const created = await fis.send(new CreateExperimentTemplateCommand(input));
      const retried = await fis.send(new CreateExperimentTemplateCommand(input));
      expect(retried.experimentTemplate!.id).toBe(created.experimentTemplate!.id);
      const all = await fis.send(new ListExperimentTemplatesCommand({}));
      expect(all.experimentTemplates!.filter((t) => t.tags?.['faultline:experiment'] === name)).toHaveLength(
        1,
      );

      const got = (await fis.send(new GetExperimentTemplateCommand({ id: created.experimentTemplate!.id! })))
        .experimentTemplate!;
      expect(got.tags).toEqual(input.tags);
      expect(templateUpdate(got, input)).toBeUndefined();
    },
  );

  it('brings a template in line with a changed file through UpdateExperimentTemplate', async () => {
    const loaded = await loadExperimentFile(shippedFile('instance-kill'));
    const before = compileTemplate(loaded, ctx);
    const id = (await fis.send(new CreateExperimentTemplateCommand(before))).experimentTemplate!.id!;
    const changed = spec({
      ...loaded,
      fault: {
        ...loaded.fault,
        targets: { 'two-instances': { ...loaded.fault.targets['one-instance']!, select: 'COUNT(2)' } },
        actions: {
          'terminate-instances': {
            action: 'aws:ec2:terminate-instances',
            targets: { Instances: 'two-instances' },
          },
        },
      },
    });
    const after = compileTemplate(changed, ctx);
    const existing = (await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!;
    const update = templateUpdate(existing, after);
    expect(update).toBeDefined();
    await fis.send(new UpdateExperimentTemplateCommand(update!));
    const updated = (await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!;
    expect(Object.keys(updated.targets!)).toEqual(['two-instances']);
    expect(Object.keys(updated.actions!)).toEqual(['terminate-instances']);
    expect(templateUpdate(updated, after)).toBeUndefined();
  });
});
