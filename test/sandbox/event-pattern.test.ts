import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPatternError } from '../../sandbox/services/events/pattern.ts';

const alarmEvent = {
  version: '0',
  id: 'e1',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: '2026-01-05T09:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-UnhealthyHosts'],
  detail: {
    alarmName: 'checkout-UnhealthyHosts',
    state: { value: 'ALARM', reason: 'Threshold Crossed' },
    previousState: { value: 'OK' },
    configuration: { metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/ApplicationELB' } } }] },
    count: 3,
    tags: ['prod', 'checkout'],
    ip: '10.0.1.17',
    nothing: null,
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 5 },
    ],
  },
};

const matches = (pattern: Record<string, unknown>, event: unknown = alarmEvent) =>
  compilePattern(pattern).matches(event);
const detail = (d: Record<string, unknown>) => matches({ detail: d });

describe('event patterns: matching', () => {
  it('matches exact values at the top level and in nested fields', () => {
    expect(matches({ source: ['aws.cloudwatch'] })).toBe(true);
    expect(matches({ source: ['aws.fis', 'aws.cloudwatch'] })).toBe(true);
    expect(matches({ source: ['aws.fis'] })).toBe(false);
    expect(matches({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] })).toBe(
      true,
    );
    expect(matches({ source: ['aws.cloudwatch'], 'detail-type': ['FIS Experiment State Change'] })).toBe(
      false,
    );
    expect(detail({ state: { value: ['ALARM'] } })).toBe(true);
    expect(detail({ state: { value: ['OK'] } })).toBe(false);
    expect(detail({ count: [3] })).toBe(true);
    expect(detail({ count: ['3'] })).toBe(false);
    expect(detail({ nothing: [null] })).toBe(true);
  });

  it('matches an array in the event when any element matches', () => {
    expect(detail({ tags: ['checkout'] })).toBe(true);
    expect(detail({ tags: ['staging'] })).toBe(false);
    expect(matches({ resources: [{ suffix: ':alarm:checkout-UnhealthyHosts' }] })).toBe(true);
  });

  it('applies a nested pattern to one element of an array of objects at a time', () => {
    expect(detail({ items: { sku: ['b'], qty: [5] } })).toBe(true);
    expect(detail({ items: { sku: ['a'], qty: [5] } })).toBe(false);
    expect(
      detail({
        configuration: { metrics: { metricStat: { metric: { namespace: ['AWS/ApplicationELB'] } } } },
      }),
    ).toBe(true);
  });

  it('prefix and suffix, also ignoring case', () => {
    expect(detail({ alarmName: [{ prefix: 'checkout-' }] })).toBe(true);
    expect(detail({ alarmName: [{ prefix: 'CHECKOUT-' }] })).toBe(false);
    expect(detail({ alarmName: [{ prefix: { 'equals-ignore-case': 'CHECKOUT-' } }] })).toBe(true);
    expect(detail({ alarmName: [{ suffix: 'Hosts' }] })).toBe(true);
    expect(detail({ alarmName: [{ suffix: { 'equals-ignore-case': 'HOSTS' } }] })).toBe(true);
    expect(detail({ count: [{ prefix: '3' }] })).toBe(false);
  });

  it('anything-but values, lists, prefix, suffix', () => {
    expect(detail({ state: { value: [{ 'anything-but': 'OK' }] } })).toBe(true);
    expect(detail({ state: { value: [{ 'anything-but': ['OK', 'ALARM'] }] } })).toBe(false);
    expect(detail({ state: { value: [{ 'anything-but': { prefix: 'AL' } }] } })).toBe(false);
    expect(detail({ state: { value: [{ 'anything-but': { suffix: 'K' } }] } })).toBe(true);
    expect(detail({ state: { value: [{ 'anything-but': { 'equals-ignore-case': ['alarm'] } }] } })).toBe(
      false,
    );
    expect(detail({ count: [{ 'anything-but': [1, 2] }] })).toBe(true);
    expect(detail({ count: [{ 'anything-but': [3] }] })).toBe(false);
    // Any element of an array that is not excluded is enough.
    expect(detail({ tags: [{ 'anything-but': 'prod' }] })).toBe(true);
    // A field without a value is not "anything but".
    expect(detail({ missing: [{ 'anything-but': 'x' }] })).toBe(false);
  });

  it('numeric comparisons and ranges', () => {
    expect(detail({ count: [{ numeric: ['>', 2] }] })).toBe(true);
    expect(detail({ count: [{ numeric: ['>', 3] }] })).toBe(false);
    expect(detail({ count: [{ numeric: ['>=', 3, '<', 4] }] })).toBe(true);
    expect(detail({ count: [{ numeric: ['=', 3] }] })).toBe(true);
    expect(detail({ items: { qty: [{ numeric: ['>', 4] }] } })).toBe(true);
    expect(detail({ alarmName: [{ numeric: ['>', 0] }] })).toBe(false);
  });

  it('exists true and false; objects and empty arrays have no value', () => {
    expect(detail({ alarmName: [{ exists: true }] })).toBe(true);
    expect(detail({ missing: [{ exists: true }] })).toBe(false);
    expect(detail({ missing: [{ exists: false }] })).toBe(true);
    expect(detail({ alarmName: [{ exists: false }] })).toBe(false);
    expect(detail({ state: [{ exists: true }] })).toBe(false);
    expect(detail({ nothing: [{ exists: true }] })).toBe(true);
    expect(matches({ detail: { list: [{ exists: false }] } }, { detail: { list: [] } })).toBe(true);
    expect(matches({ detail: { deep: { er: [{ exists: false }] } } })).toBe(true);
  });

  it('equals-ignore-case, wildcard and cidr', () => {
    expect(detail({ state: { value: [{ 'equals-ignore-case': 'alarm' }] } })).toBe(true);
    expect(detail({ alarmName: [{ wildcard: 'checkout-*Hosts' }] })).toBe(true);
    expect(detail({ alarmName: [{ wildcard: '*-Unhealthy*' }] })).toBe(true);
    expect(detail({ alarmName: [{ wildcard: 'checkout' }] })).toBe(false);
    expect(matches({ detail: { n: [{ wildcard: 'a\\*b' }] } }, { detail: { n: 'a*b' } })).toBe(true);
    expect(matches({ detail: { n: [{ wildcard: 'a\\*b' }] } }, { detail: { n: 'axb' } })).toBe(false);
    expect(detail({ ip: [{ cidr: '10.0.0.0/16' }] })).toBe(true);
    expect(detail({ ip: [{ cidr: '10.1.0.0/16' }] })).toBe(false);
  });

  it('$or: any alternative, combined with the other fields', () => {
    const p = {
      source: ['aws.cloudwatch'],
      $or: [{ detail: { state: { value: ['OK'] } } }, { detail: { count: [{ numeric: ['>', 2] }] } }],
    };
    expect(matches(p)).toBe(true);
    expect(matches({ ...p, source: ['aws.fis'] })).toBe(false);
    expect(
      matches({
        $or: [{ detail: { state: { value: ['OK'] } } }, { detail: { count: [{ numeric: ['>', 5] }] } }],
      }),
    ).toBe(false);
    expect(detail({ $or: [{ alarmName: [{ prefix: 'x' }] }, { tags: ['prod'] }] })).toBe(true);
  });

  it('the matchers of one field are alternatives', () => {
    expect(detail({ missing: ['x', { exists: false }] })).toBe(true);
    expect(detail({ alarmName: [{ prefix: 'zzz' }, { suffix: 'Hosts' }] })).toBe(true);
  });
});

