import { extraLines } from '../observe/sample-metrics.ts';
import type { Analysis } from './analysis.ts';
import { eventText } from './event-text.ts';
import { formatNumber } from './format.ts';
import { escapeHtml } from './html-escape.ts';
import { placeLabels } from './label-lanes.ts';
import {
  extraField,
  extraSampled,
  MINUTE,
  minuteOf,
  readField,
  type SampledMetric,
  type SampleField,
  sampledMetric,
} from './samples.ts';
import { textWidth } from './text-width.ts';
import type { Fact } from './timeline.ts';

/** Most points drawn per series; larger incidents are downsampled (min and max per bucket keep the spikes). */
export const MAX_POINTS_PER_SERIES = 1500;

/**
 * Each chart is drawn once per width it may be shown at, and the page shows the one that fits
 * (html.ts's media queries): an SVG scaled down to a phone draws its labels too small to read, so
 * the phone gets a chart laid out for its width, with its own label lanes and ticks. Text is drawn
 * at FONT user units, and each variant is shown only where it is scaled by about 0.9 or more.
 */
export const VARIANTS = [
  { id: 'narrow', width: 360, plotHeight: 150, minViewport: 0 },
  { id: 'medium', width: 640, plotHeight: 170, minViewport: 640 },
  { id: 'wide', width: 1000, plotHeight: 190, minViewport: 1000 },
] as const;
export type Variant = (typeof VARIANTS)[number];

const FONT = 12;
const TITLE_FONT = 13;
const LINE = FONT + 6;
const RIGHT = 12;
/** Colour-blind-safe (Okabe–Ito), each with a dash and a marker of its own, so equal lines stay apart. */
const SERIES_STYLES = [
  { colour: '#0072b2', dash: '', marker: 'circle' },
  { colour: '#d55e00', dash: '7 3', marker: 'square' },
  { colour: '#009e73', dash: '2 2', marker: 'triangle' },
  { colour: '#cc79a7', dash: '9 3 2 3', marker: 'diamond' },
  { colour: '#e69f00', dash: '4 4', marker: 'circle' },
  { colour: '#56b4e9', dash: '1 3', marker: 'square' },
] as const;
/** Lines of a multi-series chart are drawn this far apart, so that equal values do not hide each other. */
const SERIES_OFFSET = 2.5;

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

export type ThresholdKind = 'alarm' | 'stop-condition' | 'bound' | 'slo';

/** A horizontal line: an alarm's threshold, a hypothesis bound or what the SLO allows. */
export interface ChartThreshold {
  kind: ThresholdKind;
  value: number;
  /** As the legend says it, e.g. `alarm checkout-5xx-rate > 5`. */
  label: string;
}

export const THRESHOLD_STYLES: Record<ThresholdKind, { colour: string; dash: string }> = {
  alarm: { colour: '#cf222e', dash: '6 4' },
  'stop-condition': { colour: '#82071e', dash: '12 4' },
  bound: { colour: '#bc4c00', dash: '2 3' },
  slo: { colour: '#8250df', dash: '9 3 2 3' },
};

interface Series {
  name: string;
  field: SampleField;
  /** Which line of the field: an AZ of `healthyHosts`, an extra metric's series value; null for the field's one line. */
  key: string | null;
}

/** One chart: what it plots and the lines drawn across it. */
export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  /** Capped at 100. */
  percent: boolean;
  series: Series[];
  thresholds: ChartThreshold[];
}

/** `us-east-1a` → `us-east-1`: the region an AZ is in (its name less the zone letter). */
export function regionOf(az: string): string {
  return /^(.*\d)[a-z]$/.exec(az)?.[1] ?? az;
}

/**
 * The charts this report draws: one per metric the samples carry, and the healthy hosts per AZ
 * once per region (a standby region's hosts are what serves while the primary is lost), then one
 * per extra metric the experiment declares, under its own title. A metric with no value in any
 * minute gets no chart.
 */
