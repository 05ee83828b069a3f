import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseWorld } from '../../sandbox/world/schema.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { importTemplate } from '../../src/experiments/import-template.ts';
import { parseExperiment } from '../../src/experiments/load.ts';
import { plainSource } from '../../src/experiments/source-document.ts';
import { bundledRunbooks } from '../../src/remediation/bundled-runbooks.ts';
import { guardLimits } from '../../src/remediation/guard.ts';
import { loadRunbookFile } from '../../src/runbooks/load.ts';
import { parseRunbook } from '../../src/runbooks/parse.ts';
import { parseIsoDuration } from '../../src/time/duration.ts';
import { type Draft, scratch, validExperiment } from './files.ts';

// Every duration, count and percentage a person writes has a sign and a range: a limit given a
// negative, zero or absurd value is a limit switched off (issue 12: a rate-limit window of PT-10M
// let 50 SSM automations through a 1,000-event storm where PT1H allows 4).

/** runbooks/bundle.cjs, which makes FAULTLINE_RUNBOOKS at package time. */
const runbookBundle = createRequire(import.meta.url)('../../runbooks/bundle.cjs') as {
  bundle(dir?: string): unknown[];
};

const MS = { S: 1_000, M: 60_000, H: 3_600_000, D: 86_400_000 } as const;
type Unit = keyof typeof MS;

/** A duration as a person might write one, and what it is worth (undefined: not a duration). */
interface Written {
  text: string;
  ms: number | undefined;
}

const amount = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1_000_000 }));
const unit = fc.constantFrom<Unit>('S', 'M', 'H', 'D');
const durationText = (n: number | string, u: Unit) => (u === 'D' ? `P${n}D` : `PT${n}${u}`);

/** Well-formed durations (any size, zero included), and the signed and padded ones that are not. */
const writtenDuration: fc.Arbitrary<Written> = fc.oneof(
  fc.tuple(amount, unit).map(([n, u]) => ({ text: durationText(n, u), ms: n * MS[u] })),
  fc.tuple(amount, unit).map(([n, u]) => ({ text: `-${durationText(n, u)}`, ms: undefined })),
  fc.tuple(amount, unit).map(([n, u]) => ({ text: durationText(`-${n}`, u), ms: undefined })),
  fc.tuple(amount, unit).map(([n, u]) => ({ text: `x ${durationText(n, u)}`, ms: undefined })),
  fc.constantFrom<Written>(
    { text: 'PT1H-50M', ms: undefined },
    { text: 'PT99999999999999999999H', ms: undefined },
    { text: 'PT0.0001S', ms: undefined },
    { text: 'P1DT', ms: undefined },
    { text: 'PT1.5H30M', ms: undefined },
    { text: 'P1Y', ms: undefined },
  ),
);

interface DurationField {
  path: (string | number)[];
  min: string;
  max: string;
}

const EXPERIMENT_DURATIONS: DurationField[] = [
  { path: ['objectives', 'rto'], min: 'PT1M', max: 'P1D' },
  { path: ['objectives', 'rpo'], min: 'PT0S', max: 'P1D' },
  { path: ['objectives', 'sloWindow'], min: 'P1D', max: 'P365D' },
  { path: ['guardrails', 'maxDuration'], min: 'PT1M', max: 'PT12H' },
];

const RUNBOOK_DURATIONS: DurationField[] = [
  { path: ['approval', 'timeout'], min: 'PT1M', max: 'P1D' },
  { path: ['verify', 'within'], min: 'PT1M', max: 'PT12H' },
  { path: ['limits', 'cooldown'], min: 'PT1M', max: 'P1D' },
  { path: ['limits', 'perResource', 'window'], min: 'PT1M', max: 'P1D' },
  { path: ['limits', 'perRunbook', 'window'], min: 'PT1M', max: 'P1D' },
  { path: ['limits', 'breaker', 'window'], min: 'PT1M', max: 'P1D' },
  { path: ['limits', 'breaker', 'halfOpenAfter'], min: 'PT1M', max: 'P1D' },
];

interface NumberField {
  path: (string | number)[];
  accepts: (n: number) => boolean;
  message: string;
}

