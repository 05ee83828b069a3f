import type { Block, Column } from '../report/document.ts';
import { formatDuration, formatNumber } from '../report/format.ts';
import type { ZoneFormat } from '../report/time-zone.ts';
import type { RunRecord } from './run.ts';
import { BUDGET_DEFINITION, type Median, REHEARSAL_DEFINITION, type Scorecard } from './scorecard.ts';

/** A table as both the page and the terminal show it. */
export interface Table {
  columns: Column[];
  rows: string[][];
}

/** The page's content: the report's blocks, and figures (charts) that only the HTML page draws. */
export type PageBlock =
  | Exclude<Block, { type: 'charts' } | { type: 'fold' }>
  | { type: 'figures'; svgs: string[]; alt: string };

/** Game days listed on the page, newest first; the JSON has every one. */
export const PAGE_RUNS = 200;

const duration = (s: number | null) => (s === null ? '–' : formatDuration(s));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function resultText(r: RunRecord): string {
  if (r.kind === 'dry-run') return 'dry run';
  if (r.kind === 'refused') return 'refused';
  return r.passed ? 'passed' : 'NOT passed';
}

/** `met 4 min (15 min)`, `MISSED not recovered (10 min)`, `not measured (15 min)`, `–`. */
export function objectiveCell(o: RunRecord['rto'] | RunRecord['rpo'], what: 'RTO' | 'RPO'): string {
  if (o.objectiveSeconds === null && o.achievedSeconds === null) return '–';
  // Not judged (nothing was injected, the timeline does not show the end): not "not recovered".
  if (o.met === null && o.achievedSeconds === null)
    return what === 'RPO' ? '–' : `not measured (${duration(o.objectiveSeconds)})`;
  const achieved =
    o.achievedSeconds === null
      ? what === 'RTO'
        ? 'not recovered'
        : 'not measured'
      : duration(o.achievedSeconds);
  const objective = o.objectiveSeconds === null ? '' : ` (${duration(o.objectiveSeconds)})`;
  if (o.met === null) return what === 'RPO' && o.achievedSeconds === null ? '–' : `${achieved}${objective}`;
  return `${o.met ? 'met' : 'MISSED'} ${achieved}${objective}`;
}

function remediationsCell(r: RunRecord): string {
  if (r.remediations.length === 0) return '–';
  return r.remediations.map((x) => `${x.runbook ?? '?'} ${x.outcome}`).join(', ');
}

/** `4 min → 2 min` (older half → newer half), or the median alone. */
export function medianText(m: Median): string {
  if (m.all === null) return 'not measured';
  if (m.older === null || m.newer === null) return duration(m.all);
  return `${duration(m.older)} → ${duration(m.newer)}`;
}

export function scoreText(card: Scorecard): string {
  const s = card.score;
  return s.value === null
    ? 'no score (no game day)'
    : `${s.value}/100 (${s.passed} of ${plural(s.counted, 'game day')} passed)`;
}

export function trendText(card: Scorecard, zone: ZoneFormat): string {
  const t = card.trend;
  if (!t.older || !t.newer) return `not enough runs (${plural(card.score.counted, 'game day')}; it needs 4)`;
  const slice = (s: NonNullable<typeof t.older>) =>
    `${s.score} (${s.passed} of ${s.counted}, ${zone.date(Date.parse(s.from))} to ${zone.date(Date.parse(s.to))})`;
  return `${t.direction}: ${slice(t.newer)} against ${slice(t.older)}`;
}

export function windowText(card: Scorecard, zone: ZoneFormat): string {
  return `${zone.date(Date.parse(card.window.from))} to ${zone.dateMinute(Date.parse(card.window.to))} (${plural(card.window.days, 'day')}, times in ${zone.timeZone})`;
}

export function notCountedText(card: Scorecard): string | null {
  const c = card.counts;
  const parts = [
    ...(c.dryRuns ? [plural(c.dryRuns, 'dry run')] : []),
    ...(c.refused ? [plural(c.refused, 'refused run')] : []),
  ];
  const notes = [
    ...(parts.length ? [`Not counted: ${parts.join(', ')} (they injected nothing).`] : []),
    ...(c.failed
      ? [`${plural(c.failed, 'game day')} during which faultline itself failed, counted as not passed.`]
      : []),
    ...(c.unreadable ? [`${plural(c.unreadable, 'record')} of a newer faultline skipped.`] : []),
  ];
  return notes.length ? notes.join(' ') : null;
}

export function budgetText(card: Scorecard): string {
  const b = card.errorBudget;
  const slo = b.availabilitySlo.length
    ? ` (availability objective ${b.availabilitySlo.map((v) => `${v} %`).join(', ')})`
    : '';
  if (card.score.counted === 0) return 'No game day spent any error budget.';
  return `${formatNumber(b.spentPercent, 2)} % of an SLO window's error budget, spent by ${plural(b.runs, 'game day')}${slo}.`;
}

