import { formatNumber } from '../report/format.ts';
import { escapeHtml } from '../report/html-escape.ts';

/**
 * Small inline SVG charts for the scorecard and comparison pages: no script, no external
 * resource. Drawn for a phone first: the view box is about a phone's width, so that text shows
 * at its own size there (11 px) and the page scales the chart up on a wider screen. Every label
 * is placed so as not to run into another (axis ticks spaced by their width, the legend wrapped
 * into rows below the title); details go in tooltips (`<title>`).
 */
export const CHART_WIDTH = 360;
const LEFT = 44;
const RIGHT = 12;
const TITLE_H = 16;
const LEGEND_ROW = 14;
const PLOT_H = 130;
const AXIS_H = 22;
const FONT = 11;
/** A character's width at the chart's font size, a little over the average, so that estimates err wide. */
const CHAR_W = 6.6;
const PLOT_W = CHART_WIDTH - LEFT - RIGHT;

export const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7c86'];

export type Shape = 'dot' | 'ring' | 'cross' | 'up';

export interface Point {
  x: number;
  y: number;
  /** The tooltip. */
  title?: string;
  shape?: Shape;
  /** Drawn at the edge for a value the scale cannot show (never recovered): marked, never joined by the line. */
  offScale?: boolean;
}

export interface Series {
  name: string;
  colour: string;
  points: readonly Point[];
  /** Join the points with a line (in x order); otherwise marks only. */
  line?: boolean;
  dashed?: boolean;
}

export interface Reference {
  y: number;
  colour: string;
  title: string;
}

export interface Tick {
  at: number;
  label: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  x: { from: number; to: number; ticks: readonly Tick[] };
  /** A numeric axis from 0, or named lanes (bottom to top). */
  y: { unit?: string; lanes?: readonly string[]; top?: number };
  series: readonly Series[];
  references?: readonly Reference[];
  /** Said in the middle when no series has a point. */
  empty: string;
}

