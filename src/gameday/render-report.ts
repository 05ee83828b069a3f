import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsCall } from '../aws/errors.ts';
import { renderReport } from '../report/index.ts';
import { previousRun } from '../scorecard/previous.ts';
import type * as z from '../zod.ts';
import type { GameDayDeps } from './deps.ts';
import { holdsLease, releaseLease } from './lease.ts';
import { ensureIncident } from './open-incident.ts';
import type { GameDayState, reportResult } from './state.ts';
import { gameDayStep } from './step.ts';

export type ReportResult = z.infer<typeof reportResult>;

const FORMS = [
  { form: 'markdown', file: 'report.md', contentType: 'text/markdown; charset=utf-8' },
  { form: 'html', file: 'report.html', contentType: 'text/html; charset=utf-8' },
  { form: 'json', file: 'report.json', contentType: 'application/json' },
] as const;

/** Where a game day's reports live in the bucket: one folder per incident. */
export function reportKey(incidentId: string, file: string): string {
  return `reports/${incidentId}/${file}`;
}

/** Which state renders: the refused path, the failure path or the end of a game day. */
export function reportStep(state: GameDayState): string {
  if (state.failure) return 'ReportFailure';
  if (state.preflight && !state.preflight.ok) return 'Refused';
  return 'RenderReport';
}

/**
 * Renders the incident's whole timeline and writes the three files (same keys on a retry:
 * overwritten, not duplicated), then the game day's record for its service's history.
 */
export async function writeReport(state: GameDayState, deps: GameDayDeps<'s3'>): Promise<ReportResult> {
  const incident = await ensureIncident(deps.store, state, deps.now());
  const events = await deps.store.all(incident.incidentId);
  const previous = await previousRun(deps.store.runs, incident);
  const rendered = renderReport(incident, events, { timeZone: 'UTC', previousRun: previous });
  const bucket = deps.env.reportBucket;
  const reports = {} as ReportResult['reports'];
  for (const { form, file, contentType } of FORMS) {
    const key = reportKey(incident.incidentId, file);
    await awsCall(`write ${key}`, () =>
      deps.aws.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: rendered[form], ContentType: contentType }),
      ),
    );
    reports[form] = `s3://${bucket}/${key}`;
  }
  await deps.store.updateIncident(incident.incidentId, {
    attributes: { verdict: rendered.verdict, reports },
  });
  // After the verdict: an incident with a verdict and no record is one src/scorecard/catch-up.ts records.
  if (rendered.run) await deps.store.runs.record(rendered.run);
  // The game day is over once its report is written; a fault it could not confirm stopped keeps
  // the service's lease until it expires.
  if (holdsLease(state) && !state.emergencyStopFailure) {
    await releaseLease(deps.safety, state.experiment.service, state.gamedayId);
  }
  return { verdict: rendered.verdict, reports };
}

/** RenderReport (also `Refused` and `ReportFailure`): the report of whatever happened, written to S3. */
export const renderReportStep = gameDayStep<GameDayState, ReportResult, 's3'>(
  { step: reportStep },
  writeReport,
);
