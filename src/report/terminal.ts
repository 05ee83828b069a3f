import type { Incident, TimelineEvent } from '../timeline/event.ts';
import { analyse, type ReportOptions } from './analysis.ts';
import { INCIDENT_TYPE_LABELS, type IncidentType, incidentType } from './attributes.ts';
import type { TypedDetail } from './details.ts';
import { eventText } from './event-text.ts';
import { formatDuration, formatNumber } from './format.ts';
import type { ReportVerdict } from './json.ts';
import { type MinuteRow, minuteRows } from './minutes.ts';
import { type KeyMoment, shownMoments } from './moments.ts';
import { remediationLine } from './remediation-text.ts';
import { MINUTE, minuteOf, type Sample } from './samples.ts';
import { type TextCell, type TextColumn, textTable } from './text-table.ts';
import type { Fact } from './timeline.ts';

export interface TerminalOptions extends ReportOptions {
  /** Show each event's id (what `faultline note --corrects` takes). */
  ids?: boolean;
  /** Show the orchestration's bookkeeping too (src/timeline/bookkeeping.ts): steps, passed checks. */
  steps?: boolean;
}

/**
 * The incident minute by minute, for a terminal: the time zone and the key moments first, then one
 * row per minute (quiet runs folded, as in the report's table) with the minute's metrics and
 * events, each key moment marked where it happened. Pure: the caller reads the timeline.
 */