const EXPERIMENT_NUMBERS: NumberField[] = [
  {
    path: ['guardrails', 'maxBlastRadiusPercent'],
    accepts: (n) => n > 0 && n <= 100,
    message: 'must be a percentage more than 0 and at most 100',
  },
  {
    path: ['objectives', 'availabilitySlo'],
    accepts: (n) => n > 0 && n < 100,
    message: 'must be a percentage more than 0 and less than 100',
  },
  {
    path: ['guardrails', 'abortWhen', 0, 'forMinutes'],
    accepts: (n) => Number.isInteger(n) && n >= 1 && n <= 60,
    message: 'must be a whole number from 1 to 60',
  },
];

const RUNBOOK_NUMBERS: NumberField[] = [
  {
    path: ['limits', 'perResource', 'max'],
    accepts: wholeFrom(1, 1000),
    message: 'must be a whole number from 1 to 1000',
  },
  {
    path: ['limits', 'perRunbook', 'max'],
    accepts: wholeFrom(1, 1000),
    message: 'must be a whole number from 1 to 1000',
  },
  {
    path: ['limits', 'breaker', 'failures'],
    accepts: wholeFrom(1, 100),
    message: 'must be a whole number from 1 to 100',
  },
];

function wholeFrom(min: number, max: number) {
  return (n: number) => Number.isInteger(n) && n >= min && n <= max;
}

const anyNumber = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 0.5, 1, 60, 61, 100, 100.5, 1000, 1001, -1, 1e300),
);

function validRunbook(): Draft {
  return {
    name: 'restart-instance',
    description: 'Restart the instance behind a status-check alarm.',
    match: { alarm: { name: 'checkout-status-*' } },
    action: { automation: { document: 'AWS-RestartEC2Instance', parameters: { InstanceId: 'i-1' } } },
    verify: { within: 'PT10M', alarms: ['{{alarm.name}}'] },
    approval: { required: false, timeout: 'PT15M' },
    limits: {
      cooldown: 'PT10M',
      perResource: { max: 3, window: 'PT1H' },
      perRunbook: { max: 10, window: 'PT1H' },
      breaker: { failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' },
    },
  };
}

/** The draft with `value` written at `path`, the maps on the way made as needed. */
function withValue(draft: Draft, path: (string | number)[], value: unknown): Draft {
  let at: Draft = draft;
  path.slice(0, -1).forEach((key, i) => {
    if (at[key] === undefined) at[key] = typeof path[i + 1] === 'number' ? [] : {};
    at = at[key];
  });
  at[path.at(-1)!] = value;
  return draft;
}

/** An abort bound to hang forMinutes on. */
function withAbortBound(draft: Draft): Draft {
  draft.guardrails = { abortWhen: [{ namespace: 'AWS/EC2', metric: 'CPUUtilization', above: 90 }] };
  return draft;
}

function refusal(parse: () => unknown): ExperimentFileError | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    if (!(e instanceof ExperimentFileError)) throw e;
    return e;
  }
}

const fieldName = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');

const inRange = (w: Written, f: DurationField) =>
  w.ms !== undefined && w.ms >= parseIsoDuration(f.min)! && w.ms <= parseIsoDuration(f.max)!;

const experiment = (d: Draft) => () => parseExperiment(plainSource('e.yaml', d));
const runbook = (d: Draft) => () => parseRunbook(plainSource('r.yaml', d));

