import { formatDuration, formatNumber } from '../report/format.ts';
import type { Sample } from '../report/samples.ts';
import { textTable } from '../report/text-table.ts';
import type { ZoneFormat } from '../report/time-zone.ts';
import { CHANGE_DEFINITION, type Change } from './change.ts';
import type { ComparedRun, Comparison } from './compare.ts';
import { objectiveCell, type PageBlock, resultText, type Table } from './document.ts';
import type { RunRecord } from './run.ts';
import { type ChartSpec, minuteTicks, renderChart, type Series } from './svg.ts';

const A_COLOUR = '#8c959f';
const B_COLOUR = '#1f6feb';
const MINUTE = 60_000;

const duration = (s: number | null) => (s === null ? '–' : formatDuration(s));
const number = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '–' : formatNumber(v, digits);

/** `+3 min 2 s` after the impact, `−30 s` before it. */
function offset(s: number | null | undefined): string {
  if (s === null || s === undefined) return '–';
  return `${s < 0 ? '−' : '+'}${formatDuration(Math.abs(s))}`;
}

function remediations(r: RunRecord): string {
  if (r.remediations.length === 0) return 'none';
  return r.remediations.map((x) => `${x.runbook ?? '?'} ${x.outcome}`).join(', ');
}

/** The rows of the side-by-side table, each with the change's name (change.ts) that judges it. */
function rows(
  a: RunRecord,
  b: RunRecord,
  zone: ZoneFormat,
): { label: string; a: string; b: string; what?: string }[] {
  const pair = (label: string, read: (r: RunRecord) => string, what?: string) => ({
    label,
    a: read(a),
    b: read(b),
    ...(what ? { what } : {}),
  });
  return [
    pair('Opened', (r) => zone.dateMinute(Date.parse(r.openedAt))),
    pair(
      'Result',
      (r) => (r.passed === false ? `NOT passed: ${r.reasons.join('; ')}` : resultText(r)),
      'result',
    ),
    pair('Hypothesis', (r) => r.hypothesis, 'hypothesis'),
    pair('RTO (objective)', (r) => objectiveCell(r.rto, 'RTO'), 'RTO'),
    pair('RPO (objective)', (r) => objectiveCell(r.rpo, 'RPO'), 'RPO'),
    pair('Time to detect', (r) => duration(r.timeToDetectSeconds), 'time to detect'),
    pair('Time to mitigate', (r) => duration(r.timeToMitigateSeconds), 'time to mitigate'),
    pair('Time to recover', (r) => duration(r.timeToRecoverSeconds)),
    pair(
      'Minutes outside the bounds',
      (r) => number(r.impact?.minutesOutsideBounds, 0),
      'minutes outside the hypothesis bounds',
    ),
    pair('Peak 5xx rate (%)', (r) => number(r.impact?.peakErrorRatePercent)),
    pair('Worst p99 latency (ms)', (r) => number(r.impact?.worstP99LatencyMs, 0)),
    pair('Fewest healthy hosts', (r) => number(r.impact?.fewestHealthyHosts, 0)),
    pair(
      'Error budget spent',
      (r) => (r.errorBudget.spentPercent === null ? '–' : `${formatNumber(r.errorBudget.spentPercent, 2)} %`),
      'error budget spent',
    ),
    pair('Remediations', remediations, 'remediations'),
  ];
}

function judged(changes: readonly Change[], what: string | undefined): string {
  if (!what) return '';
  const c = changes.find((x) => x.what === what);
  return c ? (c.direction ?? 'changed') : '';
}

/** A against B, measure by measure, with which way each moved. */
export function sideBySideTable(c: Comparison, zone: ZoneFormat): Table {
  return {
    columns: [{ title: 'Measure' }, { title: 'A' }, { title: 'B' }, { title: 'B against A' }],
    rows: rows(c.a.record, c.b.record, zone).map((r) => [r.label, r.a, r.b, judged(c.changes, r.what)]),
  };
}

/** The key moments, each as time after the run's impact started. */
export function momentsTable(c: Comparison): Table {
  return {
    columns: [
      { title: 'Key moment (after the impact)' },
      { title: 'A', align: 'right' },
      { title: 'B', align: 'right' },
      { title: 'B − A', align: 'right' },
    ],
    rows: c.momentLabels.map(({ name, label }) => {
      const a = c.a.moments[name] ?? null;
      const b = c.b.moments[name] ?? null;
      return [label, offset(a), offset(b), a === null || b === null ? '–' : offset(b - a)];
    }),
  };
}

