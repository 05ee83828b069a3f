import { GetExperimentTemplateCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FisService } from '../../sandbox/services/fis.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { ensureTemplateStep } from '../../src/gameday/ensure-template.ts';
import { observe } from '../../src/gameday/observe.ts';
import { openIncident } from '../../src/gameday/open-incident.ts';
import { startExperiment } from '../../src/gameday/start-experiment.ts';
import type { GameDayState } from '../../src/gameday/state.ts';
import { stopExperiment } from '../../src/gameday/stop-experiment.ts';
import {
  experimentFile,
  type GameDayStack,
  gameDay,
  MINUTE,
  startGameDayStack,
  withResult,
} from './stack.ts';

let gd: GameDayStack;
let instanceKill: ExperimentInput;

beforeAll(async () => {
  gd = await startGameDayStack(11);
  instanceKill = await experimentFile('instance-kill');
  await gd.stack.clock.advance(5 * MINUTE);
});
afterAll(() => gd?.close());

function fisService(): FisService {
  return gd.stack.sandbox.services.find((s) => s.signingName === 'fis') as FisService;
}

/** OpenIncident → EnsureTemplate → StartExperiment, results threaded as the state machine threads them. */
async function started(id: string, experiment: ExperimentInput, dryRun = false): Promise<GameDayState> {
  let state = gameDay(id, experiment, dryRun);
  state = withResult(state, 'incident', await openIncident(state, gd.deps));
  state = withResult(state, 'template', await ensureTemplateStep(state, gd.deps));
  return withResult(state, 'experimentRun', await startExperiment(state, gd.deps));
}

describe('EnsureTemplate', () => {
  it('creates the template once, reuses it unchanged, and updates it when the file changes', async () => {
    const state = gameDay('tpl-1', { ...instanceKill, name: 'tpl-check' });
    const first = await ensureTemplateStep(state, gd.deps);
    expect(first.action).toBe('created');
    const again = await ensureTemplateStep(gameDay('tpl-2', { ...instanceKill, name: 'tpl-check' }), gd.deps);
    expect(again).toEqual({ templateId: first.templateId, action: 'unchanged' });

    const changed = {
      ...instanceKill,
      name: 'tpl-check',
      description: 'Terminate one instance, described anew.',
    };
    const updated = await ensureTemplateStep(gameDay('tpl-3', changed), gd.deps);
    expect(updated).toEqual({ templateId: first.templateId, action: 'updated' });
    const template = (await gd.deps.aws.fis.send(new GetExperimentTemplateCommand({ id: first.templateId })))
      .experimentTemplate!;
    expect(template.description).toBe('Terminate one instance, described anew.');
    expect(await ensureTemplateStep(gameDay('tpl-4', changed), gd.deps)).toEqual({
      templateId: first.templateId,
      action: 'unchanged',
    });

    const recorded = (await gd.deps.store.all('tpl-3')).filter((e) => e.kind === 'fis.template');
    expect(recorded.map((e) => e.eventId)).toEqual([`fis:template:${first.templateId}:updated`]);
  });
});

describe('StartExperiment', () => {
  it('starts one experiment per game day, however often it is retried, tagged for the emergency stop', async () => {
    const state = await started('start-1', { ...instanceKill, name: 'start-check' });
    const retry = await startExperiment(state, gd.deps);
    expect(retry.experimentId).toBe(state.experimentRun!.experimentId);
    const mine = ((await gd.deps.aws.fis.send(new ListExperimentsCommand({}))).experiments ?? []).filter(
      (e) => e.tags?.['faultline:gameday'] === 'start-1',
    );
    expect(mine.map((e) => e.id)).toEqual([state.experimentRun!.experimentId]);
    expect(mine[0]!.tags).toMatchObject({
      'faultline:service': 'checkout',
      'faultline:experiment': 'start-check',
    });
    await stopExperiment(state, gd.deps);
  });

  it('asks FIS for a dry run (skip-all): targets resolved, nothing injected', async () => {
    const running = () => gd.stack.sandbox.world.instances().filter((i) => i.state === 'running').length;
    const before = running();
    let state = await started('dry-1', { ...instanceKill, name: 'dry-check' }, true);
    const id = state.experimentRun!.experimentId;
    expect(fisService().experiment(id)?.experimentOptions.actionsMode).toBe('skip-all');
    await gd.stack.clock.advance(MINUTE);
    state = withResult(state, 'observation', await observe(state, gd.deps));
    expect(state.observation).toMatchObject({ experimentStatus: 'completed', experimentTerminal: true });
    expect(running()).toBe(before);
    const events = await gd.deps.store.all('dry-1');
    expect(events.find((e) => e.kind === 'fis.action')?.detail).toMatchObject({ status: 'skipped' });
    expect(events.find((e) => e.kind === 'fis.targets')?.detail).toMatchObject({
      target: 'one-instance',
      resources: [expect.stringMatching(/:instance\/i-/)],
    });
  });
});

describe('StopExperiment', () => {
  it('stops a running experiment when the kill switch is set, and tolerates one that has already ended', async () => {
    // A fault that lasts: FIS waits ten minutes.
    const wait = {
      ...instanceKill,
      name: 'stop-check',
      fault: {
        targets: {},
        actions: { hold: { action: 'aws:fis:wait', parameters: { duration: 'PT10M' } } },
      },
    };
    let state = await started('stop-1', wait);
    const killSwitch = gd.deps.env.killSwitchParameter;
    await gd.stack.clock.advance(MINUTE);
    await gd.deps.aws.ssm.send(new PutParameterCommand({ Name: killSwitch, Value: 'on', Overwrite: true }));
    try {
      state = withResult(state, 'observation', await observe(state, gd.deps));
    } finally {
      await gd.deps.aws.ssm.send(
        new PutParameterCommand({ Name: killSwitch, Value: 'off', Overwrite: true }),
      );
    }
    expect(state.observation).toMatchObject({
      stopRequired: true,
      stopReason: expect.stringMatching(/kill switch .* is on/),
    });
    const stop = await stopExperiment(state, gd.deps);
    expect(stop.reason).toMatch(/kill switch/);
    state = withResult(state, 'stop', stop);
    await gd.stack.clock.advance(MINUTE);
    state = withResult(state, 'observation', await observe(state, gd.deps));
    expect(state.observation).toMatchObject({ experimentStatus: 'stopped', experimentTerminal: true });

    const again = await stopExperiment(state, gd.deps);
    expect(again.reason).toMatch(/already ended: stopped/);
    const events = await gd.deps.store.all('stop-1');
    expect(events.filter((e) => e.kind === 'gameday.stop-requested').map((e) => e.detail.code)).toEqual([
      'kill-switch',
    ]);
    expect(events.filter((e) => e.kind === 'gameday.step').map((e) => e.eventId)).toEqual(
      expect.arrayContaining(['step:Observe#1:succeeded:1', 'step:ObserveStopping#2:succeeded:1']),
    );
  });
});
