import type { Analysis } from './analysis.ts';
import { formatNumber } from './format.ts';
import { escapeHtml } from './html-escape.ts';
import { MINUTE, minuteOf, type Sample } from './samples.ts';
import type { Fact } from './timeline.ts';

/** Most points drawn per series; larger incidents are downsampled (min and max per bucket keep the spikes). */
export const MAX_POINTS_PER_SERIES = 1500;

const W = 760;
const H = 210;
const LEFT = 56;
const RIGHT = 16;
const TOP = 24;
const BOTTOM = 30;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989'];

/** Events worth a mark on the charts; steps and samples would only be noise. */
const MARKED = new Set([
  'alarm.state',
  'healthcheck.status',
  'fis.experiment',
  'fis.action',
  'gameday.stop-requested',
  'gameday.failed',
  'gameday.recovery',
  'ssm.automation',
  'route53.change',
  'note',
  'correction',
]);

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: (azs: readonly string[]) => Array<{ name: string; read: (s: Sample) => number | null }>;
}

const CHARTS: readonly ChartSpec[] = [
  {
    id: 'request-rate',
    title: 'Request rate',
    unit: 'req/s',
    series: () => [{ name: 'requests', read: (s) => s.requestRate }],
  },
  {
    id: 'error-rate',
    title: '5xx rate',
    unit: '%',
    series: () => [{ name: '5xx', read: (s) => s.errorRatePercent }],
  },
  {
    id: 'p99-latency',
    title: 'p99 latency',
    unit: 'ms',
    series: () => [{ name: 'p99', read: (s) => s.p99LatencyMs }],
  },
  {
    id: 'healthy-hosts',
    title: 'Healthy hosts per AZ',
    unit: 'hosts',
    series: (azs) => azs.map((az) => ({ name: az, read: (s: Sample) => s.healthyHostsByAz[az] ?? null })),
  },
  {
    id: 'replica-lag',
    title: 'Replica lag',
    unit: 'ms',
    series: () => [{ name: 'lag', read: (s) => s.replicaLagMs }],
  },
];

export const CHART_COUNT = CHARTS.length;

type Point = [x: number, y: number | null];

/** Keeps at most MAX_POINTS_PER_SERIES points: each bucket's lowest and highest, in time order, gaps kept. */
export function downsample(points: readonly Point[], max = MAX_POINTS_PER_SERIES): Point[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / Math.floor(max / 3));
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += size) {
    let lo: Point | undefined;
    let hi: Point | undefined;
    let gap = false;
    for (let j = i; j < Math.min(points.length, i + size); j++) {
      const p = points[j]!;
      if (p[1] === null) {
        gap = true;
        continue;
      }
      if (!lo || p[1] < lo[1]!) lo = p;
      if (!hi || p[1] > hi[1]!) hi = p;
    }
    if (lo && hi) {
      if (lo === hi) out.push(lo);
      else out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
    }
    if (gap) out.push([points[Math.min(points.length, i + size) - 1]![0], null]);
  }
  return out;
}

