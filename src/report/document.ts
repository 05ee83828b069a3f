import { previousRunBlocks } from '../scorecard/previous.ts';
import type { RunRecord } from '../scorecard/run.ts';
import type { Analysis, ExtraExtremes } from './analysis.ts';
import { INCIDENT_TYPE_LABELS, incidentType } from './attributes.ts';
import { chartSpecs, servedUnsampled } from './charts.ts';
import { eventText } from './event-text.ts';
import { formatCount, formatDollars, formatDuration, formatNumber, formatPrice } from './format.ts';
import type { MinuteRow } from './minutes.ts';
import { shownMoments } from './moments.ts';
import { rtoStartWords } from './objectives.ts';
import {
  ACTION_TYPES,
  recoveryNarrative,
  responders,
  SEVERITY_RULE,
  suggestedActions,
  suggestedSeverity,
  supportingLinks,
  type Times,
  userImpactLead,
} from './postmortem.ts';
import {
  actionLines,
  approvalLines,
  DURATION_DEFINITIONS,
  durationCells,
  guardText,
  outcomeText,
  remediationLine,
  triggerText,
} from './remediation-text.ts';
import type { Sample } from './samples.ts';
import type { Fact } from './timeline.ts';

/**
 * The report's content, once, as blocks of plain text: markdown.ts and html.ts each render these
 * blocks, so the two forms cannot say different things. Text here is never pre-escaped.
 */
export type Cell = string | string[];

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** A list item; a prompt is a question left for people, shown as one. */
export type ListItem = string | { text: string; prompt: true };

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3; text: string; id?: string }
  | { type: 'paragraph'; text: string; tone?: 'note' | 'warning' | 'verdict' | 'lead' | 'prompt' }
  | { type: 'list'; items: ListItem[]; ordered?: boolean }
  | { type: 'table'; columns: Column[]; rows: Cell[][]; id?: string }
  /** Where the HTML puts its charts (titled as listed); the markdown says where to find them. */
  /** The charts' titles as a sentence lists them. */
  | { type: 'charts'; titles: string[] }
  /**
   * Blocks a reader may skip: `always` folded (a definition, say) in the HTML; `narrow` shown on
   * a wide screen and folded on a phone, behind `summary`. The markdown shows them as they are.
   */
  | { type: 'fold'; when: 'always' | 'narrow'; summary: string; blocks: Block[] };

export function reportBlocks(
  a: Analysis,
  rows: readonly MinuteRow[],
  previousRun?: RunRecord | null,
): Block[] {
  const ctx = new Context(a);
  return [
    ...header(ctx),
    ...summary(ctx),
    ...previousRunBlocks(a, previousRun),
    ...impact(ctx),
    ...responders(ctx.a),
    ...recoveryNarrative(ctx.a, ctx),
    ...charts(ctx),
    ...keyMoments(ctx),
    ...objectives(ctx),
    ...hypothesis(ctx),
    ...minuteByMinute(ctx, rows),
    ...automation(ctx),
    ...prompts(ctx),
    ...supportingLinks(ctx.a),
  ];
}

/** Time formatting shared by the sections. */
class Context implements Times {
  readonly a: Analysis;
  /** Rows show the date only when the incident spans more than one local date. */
  readonly multiDay: boolean;

  constructor(a: Analysis) {
    this.a = a;
    this.multiDay = a.span !== null && a.zone.date(a.span.from) !== a.zone.date(a.span.to);
  }

  /** A moment in full (`2026-01-05 09:14:05`), or `–`. */
  at(ms: number | null): string {
    return ms === null ? '–' : this.a.zone.dateTime(ms);
  }

  /** A time within the incident (`09:14:05`, with the date when the incident spans days). */
  time(ms: number): string {
    return this.multiDay ? this.a.zone.dateTime(ms) : this.a.zone.time(ms);
  }

  minute(ms: number): string {
    return this.multiDay ? this.a.zone.dateMinute(ms) : this.a.zone.minute(ms);
  }
}

const yesNo = (v: boolean | null) => (v === null ? 'not determined' : v ? 'yes' : 'no');