describe('event patterns: invalid ones are refused naming the problem', () => {
  const refused = (pattern: unknown) => {
    try {
      compilePattern(pattern as string);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidEventPatternError);
      return (e as Error).message;
    }
    throw new Error('the pattern was accepted');
  };

  it.each([
    ['not json', '{', /not JSON/],
    ['not an object', '[1]', /JSON object/],
    ['empty', '{}', /empty/],
    ['a scalar leaf', '{"source":"aws.ec2"}', /"source" must be an object or an array/],
    ['an empty array', '{"detail":{"state":[]}}', /"detail.state" is an empty array/],
    ['an unknown filter', '{"source":[{"startsWith":"a"}]}', /unknown filter "startsWith"/],
    ['two operators', '{"source":[{"prefix":"a","suffix":"b"}]}', /exactly one operator/],
    ['a bad numeric operator', '{"n":[{"numeric":["!=",1]}]}', /not one of/],
    ['a numeric non-number', '{"n":[{"numeric":[">","1"]}]}', /followed by a number/],
    ['an empty range', '{"n":[{"numeric":[">",5,"<",1]}]}', /range is empty/],
    ['two lower bounds', '{"n":[{"numeric":[">",1,">=",2]}]}', /lower and one upper/],
    ['exists not boolean', '{"n":[{"exists":"yes"}]}', /true or false/],
    ['mixed anything-but', '{"n":[{"anything-but":["a",1]}]}', /strings only or numbers only/],
    ['consecutive wildcards', '{"n":[{"wildcard":"a**"}]}', /consecutive wildcard/],
    ['a bad $or', '{"$or":[{"source":["a"]}]}', /at least two patterns/],
    ['an object match value', '{"n":[[1]]}', /match values/],
    ['a bad cidr', '{"n":[{"cidr":"10.0.0.0/33"}]}', /CIDR/],
  ])('%s', (_name, pattern, message) => {
    expect(refused(pattern)).toMatch(message);
  });
});

