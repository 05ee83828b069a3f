import { type Analysis, analyse } from '../../src/report/analysis.ts';
import { type RunRecord, runOf, runRecord } from '../../src/scorecard/run.ts';
import type { Incident } from '../../src/timeline/event.ts';
import { instanceKillIncident, instanceKillTimeline } from '../report/fixtures.ts';

export const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-05T09:00:00Z');

/** The instance-kill game day's record, with remediation on or off (test/report/fixtures.ts). */
export const killRun = (remediation: boolean): RunRecord =>
  runOf(analyse(instanceKillIncident(), instanceKillTimeline({ remediation })))!;

/** The opening time `day` days after 2026-01-05 09:00Z. */
export const dayAt = (day: number) => new Date(START + day * DAY_MS).toISOString();

/** An instance-kill record `day` days after 2026-01-05 09:00Z, passed unless told otherwise. */
export function run(day: number, over: Partial<RunRecord> = {}): RunRecord {
  const passed = over.passed ?? true;
  return runRecord.parse({
    ...killRun(true),
    incidentId: `gd-${day}`,
    openedAt: dayAt(day),
    closedAt: dayAt(day),
    passed,
    reasons: passed ? [] : ['RTO missed'],
    ...over,
  });
}

/** The instance-kill game day's analysis under another id (its events moved with it). */
export const killAnalysis = (
  incidentId: string,
  remediation: boolean,
  over: Partial<Incident> = {},
): Analysis =>
  analyse(
    instanceKillIncident({ incidentId, ...over }),
    instanceKillTimeline({ remediation }).map((e) => ({ ...e, incidentId })),
  );
