import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import { GetExperimentCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { afterEach, describe, expect, it } from 'vitest';
import { type GameDaySummary, runGameDay } from '../../cli/actions/gameday.ts';
import { incidentTable, listing } from '../../cli/actions/incidents.ts';
import { switchRemediation } from '../../cli/remediation-switch.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { importTemplateFile } from '../../src/experiments/import-template.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import type { ExperimentSpec } from '../../src/experiments/schema.ts';
import { REPORT_SCHEMA_VERSION } from '../../src/report/json.ts';
import { TimelineStore } from '../../src/timeline/store.ts';

/**
 * Whole game days, as `faultline gameday` runs them: the Step Functions API of a sandbox started
 * in this process, the deployed handlers, virtual time played as fast as possible.
 */
const quiet = { out: () => {}, err: () => {} };
const dirs: string[] = [];
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function run(
  name: string,
  opts: {
    seed?: number;
    failIn?: string;
    dryRun?: boolean;
    remediation?: 'on' | 'off';
    /** Collect the live view's lines here (as `faultline gameday` prints them) instead of the JSON mode. */
    live?: string[];
  } = {},
): Promise<{ summary: GameDaySummary; stack: LocalStack; out: string }> {
  const out = await mkdtemp(join(tmpdir(), 'faultline-gameday-'));
  dirs.push(out);
  // Read the file before the stack starts playing time: virtual time jumps whenever this process
  // is idle, and a disk read is idleness it cannot see.
  const experiment: ExperimentSpec = name.endsWith('.json')
    ? await importTemplateFile(
        join(PROJECT_DIR, name),
        join(PROJECT_DIR, name.replace(/\.json$/, '.side.yaml')),
      )
    : await loadExperimentFile(join(PROJECT_DIR, 'experiments', `${name}.yaml`));
  stack = await startLocal({ seed: opts.seed ?? 1, start: DEFAULT_EPOCH, time: 'fast' });
  if (opts.remediation) {
    await switchRemediation(stack, opts.remediation);
  }
  if (opts.failIn) {
    // Replace one deployed function with one that always fails, as a broken deploy or an outage would.
    const fn = stack.deployment.functions[opts.failIn]!;
    stack.sandbox.lambdas.register(fn, async () => {
      throw Object.assign(new Error(`injected failure in ${opts.failIn}`), { name: 'InjectedFailure' });
    });
  }
  const live = opts.live;
  const summary = await runGameDay(
    experiment,
    { dryRun: opts.dryRun ?? false, out, json: live === undefined, stage: 'dev' },
    stack,
    live ? { out: (line) => live.push(line), err: () => {} } : quiet,
  );
  return { summary, stack, out };
}

/** The verdict's recovery time objective: met or not, and how long recovery took (null: it never came). */
function rtoOf(summary: GameDaySummary): { met: boolean | null; achievedSeconds: number | null } {
  return (summary.verdict as { rto: { met: boolean | null; achievedSeconds: number | null } }).rto;
}

async function experimentsStillRunning(): Promise<string[]> {
  const list = await client('fis').send(new ListExperimentsCommand({}));
  return (list.experiments ?? [])
    .filter((e) => !['completed', 'stopped', 'failed', 'cancelled'].includes(e.state?.status ?? ''))
    .map((e) => `${e.id} ${e.state?.status}`);
}

async function timeline(incidentId: string) {
  const store = new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);
  return store.all(incidentId);
}