export function chartSpecs(a: Analysis): ChartSpec[] {
  const has = (field: SampleField) => a.samples.some((s) => readField(s.sample, field) !== null);
  const one = (id: string, title: string, unit: string, field: SampleField, percent = false): ChartSpec[] =>
    has(field)
      ? [
          {
            id,
            title,
            unit,
            percent,
            series: [{ name: title, field, key: null }],
            thresholds: thresholds(a, field),
          },
        ]
      : [];
  const azs = [...new Set(a.samples.flatMap((s) => Object.keys(s.sample.healthyHostsByAz)))].sort();
  const regions = [...new Set(azs.map(regionOf))];
  return [
    ...one('request-rate', 'Request rate', 'req/s', 'requestRate'),
    ...one('error-rate', '5xx rate', '%', 'errorRatePercent', true),
    ...one('p99-latency', 'p99 latency', 'ms', 'p99LatencyMs'),
    ...regions.map((region) => {
      const mine = azs.filter((az) => regionOf(az) === region);
      return {
        id: `healthy-hosts-${region}`,
        title: regions.length > 1 ? `Healthy hosts per AZ, ${region}` : 'Healthy hosts per AZ',
        unit: 'hosts',
        percent: false,
        series: mine.map((az) => ({ name: az, field: 'healthyHosts' as const, key: az })),
        thresholds: thresholds(a, 'healthyHosts', mine),
      };
    }),
    ...one('replica-lag', 'Replica lag', 'ms', 'replicaLagMs'),
    ...one('concurrency', 'Concurrent executions', 'executions', 'concurrency'),
    ...a.attrs.extraMetrics.flatMap((x): ChartSpec[] => {
      const field = extraField(x.name);
      const series = extraLines(x).map((l) => ({ name: l.series ?? x.title, field, key: l.series }));
      if (!series.some((l) => a.samples.some((s) => readField(s.sample, field, l.key) !== null))) return [];
      return [
        {
          id: `extra-${x.name}`,
          title: x.title,
          unit: x.unit,
          percent: x.unit === '%',
          series,
          thresholds: thresholds(
            a,
            field,
            series.flatMap((l) => (l.key === null ? [] : [l.key])),
          ),
        },
      ];
    }),
  ];
}

/** Consecutive minutes it takes to say that unsampled hosts served: one minute's Minimum may catch a return mid-minute. */
const SERVED_ELSEWHERE_MINUTES = 2;

/**
 * The first run of minutes (SERVED_ELSEWHERE_MINUTES or more in a row) when no sampled host was
 * healthy and yet most requests were answered: hosts the samples do not cover served them (a
 * standby region, after a failover). Null when there was none.
 */
export function servedUnsampled(a: Analysis): { from: number; to: number; regions: string[] } | null {
  let run: { from: number; to: number } | null = null;
  for (const { minute, sample } of a.samples) {
    const served =
      readField(sample, 'healthyHosts') === 0 &&
      (sample.requestRate ?? 0) > 0 &&
      sample.errorRatePercent !== null &&
      sample.errorRatePercent < 50;
    if (served && run && run.to === minute) run.to = minute + MINUTE;
    else if (served) run = { from: minute, to: minute + MINUTE };
    else if (run && run.to - run.from >= SERVED_ELSEWHERE_MINUTES * MINUTE) break;
    else run = null;
  }
  if (!run || run.to - run.from < SERVED_ELSEWHERE_MINUTES * MINUTE) return null;
  const regions = [
    ...new Set(a.samples.flatMap((s) => Object.keys(s.sample.healthyHostsByAz).map(regionOf))),
  ].sort();
  return { ...run, regions };
}

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/**
 * The lines across a field's chart: the watched alarms' thresholds, the hypothesis's bounds, the
 * SLO. `keys`: the chart's lines of the field (its AZs, an extra metric's series values), none for
 * a field of one line.
 */