export function renderTerminalTimeline(
  incident: Incident,
  events: readonly TimelineEvent[],
  options: TerminalOptions = {},
): string[] {
  const a = analyse(incident, events, options);
  const { zone } = a;
  const multiDay = a.span !== null && zone.date(a.span.from) !== zone.date(a.span.to);
  const time = (ms: number) => (multiDay ? zone.dateTime(ms) : zone.time(ms));
  const minute = (ms: number) => (multiDay ? zone.dateMinute(ms) : zone.minute(ms));
  const sameDate = (x: number, y: number) => zone.date(x) === zone.date(y);

  const from = a.span?.from ?? Date.parse(incident.openedAt);
  const to = a.span?.to ?? from;
  const offsets = [zone.offsetLabel(from), zone.offsetLabel(to)];
  const out = [
    `Timeline of ${incident.title || incident.incidentId}`,
    `Incident ${incident.incidentId} · ${INCIDENT_TYPE_LABELS[incidentType(incident)]} · ${incident.service} · ${incident.status}`,
    `Times are shown in ${zone.timeZone} (${offsets[0] === offsets[1] ? offsets[0] : `${offsets[0]} at the start, ${offsets[1]} at the end`}).`,
  ];
  if (a.facts.length === 0) {
    out.push('', "Nothing was recorded on this incident's timeline yet.");
    return out;
  }
  for (const problem of a.orderProblems) out.push(`Order check failed: ${problem}`);

  const byMoment = new Map(a.durations.map((d) => [d.to, d]));
  if (a.injection.none !== null) out.push('', `Key moments: none (${a.injection.none}).`);
  else
    out.push(
      '',
      'Key moments (in the order they happened; durations measured from impact start):',
      ...textTable(
        [{ title: '  MOMENT' }, { title: 'TIME' }, { title: 'DURATION' }],
        shownMoments(a.moments).map((m) => {
          const d = byMoment.get(m.name);
          return [
            `  ${m.label}`,
            m.at === null ? 'not recorded' : zone.dateTime(m.at),
            d?.seconds == null
              ? ''
              : `${d.label.replace(/ \(.*\)$/, '').toLowerCase()} ${formatDuration(d.seconds)}`,
          ];
        }),
      ).slice(1),
    );
  out.push(
    `Verdict: hypothesis ${a.hypothesis.verdict === 'untested' ? 'not tested' : a.hypothesis.verdict} · RTO ${rtoText(a.objectives.rto, incidentType(incident), a.injection.none === null)}`,
  );

  const { preflight } = a.automation;
  // The checks that passed are bookkeeping in the minutes below: their count stands for them here.
  if (preflight.length > 0) {
    const failed = preflight.filter((p) => !p.ok).map((p) => p.name);
    out.push(
      failed.length === 0
        ? `Preflight: all ${preflight.length} checks passed`
        : `Preflight: ${failed.length} of ${preflight.length} checks failed (${failed.join(', ')})`,
    );
  }
  const { runs, counts } = a.remediations;
  for (const r of runs)
    if (r.outcome !== 'duplicate' && r.outcome !== 'not-matched')
      out.push(`Remediation ${remediationLine(r, time)}`);
  if (counts.duplicates > 0) out.push(`Duplicate deliveries stopped at the guard: ${counts.duplicates}`);
  if (counts.notMatched > 0) out.push(`Events no runbook matched: ${counts.notMatched}`);

  const rows = minuteRows(a.facts, { steps: options.steps });
  const azs = [...new Set(a.samples.flatMap((s) => Object.keys(s.sample.healthyHostsByAz)))].sort();
  const columns: TextColumn[] = [
    { title: 'TIME' },
    { title: 'REQ/S', align: 'right' },
    { title: '5XX %', align: 'right' },
    { title: 'P99 MS', align: 'right' },
    { title: `HOSTS ${shortAzNames(azs).join('/')}`.trimEnd() },
    { title: 'LAG MS', align: 'right' },
    { title: 'EVENTS' },
  ];
  const moments = a.moments
    .filter((m): m is KeyMoment & { at: number } => m.at !== null)
    .sort((x, y) => x.at - y.at);
  const mark = (m: KeyMoment & { at: number }) => `${time(m.at)} ▶ ${m.label.toUpperCase()}`;
  const table: TextCell[][] = [];
  let next = 0;
  const momentsBefore = (end: number) => {
    const lines: string[] = [];
    while (next < moments.length && moments[next]!.at < end) lines.push(mark(moments[next++]!));
    return lines;
  };
  // A moment outside every row (e.g. resolved after the last event) gets a row of its own.
  const standalone = (end: number) => {
    while (next < moments.length && moments[next]!.at < end) {
      const m = moments[next++]!;
      table.push([minute(minuteOf(m.at)), '', '', '', '', '', mark(m)]);
    }
  };
  for (const row of rows) {
    standalone(row.from);
    const end = row.to + MINUTE;
    const events = row.folded
      ? [`${row.minutes} min ${row.sample ? 'steady' : 'with nothing recorded'}`, ...momentsBefore(end)]
      : eventLines(row, end);
    table.push([
      row.folded
        ? `${minute(row.from)}–${sameDate(row.from, row.to) ? zone.minute(row.to) : minute(row.to)}`
        : minute(row.from),
      ...sampleCells(row.sample, azs),
      events,
    ]);
  }
  standalone(Infinity);
  // Nothing sampled the service (a remediation's own incident): metric columns would be all dashes.
  const sampled = a.samples.length > 0;
  const firstAndLast = <T>(cells: readonly T[]): T[] => [cells[0]!, cells[cells.length - 1]!];
  out.push(
    '',
    ...(sampled ? textTable(columns, table) : textTable(firstAndLast(columns), table.map(firstAndLast))),
  );
  return out;

  function eventLines(row: MinuteRow, end: number): string[] {
    const lines: string[] = [];
    const facts = row.facts;
    for (let i = 0; i < facts.length; ) {
      const f = facts[i]!;
      lines.push(...momentsBefore(f.at + 1));
      // With ids or steps asked for, every event keeps a line of its own.
      const together = options.ids || options.steps ? 1 : sameInstantRun(facts, i);
      if (together > 1) {
        lines.push(groupLine(facts.slice(i, i + together)));
        i += together;
        continue;
      }
      lines.push(eventLine(f));
      for (const c of a.corrections.get(f.event.eventId) ?? []) {
        lines.push(`  ↳ corrected at ${time(c.at)}: ${eventText(c.event, zone, c.at)}`);
      }
      i++;
    }
    lines.push(...momentsBefore(end));
    return lines;
  }

  /** How many facts from `i` on are one thing happening to several resources at one instant. */
  function sameInstantRun(facts: readonly Fact[], i: number): number {
    const key = groupKey(facts[i]!);
    if (key === undefined) return 1;
    let n = 1;
    while (
      i + n < facts.length &&
      facts[i + n]!.at === facts[i]!.at &&
      groupKey(facts[i + n]!) === key &&
      !a.corrections.has(facts[i + n]!.event.eventId)
    )
      n++;
    return a.corrections.has(facts[i]!.event.eventId) ? 1 : n;
  }

  function groupLine(group: readonly Fact[]): string {
    const first = group[0]!;
    const head = `${zone.time(first.at)} `;
    if (first.typed?.kind === 'fis.targets') {
      const each = group.map((f) => {
        const d = (f.typed as Extract<TypedDetail, { kind: 'fis.targets' }>).detail;
        return `${d.target} (${d.resources.length} ${d.resourceType})`;
      });
      return `${head}FIS targets resolved: ${each.join(', ')}`;
    }
    const d = (first.typed as Extract<TypedDetail, { kind: 'fis.action' }>).detail;
    const names = group.map((f) => (f.typed as Extract<TypedDetail, { kind: 'fis.action' }>).detail.action);
    return `${head}FIS actions ${d.status}: ${names.join(', ')}`;
  }

  function eventLine(f: Fact): string {
    const e = f.event;
    return (
      `${zone.time(f.at)} ${eventText(e, zone, f.at)}` +
      (e.corrects === undefined ? '' : ` (corrects ${e.corrects})`) +
      (options.ids ? `  [${e.eventId}]` : '')
    );
  }
}