function header(ctx: Context): Block[] {
  const { a } = ctx;
  const inc = a.incident;
  const zoneLine = `Times are shown in ${a.zone.timeZone} (${a.zone.offsetLabel(a.span?.from ?? Date.parse(inc.openedAt))}${
    a.span && a.zone.offsetLabel(a.span.from) !== a.zone.offsetLabel(a.span.to)
      ? ` at the start, ${a.zone.offsetLabel(a.span.to)} at the end`
      : ''
  }).`;
  const blocks: Block[] = [
    { type: 'heading', level: 1, text: `Post-mortem draft: ${inc.title || inc.incidentId}` },
    { type: 'paragraph', text: zoneLine, tone: 'note' },
    {
      type: 'table',
      columns: [{ title: 'Incident' }, { title: '' }],
      rows: [
        ['Id', inc.incidentId],
        [
          'Kind',
          inc.kind === 'remediation' ? 'incident (remediation)' : INCIDENT_TYPE_LABELS[incidentType(inc)],
        ],
        ['Service', inc.service],
        ...(a.attrs.experimentName ? [['Experiment', a.attrs.experimentName]] : []),
        ...(a.attrs.imported
          ? [
              [
                'FIS template',
                `${a.attrs.imported.template} (stop conditions from ${a.attrs.imported.stopConditionsFrom === 'hypothesis' ? "the hypothesis's alarms" : `the ${a.attrs.imported.stopConditionsFrom}`})`,
              ],
            ]
          : []),
        ['Severity', severityText(a)],
        ['Status', inc.status],
        ['Opened', ctx.at(Date.parse(inc.openedAt))],
        ['Closed', inc.closedAt ? ctx.at(Date.parse(inc.closedAt)) : '–'],
        [
          'Timeline',
          // Duplicates are not counted: the same events written twice must give the same report.
          `${formatCount(a.facts.length)} events` +
            (a.repeatsDropped ? `, ${formatCount(a.repeatsDropped)} same-state repeat(s) dropped` : ''),
        ],
      ],
    },
  ];
  blocks.push({
    type: 'fold',
    when: 'always',
    summary: 'How the severity is suggested',
    blocks: [{ type: 'paragraph', text: SEVERITY_RULE, tone: 'note' }],
  });
  for (const problem of a.orderProblems) {
    blocks.push({ type: 'paragraph', text: `Order check failed: ${problem}`, tone: 'warning' });
  }
  return blocks;
}

function severityText(a: Analysis): string {
  const s = suggestedSeverity(a);
  if (s) return `${s.level} (suggested: ${s.because}; confirm or change)`;
  return !a.attrs.dryRun && a.injection.none !== null
    ? `to set: nothing was injected (${a.injection.none})`
    : 'to set: nothing on the timeline to weigh';
}

function charts(ctx: Context): Block[] {
  const specs = chartSpecs(ctx.a);
  const blocks: Block[] = [
    { type: 'heading', level: 2, text: 'Charts', id: 'charts' },
    specs.length === 0
      ? {
          type: 'paragraph',
          text: 'No metric samples were recorded on this timeline: there is nothing to chart.',
        }
      : {
          type: 'charts',
          // An extra metric's title stays as its author wrote it (Lambda, IsMaster are names).
          titles: specs.map((c) =>
            c.id.startsWith('extra-') ? c.title : c.title.charAt(0).toLowerCase() + c.title.slice(1),
          ),
        },
  ];
  const elsewhere = servedUnsampled(ctx.a);
  if (elsewhere) {
    blocks.push({
      type: 'paragraph',
      text:
        `From ${ctx.minute(elsewhere.from)} to ${ctx.minute(elsewhere.to)} no sampled host (${elsewhere.regions.join(', ')}) was healthy, ` +
        'yet most requests were answered: hosts the samples do not cover served them (a standby region after a failover, say). ' +
        'Those hosts are not charted: the experiment samples the healthy hosts of one load balancer.',
      tone: 'note',
    });
  }
  return blocks;
}

function summaryText(ctx: Context): string {
  const { a } = ctx;
  if (a.facts.length === 0) {
    return "Nothing was recorded on this incident's timeline: with no events there are no key moments, objectives or verdict to derive.";
  }
  const parts: string[] = [];
  const auto = a.automation;
  const impact = a.moments.find((m) => m.name === 'impactStarted')!;
  if (a.incident.kind === 'gameday') {
    const name = a.attrs.experimentName
      ? `The ${a.attrs.experimentName} ${a.attrs.dryRun ? 'dry run' : 'game day'}`
      : a.attrs.dryRun
        ? 'The dry run'
        : 'The game day';
    if (auto.refusedReasons) {
      parts.push(
        `${name} on ${a.incident.service} was refused before anything was injected: ${auto.refusedReasons.join('; ')}.`,
      );
    } else if (a.attrs.dryRun) {
      const resources = auto.targets.reduce((n, t) => n + t.resources.length, 0);
      parts.push(
        `${name} on ${a.incident.service} injected nothing, as a dry run does: FIS resolved its targets` +
          ` (it would hit ${resources} resource(s)) and skipped its actions, so nothing was measured.`,
      );
    } else if (a.injection.none !== null || impact.at === null) {
      parts.push(
        `${name} on ${a.incident.service} injected nothing: ${a.injection.none ?? 'no FIS action was recorded running'}.`,
      );
    } else {
      const actions = auto.actions.filter((x) => x.injected).map((x) => `${x.action} (${x.actionId})`);
      const resources = auto.targets.reduce((n, t) => n + t.resources.length, 0);
      parts.push(
        `${name} injected ${actions.length > 0 ? actions.join(', ') : 'its fault'} into ${a.incident.service} at ${ctx.time(impact.at)}` +
          (resources > 0 ? `, hitting ${resources} resource(s)` : '') +
          '.',
      );
    }
    if (auto.experiment.id) {
      const e = auto.experiment;
      // FIS's reason says why it failed; for an experiment that completed it says nothing more.
      const why = e.finalStatus === 'failed' && e.reason ? `: ${sentence(e.reason)}` : '.';
      parts.push(
        `Experiment ${e.id} ${e.endedAt !== null ? `ended ${e.finalStatus} at ${ctx.time(e.endedAt)}` : `was last seen ${e.finalStatus}`}` +
          (auto.stopRequests[0] ? ` after a stop request (${auto.stopRequests[0].reason})` : '') +
          why,
      );
      for (const f of a.injection.failed) {
        // FIS's experiment reason usually names the failed action already: not twice.
        if (e.reason?.includes(f.action) && (f.reason === null || e.reason.includes(f.reason))) continue;
        parts.push(
          `Action ${f.action} (${f.actionId}) failed at ${ctx.time(f.at)}${f.injected ? '' : ' as it started, injecting nothing'}` +
            (f.reason ? `: ${sentence(f.reason)}` : '.'),
        );
      }
    }
    for (const f of auto.failures) {
      parts.push(
        `The game day failed: ${f.error}${f.cause ? ` (${f.cause})` : ''}; the experiment was ${f.experimentStopped ? 'stopped' : 'NOT confirmed stopped'}.`,
      );
    }
    if (!auto.faultStopped)
      parts.push('No stop of the fault was recorded: check that nothing is still injected.');
  } else {
    const detected = a.moments.find((m) => m.name === 'detected')!;
    const first = a.facts.find((f) => f.event.eventId === detected.eventId);
    // A remediation's incident is titled with its transition: the triage would say it again.
    const said = first && first.typed?.kind !== 'remediation.triage';
    parts.push(
      impact.at === null
        ? `${a.incident.title}: no alarm or metric breach was recorded.`
        : `${a.incident.title}: impact started at ${ctx.time(impact.at)}${said ? ` (${first.event.summary || first.event.kind})` : ''}.`,
    );
    const mitigated = a.moments.find((m) => m.name === 'mitigated')!;
    if (mitigated.at !== null) parts.push(`Mitigated at ${ctx.time(mitigated.at)}.`);
  }
  const acted = a.remediations.runs.filter(listed);
  if (acted.length > 0) {
    parts.push(
      `${acted.length === 1 ? 'A remediation' : `${acted.length} remediations`} ran: ` +
        `${acted.map((r) => remediationLine(r, (ms) => ctx.time(ms))).join('; ')}.`,
    );
  }
  parts.push(hypothesisSentence(a));
  parts.push(rtoSentence(a));
  return parts.join(' ');
}

