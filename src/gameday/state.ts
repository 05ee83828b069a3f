import { experimentSchema } from '../experiments/schema.ts';
import * as z from '../zod.ts';

/**
 * The document that flows through the game-day state machine. The execution input is
 * `gameDayInput`; each Task adds its result under its own key (its ResultPath in
 * state-machines/gameday.asl.json). Handlers parse the whole document with `gameDayState` at the
 * edge, so a missing or malformed field fails fast with a message that names it.
 */
export const gameDayInput = z.strictObject({
  /** Unique per run; also the Step Functions execution name, the incident id and the FIS client token. */
  gamedayId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 letters, digits, - or _')),
  experiment: experimentSchema,
  /** FIS `skip-all`: resolve targets and show the blast radius, inject nothing. */
  dryRun: z._default(z.boolean(), false),
  requestedBy: z._default(z.string(), 'faultline'),
});

export type GameDayInput = z.infer<typeof gameDayInput>;

export const checkResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type CheckResult = z.infer<typeof checkResult>;

export const incidentResult = z.object({ incidentId: z.string(), openedAt: z.string() });

/**
 * How far the game day has read the world's history, carried from one step to the next so each
 * observation reads only what is new (a retried step gets the same input, reads the same history
 * again, and its deterministic event ids store nothing twice).
 */
export const watchState = z.object({
  /** Alarm history has been read up to this instant (ISO). */
  historyThrough: z.optional(z.string()),
  /** Metric samples (and health-check minutes) are recorded up to the minute starting here (ISO). */
  sampledThrough: z.optional(z.string()),
  /**
   * Health check as the experiment names it → its id, the status of the last sampled minute, and
   * the minute it last changed to that status (absent while it never changed).
   */
  healthChecks: z._default(
    z.record(z.string(), z.object({ id: z.string(), healthy: z.boolean(), since: z.optional(z.string()) })),
    {},
  ),
});
export type WatchState = z.infer<typeof watchState>;

export const preflightResult = z.object({
  ok: z.boolean(),
  checks: z.array(checkResult),
  /** Why the game day may not start (empty when ok). */
  reasons: z.array(z.string()),
  blastRadius: z.object({
    /** Target name → resource ids it would hit now. */
    targets: z.record(z.string(), z.array(z.string())),
    instancesHit: z.number(),
    instancesTotal: z.number(),
    percent: z.number(),
    /** Target name → resource type of the targets it does not count in instances (a function, a cache). */
    uncounted: z.optional(z.record(z.string(), z.string())),
  }),
  watch: z.optional(watchState),
});

export const templateResult = z.object({
  templateId: z.string(),
  action: z.enum(['created', 'updated', 'unchanged']),
});

export const experimentResult = z.object({ experimentId: z.string(), startedAt: z.string() });

export const observationResult = z.object({
  /** Minutes since the experiment started. */
  minute: z.number(),
  at: z.string(),
  experimentStatus: z.string(),
  experimentTerminal: z.boolean(),
  /** A guardrail tripped, the kill switch is set or the maximum duration passed. */
  stopRequired: z.boolean(),
  stopReason: z.optional(z.string()),
  /** 1 for the first observation, then one more each time (a retry of the same observation keeps its number). */
  sequence: z.optional(z.int().check(z.gte(1))),
  /** FIS's resolved targets are on the timeline. */
  targetsRecorded: z.optional(z.boolean()),
  watch: z.optional(watchState),
});

export const stopResult = z.object({ requestedAt: z.string(), reason: z.string() });

export const recoveryResult = z.object({
  /** Leave the verification loop: recovered, or the RTO has run out. */
  done: z.boolean(),
  recovered: z.boolean(),
  /** When the fault ended: the last action that acted on something ended (src/fis/fault-end.ts). */
  faultEndedAt: z.optional(z.string()),
  /** When the fault was injected (its first action's start), for an RTO that runs from the impact. */
  impactAt: z.optional(z.string()),
  /** Written by earlier versions: the poll that saw the steady state back. Not read. */
  recoveredAt: z.optional(z.string()),
  /** Deadline for recovery: fault end (or impact, with `objectives.rtoFrom: impact`) + RTO. */
  deadline: z.string(),
  checks: z.array(checkResult),
  /** 1 for the first verification, then one more each time round the loop (LastMinutes included). */
  sequence: z.optional(z.int().check(z.gte(1))),
  /** When the verification ended (done): the incident's close when recovered. */
  endedAt: z.optional(z.string()),
  /** Every minute up to `endedAt` is on the timeline: the report may be written. */
  minutesComplete: z.optional(z.boolean()),
  watch: z.optional(watchState),
});

export const reportResult = z.object({
  verdict: z.record(z.string(), z.unknown()),
  reports: z.object({ markdown: z.string(), html: z.string(), json: z.string() }),
});

/** Step Functions' Catch output: the error name and its cause. */
export const failureResult = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const gameDayState = z.extend(gameDayInput, {
  incident: z.optional(incidentResult),
  preflight: z.optional(preflightResult),
  template: z.optional(templateResult),
  experiment: experimentSchema,
  experimentRun: z.optional(experimentResult),
  observation: z.optional(observationResult),
  stop: z.optional(stopResult),
  recovery: z.optional(recoveryResult),
  report: z.optional(reportResult),
  notified: z.optional(z.unknown()),
  failure: z.optional(failureResult),
  emergencyStop: z.optional(z.unknown()),
  emergencyStopFailure: z.optional(failureResult),
  reportFailure: z.optional(failureResult),
  notifyFailure: z.optional(failureResult),
});

export type GameDayState = z.infer<typeof gameDayState>;