/** A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about four gridlines up to a little above `highest`. */
export function niceScale(highest: number): { top: number; step: number } {
  if (!(highest > 0)) return { top: 1, step: 0.25 };
  const max = highest * 1.05;
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

const textWidth = (text: string) => [...text].length * CHAR_W;

/** Legend entries laid out in rows that fit the chart's width. */
function legendRows(
  series: readonly Series[],
): { name: string; colour: string; dashed: boolean; x: number; row: number }[] {
  const out: { name: string; colour: string; dashed: boolean; x: number; row: number }[] = [];
  let x = LEFT;
  let row = 0;
  for (const s of series) {
    const w = 16 + textWidth(s.name) + 10;
    if (x > LEFT && x + w > CHART_WIDTH - RIGHT) {
      row++;
      x = LEFT;
    }
    out.push({ name: s.name, colour: s.colour, dashed: s.dashed === true, x, row });
    x += w;
  }
  return out;
}

/** Keeps ticks whose labels do not run into the previous kept one, nor off the chart. */
function spacedTicks(ticks: readonly Tick[], sx: (v: number) => number): { x: number; label: string }[] {
  const kept: { x: number; label: string }[] = [];
  let right = Number.NEGATIVE_INFINITY;
  for (const t of ticks) {
    const x = sx(t.at);
    const half = textWidth(t.label) / 2;
    if (x - half < 2 || x + half > CHART_WIDTH - 2 || x - half < right + 6) continue;
    kept.push({ x, label: t.label });
    right = x + half;
  }
  return kept;
}

function mark(shape: Shape, x: number, y: number, colour: string): string {
  const cx = x.toFixed(1);
  const cy = y.toFixed(1);
  switch (shape) {
    case 'dot':
      return `<circle cx="${cx}" cy="${cy}" r="3" fill="${colour}"/>`;
    case 'ring':
      return `<circle cx="${cx}" cy="${cy}" r="3" fill="#fff" stroke="${colour}" stroke-width="1.5"/>`;
    case 'cross':
      return `<path d="M${(x - 3).toFixed(1)} ${(y - 3).toFixed(1)}l6 6m0 -6l-6 6" stroke="${colour}" stroke-width="1.8"/>`;
    case 'up':
      return `<path d="M${cx} ${(y - 1).toFixed(1)}l4 7h-8z" fill="${colour}"/>`;
  }
}

/** One chart as an SVG element. */
export function renderChart(spec: ChartSpec): string {
  const legend = spec.series.length > 1 ? legendRows(spec.series) : [];
  const rows = legend.length > 0 ? legend[legend.length - 1]!.row + 1 : 0;
  const top = TITLE_H + 6 + rows * LEGEND_ROW;
  const height = top + PLOT_H + AXIS_H;
  const span = spec.x.to - spec.x.from || 1;
  const sx = (v: number) => LEFT + ((v - spec.x.from) / span) * PLOT_W;
  const lanes = spec.y.lanes;
  let highest = spec.y.top ?? 0;
  for (const s of spec.series) for (const p of s.points) highest = Math.max(highest, p.y);
  for (const r of spec.references ?? []) highest = Math.max(highest, r.y);
  const scale = lanes ? { top: lanes.length - 0.5, step: 1 } : niceScale(highest);
  const bottom = lanes ? -0.5 : 0;
  const sy = (v: number) => top + PLOT_H - ((v - bottom) / (scale.top - bottom)) * PLOT_H;
  const title = spec.y.unit ? `${spec.title} (${spec.y.unit})` : spec.title;
  const parts: string[] = [
    `<svg class="chart" id="chart-${escapeHtml(spec.id)}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-labelledby="chart-${escapeHtml(spec.id)}-title">`,
    `<title id="chart-${escapeHtml(spec.id)}-title">${escapeHtml(title)}</title>`,
    `<text class="chart-title" x="${LEFT}" y="${FONT + 1}">${escapeHtml(title)}</text>`,
  ];
  for (const l of legend) {
    const y = TITLE_H + 4 + l.row * LEGEND_ROW;
    parts.push(
      `<g class="legend"><line x1="${l.x}" x2="${l.x + 12}" y1="${y + 5}" y2="${y + 5}" stroke="${l.colour}" stroke-width="3"${l.dashed ? ' stroke-dasharray="3 2"' : ''}/>`,
      `<text x="${l.x + 16}" y="${y + 9}">${escapeHtml(l.name)}</text></g>`,
    );
  }
  parts.push(`<rect class="plot" x="${LEFT}" y="${top}" width="${PLOT_W}" height="${PLOT_H}"/>`);
  if (lanes) {
    lanes.forEach((lane, i) => {
      const y = sy(i).toFixed(1);
      parts.push(
        `<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y}" y2="${y}"/>`,
        `<text class="tick lane" x="${LEFT + 4}" y="${(sy(i) - 5).toFixed(1)}">${escapeHtml(lane)}</text>`,
      );
    });
  } else {
    for (let i = 0; i * scale.step <= scale.top + 1e-9; i++) {
      const v = i * scale.step;
      const y = sy(v).toFixed(1);
      parts.push(
        `<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y}" y2="${y}"/>`,
        `<text class="tick" x="${LEFT - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatNumber(v, 2)}</text>`,
      );
    }
  }
  for (const t of spacedTicks(spec.x.ticks, sx)) {
    parts.push(
      `<line class="grid" x1="${t.x.toFixed(1)}" x2="${t.x.toFixed(1)}" y1="${top + PLOT_H}" y2="${top + PLOT_H + 4}"/>`,
      `<text class="tick" x="${t.x.toFixed(1)}" y="${top + PLOT_H + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const r of spec.references ?? []) {
    const y = sy(r.y).toFixed(1);
    parts.push(
      `<line class="reference" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y}" y2="${y}" stroke="${r.colour}"><title>${escapeHtml(r.title)}</title></line>`,
    );
  }
  let any = false;
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    any = true;
    if (s.line) {
      let pen = false;
      const d = [...s.points]
        .sort((a, b) => a.x - b.x)
        .map((p) => {
          if (p.offScale) {
            pen = false;
            return '';
          }
          const step = `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`;
          pen = true;
          return step;
        })
        .join('');
      parts.push(
        `<path class="series" d="${d}" stroke="${s.colour}"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeHtml(s.name)}</title></path>`,
      );
    }
    const marks = s.points
      .filter((p) => p.shape !== undefined || !s.line)
      .map((p) => {
        const m = mark(p.shape ?? 'dot', sx(p.x), sy(p.y), s.colour);
        return p.title ? `<g>${m}<title>${escapeHtml(p.title)}</title></g>` : m;
      });
    if (marks.length > 0) parts.push(`<g class="marks">${marks.join('')}</g>`);
  }
  if (!any) {
    parts.push(
      `<text class="empty" x="${LEFT + PLOT_W / 2}" y="${top + PLOT_H / 2}" text-anchor="middle">${escapeHtml(spec.empty)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  10 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  182 * DAY,
  365 * DAY,
];

/**
 * Ticks over a span of time, at most `most` of them, on whole steps of local time; labelled with
 * the hour within a day and the date (month-day, with the year over long spans) beyond.
 */
export function timeTicks(
  from: number,
  to: number,
  zone: { minute(ms: number): string; date(ms: number): string; offsetLabel(ms: number): string },
  most = 5,
): Tick[] {
  const step = TIME_STEPS.find((s) => (to - from) / s <= most) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  // Steps are whole in local time: shift by the zone's offset at the start.
  const offset = offsetMs(zone.offsetLabel(from));
  const label = (t: number) =>
    step < DAY ? zone.minute(t) : to - from > 300 * DAY ? zone.date(t).slice(0, 7) : zone.date(t).slice(5);
  const ticks: Tick[] = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to; t += step) {
    ticks.push({ at: t, label: label(t) });
  }
  return ticks;
}

function offsetMs(label: string): number {
  const m = /^UTC([+-])(\d{2}):(\d{2})$/.exec(label);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * MINUTE);
}

/** Ticks over minutes relative to a moment (`−5`, `0`, `+10`, …). */
export function minuteTicks(from: number, to: number, most = 6): Tick[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 240, 720, 1440].map((m) => m * MINUTE);
  const step = steps.find((s) => (to - from) / s <= most) ?? steps[steps.length - 1]!;
  const ticks: Tick[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const m = Math.round(t / MINUTE);
    ticks.push({ at: t, label: m > 0 ? `+${m}` : m < 0 ? `−${-m}` : '0' });
  }
  return ticks;
}