/** FIS's reason as the end of a sentence: one line, one full stop. */
function sentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

function hypothesisSentence(a: Analysis): string {
  const h = a.hypothesis;
  if (h.verdict === 'held') return 'The steady-state hypothesis held.';
  if (h.verdict === 'untested') return `The steady-state hypothesis was not tested: ${h.reasons.join('; ')}.`;
  return `The steady-state hypothesis deviated: ${h.reasons.join('; ')}.`;
}

function rtoSentence(a: Analysis): string {
  const r = a.objectives.rto;
  if (a.attrs.dryRun) return 'RTO not measured (dry run).';
  if (a.injection.none !== null) return 'RTO not measured: nothing was injected.';
  if (r.objectiveSeconds === null && r.achievedSeconds === null) return 'No RTO was set or measured.';
  if (r.met === true) {
    return `RTO met: steady state back ${formatDuration(r.achievedSeconds!)} after ${rtoStartWords(a.attrs)} (objective ${formatDuration(r.objectiveSeconds!)}).`;
  }
  if (r.met === false) {
    return r.achievedSeconds === null
      ? `RTO missed: ${r.note} (objective ${formatDuration(r.objectiveSeconds!)}).`
      : `RTO missed: steady state back ${formatDuration(r.achievedSeconds)} after ${rtoStartWords(a.attrs)} (objective ${formatDuration(r.objectiveSeconds!)}).`;
  }
  return `RTO not determined: ${r.note ?? 'no objective'}.`;
}

function summary(ctx: Context): Block[] {
  const lead = userImpactLead(ctx.a, ctx);
  return [
    { type: 'heading', level: 2, text: 'Summary', id: 'summary' },
    ...(lead ? [{ type: 'paragraph' as const, text: lead, tone: 'lead' as const }] : []),
    { type: 'paragraph', text: summaryText(ctx), tone: 'verdict' },
  ];
}

