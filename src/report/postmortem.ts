import type { Analysis } from './analysis.ts';
import type { Block, ListItem } from './document.ts';
import { formatCount, formatDuration, formatNumber } from './format.ts';
import type { MomentName } from './moments.ts';
import { shownMoments } from './moments.ts';

/**
 * The parts of a post-mortem the common templates (Google SRE's, PagerDuty's, Atlassian's) have
 * and a timeline alone does not write: what users saw, a severity, who responded, the recovery
 * told in sentences, links to the evidence, typed and prioritised action items. Each is filled
 * where the timeline knows the answer and left as a visible prompt where only people do.
 */

/** How the sections write a time: the document's own formatting (with the date when it spans days). */
export interface Times {
  time: (ms: number) => string;
  minute: (ms: number) => string;
}

const prompt = (text: string): ListItem => ({ text, prompt: true });

export type Severity = 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4';

/** Peak share of failed requests in a minute from which the suggested severity is SEV-1, and SEV-2. */
const SEV1_ERROR_PERCENT = 50;
const SEV2_ERROR_PERCENT = 5;

export const SEVERITY_RULE =
  `Suggested from the timeline: SEV-1 when ${SEV1_ERROR_PERCENT} % or more of requests failed in a minute; ` +
  `SEV-2 from ${SEV2_ERROR_PERCENT} %, or when any minute left the hypothesis's metric bounds; SEV-3 when ` +
  'steady-state alarms or health checks left their state with less; SEV-4 when the steady state held. ' +
  'Confirm or change it: severity also weighs who was affected and what it cost them, which the timeline does not know.';

/** A severity the timeline supports, and why; null when nothing happened that it can weigh. */
export function suggestedSeverity(a: Analysis): { level: Severity; because: string } | null {
  if (a.attrs.dryRun) return null;
  const i = a.impact;
  if (!i) return null;
  if (i.basis === 'fault') return { level: 'SEV-4', because: 'the steady state held while the fault ran' };
  const peak = i.peakErrorRatePercent;
  const peakText = peak ? `up to ${formatNumber(peak.value, 2)} % of requests failed in a minute` : '';
  if (peak && peak.value >= SEV1_ERROR_PERCENT) return { level: 'SEV-1', because: peakText };
  if (peak && peak.value >= SEV2_ERROR_PERCENT) return { level: 'SEV-2', because: peakText };
  if (i.outsideBounds) {
    return {
      level: 'SEV-2',
      because: `${i.outsideBounds.minutes} minute${i.outsideBounds.minutes === 1 ? '' : 's'} outside the hypothesis's metric bounds`,
    };
  }
  return {
    level: 'SEV-3',
    because: peak
      ? `steady-state signals left their state; ${peakText}`
      : 'steady-state signals left their state; no minute of errors was sampled',
  };
}

/** The summary's first sentences: what happened to the service's users, before how. */
export function userImpactLead(a: Analysis, t: Times): string | null {
  if (a.facts.length === 0) return null;
  const service = a.incident.service;
  if (a.attrs.dryRun) return `Users of ${service} saw nothing: a dry run injects nothing.`;
  if (a.automation.refusedReasons) {
    return `Users of ${service} saw nothing: the game day was refused before anything was injected.`;
  }
  if (a.injection.none !== null) return `Users of ${service} saw nothing: ${a.injection.none}.`;
  const i = a.impact;
  if (!i) return `No impact on users of ${service} was recorded.`;
  if (i.basis === 'fault') {
    return `Users of ${service} saw no impact: it stayed in its steady state while the fault ran, from ${t.time(i.from)} to ${t.time(i.to)}.`;
  }
  const back = i.recovered
    ? `It was back in its steady state at ${t.time(i.to)}, ${formatDuration((i.to - i.from) / 1000)} after the first sign.`
    : `It was not back in its steady state by the end of the timeline (${t.time(i.to)}).`;
  if (a.samples.length === 0) {
    return `What users saw is not on the timeline (no metric samples were recorded): ${service} was out of its steady state from ${t.time(i.from)} (${i.start.evidence}). ${back}`;
  }
  const o = i.outsideBounds;
  const what: string[] = [];
  if (i.peakErrorRatePercent && i.peakErrorRatePercent.value > 0) {
    const failed = a.objectives.errorBudget.errorsDuringIncident;
    what.push(
      `up to ${formatNumber(i.peakErrorRatePercent.value, 2)} % of their requests failed (in the minute of ${t.minute(i.peakErrorRatePercent.at)})` +
        (failed ? `, about ${formatCount(failed)} failed requests in all` : ''),
    );
  }
  if (i.worstP99LatencyMs)
    what.push(`the slowest 1 % of requests took up to ${formatNumber(i.worstP99LatencyMs.value, 0)} ms`);
  const saw = what.length > 0 ? what.join('; ') : 'no errors or slowness in the samples';
  const when = o
    ? `For ${o.minutes} minute${o.minutes === 1 ? '' : 's'} (${t.minute(o.from)}–${t.minute(o.to)}) users of ${service} saw more than the hypothesis allows: ${saw}.`
    : `Users of ${service} stayed within the hypothesis's bounds (${saw}), while its steady-state signals were out from ${t.time(i.from)}.`;
  return `${when} ${back}`;
}

