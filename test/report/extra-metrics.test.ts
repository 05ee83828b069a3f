import { readFileSync } from 'node:fs';
import type { CloudWatchClient, GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/experiments/load.ts';
import type { ExtraMetric } from '../../src/experiments/schema.ts';
import { parseYamlSource } from '../../src/experiments/source.ts';
import { readMinutes } from '../../src/observe/metric-query.ts';
import {
  describeSample,
  hasData,
  sampleAt,
  sampleMetricsOf,
  sampleQueries,
} from '../../src/observe/sample-metrics.ts';
import { analyse } from '../../src/report/analysis.ts';
import { chartSpecs } from '../../src/report/charts.ts';
import { reportJson } from '../../src/report/json.ts';
import { renderReport } from '../../src/report/render.ts';
import {
  AZ_OUTAGE_ATTRIBUTES,
  azOutageIncident,
  azOutageTimeline,
  CACHE,
  iso,
  NODES,
  TASKS,
  withExtraSamples,
} from './fixtures.ts';

const AZ_OUTAGE = readFileSync('experiments/az-outage.yaml', 'utf8');

/** az-outage.yaml with its `metrics:` block replaced. */
const withMetrics = (block: string) =>
  parseExperiment(
    parseYamlSource('x.yaml', AZ_OUTAGE.replace(/^metrics:\n(?: .*\n|\n)*?(?=\S)/m, `${block}\n`)),
  );

describe('extra metrics in an experiment file', () => {
  it('are read from az-outage.yaml, beside the default catalogue', () => {
    const spec = withMetrics('');
    expect(spec.metrics).toBeUndefined();
    const shipped = parseExperiment(parseYamlSource('az-outage.yaml', AZ_OUTAGE));
    const m = sampleMetricsOf(shipped);
    expect(m.extra?.map((x) => x.name)).toEqual(['cache-primary', 'payments-tasks']);
    // `extra` alone keeps the checkout catalogue.
    expect(m.requestCount).toEqual(sampleMetricsOf(spec).requestCount);
    expect(m.extra![0]!.series).toEqual({ dimension: 'CacheClusterId', values: NODES });
  });

  const extra = (item: string) =>
    `metrics:\n  extra:\n    - { name: x, title: X, unit: n, namespace: N, metric: M${item} }`;
  it.each([
    ['a missing title', extra('').replace('title: X, ', ''), 'metrics.extra[0].title'],
    [
      'a series dimension also fixed in dimensions',
      extra(', dimensions: { A: "1" }, series: { dimension: A, values: ["2"] }'),
      'metrics.extra[0].series.dimension: series.dimension is also in dimensions',
    ],
    [
      'more lines than a chart tells apart',
      extra(', series: { dimension: A, values: [a, b, c, d, e, f, g] }'),
      'metrics.extra[0].series.values: at most 6 lines on one chart',
    ],
    [
      'a name used twice',
      `${extra('')}\n    - { name: x, title: Y, unit: n, namespace: N, metric: M }`,
      'metrics.extra: names a metric twice',
    ],
    ['a bad statistic', extra(', statistic: Mean'), 'metrics.extra[0].statistic'],
  ])('refuses %s, naming the field', (_, block, expected) => {
    expect(() => withMetrics(block)).toThrow(expected);
  });
});

const UNSAMPLED: ExtraMetric = { ...TASKS, name: 'pending', title: 'Pending', metric: 'PendingTaskCount' };

describe('sampling extra metrics', () => {
  const m = { extra: [CACHE, TASKS] };

  it('asks for one query per line, in the one batch of the minute', () => {
    const q = sampleQueries(m);
    expect(Object.keys(q)).toEqual([...NODES.map((n) => `extra:cache-primary:${n}`), 'extra:payments-tasks']);
    expect(q['extra:cache-primary:checkout-sessions-002']!.dimensions).toEqual({
      CacheNodeId: '0001',
      CacheClusterId: 'checkout-sessions-002',
    });
  });

  it('reads a minute of az-outage’s sample, extra metrics included, in one GetMetricData call', async () => {
    const inputs: GetMetricDataCommandInput[] = [];
    const cloudwatch = {
      send: async (command: { input: GetMetricDataCommandInput }) => {
        inputs.push(command.input);
        return { MetricDataResults: [] };
      },
    } as unknown as CloudWatchClient;
    const spec = parseExperiment(parseYamlSource('az-outage.yaml', AZ_OUTAGE));
    const minute = Date.parse('2026-01-05T09:01:00Z');
    await readMinutes(cloudwatch, sampleQueries(sampleMetricsOf(spec)), minute, minute + 60_000);
    expect(inputs).toHaveLength(1);
    // Request count, 5xx, p99, three AZs' hosts, replica lag; three cache nodes, the payments tasks.
    expect(inputs[0]!.MetricDataQueries).toHaveLength(11);
  });

  it('records each line that had data, and null for a metric of one line without', () => {
    const minute = Date.parse('2026-01-05T09:01:00Z');
    const series = {
      'extra:cache-primary:checkout-sessions-002': new Map([[minute, 1]]),
      'extra:cache-primary:checkout-sessions-003': new Map([[minute, 0]]),
    };
    const s = sampleAt(m, series, minute);
    expect(s.extra).toEqual({
      'cache-primary': { 'checkout-sessions-002': 1, 'checkout-sessions-003': 0 },
      'payments-tasks': null,
    });
    expect(hasData(s)).toBe(true);
    expect(describeSample(s)).toContain(
      'cache-primary checkout-sessions-002:1 checkout-sessions-003:0, payments-tasks n/a',
    );
    // A service that declares none keeps the sample's shape.
    expect('extra' in sampleAt({}, {}, minute)).toBe(false);
  });
});

const alarm = (name: string, metric: ExtraMetric, dimensions: Record<string, string>, statistic: string) => ({
  name,
  namespace: metric.namespace,
  metric: metric.metric,
  dimensions,
  statistic,
  periodSeconds: 60,
  threshold: 1,
  comparison: 'LessThanThreshold',
  stopCondition: false,
});

describe('charting extra metrics', () => {
  const attributes = {
    ...AZ_OUTAGE_ATTRIBUTES,
    extraMetrics: [CACHE, TASKS, UNSAMPLED],
    alarms: [
      alarm(
        'cache-002-not-primary',
        CACHE,
        { CacheNodeId: '0001', CacheClusterId: 'checkout-sessions-002' },
        'Maximum',
      ),
      // Across every node: not a line any one node's value can cross.
      alarm('cache-no-primary', CACHE, { CacheNodeId: '0001' }, 'Maximum'),
      alarm('payments-down', TASKS, TASKS.dimensions, 'Minimum'),
      // Another statistic than the chart's.
      alarm('payments-average', TASKS, TASKS.dimensions, 'Average'),
    ],
  };
  const incident = azOutageIncident({ attributes });

  it('become charts after the fixed ones, one line per series value, with their alarms’ thresholds', () => {
    const specs = chartSpecs(analyse(incident, withExtraSamples(azOutageTimeline())));
    const extras = specs.filter((s) => s.id.startsWith('extra-'));
    // The metric without data gets no chart.
    expect(extras.map((s) => [s.id, s.title, s.unit])).toEqual([
      ['extra-cache-primary', 'Session cache: IsMaster per node', '1 = primary'],
      ['extra-payments-tasks', 'Payments tasks running', 'tasks'],
    ]);
    expect(specs.indexOf(extras[0]!)).toBe(specs.length - 2);
    const [cache, tasks] = extras as [(typeof extras)[0], (typeof extras)[0]];
    expect(cache.series.map((s) => [s.name, s.key])).toEqual(NODES.map((n) => [n, n]));
    expect(cache.thresholds).toEqual([
      { kind: 'alarm', value: 1, label: 'alarm cache-002-not-primary (checkout-sessions-002) < 1' },
    ]);
    expect(tasks.series).toEqual([
      { name: 'Payments tasks running', field: 'extra:payments-tasks', key: null },
    ]);
    expect(tasks.thresholds.map((t) => t.label)).toEqual(['alarm payments-down < 1']);
  });

  it('are drawn in report.html, listed in report.md’s figures and carried in report.json', () => {
    const r = renderReport(incident, withExtraSamples(azOutageTimeline()));
    expect(r.html).toContain(
      '<title id="chart-extra-cache-primary-wide-title">Session cache: IsMaster per node (1 = primary)</title>',
    );
    expect(r.markdown).toContain('- Payments tasks running (tasks): 4–6, lowest at 09:02, highest at 09:01');
    expect(r.markdown).toContain(
      '- Session cache: IsMaster per node (1 = primary), checkout-sessions-003: 0 throughout',
    );
    // Node 001 reports nothing while it has no power, then comes back a replica: not "0 throughout".
    const back = withExtraSamples(azOutageTimeline()).map((e) => {
      if (e.kind !== 'metrics.sample' || e.occurredAt < iso('09:05:00')) return e;
      const detail = e.detail as { extra: { 'cache-primary': Record<string, number> } };
      const primary = { ...detail.extra['cache-primary'], 'checkout-sessions-001': 0 };
      return { ...e, detail: { ...detail, extra: { ...detail.extra, 'cache-primary': primary } } };
    });
    expect(renderReport(incident, back).markdown).toContain(
      '- Session cache: IsMaster per node (1 = primary), checkout-sessions-001: 0 in every minute with a value (no value in 4 minutes)',
    );
    expect(r.markdown).toContain(
      'replica lag, Session cache: IsMaster per node and Payments tasks running minute by minute',
    );
    const doc = reportJson.parse(JSON.parse(r.json));
    expect(doc.extraMetrics?.map((x) => [x.name, x.series])).toEqual([
      ['cache-primary', { dimension: 'CacheClusterId', values: NODES }],
      ['payments-tasks', null],
      ['pending', null],
    ]);
    expect(doc.impact?.extraMetrics?.find((x) => x.name === 'payments-tasks')?.lowest).toEqual({
      value: 4,
      at: iso('09:02:00'),
    });
    expect(doc.minutes.find((m) => m.sample?.extra)?.sample?.extra?.['payments-tasks']).toBe(6);
    // A report without extra metrics has none of these fields.
    const plain = reportJson.parse(JSON.parse(renderReport(azOutageIncident(), azOutageTimeline()).json));
    expect('extraMetrics' in plain).toBe(false);
    expect('extraMetrics' in plain.impact!).toBe(false);
  });
});