function impact(ctx: Context): Block[] {
  const { a } = ctx;
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'Impact', id: 'impact' }];
  const i = a.impact;
  if (!i) {
    blocks.push({
      type: 'paragraph',
      text: a.injection.none !== null ? `None: ${a.injection.none}.` : 'No impact was recorded.',
    });
    return blocks;
  }
  const span = `from ${ctx.time(i.from)} to ${ctx.time(i.to)} (${formatDuration((i.to - i.from) / 1000)})`;
  const bounded = (a.attrs.hypothesis?.metrics.length ?? 0) > 0;
  blocks.push({
    type: 'paragraph',
    text:
      i.basis === 'fault'
        ? 'The service stayed in its steady state: no steady-state alarm or health check left its state' +
          (bounded
            ? " and every minute kept the hypothesis's metric bounds"
            : ' (the hypothesis names no metric bound)') +
          `. The fault ran ${span}.`
        : `Impact ${span}, measured from the service's own signals: from the first sign (${i.start.evidence}) ` +
          (i.end
            ? `to the last return to the steady state (${i.end.evidence}).`
            : 'to the end of the timeline: not recovered.'),
  });
  if (i.outsideBounds) {
    const o = i.outsideBounds;
    blocks.push({
      type: 'paragraph',
      text: `User impact, as the hypothesis's metric bounds show it: ${o.minutes} minute${o.minutes === 1 ? '' : 's'} outside them, from ${ctx.time(o.from)} to ${ctx.time(o.to)}.`,
    });
  } else if (i.basis === 'signals' && bounded) {
    blocks.push({ type: 'paragraph', text: "Every minute kept the hypothesis's metric bounds." });
  }
  const ext = (label: string, e: { value: number; at: number } | null, unit: string) =>
    e ? [`${label}: ${formatNumber(e.value, 2)}${unit} at ${ctx.minute(e.at)}`] : [];
  const eb = a.objectives.errorBudget;
  const extremes = {
    type: 'list' as const,
    items: [
      ...ext('Peak 5xx rate', i.peakErrorRatePercent, ' %'),
      ...ext('Worst p99 latency', i.worstP99LatencyMs, ' ms'),
      ...ext('Fewest healthy hosts', i.fewestHealthyHosts, ''),
      ...ext('Lowest request rate', i.lowestRequestRate, ' req/s'),
      ...ext('Most replica lag', i.maxReplicaLagMs, ' ms'),
      ...i.extraMetrics.map((x) => extraFigure(ctx, x)),
      ...(eb.errorsDuringIncident !== null && a.samples.length > 0
        ? [`Failed requests (estimated from the minute samples): ${formatCount(eb.errorsDuringIncident)}`]
        : []),
    ],
  };
  // Nothing sampled (a remediation's own incident): no empty list.
  if (extremes.items.length > 0) blocks.push(extremes);
  if (a.episodes.length > 0) {
    blocks.push({
      type: 'paragraph',
      text: 'Steady-state alarms and health checks out of their steady state:',
    });
    blocks.push({
      type: 'list',
      items: a.episodes.map(
        (e) =>
          `${e.subject}: ${e.state} from ${ctx.time(e.from)} ` +
          (e.to === null
            ? 'to the end of the timeline'
            : `to ${ctx.time(e.to)} (${formatDuration((e.to - e.from) / 1000)})`),
      ),
    });
  }
  return blocks;
}

function keyMoments(ctx: Context): Block[] {
  const { a } = ctx;
  if (a.injection.none !== null) {
    return [
      { type: 'heading', level: 2, text: 'Key moments', id: 'key-moments' },
      {
        type: 'paragraph',
        text: `None: ${a.injection.none}, so nothing is detected, mitigated or recovered, and no duration is measured.`,
      },
    ];
  }
  return [
    { type: 'heading', level: 2, text: 'Key moments', id: 'key-moments' },
    {
      type: 'paragraph',
      text: 'In the order they happened. Each is taken from the event that shows it (never from the poll that noticed it, never typed by hand), and checked to be in order before any duration is computed.',
      tone: 'note',
    },
    {
      type: 'table',
      id: 'moment-table',
      columns: [{ title: 'Moment' }, { title: 'Time' }, { title: 'Shown by' }],
      rows: shownMoments(a.moments).map((m) => [
        m.label,
        m.at === null ? 'not recorded' : ctx.at(m.at),
        m.evidence ?? '–',
      ]),
    },
    {
      type: 'fold',
      when: 'always',
      summary: 'How each moment is defined',
      blocks: [{ type: 'list', items: shownMoments(a.moments).map((m) => `${m.label}: ${m.definition}`) }],
    },
    {
      type: 'paragraph',
      text:
        a.orderProblems.length === 0
          ? 'Order check: passed.'
          : `Order check: failed. ${a.orderProblems.join(' ')}`,
      tone: a.orderProblems.length === 0 ? undefined : 'warning',
    },
    {
      type: 'paragraph',
      text: 'All durations are measured from impact start, as the common incident tools do.',
      tone: 'note',
    },
    {
      type: 'table',
      columns: [{ title: 'Duration' }, { title: 'Value', align: 'right' }, { title: 'Definition' }],
      rows: a.durations.map((d) => [
        d.label,
        d.seconds === null ? `not computed: ${d.note}` : formatDuration(d.seconds),
        d.definition,
      ]),
    },
  ];
}

