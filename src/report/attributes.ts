import {
  type ExperimentSpec,
  type ExtraMetric,
  experimentSchema,
  extraMetricSpec,
} from '../experiments/schema.ts';
import { describeIssue } from '../runtime/input-error.ts';
import { parseIsoDuration } from '../time/duration.ts';
import type { Incident } from '../timeline/event.ts';
import * as z from '../zod.ts';
import { ReportInputError } from './errors.ts';

const objectives = experimentSchema.shape.objectives;
const hypothesis = experimentSchema.shape.hypothesis;
type Hypothesis = z.infer<typeof hypothesis>;

/**
 * The alarm transition (or experiment state change) a remediation was opened for, as AttachIncident
 * writes it: on its incident's attributes and on its triage event.
 */
export const recordedSubject = z.looseObject({
  kind: z.enum(['alarm', 'experiment']),
  name: z.string(),
  state: z.string(),
  at: z.string(),
});

/**
 * A CloudWatch metric alarm the game day watched (its hypothesis's alarms and stop conditions), as
 * Preflight found it: the charts draw its threshold on the metric's chart.
 */
export const watchedAlarm = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  metric: z.string(),
  dimensions: z.record(z.string(), z.string()),
  /** A statistic (`Average`) or an extended one (`p99`). */
  statistic: z.string(),
  periodSeconds: z.number().check(z.positive()),
  threshold: z.number(),
  comparison: z.string(),
  /** One of the experiment's stop conditions (FIS stops the fault when it fires). */
  stopCondition: z.boolean(),
});
export type WatchedAlarm = z.infer<typeof watchedAlarm>;

/**
 * What the report reads from `incident.attributes`. A game day's OpenIncident may store the whole
 * experiment (`experiment: ExperimentSpec`) or just its name with `objectives` and `hypothesis`
 * beside it; top-level keys win over the experiment's. A remediation's AttachIncident stores the
 * `subject` it was opened for. Everything else in attributes is ignored.
 */
const reportAttributes = z.looseObject({
  experiment: z.optional(
    z.union([
      z.string(),
      z.looseObject({
        name: z.string(),
        description: z.optional(z.string()),
        objectives: z.optional(objectives),
        hypothesis: z.optional(hypothesis),
      }),
    ]),
  ),
  description: z.optional(z.string()),
  objectives: z.optional(objectives),
  hypothesis: z.optional(hypothesis),
  /** Requests per second the service normally serves; otherwise taken from the samples before impact. */
  baselineRequestRate: z.optional(z.number().check(z.positive())),
  /** A remediation's incident: the alarm transition (or experiment state change) it was opened for. */
  subject: z.optional(recordedSubject),
  /** A game day of an imported FIS template: the template and where its stop conditions came from. */
  imported: z.optional(experimentSchema.shape.imported),
  /** A game day run with FIS `skip-all`: targets resolved, nothing injected, nothing measured. */
  dryRun: z.optional(z.boolean()),
  /** What started the game day (`faultline-cli`, or `faultline` for a schedule). */
  requestedBy: z.optional(z.string()),
  /** The metric alarms the game day watched, with their thresholds (Preflight records them). */
  alarms: z.optional(z.array(watchedAlarm)),
  /** The experiment's extra metrics (`metrics.extra`), charted beside the fixed charts. */
  extraMetrics: z.optional(z.array(extraMetricSpec)),
});

export interface ReportObjectives {
  rtoSeconds: number | null;
  /** Where the RTO's clock starts (the experiment's `objectives.rtoFrom`). */
  rtoFrom: 'fault-end' | 'impact';
  rpoSeconds: number | null;
  /** Availability objective in percent, e.g. 99.9. */
  availabilitySlo: number | null;
  sloWindowSeconds: number;
}

export interface ReportFacts {
  experimentName: string | null;
  description: string | null;
  objectives: ReportObjectives;
  /** The steady state; null when the incident names none (a real incident: every alarm seen counts). */
  hypothesis: Hypothesis | null;
  baselineRequestRate: number | null;
  /** What a remediation's incident was opened for; `at` in epoch ms (null when unreadable). */
  subject: { kind: 'alarm' | 'experiment'; name: string; state: string; at: number | null } | null;
  /** The FIS template a game day was imported from, and what faultline inferred. */
  imported: NonNullable<ExperimentSpec['imported']> | null;
  /** A game day's dry run: nothing was injected, so nothing was measured. */
  dryRun: boolean;
  /** Who started the game day; null when not recorded. */
  requestedBy: string | null;
  /** The metric alarms the game day watched, with their thresholds; empty when not recorded. */
  alarms: WatchedAlarm[];
  /** The experiment's extra metrics, in the order declared; empty when it declares none. */
  extraMetrics: ExtraMetric[];
}

/** What an incident is, as the report, the timeline and `faultline incidents` name it. */
export type IncidentType = 'gameday' | 'dry-run' | 'remediation';

/**
 * A game day run as a dry run is a kind of its own wherever an incident is shown: nothing was
 * injected, so it has no impact, no recovery and no RTO. Read leniently (the incidents list shows
 * incidents whose attributes the report would refuse).
 */
export function incidentType(incident: Incident): IncidentType {
  if (incident.kind === 'remediation') return 'remediation';
  return incident.attributes.dryRun === true ? 'dry-run' : 'gameday';
}

/** How a person reads each type: `game day`, `dry run`, `incident`. */
export const INCIDENT_TYPE_LABELS: Record<IncidentType, string> = {
  gameday: 'game day',
  'dry-run': 'dry run',
  remediation: 'incident',
};

const seconds = (iso: string | undefined): number | null =>
  iso === undefined ? null : (parseIsoDuration(iso) ?? 0) / 1000;

const pick = ({ kind, name, state }: { kind: 'alarm' | 'experiment'; name: string; state: string }) => ({
  kind,
  name,
  state,
});

function parsedTime(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The report's facts from the incident's attributes; a malformed one is a ReportInputError naming it. */
export function readAttributes(incident: Incident): ReportFacts {
  const parsed = reportAttributes.safeParse(incident.attributes);
  if (!parsed.success) {
    throw new ReportInputError(
      `incident '${incident.incidentId}': attributes.${describeIssue(parsed.error)}`,
    );
  }
  const a = parsed.data;
  const experiment = typeof a.experiment === 'string' ? { name: a.experiment } : a.experiment;
  const o = a.objectives ?? (experiment && 'objectives' in experiment ? experiment.objectives : undefined);
  const h = a.hypothesis ?? (experiment && 'hypothesis' in experiment ? experiment.hypothesis : undefined);
  const d = a.description ?? (experiment && 'description' in experiment ? experiment.description : undefined);
  return {
    experimentName: experiment?.name ?? null,
    description: d ?? null,
    objectives: {
      rtoSeconds: seconds(o?.rto),
      rtoFrom: o?.rtoFrom ?? 'fault-end',
      rpoSeconds: seconds(o?.rpo),
      availabilitySlo: o?.availabilitySlo ?? null,
      sloWindowSeconds: seconds(o?.sloWindow) ?? 30 * 86_400,
    },
    hypothesis: h ?? null,
    baselineRequestRate: a.baselineRequestRate ?? null,
    subject: a.subject ? { ...pick(a.subject), at: parsedTime(a.subject.at) } : null,
    imported: a.imported ?? null,
    dryRun: incident.kind === 'gameday' && a.dryRun === true,
    requestedBy: a.requestedBy ?? null,
    alarms: a.alarms ?? [],
    extraMetrics: a.extraMetrics ?? [],
  };
}
