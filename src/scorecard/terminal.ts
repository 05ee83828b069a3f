import { textTable } from '../report/text-table.ts';
import type { ZoneFormat } from '../report/time-zone.ts';
import {
  budgetText,
  experimentsTable,
  medianText,
  notCountedText,
  notRehearsedItems,
  remediationsTable,
  runsTable,
  scoreText,
  type Table,
  trendText,
  windowText,
} from './document.ts';
import type { Scorecard } from './scorecard.ts';

/** Game days a terminal lists; the page and the JSON have more. */
export const TERMINAL_RUNS = 10;

const table = (t: Table, indent = '  ') =>
  textTable(
    t.columns.map((c) => ({ ...c, title: c.title.toUpperCase() })),
    t.rows,
  ).map((line) => indent + line);

/** One service's scorecard for a terminal. */
export function scorecardLines(card: Scorecard, zone: ZoneFormat): string[] {
  const counted = card.runs.filter((r) => r.kind === 'gameday');
  const lines = [
    `${card.service}: score ${scoreText(card)}`,
    `  trend ${trendText(card, zone)}`,
    `  game days from ${windowText(card, zone)}`,
  ];
  const notCounted = notCountedText(card);
  if (notCounted) lines.push(`  ${notCounted}`);
  lines.push('', ...table(experimentsTable(card, zone)));
  if (card.notRehearsed.length > 0) {
    lines.push(
      '',
      `  Not rehearsed in the last ${card.window.days} days:`,
      ...notRehearsedItems(card, zone).map((i) => `    ${i}`),
    );
  }
  if (counted.length > 0) {
    const d = card.durations;
    lines.push(
      '',
      `  From the impact (median, older half → newer half): detected ${medianText(d.timeToDetect)}, mitigated ${medianText(d.timeToMitigate)}, recovered ${medianText(d.timeToRecover)}`,
    );
  }
  lines.push(`  Error budget: ${budgetText(card)}`);
  if (card.remediations.length > 0) lines.push('', ...table(remediationsTable(card)));
  if (counted.length > 0) {
    const shown = counted.slice(0, TERMINAL_RUNS);
    lines.push(
      '',
      `  Newest game days${counted.length > shown.length ? ` (${shown.length} of ${counted.length}; --json or --format html for all)` : ''}:`,
      ...table(runsTable(shown, zone, { compact: true })),
    );
  }
  return lines;
}

/** Every service in one table, for `faultline scorecard` without a service. */
export function servicesLines(cards: readonly Scorecard[], zone: ZoneFormat): string[] {
  if (cards.length === 0) return ['No game days yet: run one (faultline gameday az-outage).'];
  return [
    `Game days from ${windowText(cards[0]!, zone)}.`,
    ...textTable(
      [
        { title: 'SERVICE' },
        { title: 'SCORE', align: 'right' },
        { title: 'TREND' },
        { title: 'GAME DAYS', align: 'right' },
        { title: 'PASSED', align: 'right' },
        { title: 'NOT COUNTED', align: 'right' },
        { title: 'NOT REHEARSED' },
      ],
      cards.map((c) => [
        c.service,
        c.score.value === null ? '–' : String(c.score.value),
        c.trend.direction,
        String(c.score.counted),
        String(c.score.passed),
        String(c.counts.dryRuns + c.counts.refused),
        c.notRehearsed.map((n) => n.experiment).join(', ') || '–',
      ]),
    ),
    '',
    'faultline scorecard <service> shows one in full.',
  ];
}

/** The definitions, after the scorecard, so that a score is never read without what it means. */
export function definitionLines(card: Scorecard): string[] {
  return [
    '',
    `Score: ${card.score.definition}`,
    `Trend: ${card.trend.definition}`,
    `Against the run before: ${card.changeDefinition}`,
  ];
}