function objectives(ctx: Context): Block[] {
  const { a } = ctx;
  const { rto, rpo, errorBudget: eb } = a.objectives;
  if (rto.objectiveSeconds === null && rpo.objectiveSeconds === null && eb.slo === null) {
    // A real incident (a remediation's) has no experiment file to set them: one sentence, not a table of dashes.
    return [
      { type: 'heading', level: 2, text: 'Objectives', id: 'objectives' },
      {
        type: 'paragraph',
        text:
          'No objectives were set for this incident (RTO, RPO and the availability SLO come from an experiment file).' +
          (rto.achievedSeconds === null
            ? ''
            : ` Steady state back ${formatDuration(rto.achievedSeconds)} after the ${ctx.a.incident.kind === 'gameday' ? 'fault ended' : 'mitigation'}.`),
      },
    ];
  }
  const dur = (s: number | null) => (s === null ? '–' : formatDuration(s));
  const withNote = (value: string, note: string | null) => (note ? `${value} (${note})` : value);
  return [
    { type: 'heading', level: 2, text: 'Objectives', id: 'objectives' },
    {
      type: 'table',
      columns: [
        { title: 'Objective' },
        { title: 'Target', align: 'right' },
        { title: 'Achieved', align: 'right' },
        { title: 'Met' },
        { title: 'Definition' },
      ],
      rows: [
        [
          'RTO',
          dur(rto.objectiveSeconds),
          withNote(dur(rto.achievedSeconds), rto.note),
          a.attrs.dryRun
            ? 'not measured (dry run)'
            : a.injection.none !== null
              ? 'not measured (nothing was injected)'
              : yesNo(rto.met),
          rto.definition,
        ],
        [
          'RPO',
          dur(rpo.objectiveSeconds),
          withNote(
            rpo.achievedSeconds === null ? '–' : `${formatNumber(rpo.achievedSeconds, 3)} s`,
            rpo.note,
          ),
          yesNo(rpo.met),
          rpo.failoverAt === null
            ? rpo.definition
            : `${rpo.definition} Failover at ${ctx.time(rpo.failoverAt)}.`,
        ],
        [
          'Error budget',
          eb.slo === null ? '–' : `${eb.slo} % over ${formatDuration(eb.windowSeconds)}`,
          withNote(eb.spentPercent === null ? '–' : `${formatNumber(eb.spentPercent, 2)} % spent`, eb.note),
          eb.spentPercent === null ? 'not determined' : eb.spentPercent <= 100 ? 'yes' : 'no',
          `Errors during the incident over the errors the SLO allows in its window.`,
        ],
      ],
    },
    {
      type: 'paragraph',
      text:
        `Error budget: ${eb.formula}. ` +
        (eb.errorsDuringIncident === null
          ? ''
          : `Here: ${formatCount(eb.errorsDuringIncident)} failed requests from ${ctx.minute(eb.from!)} to ${ctx.minute(eb.to!)}` +
            (eb.allowedErrors === null ? '.' : ` against ${formatCount(eb.allowedErrors)} allowed`) +
            (eb.baselineRequestRate === null
              ? ''
              : `${eb.allowedErrors === null ? '' : ','} baseline ${formatNumber(eb.baselineRequestRate, 1)} req/s (from ${eb.baselineSource}).`)),
      tone: 'note',
    },
  ];
}

function hypothesis(ctx: Context): Block[] {
  const h = ctx.a.hypothesis;
  const verdict = h.verdict === 'held' ? 'HELD' : h.verdict === 'deviated' ? 'DEVIATED' : 'NOT TESTED';
  const blocks: Block[] = [
    { type: 'heading', level: 2, text: 'Hypothesis verdict', id: 'hypothesis' },
    {
      type: 'paragraph',
      text: `The steady-state hypothesis ${verdict}${h.reasons.length > 0 ? `: ${h.reasons.join('; ')}` : ''}.`,
      tone: 'verdict',
    },
    { type: 'paragraph', text: h.definition, tone: 'note' },
  ];
  if (h.checks.length > 0) {
    blocks.push({
      type: 'fold',
      when: 'narrow',
      summary: `Show the ${h.checks.length} check${h.checks.length === 1 ? '' : 's'}`,
      blocks: [
        {
          type: 'table',
          columns: [{ title: 'Phase' }, { title: 'Subject' }, { title: 'Result' }, { title: 'Detail' }],
          rows: h.checks.map((c) => [
            c.phase,
            c.subject,
            c.held === null ? 'not evaluated' : c.held ? 'held' : 'deviated',
            c.detail,
          ]),
        },
      ],
    });
  }
  return blocks;
}

function sampleCells(s: Sample | null): string[] {
  if (!s) return ['–', '–', '–', '–', '–'];
  const hosts = Object.keys(s.healthyHostsByAz)
    .sort()
    .map((az) => `${az}: ${s.healthyHostsByAz[az]}`)
    .join(', ');
  return [
    formatNumber(s.requestRate, 1),
    formatNumber(s.errorRatePercent, 2),
    formatNumber(s.p99LatencyMs, 0),
    hosts || '–',
    formatNumber(s.replicaLagMs, 0),
  ];
}

function eventLine(ctx: Context, f: Fact): string {
  const e = f.event;
  let line = `${ctx.a.zone.time(f.at)} ${eventText(e, ctx.a.zone, f.at)}`;
  if (e.corrects !== undefined) line += ` (corrects ${e.corrects})`;
  for (const c of ctx.a.corrections.get(e.eventId) ?? []) {
    line += ` [corrected at ${ctx.time(c.at)}: ${eventText(c.event, ctx.a.zone, c.at)}]`;
  }
  return line;
}

/** On a phone, the minute table (the longest part of the page) waits behind a tap. */
function foldMinutes(rows: readonly MinuteRow[], table: Block): Block {
  const events = rows.reduce((n, r) => n + r.facts.length, 0);
  return {
    type: 'fold',
    when: 'narrow',
    summary: `Show ${rows.length} row${rows.length === 1 ? '' : 's'}, ${formatCount(events)} event${events === 1 ? '' : 's'}`,
    blocks: [table],
  };
}

/**
 * `Payments tasks running (tasks): 4–6, lowest at 09:00, highest at 09:01`: an extra metric's line
 * over the impact, as the Impact section lists it (the minute table has no room for its columns).
 */