describe('game day, end to end in the sandbox', () => {
  it('runs the AZ outage: fault injected, alarms react, experiment ends, recovery verified, report written', async () => {
    const { summary, stack } = await run('az-outage');
    expect(summary.status).toBe('completed');
    expect(summary.faultStopped).toBe(true);
    expect(['completed', 'stopped']).toContain(summary.experiment.finalStatus);
    expect(await experimentsStillRunning()).toEqual([]);
    expect(stack.sandbox.world.activeDisruptions()).toEqual([]);

    const events = await timeline(summary.incidentId);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['fis.targets', 'fis.action', 'alarm.state', 'metrics.sample', 'gameday.recovery']) {
      expect(kinds, k).toContain(k);
    }
    const md = await readFile(summary.reports!.markdown, 'utf8');
    expect(md).toContain('## Minute by minute');
    expect(md).toMatch(/\| 09:01 \|/);
    const json = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
    expect(json.schemaVersion).toBe(REPORT_SCHEMA_VERSION);

    // The key moments against what the sandbox itself says happened.
    const at = (name: string) => json.keyMoments.find((m: { name: string }) => m.name === name).at as string;
    const { experiment } = await client('fis').send(new GetExperimentCommand({ id: summary.experiment.id! }));
    const actionStarts = Object.values(experiment!.actions!).map((a) => a.startTime!.getTime());
    expect(Date.parse(at('impactStarted'))).toBe(Math.min(...actionStarts));
    // The fault ended with the last of its actions (none is a wait here), which FIS dates.
    const actionEnds = Object.values(experiment!.actions!).map((a) => a.endTime!.getTime());
    expect(Date.parse(json.objectives.rto.faultEndedAt)).toBe(Math.max(...actionEnds));
    expect(json.orderCheck).toEqual({ ok: true, problems: [] });
    const history = await client('cloudwatch').send(
      new DescribeAlarmHistoryCommand({
        HistoryItemType: 'StateUpdate',
        ScanBy: 'TimestampAscending',
        MaxRecords: 100,
      }),
    );
    const firstAlarm = history
      .AlarmHistoryItems!.filter((h) => JSON.parse(h.HistoryData!).newState.stateValue === 'ALARM')
      .map((h) => h.Timestamp!.getTime())
      .filter((t) => t >= Math.min(...actionStarts))
      .sort((a, b) => a - b)[0];
    expect(Date.parse(at('detected'))).toBe(firstAlarm);
    // Its six actions play an hour of virtual time: 9 s alone, more beside the rest of the suite.
  }, 120_000);

  it('lets the alarms it raises be remediated when remediation is on, and not when it is off', async () => {
    const on = await run('az-outage', { remediation: 'on' });
    // The lost capacity is scaled out; restarting the unhealthy hosts is tried and fails, as the
    // AZ's hosts are powered off (and any replacement is still booting): nothing a reboot can fix.
    expect(on.summary.status).toBe('completed');
    expect(
      on.summary.remediations
        .map((r) => [r.runbook, r.action, r.status])
        .sort(([a], [b]) => a!.localeCompare(b!)),
    ).toEqual([
      ['az-capacity', 'Faultline-ScaleOut', 'SUCCEEDED'],
      ['unhealthy-hosts', 'Faultline-RestartUnhealthyTargets', 'FAILED'],
    ]);
    const launched = on.stack.sandbox.world.instances().length;
    await stack!.close();
    stack = undefined;

    const off = await run('az-outage', { remediation: 'off' });
    expect(off.summary.remediations).toEqual([]);
    // Scale-out added instances only when remediation was on.
    expect(off.stack.sandbox.world.instances().length).toBeLessThan(launched);
  });

  it('runs an existing FIS template with its side file, and its report says where the stop conditions came from', async () => {
    const { summary, stack } = await run('examples/fis-template/reboot-one.json');
    expect(summary.status).toBe('completed');
    expect(summary.experiment.finalStatus).toBe('completed');
    expect(summary.faultStopped).toBe(true);
    expect(stack.sandbox.world.instances().every((i) => i.state === 'running')).toBe(true);
    // The template says `none`: FIS stopped on the side file's alarm, and the incident keeps why.
    const { experiment } = await client('fis').send(new GetExperimentCommand({ id: summary.experiment.id! }));
    expect(experiment!.stopConditions).toEqual([
      {
        source: 'aws:cloudwatch:alarm',
        value: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-availability-critical',
      },
    ]);
    const md = await readFile(summary.reports!.markdown, 'utf8');
    expect(md).toContain(
      `| FIS template | ${join(PROJECT_DIR, 'examples/fis-template/reboot-one.json')} (stop conditions from the side file) |`,
    );
  });

  it('runs the instance kill: the process dies, the host keeps running and the Auto Scaling group never replaces it', async () => {
    const { summary, stack } = await run('instance-kill', { remediation: 'off' });
    expect(summary.status).toBe('completed');
    expect(summary.experiment.finalStatus).toBe('completed');
    const world = stack.sandbox.world;
    // EC2 health checks see a running host: nothing was stopped, terminated or launched.
    expect(world.instances().map((i) => i.state)).toEqual(Array(6).fill('running'));
    const dead = world.instances().filter((i) => i.processKilled);
    expect(dead).toHaveLength(1);
    expect(world.targetHealth().targets.find((t) => t.id === dead[0]!.id)?.state).toBe('unhealthy');
  });

  it('instance kill with remediation: the unhealthy-hosts alarm fires, the runbook reboots the host, the alarm is OK again, the report shows it with its durations; without it the host stays down', async () => {
    const on = await run('instance-kill', { remediation: 'on' });
    expect(on.summary.remediations.map((r) => [r.runbook, r.action, r.outcome])).toEqual([
      ['unhealthy-hosts', 'Faultline-RestartUnhealthyTargets', 'resolved'],
    ]);
    const report = JSON.parse(await readFile(on.summary.reports!.json, 'utf8'));
    const [remediation] = report.remediations;
    expect(remediation).toMatchObject({
      runbook: 'unhealthy-hosts',
      trigger: { kind: 'alarm', name: 'checkout-unhealthy-hosts', state: 'ALARM' },
      guard: { verdict: 'proceed' },
      action: { kind: 'automation', target: 'Faultline-RestartUnhealthyTargets', finalStatus: 'Success' },
      verification: { verified: true },
      outcome: 'resolved',
    });
    const d = remediation.durations;
    for (const key of ['triggerToActionSeconds', 'actionSeconds', 'actionToRecoveredSeconds', 'totalSeconds'])
      expect(d[key], key).toBeTypeOf('number');
    expect(d.actionToRecoveredSeconds).toBeGreaterThan(0);
    const md = await readFile(on.summary.reports!.markdown, 'utf8');
    expect(md).toMatch(/\| unhealthy-hosts<br>.*\| resolved at /);
    // The reboot brought the same host back: every target healthy, no instance added or replaced.
    const onWorld = on.stack.sandbox.world;
    expect(onWorld.instances()).toHaveLength(6);
    expect(onWorld.instances().some((i) => i.processKilled)).toBe(false);
    expect(onWorld.targetHealth()).toMatchObject({ healthy: 6, unhealthy: 0 });
    expect(on.summary.status).toBe('completed');
    expect(rtoOf(on.summary)).toMatchObject({ met: true });

    // Each key moment from the event that shows it, against what the sandbox itself says happened.
    const moment = (name: string) =>
      report.keyMoments.find((m: { name: string }) => m.name === name) as {
        at: string;
        eventId: string;
      };
    const history = await client('cloudwatch').send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'checkout-unhealthy-hosts',
        HistoryItemType: 'StateUpdate',
        ScanBy: 'TimestampAscending',
      }),
    );
    const backToOk = history
      .AlarmHistoryItems!.filter((h) => JSON.parse(h.HistoryData!).newState.stateValue === 'OK')
      .map((h) => h.Timestamp!.getTime())
      .at(-1)!;
    // Recovered is the alarm's own return to OK (seconds past a minute), not the minute poll that noticed it.
    expect(Date.parse(moment('recovered').at)).toBe(backToOk);
    expect(backToOk % 60_000).not.toBe(0);
    expect(Date.parse(report.incident.closedAt)).toBeGreaterThan(backToOk);
    expect(Date.parse(moment('remediationVerified').at)).toBe(Date.parse(remediation.verification.at));
    const { experiment } = await client('fis').send(
      new GetExperimentCommand({ id: on.summary.experiment.id! }),
    );
    const kill = Object.values(experiment!.actions!).find((a) => a.actionId === 'aws:ssm:send-command')!;
    // The RTO runs from the kill, not from the end of the wait that keeps the experiment open.
    expect(Date.parse(report.objectives.rto.faultEndedAt)).toBe(kill.endTime!.getTime());
    expect(experiment!.endTime!.getTime()).toBeGreaterThan(backToOk);
    expect(report.objectives.rto.achievedSeconds).toBe((backToOk - kill.endTime!.getTime()) / 1000);
    // The user impact stopped before anything was detected: the load balancer stopped sending to the dead host.
    expect(Date.parse(moment('mitigated').at)).toBeLessThan(Date.parse(moment('detected').at));
    expect(report.orderCheck).toEqual({ ok: true, problems: [] });
    expect(report.impact).toMatchObject({ basis: 'signals', recovered: true, to: moment('recovered').at });
    // Every minute up to the close is in the report, the one just before it included.
    const closed = Date.parse(report.incident.closedAt);
    const sampled = report.events
      .filter((e: { kind: string }) => e.kind === 'metrics.sample')
      .map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
    expect(Math.max(...sampled)).toBe(Math.floor((closed - 1) / 60_000) * 60_000);

    // Events of one instant in the order they happened, in the store and in report.json alike.
    const stored = await timeline(on.summary.incidentId);
    expect(report.events.map((e: { eventId: string }) => e.eventId)).toEqual(
      stored
        .filter((e) => report.events.some((r: { eventId: string }) => r.eventId === e.eventId))
        .map((e) => e.eventId),
    );
    const position = (test: (e: (typeof stored)[number]) => boolean) => stored.findIndex(test);
    const step = (name: string, status: string) => (e: (typeof stored)[number]) =>
      e.kind === 'gameday.step' && e.detail.step === name && e.detail.status === status;
    // (The minute samples are the monitoring's: first of their instant, before what automation did in it.)
    expect(position((e) => e.kind !== 'metrics.sample')).toBe(position(step('OpenIncident', 'started')));
    expect(position(step('OpenIncident', 'started'))).toBeLessThan(
      position((e) => e.kind === 'fis.experiment'),
    );
    expect(position((e) => e.eventId.endsWith(':process-dies:running'))).toBeLessThan(
      position((e) => e.eventId.endsWith(':process-dies:completed')),
    );
    expect(position(step('VerifyRecovery', 'started'))).toBeLessThan(
      position(step('RenderReport', 'started')),
    );
    expect(position(step('Notify', 'started'))).toBeLessThan(position((e) => e.kind === 'notification.sent'));
    await stack!.close();
    stack = undefined;

    // Without it nothing restarts the process: the host stays unhealthy and the game day's
    // recovery check fails.
    const off = await run('instance-kill', { remediation: 'off' });
    expect(off.summary.remediations).toEqual([]);
    const offReport = JSON.parse(await readFile(off.summary.reports!.json, 'utf8'));
    expect(offReport.remediations).toEqual([]);
    expect(off.stack.sandbox.world.targetHealth()).toMatchObject({ healthy: 5, unhealthy: 1 });
    expect(rtoOf(off.summary)).toEqual(expect.objectContaining({ met: false, achievedSeconds: null }));
  });

  it('a dry run resolves targets, injects nothing and measures nothing, and says so everywhere', async () => {
    const live: string[] = [];
    const { summary, stack } = await run('instance-kill', { dryRun: true, live });
    expect(summary.status).toBe('completed');
    expect(summary.kind).toBe('dry-run');
    expect(stack.sandbox.world.instances().every((i) => i.state === 'running' && !i.processKilled)).toBe(
      true,
    );
    const events = await timeline(summary.incidentId);
    expect(events.filter((e) => e.kind === 'fis.action').every((e) => e.detail.status !== 'running')).toBe(
      true,
    );
    expect(events.some((e) => e.kind === 'fis.targets')).toBe(true);

    // The live view and its summary.
    expect(live[0]).toMatch(
      /^Dry run instance-kill-\S+: .* \(nothing is injected: FIS resolves the targets and skips the actions\)$/,
    );
    expect(live).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d {2}dry run complete$/));
    expect(live).toContain(
      'Verdict: dry run, nothing injected · hypothesis UNTESTED · RTO 10m00s: not measured (dry run)',
    );
    expect(live.join('\n')).not.toMatch(/RTO [^·]*: met|game day complete/);

    // The report, in its three forms.
    const json = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
    expect(json.incident.kind).toBe('dry-run');
    expect(json.verdict).toMatchObject({ hypothesis: 'untested', rto: { achievedSeconds: null, met: null } });
    expect(json.objectives.rto.note).toBe('a dry run injects nothing');
    const md = await readFile(summary.reports!.markdown, 'utf8');
    expect(md).toContain('| Kind | dry run |');
    expect(md).toContain('| Target | Resource type | Would hit |');
    expect(md).toContain('RTO not measured (dry run).');
    expect(md).not.toMatch(/Resources hit|the RTO was met|RTO met/);
    const html = await readFile(summary.reports!.html, 'utf8');
    expect(html).toContain('<th>Would hit</th>');

    // faultline incidents.
    const store = new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);
    const row = incidentTable([listing(await store.getIncident(summary.incidentId))], 'UTC')[2]!;
    expect(row).toMatch(/ dry run +checkout .* not tested +not measured \(dry run\)$/);
  });

  it('gives the same timeline for the same seed', async () => {
    const strip = (events: Awaited<ReturnType<typeof timeline>>) =>
      events.map(({ recordedAt: _r, ...e }) => e);
    const first = await run('az-outage', { seed: 42 });
    const a = strip(await timeline(first.summary.incidentId));
    await stack!.close();
    stack = undefined;
    const second = await run('az-outage', { seed: 42 });
    const b = strip(await timeline(second.summary.incidentId));
    expect(b.length).toBeGreaterThan(20);
    expect(b).toEqual(a);
  });

  for (const step of [
    'openIncident',
    'preflight',
    'ensureTemplate',
    'startExperiment',
    'observe',
    'verifyRecovery',
    'renderReport',
  ]) {
    it(`a failure in ${step} leaves no experiment running and the run says why`, async () => {
      const { summary } = await run('az-outage', { failIn: step });
      expect(summary.status).toBe('failed');
      expect(await experimentsStillRunning()).toEqual([]);
      expect(summary.execution.error).toBe('GameDayFailed');
      if (step !== 'renderReport') {
        const md = await readFile(summary.reports!.markdown, 'utf8');
        expect(md).toContain('InjectedFailure');
      }
      const events = await timeline(summary.incidentId);
      expect(events.find((e) => e.kind === 'gameday.failed')?.summary).toContain('InjectedFailure');
    });
  }
});