function thresholds(a: Analysis, field: SampleField, keys: readonly string[] = []): ChartThreshold[] {
  // A per-line threshold on a chart of that line; a total across lines is not a line any one of
  // them can cross, nor is a line's threshold one for their total.
  const fits = (m: SampledMetric) =>
    m.field === field && (keys.length === 0 ? m.az === null : m.az !== null && keys.includes(m.az));
  const out: ChartThreshold[] = [];
  for (const alarm of a.attrs.alarms) {
    const m = [
      sampledMetric(alarm, alarm.periodSeconds),
      ...extraSampled(a.attrs.extraMetrics, alarm, alarm.periodSeconds),
    ].find((c) => c !== undefined && fits(c));
    const op = COMPARISONS[alarm.comparison];
    if (!m || !op) continue;
    out.push({
      kind: alarm.stopCondition ? 'stop-condition' : 'alarm',
      value: m.toSample(alarm.threshold),
      label: `${alarm.stopCondition ? 'stop condition' : 'alarm'} ${alarm.name}${m.az ? ` (${m.az})` : ''} ${op} ${formatNumber(m.toSample(alarm.threshold), 3)}`,
    });
  }
  for (const bound of a.attrs.hypothesis?.metrics ?? []) {
    const m = sampledMetric(bound);
    if (!m || !fits(m)) continue;
    const limits: Array<[number | undefined, string]> = [
      [bound.max, '≤'],
      [bound.min, '≥'],
    ];
    for (const [limit, op] of limits) {
      if (limit === undefined) continue;
      // Availability ≥ 99 is an error rate ≤ 1: the mapping reverses the comparison.
      const value = m.toSample(limit);
      const flipped = m.toSample(0) > m.toSample(1);
      const shown = flipped ? (op === '≤' ? '≥' : '≤') : op;
      out.push({
        kind: 'bound',
        value,
        label: `hypothesis ${bound.name} ${shown} ${formatNumber(value, 3)}`,
      });
    }
  }
  const slo = a.attrs.objectives.availabilitySlo;
  if (field === 'errorRatePercent' && slo !== null) {
    const allowed = 100 - slo;
    out.push({ kind: 'slo', value: allowed, label: `SLO ${slo} %: errors ≤ ${formatNumber(allowed, 3)} %` });
  }
  return out;
}

type Point = [x: number, y: number | null];

/** Keeps at most `max` points: each bucket's lowest and highest, in time order, gaps kept. */
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
export function yScale(highest: number, percent = false): { top: number; step: number } {
  if (!(highest > 0)) return { top: 1, step: 0.25 };
  // A little headroom, so a line at its maximum does not run along the top border.
  const max = Math.min(highest * 1.05, percent ? 100 : Infinity);
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  const top = Math.ceil(max / step - 1e-9) * step;
  // A share never exceeds the whole: 0–100 in steps of 25 rather than 0–150.
  return percent && top > 100 ? { top: 100, step: 25 } : { top, step };
}

const TICK_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** Where a minute's sample is drawn: the middle of the minute it aggregates, not its start. */
export const sampleX = (minute: number) => minute + MINUTE / 2;

/** What every chart shares: the time axis and the marks of the incident, in epoch ms. */
interface Frame {
  x0: number;
  x1: number;
}

function frameOf(a: Analysis): Frame {
  const first = a.samples[0]?.minute ?? a.span?.from;
  const lastSample = a.samples[a.samples.length - 1];
  const x0 = minuteOf(Math.min(first ?? 0, a.span?.from ?? Infinity));
  const x1 = Math.max((lastSample?.minute ?? x0) + MINUTE, a.span?.to ?? -Infinity, x0 + MINUTE);
  return { x0, x1 };
}

/** A chart drawn at each width of VARIANTS, and its spec. */
export interface RenderedChart {
  spec: ChartSpec;
  svgs: Array<{ variant: Variant['id']; svg: string }>;
}

/** Every chart of the report, as inline SVG (no script, no external resource), at each width. */
export function renderCharts(a: Analysis): RenderedChart[] {
  const frame = frameOf(a);
  return chartSpecs(a).map((spec) => ({
    spec,
    svgs: VARIANTS.map((v) => ({ variant: v.id, svg: chart(a, spec, frame, v) })),
  }));
}

interface Layout {
  width: number;
  left: number;
  plotWidth: number;
  plotTop: number;
  plotHeight: number;
  height: number;
  sx: (ms: number) => number;
}

