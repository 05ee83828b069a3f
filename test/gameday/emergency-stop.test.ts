import { GetExperimentCommand } from '@aws-sdk/client-fis';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { ensureTemplateStep } from '../../src/gameday/ensure-template.ts';
import { openIncident } from '../../src/gameday/open-incident.ts';
import { preflight } from '../../src/gameday/preflight.ts';
import { renderReportStep } from '../../src/gameday/render-report.ts';
import { startExperiment } from '../../src/gameday/start-experiment.ts';
import {
  experimentFile,
  type GameDayStack,
  gameDay,
  MINUTE,
  startGameDayStack,
  withResult,
} from './stack.ts';

let gd: GameDayStack;
let hold: ExperimentInput;

beforeAll(async () => {
  gd = await startGameDayStack(5);
  const base = await experimentFile('instance-kill');
  // A fault that lasts: FIS waits half an hour.
  hold = {
    ...base,
    name: 'hold',
    fault: { targets: {}, actions: { hold: { action: 'aws:fis:wait', parameters: { duration: 'PT30M' } } } },
  };
  await gd.stack.clock.advance(5 * MINUTE);
});
afterAll(() => gd?.close());

/** The deployed EmergencyStop function, called as the state machine's Catch calls it. */
function invokeEmergencyStop(state: unknown) {
  return gd.stack.sandbox.lambdas.invoke(gd.stack.deployment.functions.emergencyStop!, state) as Promise<{
    experimentStopped: boolean;
    experiments: { experimentId: string; stopped: boolean; status: string }[];
  }>;
}

const failure = {
  Error: 'States.TaskFailed',
  Cause: '{"errorType":"Error","errorMessage":"the observer lost its way"}',
};

describe('EmergencyStop', () => {
  it('stops a running experiment found only by its tag, records why, and fails the incident', async () => {
    let state = gameDay('es-1', hold);
    state = withResult(state, 'incident', await openIncident(state, gd.deps));
    state = withResult(state, 'template', await ensureTemplateStep(state, gd.deps));
    // StartExperiment succeeded, but its result never reached the state (the step failed after it).
    const run = await startExperiment(state, gd.deps);
    await gd.stack.clock.advance(MINUTE);

    const out = await invokeEmergencyStop({ ...state, failure });
    expect(out).toEqual({
      experimentStopped: true,
      experiments: [{ experimentId: run.experimentId, stopped: true, status: 'stopping' }],
      allTerminal: false,
    });
    await gd.stack.clock.advance(MINUTE);
    const exp = await gd.deps.aws.fis.send(new GetExperimentCommand({ id: run.experimentId }));
    expect(exp.experiment?.state?.status).toBe('stopped');

    const events = await gd.deps.store.all('es-1');
    expect(events.find((e) => e.kind === 'gameday.failed')?.detail).toMatchObject({
      error: 'States.TaskFailed',
      cause: 'the observer lost its way',
      experimentStopped: true,
    });
    expect(events.find((e) => e.kind === 'gameday.stop-requested')?.detail).toMatchObject({
      code: 'failure',
    });
    expect((await gd.deps.store.getIncident('es-1')).status).toBe('failed');

    // The state machine retries EmergencyStop: nothing is left to stop, and that is no error.
    const again = await invokeEmergencyStop({ ...state, failure });
    expect(again).toEqual({
      experimentStopped: false,
      experiments: [{ experimentId: run.experimentId, stopped: false, status: 'stopped' }],
      allTerminal: true,
    });
    const steps = (await gd.deps.store.all('es-1')).filter((e) => e.detail.step === 'EmergencyStop');
    expect(steps.map((e) => e.eventId).sort()).toEqual([
      'step:EmergencyStop:started:1',
      'step:EmergencyStop:started:2',
      'step:EmergencyStop:succeeded:1',
      'step:EmergencyStop:succeeded:2',
    ]);
  });

  it('opens a failed incident for a game day that failed before anything started, and reports it', async () => {
    // OpenIncident itself failed on a malformed experiment: the emergency path still runs.
    const out = await invokeEmergencyStop({ gamedayId: 'es-2', experiment: { name: 42 }, failure });
    expect(out).toEqual({ experimentStopped: false, experiments: [], allTerminal: true });
    const incident = await gd.deps.store.getIncident('es-2');
    expect(incident).toMatchObject({ status: 'failed', service: 'unknown' });

    const state = withResult(gameDay('es-2', hold), 'failure', failure);
    const report = await renderReportStep(state, gd.deps);
    const head = await gd.deps.aws.s3.send(
      new HeadObjectCommand({ Bucket: gd.deps.env.reportBucket, Key: 'reports/es-2/report.md' }),
    );
    expect(head.ContentType).toBe('text/markdown; charset=utf-8');
    expect(report.reports.json).toBe(`s3://${gd.deps.env.reportBucket}/reports/es-2/report.json`);
    const steps = (await gd.deps.store.all('es-2')).filter((e) => e.kind === 'gameday.step');
    expect(steps.map((e) => e.eventId)).toContain('step:ReportFailure:succeeded:1');
  });

  it('reports a refused game day under the Refused state', async () => {
    const tooWide = { ...hold, name: 'too-wide', hypothesis: { alarms: ['no-such-alarm'] } };
    let state = gameDay('es-3', tooWide);
    state = withResult(state, 'incident', await openIncident(state, gd.deps));
    state = withResult(state, 'preflight', await preflight(state, gd.deps));
    expect(state.preflight?.ok).toBe(false);
    const report = await renderReportStep(state, gd.deps);
    expect(report.verdict).toBeDefined();
    const steps = (await gd.deps.store.all('es-3')).filter((e) => e.kind === 'gameday.step');
    expect(steps.map((e) => e.eventId)).toContain('step:Refused:succeeded:1');
    expect((await gd.deps.store.getIncident('es-3')).status).toBe('refused');
  });
});