export function experimentsTable(card: Scorecard, zone: ZoneFormat): Table {
  return {
    columns: [
      { title: 'Experiment' },
      { title: 'Game days', align: 'right' },
      { title: 'Passed', align: 'right' },
      { title: 'Last run' },
      { title: 'RTO (objective)' },
      { title: 'Against the run before' },
    ],
    rows: card.experiments.map((e) => [
      e.experiment,
      String(e.counted) + (e.dryRuns + e.refused ? ` (+${e.dryRuns + e.refused} not counted)` : ''),
      e.counted ? String(e.passed) : '–',
      e.last
        ? `${zone.dateMinute(Date.parse(e.last.openedAt))} ${e.last.passed ? 'passed' : 'NOT passed'}`
        : 'none in the window',
      e.last ? objectiveCell(e.last.rto, 'RTO') : '–',
      e.change ? e.change.sentence : '–',
    ]),
  };
}

export function objectivesTable(card: Scorecard): Table {
  const tally = (o: Scorecard['experiments'][number]['rto']) =>
    o.met + o.missed === 0 ? '–' : `${o.met} met, ${o.missed} missed`;
  return {
    columns: [
      { title: 'Experiment' },
      { title: 'RTO objective', align: 'right' },
      { title: 'RTO' },
      { title: 'Achieved (older → newer half)' },
      { title: 'RPO objective', align: 'right' },
      { title: 'RPO' },
      { title: 'Achieved (older → newer half)' },
    ],
    rows: card.experiments
      .filter((e) => e.counted > 0)
      .map((e) => [
        e.experiment,
        duration(e.rto.objectiveSeconds),
        tally(e.rto),
        medianText(e.rto.median),
        duration(e.rpo.objectiveSeconds),
        tally(e.rpo),
        e.rpo.median.measured ? medianText(e.rpo.median) : '–',
      ]),
  };
}

export function durationsTable(card: Scorecard): Table {
  const row = (label: string, m: Median) => [
    label,
    duration(m.all),
    duration(m.older),
    duration(m.newer),
    String(m.measured),
  ];
  return {
    columns: [
      { title: 'From the impact to', align: 'left' },
      { title: 'Median', align: 'right' },
      { title: 'Older half', align: 'right' },
      { title: 'Newer half', align: 'right' },
      { title: 'Measured in', align: 'right' },
    ],
    rows: [
      row('detected', card.durations.timeToDetect),
      row('mitigated', card.durations.timeToMitigate),
      row('recovered', card.durations.timeToRecover),
    ],
  };
}

export function remediationsTable(card: Scorecard): Table {
  return {
    columns: [{ title: 'Runbook' }, { title: 'Attempts', align: 'right' }, { title: 'How they ended' }],
    rows: card.remediations.map((r) => [
      r.runbook,
      String(r.attempts),
      Object.entries(r.outcomes)
        .sort(([, a], [, b]) => b - a)
        .map(([outcome, n]) => `${n} ${outcome}`)
        .join(', '),
    ]),
  };
}

/** Columns a terminal leaves out of the game days' table, to keep it within a wide terminal. */
const WIDE_ONLY = new Set(['Hypothesis', 'RPO', 'Remediations']);

export function runsTable(
  runs: readonly RunRecord[],
  zone: ZoneFormat,
  opts: { compact?: boolean } = {},
): Table {
  const full: Table = {
    columns: [
      { title: 'Opened' },
      { title: 'Experiment' },
      { title: 'Result' },
      { title: 'Hypothesis' },
      { title: 'RTO (objective)' },
      { title: 'RPO' },
      { title: 'Detect', align: 'right' },
      { title: 'Mitigate', align: 'right' },
      { title: 'Recover', align: 'right' },
      { title: 'Budget', align: 'right' },
      { title: 'Remediations' },
      { title: 'Incident' },
    ],
    rows: runs.map((r) => [
      zone.dateMinute(Date.parse(r.openedAt)),
      r.experiment ?? '–',
      resultText(r),
      r.kind === 'gameday' ? r.hypothesis : '–',
      objectiveCell(r.rto, 'RTO'),
      objectiveCell(r.rpo, 'RPO'),
      duration(r.timeToDetectSeconds),
      duration(r.timeToMitigateSeconds),
      duration(r.timeToRecoverSeconds),
      r.errorBudget.spentPercent === null ? '–' : `${formatNumber(r.errorBudget.spentPercent, 2)} %`,
      remediationsCell(r),
      r.incidentId,
    ]),
  };
  if (!opts.compact) return full;
  const keep = full.columns.map((c) => !WIDE_ONLY.has(c.title));
  return {
    columns: full.columns.filter((_, i) => keep[i]),
    rows: full.rows.map((row) => row.filter((_, i) => keep[i])),
  };
}