function chart(a: Analysis, spec: ChartSpec, frame: Frame, v: Variant): string {
  // Series first: the y scale, and so the width of the tick labels, decides where the plot starts.
  const lines = spec.series.map((s) => {
    const points: Point[] = [];
    let previous: number | undefined;
    for (const t of a.samples) {
      if (previous !== undefined && t.minute - previous > MINUTE)
        points.push([sampleX(previous + MINUTE), null]);
      points.push([sampleX(t.minute), readField(t.sample, s.field, s.key)]);
      previous = t.minute;
    }
    // About two points per unit of width are all a line can show.
    return { name: s.name, points: downsample(points, Math.min(MAX_POINTS_PER_SERIES, v.width * 2)) };
  });
  let max = 0;
  for (const l of lines) for (const p of l.points) if (p[1] !== null && p[1] > max) max = p[1];
  for (const t of spec.thresholds) if (t.value > max) max = t.value;
  const { top, step } = yScale(max, spec.percent);
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + 1e-9; i++) ticks.push(i * step);
  const tickText = (value: number) => formatNumber(value, 2);
  const left = Math.ceil(Math.max(...ticks.map((t) => textWidth(tickText(t), FONT))) + 10);
  const plotWidth = v.width - left - RIGHT;
  const sx = (ms: number) => left + ((ms - frame.x0) / (frame.x1 - frame.x0)) * plotWidth;

  // From the top: the title, the legend rows, the key moments' label lanes, the plot, the time axis.
  const parts: string[] = [];
  const title = `${spec.title} (${spec.unit})`;
  // An experiment's own title may be longer than a phone's chart is wide: it takes more lines.
  const titleLines = wrapText(title, TITLE_FONT, v.width, true);
  titleLines.forEach((line, i) => {
    parts.push(`<text class="chart-title" x="0" y="${TITLE_FONT + i * LINE}">${escapeHtml(line)}</text>`);
  });
  let y = TITLE_FONT + (titleLines.length - 1) * LINE + 6;
  const legend = legendItems(spec, lines.length);
  const legendParts: string[] = [];
  if (legend.length > 0) {
    let x = 0;
    y += LINE;
    for (const item of legend) {
      const w = 26 + textWidth(item.text, FONT);
      if (x > 0 && x + w > v.width) {
        x = 0;
        y += LINE;
      }
      legendParts.push(
        item.swatch(x, y - FONT / 3),
        `<text class="legend" x="${x + 24}" y="${y}">${escapeHtml(item.text)}</text>`,
      );
      x += w + 14;
    }
  }
  const moments = momentGroups(a, sx, plotWidth, left);
  const laneCount = moments.reduce((n, m) => Math.max(n, m.lane + 1), 0);
  const plotTop = y + 8 + laneCount * (FONT + 5);
  const plotHeight = v.plotHeight;
  const layout: Layout = {
    width: v.width,
    left,
    plotWidth,
    plotTop,
    plotHeight,
    height: plotTop + plotHeight + FONT + 10,
    sx,
  };
  const sy = (value: number) => plotTop + plotHeight - (Math.min(value, top) / top) * plotHeight;

  parts.push(...legendParts);
  parts.push(`<rect class="plot" x="${left}" y="${plotTop}" width="${plotWidth}" height="${plotHeight}"/>`);
  parts.push(faultWindow(a, layout, frame), impactBar(a, layout, frame));
  for (const t of ticks) {
    const ty = sy(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${left}" x2="${left + plotWidth}" y1="${ty}" y2="${ty}"/>`,
      `<text class="tick" x="${left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tickText(t)}</text>`,
    );
  }
  parts.push(eventMarks(a, layout, moments));
  parts.push(timeAxis(a, layout, frame));
  for (const t of spec.thresholds) {
    const ty = sy(t.value).toFixed(1);
    const style = THRESHOLD_STYLES[t.kind];
    parts.push(
      `<line class="threshold ${t.kind}" x1="${left}" x2="${left + plotWidth}" y1="${ty}" y2="${ty}" stroke="${style.colour}" stroke-dasharray="${style.dash}"><title>${escapeHtml(t.label)}</title></line>`,
    );
  }
  parts.push(momentMarks(moments, layout));
  const dense = lines.some((l) => l.points.length > plotWidth / 10);
  lines.forEach((l, i) => {
    const style = SERIES_STYLES[i % SERIES_STYLES.length]!;
    const dy = lines.length > 1 ? (i - (lines.length - 1) / 2) * SERIES_OFFSET : 0;
    const d: string[] = [];
    const marks: string[] = [];
    let pen = false;
    for (const [x, value] of l.points) {
      if (value === null) {
        pen = false;
        continue;
      }
      const px = sx(x);
      const py = sy(value) + dy;
      d.push(`${pen ? 'L' : 'M'}${px.toFixed(1)} ${py.toFixed(1)}`);
      if (!dense) marks.push(marker(style.marker, px, py));
      pen = true;
    }
    if (d.length === 0) return;
    parts.push(
      `<g class="series" stroke="${style.colour}" fill="${style.colour}"><title>${escapeHtml(l.name)}</title>` +
        `<path d="${d.join('')}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>${marks.join('')}</g>`,
    );
  });
  if (lines.every((l) => l.points.every((p) => p[1] === null))) {
    parts.push(
      `<text class="empty" x="${left + plotWidth / 2}" y="${plotTop + plotHeight / 2}" text-anchor="middle">no samples recorded</text>`,
    );
  }
  const id = `chart-${spec.id}-${v.id}`;
  return (
    `<svg class="chart ${v.id}" viewBox="0 0 ${v.width} ${layout.height}" role="img" aria-labelledby="${id}-title">` +
    `<title id="${id}-title">${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

/** `text` in lines no wider than `width` at `font`, broken between words (a longer word keeps a line of its own). */
export function wrapText(text: string, font: number, width: number, bold = false): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && textWidth(`${last} ${word}`, font, bold) <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

interface LegendItem {
  text: string;
  swatch: (x: number, y: number) => string;
}

function legendItems(spec: ChartSpec, seriesCount: number): LegendItem[] {
  const items: LegendItem[] = [];
  if (seriesCount > 1) {
    spec.series.forEach((s, i) => {
      const style = SERIES_STYLES[i % SERIES_STYLES.length]!;
      items.push({
        text: s.name,
        swatch: (x, y) =>
          `<g class="swatch" stroke="${style.colour}" fill="${style.colour}"><line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>${marker(style.marker, x + 10, y)}</g>`,
      });
    });
  }
  for (const t of spec.thresholds) {
    const style = THRESHOLD_STYLES[t.kind];
    items.push({
      text: t.label,
      swatch: (x, y) =>
        `<line class="swatch threshold" x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${style.colour}" stroke-dasharray="${style.dash}"/>`,
    });
  }
  return items;
}