/** Who did what, from the timeline, with the roles only people can fill left as prompts. */
export function responders(a: Analysis): Block[] {
  const rows: string[][] = [];
  const fill = 'to fill in';
  rows.push(['Incident commander', fill, 'who coordinated the response and made the calls']);
  if (a.incident.kind === 'gameday' && a.attrs.requestedBy) {
    rows.push(['Game day owner', a.attrs.requestedBy, 'started the game day']);
  }
  const approvers = new Map<string, string[]>();
  for (const r of a.remediations.runs) {
    const ap = r.approval;
    if (ap?.by && (ap.answer === 'approved' || ap.answer === 'rejected')) {
      const list = approvers.get(ap.by) ?? [];
      list.push(`${ap.answer} ${r.runbook ?? r.remediationId}`);
      approvers.set(ap.by, list);
    }
  }
  for (const [by, what] of approvers) rows.push(['Approver', by, what.join('; ')]);
  const authors = new Map<string, number>();
  for (const f of a.facts) {
    const typed = f.typed;
    if (typed?.kind === 'note' || typed?.kind === 'correction') {
      authors.set(typed.detail.author, (authors.get(typed.detail.author) ?? 0) + 1);
    }
  }
  for (const [author, n] of authors) {
    if (!approvers.has(author))
      rows.push(['Responder', author, `wrote ${n} note${n === 1 ? '' : 's'} on the timeline`]);
  }
  const did: string[] = [];
  if (a.incident.kind === 'gameday' && a.automation.experiment.id) {
    did.push('ran the FIS experiment, watched the steady state and checked the recovery');
  }
  const acted = a.remediations.runs.filter((r) => r.action.startedAt !== null).length;
  if (acted > 0) did.push(`ran ${acted} remediation${acted === 1 ? '' : 's'}`);
  if (did.length > 0) rows.push(['Automation', 'faultline', did.join('; ')]);
  rows.push(['Communications lead', fill, 'who kept users and stakeholders told, and where']);
  rows.push(['Subject-matter experts', fill, 'who else was pulled in, for what']);
  return [
    { type: 'heading', level: 2, text: 'Responders', id: 'responders' },
    {
      type: 'table',
      id: 'responder-table',
      columns: [{ title: 'Role' }, { title: 'Who' }, { title: 'What they did' }],
      rows,
    },
  ];
}

const SENTENCES: Record<MomentName, (at: string, evidence: string) => string> = {
  impactStarted: (at, e) => `At ${at} the impact started: ${e}.`,
  detected: (at, e) => `It was detected at ${at}: ${e}.`,
  responded: (at, e) => `The response started at ${at}: ${e}.`,
  remediationActed: (at, e) => `A remediation acted at ${at}: ${e}.`,
  mitigated: (at, e) => `It was mitigated at ${at}: ${e}.`,
  remediationVerified: (at, e) => `The remediation was verified at ${at}: ${e}.`,
  recovered: (at, e) => `The service was back in its steady state at ${at}: ${e}.`,
  // Its evidence is always the close itself.
  resolved: (at) => `The incident was closed at ${at}.`,
};

const AFTER_IMPACT: Partial<Record<MomentName, string>> = {
  detected: 'timeToDetect',
  mitigated: 'timeToMitigate',
  recovered: 'timeToRecover',
};

/** The recovery as sentences, in the order it happened, from the key moments and the fault's end. */
export function recoveryNarrative(a: Analysis, t: Times): Block[] {
  const blocks: Block[] = [{ type: 'heading', level: 2, text: 'Recovery', id: 'recovery' }];
  const told: Array<{ at: number; text: string }> = [];
  const toldEvents = new Set<string>();
  for (const m of shownMoments(a.moments)) {
    if (m.at === null) continue;
    // The same event may show two moments (a remediation's action is the response): told once.
    if (m.eventId !== null && toldEvents.has(m.eventId)) continue;
    if (m.eventId !== null) toldEvents.add(m.eventId);
    const d = a.durations.find((x) => x.name === AFTER_IMPACT[m.name]);
    const when = `${t.time(m.at)}${d?.seconds != null ? `, ${formatDuration(d.seconds)} after the impact started` : ''}`;
    // Evidence may be a person's note, with its own full stop.
    const evidence = (m.evidence ?? 'not recorded').replace(/[.!?]+$/, '');
    told.push({ at: m.at, text: SENTENCES[m.name](when, evidence) });
  }
  const w = a.faultWindow;
  if (a.incident.kind === 'gameday' && w && !w.ongoing) {
    told.push({ at: w.to, text: `The fault ended at ${t.time(w.to)}.` });
  }
  if (told.length === 0) {
    blocks.push({ type: 'paragraph', text: 'Nothing to tell: the timeline shows no key moment.' });
    return blocks;
  }
  // Stable: a moment and the fault's end at the same second keep the moments' order.
  told.sort((x, y) => x.at - y.at);
  blocks.push({ type: 'paragraph', text: told.map((x) => x.text).join(' ') });
  blocks.push({
    type: 'paragraph',
    text: 'Add what the timeline cannot say: what people saw and decided at each step, and why.',
    tone: 'prompt',
  });
  return blocks;
}