const healthyHosts = (s: Sample) =>
  Object.keys(s.healthyHostsByAz).length === 0
    ? null
    : Object.values(s.healthyHostsByAz).reduce((sum, n) => sum + n, 0);

const METRICS: { id: string; title: string; unit: string; read: (s: Sample) => number | null }[] = [
  { id: 'error-rate', title: '5xx rate', unit: '%', read: (s) => s.errorRatePercent },
  { id: 'p99', title: 'p99 latency', unit: 'ms', read: (s) => s.p99LatencyMs },
  { id: 'healthy-hosts', title: 'Healthy hosts', unit: 'hosts', read: healthyHosts },
  { id: 'request-rate', title: 'Request rate', unit: 'req/s', read: (s) => s.requestRate },
];

/** The two runs' metrics overlaid, minute by minute from each run's impact start. */
export function comparisonCharts(c: Comparison): string[] {
  const all = [...c.a.minutes, ...c.b.minutes].map((m) => m.offsetMs);
  if (all.length === 0) return [];
  const from = Math.min(...all);
  const to = Math.max(...all, from + MINUTE);
  const x = { from, to, ticks: minuteTicks(from, to) };
  const series = (run: ComparedRun, name: string, colour: string, read: (s: Sample) => number | null) =>
    ({
      name,
      colour,
      line: true,
      dashed: colour === A_COLOUR,
      points: run.minutes.flatMap((m) => {
        const v = read(m.sample);
        return v === null
          ? []
          : [{ x: m.offsetMs, y: v, title: `${name} ${offset(m.offsetMs / 1000)}: ${formatNumber(v, 2)}` }];
      }),
    }) satisfies Series;
  return METRICS.map(
    (m): ChartSpec => ({
      id: `compare-${m.id}`,
      title: `${m.title}, minutes after the impact`,
      x,
      y: { unit: m.unit },
      series: [
        series(c.a, `A ${c.a.record.incidentId}`, A_COLOUR, m.read),
        series(c.b, `B ${c.b.record.incidentId}`, B_COLOUR, m.read),
      ],
      empty: 'not sampled',
    }),
  ).map(renderChart);
}

/** The comparison as the page's blocks; `charts` are drawn by the HTML page only. */
export function comparisonBlocks(c: Comparison, zone: ZoneFormat, charts: string[]): PageBlock[] {
  const list = (run: ComparedRun) => run.automation;
  return [
    {
      type: 'heading',
      level: 1,
      text: `${c.experiment} on ${c.service}: ${c.b.record.incidentId} against ${c.a.record.incidentId}`,
    },
    { type: 'paragraph', tone: 'verdict', text: `B against A: ${c.sentence}.` },
    { type: 'paragraph', tone: 'note', text: `Times in ${zone.timeZone}. ${CHANGE_DEFINITION}` },
    { type: 'table', ...sideBySideTable(c, zone), id: 'side-by-side' },
    { type: 'heading', level: 2, text: 'Key moments', id: 'moments' },
    { type: 'table', ...momentsTable(c) },
    {
      type: 'figures',
      svgs: charts,
      alt: 'The two runs’ metrics overlaid, minute by minute from the impact, are charted in the HTML page.',
    },
    { type: 'heading', level: 2, text: 'What the automation did', id: 'automation' },
    { type: 'paragraph', text: `A ${c.a.record.incidentId}:` },
    { type: 'list', items: list(c.a) },
    { type: 'paragraph', text: `B ${c.b.record.incidentId}:` },
    { type: 'list', items: list(c.b) },
  ];
}

/** The comparison for a terminal. */
export function comparisonLines(c: Comparison, zone: ZoneFormat): string[] {
  const table = (t: Table) =>
    textTable(
      t.columns.map((col) => ({ ...col, title: col.title.toUpperCase() })),
      t.rows,
    );
  return [
    `${c.experiment} on ${c.service}: B ${c.b.record.incidentId} against A ${c.a.record.incidentId} (times in ${zone.timeZone})`,
    `B against A: ${c.sentence}`,
    '',
    ...table(sideBySideTable(c, zone)),
    '',
    ...table(momentsTable(c)),
    '',
    'What the automation did:',
    ...c.a.automation.map((l) => `  A  ${l}`),
    ...c.b.automation.map((l) => `  B  ${l}`),
  ];
}