function marker(shape: (typeof SERIES_STYLES)[number]['marker'], x: number, y: number): string {
  const r = 2.6;
  const p = (dx: number, dy: number) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}"/>`;
    case 'square':
      return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}"/>`;
    case 'triangle':
      return `<polygon points="${p(0, -r - 0.6)} ${p(r + 0.4, r)} ${p(-r - 0.4, r)}"/>`;
    case 'diamond':
      return `<polygon points="${p(0, -r - 0.6)} ${p(r + 0.6, 0)} ${p(0, r + 0.6)} ${p(-r - 0.6, 0)}"/>`;
  }
}

function timeAxis(a: Analysis, l: Layout, frame: Frame): string {
  const spanMinutes = (frame.x1 - frame.x0) / MINUTE;
  // As many ticks as their labels leave room for.
  const labelWidth = textWidth('00:00', FONT) + 16;
  const fit = Math.max(2, Math.floor(l.plotWidth / labelWidth));
  const step =
    (TICK_MINUTES.find((m) => spanMinutes / m <= fit) ?? TICK_MINUTES[TICK_MINUTES.length - 1]!) * MINUTE;
  const parts: string[] = [];
  const base = l.plotTop + l.plotHeight;
  for (let t = Math.ceil(frame.x0 / step) * step; t <= frame.x1; t += step) {
    const x = l.sx(t);
    const text = a.zone.minute(t);
    const half = textWidth(text, FONT) / 2;
    // The last label ends at the edge rather than past it.
    const anchor = x + half > l.width ? 'end' : x - half < 0 ? 'start' : 'middle';
    parts.push(
      `<line class="grid" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${base}" y2="${base + 4}"/>`,
      `<text class="tick" x="${x.toFixed(1)}" y="${base + FONT + 4}" text-anchor="${anchor}">${text}</text>`,
    );
  }
  return parts.join('');
}