/** Where to look for the evidence: what the timeline names, and prompts for the rest. */
export function supportingLinks(a: Analysis): Block[] {
  const items: ListItem[] = [
    `This incident's timeline: faultline timeline ${a.incident.incidentId}; this report: faultline report ${a.incident.incidentId}`,
  ];
  if (a.automation.experiment.id) {
    items.push(`The FIS experiment: aws fis get-experiment --id ${a.automation.experiment.id}`);
  }
  // Health checks are left out: the timeline names them, and Route 53 asks for their ids.
  for (const h of a.histories) {
    if (h.kind === 'alarm' && h.transitions.length > 0) {
      items.push(`Alarm ${h.subject}: aws cloudwatch describe-alarm-history --alarm-name ${h.subject}`);
    }
  }
  for (const r of a.remediations.runs) {
    if (r.action.executionId) {
      items.push(
        `SSM Automation of ${r.runbook ?? r.remediationId}: aws ssm get-automation-execution --automation-execution-id ${r.action.executionId}`,
      );
    }
    if (r.action.changeId) {
      items.push(
        `Route 53 change of ${r.runbook ?? r.remediationId}: aws route53 get-change --id ${r.action.changeId}`,
      );
    }
  }
  items.push(
    prompt('Dashboards: the ones the responders watched'),
    prompt('Logs: queries that show the errors'),
    prompt('Tickets: the incident ticket, and one per action item'),
    prompt('Chat: the channel or call where the response happened'),
  );
  return [
    { type: 'heading', level: 2, text: 'Supporting links', id: 'links' },
    { type: 'list', items },
  ];
}

type ActionType = 'prevent' | 'mitigate' | 'detect';

/** How long after impact detection may take before the report suggests detecting sooner. */
const SLOW_DETECTION_SECONDS = 5 * 60;

/** Action items the timeline suggests, each with its type and a suggested priority. */
export function suggestedActions(a: Analysis): Array<{ action: string; type: ActionType; priority: string }> {
  if (a.attrs.dryRun) return [];
  const out: Array<{ action: string; type: ActionType; priority: string }> = [];
  if (a.hypothesis.verdict === 'deviated') {
    for (const reason of a.hypothesis.reasons) {
      out.push({
        action: `Keep the steady state through this fault: ${reason}`,
        type: 'mitigate',
        priority: 'P1',
      });
    }
  }
  const detect = a.durations.find((d) => d.name === 'timeToDetect');
  const impact = a.moments.find((m) => m.name === 'impactStarted');
  if (impact?.at != null && a.impact?.basis === 'signals') {
    if (detect?.seconds == null) {
      out.push({ action: 'Alert on this impact: no alarm went to ALARM', type: 'detect', priority: 'P1' });
    } else if (detect.seconds > SLOW_DETECTION_SECONDS) {
      out.push({
        action: `Detect sooner: the first alarm came ${formatDuration(detect.seconds)} after the impact started`,
        type: 'detect',
        priority: 'P2',
      });
    }
  }
  if (a.objectives.rto.met === false) {
    out.push({
      action: `Recover within the RTO: ${a.objectives.rto.note ?? 'it was missed'}`,
      type: 'mitigate',
      priority: 'P1',
    });
  }
  if (!a.automation.faultStopped) {
    out.push({
      action: 'Make sure an injected fault is always stopped: no stop was recorded',
      type: 'prevent',
      priority: 'P1',
    });
  }
  for (const r of a.remediations.runs) {
    if (r.outcome === 'failed') {
      out.push({
        action: `Fix the runbook ${r.runbook ?? r.remediationId}: its remediation failed`,
        type: 'mitigate',
        priority: 'P1',
      });
    }
  }
  return out;
}

export const ACTION_TYPES =
  'Type: prevent (it does not happen again), mitigate (it hurts less or ends sooner), detect (it is seen sooner). ' +
  'Priority: P1 before the next game day or release, P2 this quarter, P3 when convenient. ' +
  'Rows with a type and priority filled in are suggested from the timeline; change them as the discussion decides.';