function extraFigure(ctx: Context, x: ExtraExtremes): string {
  const def = ctx.a.attrs.extraMetrics.find((m) => m.name === x.name);
  // Named as its chart is, `Title (unit)`: a unit such as `1 = primary` does not read after a number.
  const title = `${def ? `${def.title} (${def.unit})` : x.name}${x.series === null ? '' : `, ${x.series}`}`;
  const { lowest: lo, highest: hi } = x;
  // A line with no value in some minutes did not hold its value "throughout": say what is missing.
  const gaps =
    x.unsampledMinutes === 0
      ? ''
      : ` (no value in ${x.unsampledMinutes} minute${x.unsampledMinutes === 1 ? '' : 's'})`;
  if (lo.value === hi.value)
    return `${title}: ${formatNumber(lo.value, 2)} ${gaps ? `in every minute with a value${gaps}` : 'throughout'}`;
  return `${title}: ${formatNumber(lo.value, 2)}–${formatNumber(hi.value, 2)}, lowest at ${ctx.minute(lo.at)}, highest at ${ctx.minute(hi.at)}${gaps}`;
}

function minuteByMinute(ctx: Context, rows: readonly MinuteRow[]): Block[] {
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'Minute by minute', id: 'minutes' }];
  if (rows.length === 0) {
    blocks.push({ type: 'paragraph', text: 'No minutes to show: nothing was recorded.' });
    return blocks;
  }
  if (ctx.a.samples.length === 0) {
    // Nothing sampled the service (a remediation's own incident): metric columns would be all dashes.
    blocks.push({
      type: 'paragraph',
      text: 'One row per minute from the first event to the last; runs of minutes with no events are folded into one row. No metric samples were recorded on this timeline.',
      tone: 'note',
    });
    blocks.push(
      foldMinutes(rows, {
        type: 'table',
        id: 'minute-table',
        columns: [{ title: 'Time' }, { title: 'Events' }],
        rows: rows.map((r) =>
          r.folded
            ? [`${ctx.minute(r.from)}–${ctx.minute(r.to)}`, `${r.minutes} min with nothing recorded`]
            : [
                ctx.minute(r.from),
                r.facts.length > 0 ? r.facts.map((f) => eventLine(ctx, f)) : 'nothing recorded',
              ],
        ),
      }),
    );
    return blocks;
  }
  blocks.push({
    type: 'paragraph',
    text: 'One row per minute from the first event to the last, with that minute’s metric sample; runs of minutes with no events and metrics within tolerance are folded into one row.',
    tone: 'note',
  });
  blocks.push(
    foldMinutes(rows, {
      type: 'table',
      id: 'minute-table',
      columns: [
        { title: 'Time' },
        { title: 'Req/s', align: 'right' },
        { title: '5xx %', align: 'right' },
        { title: 'p99 ms', align: 'right' },
        { title: 'Healthy hosts' },
        { title: 'Replica lag ms', align: 'right' },
        { title: 'Events' },
      ],
      rows: rows.map((r) => {
        const time = r.folded ? `${ctx.minute(r.from)}–${ctx.minute(r.to)}` : ctx.minute(r.from);
        const events = r.folded
          ? `${r.minutes} min ${r.sample ? 'steady' : 'with nothing recorded'}`
          : r.facts.map((f) => eventLine(ctx, f));
        return [time, ...sampleCells(r.sample), events];
      }),
    }),
  );
  return blocks;
}