/** A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about four gridlines up to a little above `highest`. */
function yScale(highest: number): { top: number; step: number } {
  if (!(highest > 0)) return { top: 1, step: 0.25 };
  // A little headroom, so a line at its maximum does not run along the top border.
  const max = highest * 1.05;
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

const TICK_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** Every chart of the report, as inline SVG (no script, no external resource). */
export function renderCharts(a: Analysis): string[] {
  const first = a.samples[0]?.minute ?? a.span?.from;
  const lastSample = a.samples[a.samples.length - 1];
  const x0 = minuteOf(Math.min(first ?? 0, a.span?.from ?? Infinity));
  const x1 = Math.max((lastSample?.minute ?? x0) + MINUTE, a.span?.to ?? -Infinity, x0 + MINUTE);
  const sx = (ms: number) => LEFT + ((ms - x0) / (x1 - x0)) * PLOT_W;
  const azs = [...new Set(a.samples.flatMap((s) => Object.keys(s.sample.healthyHostsByAz)))].sort();
  const shared =
    a.span === null ? '' : [faultWindow(a, sx, x0, x1), eventMarks(a, sx), momentMarks(a, sx)].join('');
  const axis = a.span === null ? '' : timeAxis(a, sx, x0, x1);
  return CHARTS.map((spec) => chart(a, spec, spec.series(azs), sx, shared, axis));
}

function chart(
  a: Analysis,
  spec: ChartSpec,
  series: ReturnType<ChartSpec['series']>,
  sx: (ms: number) => number,
  shared: string,
  axis: string,
): string {
  const lines = series.map((s) => {
    const points: Point[] = [];
    let previous: number | undefined;
    for (const t of a.samples) {
      if (previous !== undefined && t.minute - previous > MINUTE) points.push([previous + MINUTE, null]);
      points.push([t.minute, s.read(t.sample)]);
      previous = t.minute;
    }
    return { name: s.name, points: downsample(points) };
  });
  let max = 0;
  let any = false;
  for (const l of lines) {
    for (const p of l.points) {
      if (p[1] === null) continue;
      any = true;
      if (p[1] > max) max = p[1];
    }
  }
  const { top, step } = yScale(max);
  const sy = (v: number) => TOP + PLOT_H - (v / top) * PLOT_H;
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="chart-${spec.id}-title">`,
    `<title id="chart-${spec.id}-title">${escapeHtml(`${spec.title} (${spec.unit})`)}</title>`,
    `<rect class="plot" x="${LEFT}" y="${TOP}" width="${PLOT_W}" height="${PLOT_H}"/>`,
    shared,
  ];
  for (let i = 0; i * step <= top + 1e-9; i++) {
    const v = i * step;
    const y = sy(v).toFixed(1);
    parts.push(
      `<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${LEFT - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatNumber(v, 2)}</text>`,
    );
  }
  parts.push(axis);
  lines.forEach((l, i) => {
    const d: string[] = [];
    let pen = false;
    for (const [x, y] of l.points) {
      if (y === null) {
        pen = false;
        continue;
      }
      d.push(`${pen ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`);
      pen = true;
    }
    if (d.length > 0) {
      parts.push(
        `<path class="series" d="${d.join('')}" stroke="${COLOURS[i % COLOURS.length]}"><title>${escapeHtml(l.name)}</title></path>`,
      );
    }
  });
  if (lines.length > 1) {
    lines.forEach((l, i) => {
      const x = LEFT + PLOT_W - (lines.length - i) * 110;
      parts.push(
        `<rect x="${x}" y="6" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`,
        `<text class="legend" x="${x + 14}" y="15">${escapeHtml(l.name)}</text>`,
      );
    });
  }
  parts.push(
    `<text class="chart-title" x="${LEFT}" y="15">${escapeHtml(`${spec.title} (${spec.unit})`)}</text>`,
  );
  if (!any) {
    parts.push(
      `<text class="empty" x="${LEFT + PLOT_W / 2}" y="${TOP + PLOT_H / 2}" text-anchor="middle">no samples recorded</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function timeAxis(a: Analysis, sx: (ms: number) => number, x0: number, x1: number): string {
  const spanMinutes = (x1 - x0) / MINUTE;
  const step =
    (TICK_MINUTES.find((m) => spanMinutes / m <= 8) ?? TICK_MINUTES[TICK_MINUTES.length - 1]!) * MINUTE;
  const parts: string[] = [];
  for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) {
    const x = sx(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${TOP + PLOT_H}" y2="${TOP + PLOT_H + 4}"/>`,
      `<text class="tick" x="${x}" y="${H - 10}" text-anchor="middle">${a.zone.minute(t)}</text>`,
    );
  }
  return parts.join('');
}

function faultWindow(a: Analysis, sx: (ms: number) => number, x0: number, x1: number): string {
  const w = a.faultWindow;
  if (!w) return '';
  const from = sx(Math.max(x0, w.from));
  const to = sx(Math.min(x1, w.to));
  const label = `${a.incident.kind === 'gameday' ? 'Fault' : 'Impact'} window ${a.zone.time(w.from)}–${a.zone.time(w.to)}${w.ongoing ? ' (not ended)' : ''}`;
  return `<rect class="fault" x="${from.toFixed(1)}" y="${TOP}" width="${Math.max(1, to - from).toFixed(1)}" height="${PLOT_H}"><title>${escapeHtml(label)}</title></rect>`;
}

/** One mark per pixel column at most, however many events fall in it; its tooltip lists the first few. */
function eventMarks(a: Analysis, sx: (ms: number) => number): string {
  const columns = new Map<number, Fact[]>();
  const counts = new Map<number, number>();
  for (const f of a.facts) {
    if (!MARKED.has(f.event.kind)) continue;
    const col = Math.round(sx(f.at));
    const list = columns.get(col);
    counts.set(col, (counts.get(col) ?? 0) + 1);
    if (!list) columns.set(col, [f]);
    else if (list.length < 5) list.push(f);
  }
  const parts: string[] = [];
  for (const [col, list] of columns) {
    const n = counts.get(col)!;
    const text = list.map((f) => `${a.zone.time(f.at)} ${f.event.summary || f.event.kind}`).join('\n');
    const more = n > list.length ? `\n… and ${n - list.length} more` : '';
    parts.push(
      `<line class="event" x1="${col}" x2="${col}" y1="${TOP}" y2="${TOP + PLOT_H}"><title>${escapeHtml(text + more)}</title></line>`,
    );
  }
  return parts.join('');
}

function momentMarks(a: Analysis, sx: (ms: number) => number): string {
  const parts: string[] = [];
  a.moments.forEach((m, i) => {
    if (m.at === null || a.span === null || m.at < a.span.from || m.at > a.span.to + MINUTE) return;
    const px = sx(m.at);
    const x = px.toFixed(1);
    const title = `${m.label} ${a.zone.time(m.at)}: ${m.definition}`;
    // Labels near the right edge go to the left of their line, so they are not cut off.
    const label = px > LEFT + PLOT_W - 90 ? 'text-anchor="end" dx="-3"' : 'dx="3"';
    parts.push(
      `<g class="moment"><title>${escapeHtml(title)}</title>`,
      `<line x1="${x}" x2="${x}" y1="${TOP}" y2="${TOP + PLOT_H}"/>`,
      `<text x="${x}" y="${TOP + 10 + (i % 3) * 11}" ${label}>${escapeHtml(m.label.toLowerCase())}</text></g>`,
    );
  });
  return parts.join('');
}