export function notRehearsedItems(card: Scorecard, zone: ZoneFormat): string[] {
  return card.notRehearsed.map((n) => {
    const last = n.last
      ? `last game day ${zone.dateMinute(Date.parse(n.last.openedAt))} (${n.last.incidentId}, ${n.last.passed ? 'passed' : 'not passed'})`
      : 'never run';
    return `${n.experiment}: ${last}${n.schedule ? `; scheduled ${n.schedule}` : ''}`;
  });
}

const tableBlock = (t: Table, id?: string): PageBlock => ({
  type: 'table',
  columns: t.columns,
  rows: t.rows,
  ...(id ? { id } : {}),
});

/** A service's scorecard as the page's blocks; `charts` are its figures, drawn by the HTML page. */
export function scorecardBlocks(card: Scorecard, zone: ZoneFormat, charts: string[]): PageBlock[] {
  const id = (part: string) => `${card.service}-${part}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const notCounted = notCountedText(card);
  const counted = card.runs.filter((r) => r.kind === 'gameday');
  const apart = card.runs.filter((r) => r.kind !== 'gameday');
  const blocks: PageBlock[] = [
    { type: 'heading', level: 2, text: card.service, id: id('service') },
    {
      type: 'paragraph',
      tone: 'verdict',
      text: `Score ${scoreText(card)}. Trend ${trendText(card, zone)}.`,
    },
    {
      type: 'paragraph',
      tone: 'note',
      text: `Game days from ${windowText(card, zone)}. Score: ${card.score.definition}`,
    },
    ...(notCounted ? [{ type: 'paragraph' as const, text: notCounted }] : []),
    {
      type: 'figures',
      svgs: charts,
      alt: 'Charts of the results, RTO, RPO, times to detect, mitigate and recover and error budget over the game days are in the HTML page.',
    },
    { type: 'heading', level: 3, text: 'Experiments', id: id('experiments') },
    tableBlock(experimentsTable(card, zone)),
  ];
  if (card.notRehearsed.length > 0) {
    blocks.push(
      {
        type: 'heading',
        level: 3,
        text: `Not rehearsed in the last ${plural(card.window.days, 'day')}`,
        id: id('not-rehearsed'),
      },
      { type: 'list', items: notRehearsedItems(card, zone) },
    );
  }
  if (counted.length > 0) {
    blocks.push(
      { type: 'heading', level: 3, text: 'Objectives', id: id('objectives') },
      tableBlock(objectivesTable(card)),
      { type: 'heading', level: 3, text: 'Time to detect, mitigate and recover', id: id('durations') },
      tableBlock(durationsTable(card)),
    );
  }
  blocks.push(
    { type: 'heading', level: 3, text: 'Error budget spent by game days', id: id('error-budget') },
    { type: 'paragraph', text: budgetText(card) },
  );
  if (card.remediations.length > 0) {
    blocks.push(
      { type: 'heading', level: 3, text: 'Remediations during game days', id: id('remediations') },
      tableBlock(remediationsTable(card)),
    );
  }
  if (counted.length > 0) {
    blocks.push(
      { type: 'heading', level: 3, text: 'Game days, newest first', id: id('game-days') },
      ...(counted.length > PAGE_RUNS
        ? [
            {
              type: 'paragraph' as const,
              tone: 'note' as const,
              text: `The newest ${PAGE_RUNS} of ${counted.length}; faultline scorecard --json lists every one.`,
            },
          ]
        : []),
      tableBlock(runsTable(counted.slice(0, PAGE_RUNS), zone), id('runs')),
    );
  }
  if (apart.length > 0) {
    blocks.push(
      { type: 'heading', level: 3, text: 'Dry runs and refused runs (not counted)', id: id('not-counted') },
      {
        type: 'list',
        items: apart
          .slice(0, PAGE_RUNS)
          .map(
            (r) =>
              `${zone.dateMinute(Date.parse(r.openedAt))} ${r.experiment ?? '–'} ${r.incidentId}: ${r.reasons.join('; ')}`,
          ),
      },
    );
  }
  return blocks;
}

/** What each figure means, once at the end of the page. */
export function definitionBlocks(card: Scorecard): PageBlock[] {
  return [
    { type: 'heading', level: 2, text: 'Definitions', id: 'definitions' },
    {
      type: 'list',
      items: [
        `Score: ${card.score.definition}`,
        `Trend: ${card.trend.definition}`,
        `Against the run before: ${card.changeDefinition}`,
        `Error budget: ${BUDGET_DEFINITION}`,
        `Not rehearsed: ${REHEARSAL_DEFINITION}`,
        'Times to detect, mitigate and recover run from the impact (the fault injected) to the moments the report derives from the events; "older → newer half" are the medians of the two halves the trend compares.',
      ],
    },
  ];
}