function automation(ctx: Context): Block[] {
  const { a } = ctx;
  const auto = a.automation;
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'What the automation did', id: 'automation' }];
  const said: string[] = [];
  if (auto.preflight.length > 0) {
    const failed = auto.preflight.filter((p) => !p.ok);
    said.push(
      failed.length === 0
        ? `Preflight: all ${auto.preflight.length} checks passed.`
        : `Preflight: ${failed.map((p) => `${p.name} failed (${p.detail})`).join('; ')}.`,
    );
  }
  if (auto.template)
    said.push(`FIS experiment template ${auto.template.templateId} (${auto.template.action}).`);
  if (auto.experiment.id) {
    said.push(
      `Experiment ${auto.experiment.id}: ${auto.experiment.finalStatus}` +
        (auto.experiment.endedAt !== null ? ` at ${ctx.time(auto.experiment.endedAt)}` : '') +
        (auto.experiment.reason ? ` (${auto.experiment.reason})` : '') +
        `; fault stopped: ${auto.faultStopped ? 'yes' : 'no'}.`,
    );
  }
  for (const s of auto.stopRequests)
    said.push(`Stop requested at ${ctx.time(s.at)} (${s.code}): ${s.reason}.`);
  for (const f of auto.failures) {
    said.push(
      `Failed at ${ctx.time(f.at)}: ${f.error}${f.cause ? ` (${f.cause})` : ''}; experiment stopped: ${yesNo(f.experimentStopped)}.`,
    );
  }
  said.push(`Notifications sent: ${auto.notifications}. Notes written by people: ${auto.notes}.`);
  blocks.push({ type: 'list', items: said });
  if (auto.targets.length > 0) {
    blocks.push({
      type: 'table',
      // A dry run hit nothing: its targets are what the fault would have hit.
      columns: [
        { title: 'Target' },
        { title: 'Resource type' },
        { title: a.attrs.dryRun ? 'Would hit' : 'Resources hit' },
      ],
      rows: auto.targets.map((t) => [
        t.target,
        t.resourceType,
        t.resources.length > 0 ? t.resources : 'none',
      ]),
    });
  }
  if (auto.actions.length > 0) {
    blocks.push({
      type: 'table',
      columns: [
        { title: 'Action' },
        { title: 'FIS action' },
        { title: 'Started' },
        { title: 'Ended' },
        { title: 'Ran', align: 'right' },
        { title: 'Final status' },
      ],
      rows: auto.actions.map((x) => [
        x.action,
        x.actionId,
        x.startedAt === null ? '–' : ctx.time(x.startedAt),
        x.endedAt === null ? '–' : `${ctx.time(x.endedAt)}${x.ongoing ? ' (still running)' : ''}`,
        x.runningMinutes === null ? '–' : formatDuration(x.runningMinutes * 60),
        x.finalStatus,
      ]),
    });
  }
  if (auto.steps.length > 0) {
    blocks.push({
      type: 'table',
      columns: [
        { title: 'Step' },
        { title: 'Invocations', align: 'right' },
        { title: 'Failed', align: 'right' },
        { title: 'Measured time', align: 'right' },
      ],
      rows: auto.steps.map((s) => [
        s.step,
        String(s.invocations),
        String(s.failed),
        s.unmeasured === s.invocations ? '–' : `${formatNumber(s.measuredMs / 1000, 2)} s`,
      ]),
    });
  }
  blocks.push(...remediations(ctx));
  const cost = a.cost;
  blocks.push({ type: 'heading', level: 3, text: 'What it cost' });
  blocks.push({
    type: 'table',
    columns: [
      { title: 'Item' },
      { title: 'Quantity', align: 'right' },
      { title: 'Unit price', align: 'right' },
      { title: 'Cost', align: 'right' },
      { title: 'Basis' },
    ],
    rows: [
      ...cost.lines.map((l) => [
        l.item,
        `${formatNumber(l.quantity, 3)} ${l.unit}`,
        formatPrice(l.unitPriceDollars),
        formatDollars(l.dollars),
        l.basis,
      ]),
      ['Total', '', '', formatDollars(cost.totalDollars), ''],
    ],
  });
  blocks.push({
    type: 'paragraph',
    text:
      `Prices (USD, us-east-1 list prices): FIS ${formatPrice(cost.prices.fisActionMinute)} per action-minute; ` +
      `Step Functions Standard ${formatPrice(cost.prices.stepFunctionsTransition)} per state transition; ` +
      `Lambda arm64 ${formatPrice(cost.prices.lambdaGbSecond)} per GB-second at ${cost.prices.lambdaMemoryMb} MB and ` +
      `${formatPrice(cost.prices.lambdaRequest)} per request. DynamoDB, S3, SNS and CloudWatch charges are not included.`,
    tone: 'note',
  });
  // On a phone the summary list stands; its detail (the longest part of the page after the minutes) waits behind a tap.
  const [heading, list, ...detail] = blocks;
  return [
    heading!,
    list!,
    {
      type: 'fold',
      when: 'narrow',
      summary: 'Show the targets, actions, steps, remediations and cost',
      blocks: detail,
    },
  ];
}

/** Remediations that did something, or tried to: duplicates and unmatched events are only counted. */
const listed = (r: { outcome: string }) => r.outcome !== 'duplicate' && r.outcome !== 'not-matched';

function remediations(ctx: Context): Block[] {
  const { runs, counts } = ctx.a.remediations;
  if (runs.length === 0) return [];
  const time = (ms: number) => ctx.time(ms);
  const shown = runs.filter(listed);
  const where = ctx.a.incident.kind === 'gameday' ? 'during this game day' : 'on this incident';
  const said = [
    `${shown.length} remediation(s) ${where}`,
    ...(counts.duplicates > 0
      ? [
          `${counts.duplicates} duplicate deliver${counts.duplicates === 1 ? 'y' : 'ies'} stopped at the guard (the same event or alarm transition was already being remediated)`,
        ]
      : []),
    ...(counts.notMatched > 0 ? [`${counts.notMatched} event(s) matched no runbook`] : []),
  ];
  const blocks: Block[] = [
    { type: 'heading', level: 3, text: 'Remediations', id: 'remediations' },
    { type: 'paragraph', text: `${said.join('; ')}.` },
  ];
  if (shown.length > 0) {
    blocks.push({
      type: 'table',
      id: 'remediation-table',
      columns: [
        { title: 'Runbook' },
        { title: 'Trigger' },
        { title: 'Guard' },
        { title: 'Approval' },
        { title: 'Action' },
        { title: 'Outcome' },
      ],
      rows: shown.map((r) => [
        [r.runbook ?? '–', r.remediationId],
        triggerText(r, time),
        guardText(r),
        approvalLines(r, time),
        actionLines(r, time),
        outcomeText(r, time),
      ]),
    });
    blocks.push({
      type: 'table',
      columns: [
        { title: 'Runbook' },
        { title: 'Trigger → action', align: 'right' },
        { title: 'Action ran', align: 'right' },
        { title: 'Action → recovered', align: 'right' },
        { title: 'Total', align: 'right' },
      ],
      rows: shown.map((r) => [r.runbook ?? r.remediationId, ...durationCells(r)]),
    });
    blocks.push({ type: 'paragraph', text: DURATION_DEFINITIONS, tone: 'note' });
  }
  if (counts.notMatched > 0) {
    const reasons = new Map<string, number>();
    for (const r of runs)
      if (r.outcome === 'not-matched') reasons.set(r.reason ?? '–', (reasons.get(r.reason ?? '–') ?? 0) + 1);
    blocks.push({
      type: 'list',
      items: [...reasons].map(([reason, n]) => `${n} × ${reason}`),
    });
  }
  return blocks;
}