describe('event patterns: properties', () => {
  const scalar = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -50, max: 50 }),
    fc.boolean(),
    fc.constant(null),
  );

  it('an exact value matches an event holding it, alone or among others', () => {
    fc.assert(
      fc.property(scalar, fc.array(scalar, { maxLength: 4 }), (v, others) => {
        expect(matches({ detail: { f: [v] } }, { detail: { f: v } })).toBe(true);
        expect(matches({ detail: { f: [v] } }, { detail: { f: [...others, v] } })).toBe(true);
      }),
    );
  });

  it('anything-but on a single value is the negation of the value match', () => {
    const value = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 5 }));
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), value, (excluded, v) => {
        const event = { detail: { f: v } };
        expect(matches({ detail: { f: [{ 'anything-but': excluded }] } }, event)).toBe(
          !matches({ detail: { f: [excluded] } }, event),
        );
      }),
    );
  });

  it('prefix agrees with startsWith and suffix with endsWith', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 3 }), (s, affix) => {
        const event = { detail: { f: s } };
        expect(matches({ detail: { f: [{ prefix: affix }] } }, event)).toBe(s.startsWith(affix));
        expect(matches({ detail: { f: [{ suffix: affix }] } }, event)).toBe(s.endsWith(affix));
      }),
    );
  });

  it('a numeric range agrees with the comparison', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        (x, lo, width) => {
          const hi = lo + width;
          fc.pre(hi > lo);
          const m = matches({ detail: { n: [{ numeric: ['>=', lo, '<', hi] }] } }, { detail: { n: x } });
          expect(m).toBe(x >= lo && x < hi);
        },
      ),
    );
  });

  it('a wildcard without * is an exact match and a lone * matches every string', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 6 }).filter((s) => !/[*\\]/.test(s)),
        fc.string({ maxLength: 6 }),
        (w, s) => {
          expect(matches({ detail: { f: [{ wildcard: w }] } }, { detail: { f: s } })).toBe(s === w);
          expect(matches({ detail: { f: [{ wildcard: '*' }] } }, { detail: { f: s } })).toBe(true);
        },
      ),
    );
  });

  it('$or of two patterns matches exactly when one of them does', () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, (a, b, v) => {
        const event = { detail: { f: v } };
        const pa = { detail: { f: [a] } };
        const pb = { detail: { f: [b] } };
        expect(matches({ $or: [pa, pb] }, event)).toBe(matches(pa, event) || matches(pb, event));
      }),
    );
  });
});
