import { formatDuration } from '../report/format.ts';
import type { ZoneFormat } from '../report/time-zone.ts';
import type { RunRecord } from './run.ts';
import type { Scorecard } from './scorecard.ts';
import { type ChartSpec, PALETTE, type Point, renderChart, type Series, timeTicks } from './svg.ts';

const GREEN = '#1a7f37';
const RED = '#d1242f';
const GREY = '#8c959f';
const HOUR = 3_600_000;

/** The span the charts show: from the window's first run (or its start) to its end, padded. */
function span(card: Scorecard): { from: number; to: number } {
  const to = Date.parse(card.window.to);
  const first = card.runs.at(-1);
  let from = first ? Date.parse(first.openedAt) : Date.parse(card.window.from);
  if (to - from < 2 * HOUR) from = to - 2 * HOUR;
  const pad = (to - from) * 0.03;
  return { from: from - pad, to: to + pad };
}

const at = (r: RunRecord) => Date.parse(r.openedAt);
const minutes = (s: number) => s / 60;

/** The scorecard's charts over its game days, as SVG. */
export function scorecardCharts(card: Scorecard, zone: ZoneFormat): string[] {
  const x = span(card);
  const axis = { ...x, ticks: timeTicks(x.from, x.to, zone) };
  const counted = [...card.runs].filter((r) => r.kind === 'gameday').reverse();
  const label = (r: RunRecord) => `${zone.dateMinute(at(r))} ${r.experiment ?? ''} ${r.incidentId}`;
  const id = (part: string) => `${card.service}-${part}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const experiments = [...new Set(counted.map((r) => r.experiment ?? '(unnamed)'))];
  const colourOf = (name: string | null) =>
    PALETTE[experiments.indexOf(name ?? '(unnamed)') % PALETTE.length]!;
  const charts: ChartSpec[] = [];

  const lane = (r: RunRecord) => (r.kind !== 'gameday' ? 0 : r.passed ? 2 : 1);
  const resultSeries = (name: string, colour: string, shape: Point['shape'], which: number): Series => ({
    name,
    colour,
    points: card.runs
      .filter((r) => lane(r) === which)
      .map((r) => ({
        x: at(r),
        y: which,
        shape,
        title: `${label(r)}: ${r.passed === null ? r.reasons.join('; ') : r.passed ? 'passed' : `not passed: ${r.reasons.join('; ')}`}`,
      })),
  });
  charts.push({
    id: id('results'),
    title: 'Game days',
    x: axis,
    y: { lanes: ['dry / refused', 'not passed', 'passed'] },
    series: [
      resultSeries('passed', GREEN, 'dot', 2),
      resultSeries('not passed', RED, 'cross', 1),
      resultSeries('dry / refused', GREY, 'ring', 0),
    ],
    empty: 'no game day in the window',
  });

  const objectiveChart = (what: 'rto' | 'rpo', title: string, unit: 'min' | 's'): ChartSpec => {
    const scale = unit === 'min' ? minutes : (s: number) => s;
    const measured = counted.filter((r) => r[what].achievedSeconds !== null || r[what].met === false);
    const objectives = new Map<string, number>();
    for (const r of counted) {
      const o = r[what].objectiveSeconds;
      if (o !== null) objectives.set(r.experiment ?? '(unnamed)', scale(o));
    }
    const ceiling =
      Math.max(0, ...objectives.values(), ...measured.map((r) => scale(r[what].achievedSeconds ?? 0))) * 1.1;
    return {
      id: id(what),
      title,
      x: axis,
      y: { unit, top: ceiling },
      series: experiments
        .filter(
          (name) => objectives.has(name) || measured.some((r) => (r.experiment ?? '(unnamed)') === name),
        )
        .map((name) => ({
          name,
          colour: colourOf(name),
          line: true,
          points: measured
            .filter((r) => (r.experiment ?? '(unnamed)') === name)
            .map((r) => {
              const o = r[what];
              const text = `${label(r)}: ${o.achievedSeconds === null ? 'not recovered' : formatDuration(o.achievedSeconds)}${o.objectiveSeconds === null ? '' : ` (objective ${formatDuration(o.objectiveSeconds)})`}`;
              // Never recovered: a mark at the top, where no time can be drawn.
              return o.achievedSeconds === null
                ? { x: at(r), y: ceiling, shape: 'up' as const, title: text, offScale: true }
                : {
                    x: at(r),
                    y: scale(o.achievedSeconds),
                    shape: o.met === false ? ('cross' as const) : ('dot' as const),
                    title: text,
                  };
            }),
        })),
      references: [...objectives.entries()].map(([name, y]) => ({
        y,
        colour: colourOf(name),
        title: `${name}: objective ${formatDuration(unit === 'min' ? y * 60 : y)}`,
      })),
      empty: `no ${what.toUpperCase()} measured`,
    };
  };
  charts.push(objectiveChart('rto', 'RTO achieved, objective dashed', 'min'));
  if (counted.some((r) => r.rpo.objectiveSeconds !== null || r.rpo.achievedSeconds !== null)) {
    charts.push(objectiveChart('rpo', 'RPO achieved, objective dashed', 's'));
  }

  const durationSeries = (name: string, colour: string, read: (r: RunRecord) => number | null): Series => ({
    name,
    colour,
    line: true,
    points: counted.flatMap((r) => {
      const v = read(r);
      return v === null
        ? []
        : [
            {
              x: at(r),
              y: minutes(v),
              shape: 'dot' as const,
              title: `${label(r)}: ${name} ${formatDuration(v)}`,
            },
          ];
    }),
  });
  charts.push({
    id: id('durations'),
    title: 'From the impact to',
    x: axis,
    y: { unit: 'min' },
    series: [
      durationSeries('detected', PALETTE[0]!, (r) => r.timeToDetectSeconds),
      durationSeries('mitigated', PALETTE[3]!, (r) => r.timeToMitigateSeconds),
      durationSeries('recovered', PALETTE[2]!, (r) => r.timeToRecoverSeconds),
    ],
    empty: 'nothing measured',
  });

  charts.push({
    id: id('budget'),
    title: 'Error budget spent per game day',
    x: axis,
    y: { unit: '%' },
    series: experiments.map((name) => ({
      name,
      colour: colourOf(name),
      points: counted
        .filter((r) => (r.experiment ?? '(unnamed)') === name && r.errorBudget.spentPercent !== null)
        .map((r) => ({
          x: at(r),
          y: r.errorBudget.spentPercent!,
          shape: 'dot' as const,
          title: `${label(r)}: ${r.errorBudget.spentPercent} %`,
        })),
    })),
    empty: 'no error budget measured',
  });
  return charts.map(renderChart);
}