describe('durations', () => {
  it('are read as ISO 8601 with no sign, no padding and no fraction of a millisecond', () => {
    fc.assert(
      fc.property(writtenDuration, (w) => {
        expect(parseIsoDuration(w.text)).toBe(w.ms);
      }),
    );
    expect(parseIsoDuration('PT1H30M')).toBe(90 * MS.M);
    expect(parseIsoDuration('PT1.5M')).toBe(90 * MS.S);
    expect(parseIsoDuration('P1DT1H')).toBe(25 * MS.H);
  });

  const fields = [
    ...EXPERIMENT_DURATIONS.map((f) => ({
      ...f,
      kind: 'experiment',
      load: experiment,
      base: validExperiment,
    })),
    ...RUNBOOK_DURATIONS.map((f) => ({ ...f, kind: 'runbook', load: runbook, base: validRunbook })),
  ];

  it.each(fields)('$kind $path: only from $min to $max', (f) => {
    fc.assert(
      fc.property(writtenDuration, (w) => {
        const err = refusal(f.load(withValue(f.base(), f.path, w.text)));
        if (inRange(w, f)) {
          expect(err).toBeUndefined();
          return;
        }
        expect(err?.field).toBe(fieldName(f.path));
        expect(err?.detail).toMatch(
          new RegExp(`^must be an ISO-8601 duration from ${f.min} to ${f.max}(, such as PT10M)? \\(got '`),
        );
      }),
    );
  });

  it('in a side file are held to the same ranges as in an experiment file', () => {
    const template = {
      description: 'Stop one instance',
      targets: {
        web: {
          resourceType: 'aws:ec2:instance',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'COUNT(1)',
        },
      },
      actions: { stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'web' } } },
      stopConditions: [
        { source: 'aws:cloudwatch:alarm', value: 'arn:aws:cloudwatch:us-east-1:1:alarm:critical' },
      ],
    };
    const side = () => ({
      name: 'stop-one',
      service: 'checkout',
      objectives: { rto: 'PT10M' },
      hypothesis: { alarms: ['a'] },
    });
    expect(importTemplate(template, side()).guardrails.maxDuration).toBe('PT1H');
    for (const f of EXPERIMENT_DURATIONS) {
      fc.assert(
        fc.property(writtenDuration, (w) => {
          const err = refusal(() =>
            importTemplate(template, withValue(side(), f.path, w.text), { spec: 'side.yaml' }),
          );
          expect(err === undefined).toBe(inRange(w, f));
          if (err)
            expect(err.message).toMatch(
              new RegExp(`^side\\.yaml: ${fieldName(f.path)}: must be an ISO-8601 duration from`),
            );
        }),
        { numRuns: 30 },
      );
    }
  });

  it('in FIS action parameters refuse a sign, whatever their range', () => {
    for (const text of ['PT-10M', '-PT10M', 'PT1H-50M']) {
      const e = validExperiment();
      e.fault.actions.stop = {
        action: 'aws:ec2:stop-instances',
        targets: { Instances: 'web' },
        parameters: { startInstancesAfterDuration: text },
      };
      delete e.fault.actions.kill;
      const err = refusal(experiment(e));
      expect(err?.field).toBe('fault.actions.stop.parameters.startInstancesAfterDuration');
      expect(err?.detail).toContain(`(got '${text}')`);
    }
  });
});

describe('counts and percentages', () => {
  const fields = [
    ...EXPERIMENT_NUMBERS.map((f) => ({
      ...f,
      kind: 'experiment',
      load: experiment,
      base: () => withAbortBound(validExperiment()),
    })),
    ...RUNBOOK_NUMBERS.map((f) => ({ ...f, kind: 'runbook', load: runbook, base: validRunbook })),
  ];

  it.each(fields)('$kind $path: $message', (f) => {
    fc.assert(
      fc.property(anyNumber, (n) => {
        const err = refusal(f.load(withValue(f.base(), f.path, n)));
        if (f.accepts(n)) {
          expect(err).toBeUndefined();
          return;
        }
        expect(err?.field).toBe(fieldName(f.path));
        expect(err?.detail.startsWith(`${f.message} (got `)).toBe(true);
      }),
    );
  });

  it('refuses bounds no value can satisfy', () => {
    const e = validExperiment();
    e.hypothesis.metrics = [{ name: 'errors', namespace: 'N', metric: 'M', min: 5, max: 1 }];
    expect(refusal(experiment(e))?.detail).toMatch(/^min is larger than max/);
    const a = withAbortBound(validExperiment());
    a.guardrails.abortWhen[0].below = 95;
    expect(refusal(experiment(a))?.field).toBe('guardrails.abortWhen[0]');
  });
});