/** The fault, from its injection to the end of the last action that acts on something. */
function faultWindow(a: Analysis, l: Layout, frame: Frame): string {
  const w = a.faultWindow;
  if (!w) return '';
  const from = l.sx(Math.max(frame.x0, w.from));
  const to = l.sx(Math.min(frame.x1, w.to));
  const label = `${a.incident.kind === 'gameday' ? 'Fault' : 'Impact'} ${a.zone.time(w.from)}–${a.zone.time(w.to)}${w.ongoing ? ' (not ended)' : ''}`;
  // An instant fault (a process killed) is still a visible band.
  const width = Math.max(3, to - from);
  return `<rect class="fault" x="${(to - from < 3 ? from - 1 : from).toFixed(1)}" y="${l.plotTop}" width="${width.toFixed(1)}" height="${l.plotHeight}"><title>${escapeHtml(label)}</title></rect>`;
}

/** The impact, from its first sign to the steady state back, as a bar along the top of the plot. */
function impactBar(a: Analysis, l: Layout, frame: Frame): string {
  const i = a.impact;
  if (i?.basis !== 'signals') return '';
  const from = l.sx(Math.max(frame.x0, i.from));
  const to = l.sx(Math.min(frame.x1, i.to));
  const label = `Impact ${a.zone.time(i.from)}–${a.zone.time(i.to)}${i.recovered ? '' : ' (not recovered)'}: ${i.start.evidence}${i.end ? ` → ${i.end.evidence}` : ''}`;
  return `<rect class="impact" x="${from.toFixed(1)}" y="${l.plotTop}" width="${Math.max(2, to - from).toFixed(1)}" height="5"><title>${escapeHtml(label)}</title></rect>`;
}

interface MomentGroup {
  x: number;
  text: string;
  title: string;
  lane: number;
  left: number;
}

/** Key moments on the chart: moments a pixel or two apart share one line and one label. */
function momentGroups(
  a: Analysis,
  sx: (ms: number) => number,
  plotWidth: number,
  left: number,
): MomentGroup[] {
  if (a.span === null) return [];
  const shown = a.moments
    .filter(
      (m): m is typeof m & { at: number } =>
        m.at !== null && m.at >= a.span!.from && m.at <= a.span!.to + MINUTE,
    )
    .sort((x, y) => x.at - y.at);
  const groups: Array<{ x: number; names: string[]; titles: string[] }> = [];
  for (const m of shown) {
    const x = sx(m.at);
    const last = groups[groups.length - 1];
    const title = `${m.label} ${a.zone.time(m.at)}: ${m.definition}`;
    if (last && x - last.x < 2) {
      last.names.push(m.label.toLowerCase());
      last.titles.push(title);
    } else groups.push({ x, names: [m.label.toLowerCase()], titles: [title] });
  }
  const texts = groups.map((g) => g.names.join(' · '));
  const placed = placeLabels(
    groups.map((g, i) => ({ x: g.x, width: textWidth(texts[i]!, FONT) + 4 })),
    0,
    left + plotWidth + RIGHT,
    6,
  );
  return groups.map((g, i) => ({
    x: g.x,
    text: texts[i]!,
    title: g.titles.join('\n'),
    lane: placed[i]!.lane,
    left: placed[i]!.left,
  }));
}

function momentMarks(groups: readonly MomentGroup[], l: Layout): string {
  const parts: string[] = [];
  for (const g of groups) {
    const x = g.x.toFixed(1);
    // Lane 0 sits just above the plot; the line runs from under its label to the plot's foot.
    const baseline = l.plotTop - 6 - g.lane * (FONT + 5);
    parts.push(
      `<g class="moment"><title>${escapeHtml(g.title)}</title>`,
      `<line x1="${x}" x2="${x}" y1="${baseline + 3}" y2="${l.plotTop + l.plotHeight}"/>`,
      `<text class="moment-label" x="${(g.left + 2).toFixed(1)}" y="${baseline}">${escapeHtml(g.text)}</text></g>`,
    );
  }
  return parts.join('');
}

