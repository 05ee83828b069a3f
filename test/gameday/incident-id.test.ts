import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { runGameDay } from '../../cli/actions/gameday.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { gameDayIdCandidate } from '../../src/gameday/ids.ts';
import type { GameDayState } from '../../src/gameday/state.ts';
import { TimelineStore } from '../../src/timeline/store.ts';

/**
 * A game day's id comes from its experiment and the minute it starts. A clock that went back (a
 * sandbox whose state file was lost restarts it) proposes an id an earlier run already has: the
 * new run must get an incident of its own, and the earlier one must stay as it was.
 */
describe('a game day whose id an earlier run already has', () => {
  let stack: LocalStack | undefined;
  let out: string | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('opens the next id, and leaves the earlier incident, its timeline and its report untouched', async () => {
    out = await mkdtemp(join(tmpdir(), 'faultline-incident-id-'));
    const experiment = await loadExperimentFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'));
    stack = await startLocal({ seed: 3, start: DEFAULT_EPOCH, time: 'fast' });
    const quiet = { out: () => {}, err: () => {} };
    const first = await runGameDay(experiment, { dryRun: true, out, json: true, stage: 'dev' }, stack, quiet);
    expect(first.status).toBe('completed');
    const id = first.incidentId;
    const store = new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);
    const before = { incident: await store.getIncident(id), events: await store.all(id) };

    // Another run proposing the same id, as the same CLI would after the clock went back.
    const sfn = client('sfn');
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.deployment.stateMachines.gameday,
        name: 'the-clock-went-back',
        input: JSON.stringify({ gamedayId: id, experiment, dryRun: true, requestedBy: 'test' }),
      }),
    );
    let done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    while (done.status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 30_000));
      done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as GameDayState;
    expect(output.incident?.incidentId).toBe(gameDayIdCandidate(id, 2));
    expect(output.report?.reports.json).toContain(`/${id}-2/`);

    // The earlier run is as it was: no "attempt 2", nothing merged, its report where it was.
    expect(await store.getIncident(id)).toEqual(before.incident);
    expect(await store.all(id)).toEqual(before.events);
    const second = await store.all(`${id}-2`);
    expect(second.filter((e) => e.kind === 'gameday.step' && e.detail.attempt !== 1)).toEqual([]);
    expect(second.find((e) => e.eventId === 'step:OpenIncident:succeeded:1')).toBeDefined();
  }, 300_000);
});