function prompts(ctx: Context): Block[] {
  const { a } = ctx;
  if (a.attrs.dryRun) {
    return [
      { type: 'heading', level: 2, text: 'What the post-mortem must still answer', id: 'prompts' },
      {
        type: 'paragraph',
        text: 'Nothing: a dry run injects nothing, so there is no impact to explain. Check that the targets it would hit are the ones you meant, then run the game day.',
      },
    ];
  }
  const gameday = a.incident.kind === 'gameday';
  const impactText = a.impact
    ? `was ${a.incident.service} degraded from ${ctx.time(a.impact.from)} to ${ctx.time(a.impact.to)}`
    : `was ${a.incident.service} affected`;
  const trigger = gameday
    ? a.injection.none === null
      ? `The injected fault: ${a.automation.actions
          .filter((x) => x.injected)
          .map((x) => x.actionId)
          .join(', ')}. Was anything else going on at the same time?`
      : `Nothing was injected: ${a.injection.none}. What stopped the game day?`
    : 'What started it: a deploy, a config change, a dependency, load? Link the evidence.';
  const wentWell: string[] = [];
  const detected = a.durations.find((d) => d.name === 'timeToDetect')!;
  if (detected.seconds !== null)
    wentWell.push(`Starting point: detected ${formatDuration(detected.seconds)} after impact.`);
  if (a.objectives.rto.met) wentWell.push('Starting point: the RTO was met.');
  if (a.automation.faultStopped && a.automation.experiment.id)
    wentWell.push('Starting point: the fault was stopped.');
  const wentWrong = a.hypothesis.reasons.map((r) => `Starting point: ${r}.`);
  const fill = (text: string): ListItem => ({ text, prompt: true });
  const actions = suggestedActions(a);
  return [
    { type: 'heading', level: 2, text: 'What the post-mortem must still answer', id: 'prompts' },
    {
      type: 'paragraph',
      text: 'Blameless: ask what made the outcome possible, not who. The facts above are derived; the answers below are for people.',
      tone: 'note',
    },
    { type: 'heading', level: 3, text: 'Contributing factors' },
    {
      type: 'paragraph',
      text: 'Prefer several contributing factors to a single root cause: incidents rarely have just one.',
      tone: 'note',
    },
    {
      type: 'list',
      items: [
        fill('Technical: which conditions in the system let this happen or made it worse?'),
        fill('Detection and alerting: did the right alarms fire, early enough, with a useful reason?'),
        fill('Process and tooling: what did the runbooks, automation and dashboards help or hinder?'),
        fill('People and context: what did responders know, and what would have helped them know it sooner?'),
      ],
    },
    { type: 'heading', level: 3, text: 'Five whys (a scaffold, not a verdict)' },
    {
      type: 'paragraph',
      text: 'A scaffold to start the discussion: follow more than one chain, and stop at a factor you can act on.',
      tone: 'note',
    },
    {
      type: 'list',
      ordered: true,
      items: [fill(`Why ${impactText}? …`), fill('Why? …'), fill('Why? …'), fill('Why? …'), fill('Why? …')],
    },
    { type: 'heading', level: 3, text: 'Trigger' },
    { type: 'paragraph', text: trigger },
    { type: 'heading', level: 2, text: 'Lessons learned', id: 'lessons' },
    { type: 'heading', level: 3, text: 'What went well' },
    { type: 'list', items: [...wentWell, fill('What else helped? …')] },
    { type: 'heading', level: 3, text: 'What went wrong' },
    { type: 'list', items: [...wentWrong, fill('What else hurt or slowed the response? …')] },
    { type: 'heading', level: 3, text: 'Where we got lucky' },
    { type: 'list', items: [fill('What could have made this worse, and did not, by chance? …')] },
    { type: 'heading', level: 3, text: 'What we learned' },
    {
      type: 'list',
      items: [fill('What does the team know now about the system that it did not know before? …')],
    },
    { type: 'heading', level: 2, text: 'Action items', id: 'actions' },
    { type: 'paragraph', text: ACTION_TYPES, tone: 'note' },
    {
      type: 'table',
      id: 'action-table',
      columns: [
        { title: 'Done' },
        { title: 'Action' },
        { title: 'Type' },
        { title: 'Priority' },
        { title: 'Owner' },
        { title: 'Due' },
        { title: 'Ticket' },
      ],
      rows: [
        ...actions.map((x) => ['[ ]', x.action, x.type, x.priority, '', '', '']),
        ['[ ]', '', '', '', '', '', ''],
        ['[ ]', '', '', '', '', '', ''],
      ],
    },
  ];
}