/** One mark per unit of width at most, however many events fall in it; its tooltip lists the first few. */
function eventMarks(a: Analysis, l: Layout, moments: readonly MomentGroup[]): string {
  const columns = new Map<number, Fact[]>();
  const counts = new Map<number, number>();
  for (const f of a.facts) {
    if (!MARKED.has(f.event.kind)) continue;
    const col = Math.round(l.sx(f.at));
    const list = columns.get(col);
    counts.set(col, (counts.get(col) ?? 0) + 1);
    if (!list) columns.set(col, [f]);
    else if (list.length < 5) list.push(f);
  }
  const parts: string[] = [];
  for (const [col, list] of columns) {
    // A key moment's line already marks it.
    if (moments.some((m) => Math.abs(m.x - col) < 1.5)) continue;
    const n = counts.get(col)!;
    const text = list.map((f) => `${a.zone.time(f.at)} ${eventText(f.event, a.zone, f.at)}`).join('\n');
    const more = n > list.length ? `\n… and ${n - list.length} more` : '';
    parts.push(
      `<line class="event" x1="${col}" x2="${col}" y1="${l.plotTop}" y2="${l.plotTop + l.plotHeight}"><title>${escapeHtml(text + more)}</title></line>`,
    );
  }
  return parts.join('');
}

/**
 * What the marks every chart shares mean, as an HTML list with a swatch for each (drawn with the
 * charts' own classes): the fault, the impact, the key moments, the other events, and where each
 * minute's value sits.
 */
export function chartLegend(a: Analysis): string {
  const swatch = (inner: string) =>
    `<svg class="swatch" viewBox="0 0 24 14" width="24" height="14" aria-hidden="true">${inner}</svg>`;
  const items: string[] = [];
  const w = a.faultWindow;
  if (w) {
    const what =
      a.incident.kind === 'gameday'
        ? `Fault: FIS injecting, ${a.zone.time(w.from)}–${a.zone.time(w.to)}${w.ongoing ? ' (not ended)' : ''} (a wait that only holds the experiment open is not the fault)`
        : `Impact until mitigated, ${a.zone.time(w.from)}–${a.zone.time(w.to)}${w.ongoing ? ' (not ended)' : ''}`;
    items.push(`${swatch('<rect class="fault" x="0" y="0" width="24" height="14"/>')}${escapeHtml(what)}`);
  }
  const i = a.impact;
  if (i && i.basis === 'signals') {
    items.push(
      `${swatch('<rect class="impact" x="0" y="0" width="24" height="5"/>')}${escapeHtml(
        `Impact, ${a.zone.time(i.from)}–${a.zone.time(i.to)}: from the first sign to the steady state back${i.recovered ? '' : ' (not recovered)'}`,
      )}`,
    );
  }
  if (a.moments.some((m) => m.at !== null)) {
    items.push(
      `${swatch('<g class="moment"><line x1="12" x2="12" y1="0" y2="14"/></g>')}Key moment, labelled above the plot (the table below has each one's time and evidence)`,
    );
  }
  if (a.facts.some((f) => MARKED.has(f.event.kind))) {
    items.push(
      `${swatch('<line class="event" x1="12" x2="12" y1="0" y2="14"/>')}Another event on the timeline: an alarm or health check changing state, FIS, SSM or Route 53 status, a note (hover for what)`,
    );
  }
  items.push(
    `${swatch('<g class="series" stroke="#0072b2" fill="#0072b2"><line x1="0" x2="24" y1="7" y2="7"/><circle cx="12" cy="7" r="2.6"/></g>')}` +
      "Each minute's value (CloudWatch's one-minute aggregate) is drawn at the middle of its minute; lines that would lie on each other are drawn 2.5 units apart",
  );
  return `<ul class="chart-legend">${items.map((x) => `<li>${x}</li>`).join('')}</ul>`;
}