/**
 * What several events at one instant share when they say one thing about several resources: the
 * targets an experiment resolved, its actions reaching one state. Undefined for the others.
 */
function groupKey(f: Fact): string | undefined {
  const t = f.typed;
  if (t?.kind === 'fis.targets') return `targets\u0000${t.detail.experimentId}`;
  if (t?.kind === 'fis.action') return `action\u0000${t.detail.experimentId}\u0000${t.detail.status}`;
  return undefined;
}

/**
 * `met (2 min 48 s, objective 15 min)`, `missed (not recovered, objective 15 min)`, `not set`,
 * `not measured (dry run)`, `not measured (nothing was injected)`.
 */
export function rtoText(
  rto: Pick<ReportVerdict['rto'], 'objectiveSeconds' | 'achievedSeconds' | 'met'>,
  type: IncidentType = 'gameday',
  /** False for a game day that injected nothing (a verdict written before it was recorded: undefined). */
  injected?: boolean,
): string {
  if (type === 'dry-run') return 'not measured (dry run)';
  if (injected === false) return 'not measured (nothing was injected)';
  const objective = rto.objectiveSeconds === null ? '' : `objective ${formatDuration(rto.objectiveSeconds)}`;
  const achieved = rto.achievedSeconds === null ? 'not recovered' : formatDuration(rto.achievedSeconds);
  if (rto.met === true) return `met (${achieved}, ${objective})`;
  if (rto.met === false) return `missed (${achieved}, ${objective})`;
  if (rto.objectiveSeconds === null) return 'not set';
  return `not determined (${objective})`;
}

/** `us-east-1a`, `us-east-1b` → `a`, `b`: what tells the zones apart, for a narrow column. */
function shortAzNames(azs: readonly string[]): string[] {
  if (azs.length < 2) return [...azs];
  let common = azs[0]!.length;
  for (const az of azs) {
    let i = 0;
    while (i < common && az[i] === azs[0]![i]) i++;
    common = i;
  }
  return azs.map((az) => az.slice(common));
}

function sampleCells(s: Sample | null, azs: readonly string[]): string[] {
  if (!s) return ['–', '–', '–', '–', '–'];
  return [
    formatNumber(s.requestRate, 1),
    formatNumber(s.errorRatePercent, 2),
    formatNumber(s.p99LatencyMs, 0),
    azs.map((az) => s.healthyHostsByAz[az] ?? '–').join('/') || '–',
    formatNumber(s.replicaLagMs, 0),
  ];
}
