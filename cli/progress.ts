import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { BlastRadius } from '../src/gameday/blast-radius.ts';
import { nothingCounted } from '../src/gameday/uncounted.ts';

/** HH:MM:SS of a Step Functions event, in UTC: the virtual time of a sandbox run. */
function clock(ev: HistoryEvent): string {
  return ev.timestamp ? ev.timestamp.toISOString().slice(11, 19) : '--:--:--';
}

function parse(text: string | undefined): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

type Summariser = (state: Record<string, unknown>) => string;

const get = (o: unknown, key: string): Record<string, unknown> =>
  ((o as Record<string, unknown> | undefined)?.[key] as Record<string, unknown> | undefined) ?? {};

/** A Lambda error's message, out of the JSON cause Step Functions carries. */
function causeText(cause: string | undefined): string {
  const parsed = parse(cause);
  return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : (cause ?? '');
}

/** `10m58s`, `45s`: a duration as the game day's terminal shows it. */
export function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

const pct = (v: unknown) => `${Math.round(Number(v ?? 0))}%`;

/** What each step's result means to a person watching, one line each. */
const SUMMARIES: Record<string, Summariser> = {
  OpenIncident: (s) => `incident ${get(s, 'incident').incidentId} opened`,
  Preflight: (s) => {
    const p = get(s, 'preflight');
    const blast = get(p, 'blastRadius');
    const radius = nothingCounted(blast as BlastRadius)
      ? `blast radius not counted (${Object.values((blast as BlastRadius).uncounted!).join(', ')})`
      : `blast radius ${blast.instancesHit}/${blast.instancesTotal} instances (${pct(blast.percent)})`;
    return p.ok
      ? `passed: kill switch off, steady state holds, ${radius}`
      : `REFUSED: ${(p.reasons as string[] | undefined)?.join('; ')}`;
  },
  EnsureTemplate: (s) => `FIS template ${get(s, 'template').templateId} ${get(s, 'template').action}`,
  StartExperiment: (s) =>
    `experiment ${get(s, 'experimentRun').experimentId} started${s.dryRun ? ' (dry run: actions skipped)' : ''}`,
  // How long the experiment has run, to the second: each look comes a minute after the previous
  // one ended, so the whole minutes since the start would skip one now and then (10 → 12).
  Observe: (s) => {
    const o = get(s, 'observation');
    const since = Date.parse(String(get(s, 'experimentRun').startedAt));
    const elapsed = Date.parse(String(o.at)) - since;
    const when = Number.isNaN(elapsed)
      ? ''
      : `${formatSeconds(Math.max(0, Math.round(elapsed / 1000)))} in: `;
    return `${when}experiment ${o.experimentStatus}${o.stopRequired ? ` · STOP: ${o.stopReason}` : ''}`;
  },
  ObserveStopping: (s) => `experiment ${get(s, 'observation').experimentStatus}`,
  StopExperiment: (s) => `stop requested: ${get(s, 'stop').reason}`,
  // A poll: when the steady state came back, the report reads from the events.
  VerifyRecovery: (s) => {
    const r = get(s, 'recovery');
    if (r.recovered) return s.dryRun ? 'steady state holds' : 'steady state verified back';
    return r.done
      ? `NOT recovered by the deadline ${String(r.deadline).slice(11, 19)}`
      : 'steady state not back yet';
  },
  LastMinutes: (s) => {
    const r = get(s, 'recovery');
    const through = String(get(r, 'watch').sampledThrough ?? '').slice(11, 16);
    return `${r.minutesComplete ? 'minutes recorded' : 'waiting for the last minutes'}${through ? ` through ${through}` : ''}`;
  },
  RenderReport: () => 'report written',
  Refused: () => 'report written',
  ReportFailure: () => 'failure report written',
  EmergencyStop: (s) => {
    const e = get(s, 'emergencyStop') as { experiments?: { experimentId: string; status: string }[] };
    const list = e.experiments ?? [];
    return list.length === 0
      ? 'nothing was running'
      : list.map((x) => `${x.experimentId} ${x.status}`).join(', ');
  },
  Notify: () => 'notification sent',
  NotifyRefused: () => 'notification sent',
  NotifyFailure: () => 'notification sent',
};

/**
 * Turns a game day's Step Functions history into live progress lines. It keeps the name of the
 * state being run, since a TaskFailed event does not carry it.
 */
export class ProgressPrinter {
  private current = '';
  /** `game day` or `dry run`: what the closing line says ran. */
  readonly what: string;

  constructor(opts: { dryRun?: boolean } = {}) {
    this.what = opts.dryRun ? 'dry run' : 'game day';
  }

  line(ev: HistoryEvent): string | undefined {
    const t = clock(ev);
    switch (ev.type) {
      case 'TaskStateEntered':
        this.current = ev.stateEnteredEventDetails?.name ?? '';
        return undefined;
      case 'TaskStateExited': {
        const name = ev.stateExitedEventDetails?.name ?? this.current;
        const output = parse(ev.stateExitedEventDetails?.output);
        // A caught failure leaves the state with the error under $.failure, not a result.
        const failed = get(output, 'failure');
        if (failed.Error && SUMMARIES[name] && !Object.hasOwn(output, resultKey(name))) {
          return `${t}  ${name.padEnd(16)} FAILED: ${failed.Error}: ${causeText(failed.Cause as string)}`;
        }
        return `${t}  ${name.padEnd(16)} ${SUMMARIES[name]?.(output) ?? 'done'}`;
      }
      case 'TaskFailed':
        return `${t}  ${this.current.padEnd(16)} attempt failed: ${ev.taskFailedEventDetails?.error}: ${causeText(ev.taskFailedEventDetails?.cause)}`;
      case 'ExecutionFailed':
        return `${t}  ${this.what} failed: ${ev.executionFailedEventDetails?.error}: ${ev.executionFailedEventDetails?.cause ?? ''}`;
      case 'ExecutionSucceeded':
        return `${t}  ${this.what} complete`;
      case 'ExecutionAborted':
        return `${t}  ${this.what} aborted`;
      default:
        return undefined;
    }
  }
}

/** Where a step puts its result in the state document (its ResultPath in gameday.asl.json). */
function resultKey(state: string): string {
  const keys: Record<string, string> = {
    OpenIncident: 'incident',
    Preflight: 'preflight',
    EnsureTemplate: 'template',
    StartExperiment: 'experimentRun',
    Observe: 'observation',
    ObserveStopping: 'observation',
    StopExperiment: 'stop',
    VerifyRecovery: 'recovery',
    LastMinutes: 'recovery',
    RenderReport: 'report',
    Refused: 'report',
    ReportFailure: 'report',
    EmergencyStop: 'emergencyStop',
  };
  return keys[state] ?? state;
}