describe('a runbook whose rate-limit window is negative (the storm of issue 12)', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  const storm = () => withValue(validRunbook(), ['limits', 'perRunbook'], { max: 4, window: 'PT-10M' });

  it('is refused when its file is loaded, naming the field, the value, the range and the line', async () => {
    const file = await files.write('storm.yaml', stringify(storm()));
    const err = await loadRunbookFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExperimentFileError);
    const line =
      stringify(storm())
        .split('\n')
        .findIndex((l) => l.includes('window: PT-10M')) + 1;
    expect((err as Error).message).toBe(
      `${file}: limits.perRunbook.window: must be an ISO-8601 duration from PT1M to P1D (got 'PT-10M') (line ${line})`,
    );
  });

  it('stops the package (and the sandbox deploy) that would carry it to the functions', async () => {
    const dir = join(files.dir, 'runbooks');
    await mkdir(dir);
    const text = stringify(storm());
    await writeFile(join(dir, 'storm.yaml'), text);
    const line = text.split('\n').findIndex((l) => l.includes('window: PT-10M')) + 1;
    expect(() => runbookBundle.bundle(dir)).toThrow(
      `runbooks/storm.yaml: limits.perRunbook.window: must be an ISO-8601 duration from PT1M to P1D (got 'PT-10M') (line ${line})`,
    );
  });

  it('is refused by the deployed functions too, so no remediation runs with it', () => {
    const text = JSON.stringify([{ file: 'runbooks/storm.yaml', data: storm() }]);
    expect(() => bundledRunbooks(text)).toThrow(
      "runbooks/storm.yaml: limits.perRunbook.window: must be an ISO-8601 duration from PT1M to P1D (got 'PT-10M')",
    );
  });

  it('with PT1H instead loads, and its limit is the hour the guard counts over', () => {
    const ok = parseRunbook(
      plainSource('r.yaml', withValue(validRunbook(), ['limits', 'perRunbook'], { max: 4, window: 'PT1H' })),
    );
    expect(guardLimits(ok.limits).perRunbook).toEqual({ max: 4, windowMs: MS.H });
  });
});

describe('world files', () => {
  let checkout: Draft;
  beforeAll(async () => {
    checkout = parse(
      await readFile(fileURLToPath(new URL('../../sandbox/worlds/checkout.yaml', import.meta.url)), 'utf8'),
    );
  });

  const NUMBERS: NumberField[] = [
    {
      path: ['service', 'instancesPerAz'],
      accepts: wholeFrom(0, 50),
      message: 'must be a whole number from 0 to 50',
    },
    {
      path: ['service', 'capacityPerInstanceRps'],
      accepts: (n) => n > 0 && n <= 100_000,
      message: 'must be a number more than 0 and at most 100000',
    },
    {
      path: ['service', 'baselineRps'],
      accepts: (n) => n >= 0 && n <= 1_000_000,
      message: 'must be a number from 0 to 1000000',
    },
    {
      path: ['service', 'baselineErrorPercent'],
      accepts: (n) => n >= 0 && n <= 100,
      message: 'must be a percentage from 0 to 100',
    },
    {
      path: ['service', 'bootSeconds', 0],
      accepts: (n) => n >= 0 && n <= 5,
      message: 'must be a number from 0 to 3600',
    },
    {
      path: ['loadBalancer', 'healthCheck', 'intervalSeconds'],
      accepts: wholeFrom(5, 300),
      message: 'must be a whole number from 5 to 300',
    },
    {
      path: ['database', 'replicaLagSpikeMs'],
      accepts: (n) => n >= 0 && n <= 3_600_000,
      message: 'must be a number from 0 to 3600000',
    },
    {
      path: ['dns', 'ttl'],
      accepts: wholeFrom(0, 86_400),
      message: 'must be a whole number from 0 to 86400',
    },
  ];

  it.each(NUMBERS)('$path: $message', (f) => {
    fc.assert(
      fc.property(anyNumber, (n) => {
        const world = withValue(structuredClone(checkout), f.path, n);
        if (f.path[1] === 'bootSeconds') world.service.bootSeconds[1] = 5;
        let message: string | undefined;
        try {
          parseWorld(world, 'w.yaml');
        } catch (e) {
          message = (e as Error).message;
        }
        if (f.accepts(n)) {
          expect(message).toBeUndefined();
          return;
        }
        // The range check may be the second thing said (a boot range whose start passes its end).
        if (f.path[1] === 'bootSeconds' && n > 5 && n <= 3600) return;
        expect(message?.startsWith(`w.yaml: ${f.path.join('.')}: ${f.message} (got `)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("checks its alarms by CloudWatch's rules when the file is read", () => {
    const world = structuredClone(checkout);
    world.alarms[0].Period = -60;
    expect(() => parseWorld(world, 'w.yaml')).toThrow(/^w\.yaml: alarms\.0: .*period/i);
  });
});
