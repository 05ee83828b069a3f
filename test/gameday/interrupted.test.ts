import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetExperimentCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { handOverTime, type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { entryOf } from '../remediation/event-bus.ts';
import { heldInAlarm, nextEvent } from '../remediation/flow-stack.ts';
import { alarmEvent } from '../runbooks/events.ts';

/**
 * A sandbox stopped while faultline's flows run in it (Ctrl-C, SIGTERM: the stack closes and
 * saves) and started again: what was running ends, failed, at the moment the sandbox was last
 * alive; the flows' own failure paths then run, so that no incident stays open for ever, no
 * remediation stays "in progress". (A kill -9 ends up the same: test/cli/crash.test.ts.)
 */
describe('flows interrupted by a stopped sandbox', () => {
  let dir: string;
  let stack: LocalStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const store = () => new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);

  /** Waits, in steps of `stepMs` of the process's (virtual or real) time, until `found` gives something. */
  async function until<T>(
    found: () => Promise<T | undefined>,
    what: string,
    stepMs: number,
    tries = 200,
  ): Promise<T> {
    for (let i = 0; i < tries; i++) {
      const v = await found();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, stepMs));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  it('a game day: its execution and experiment fail when the sandbox stopped, its incident is failed, recorded and reported', async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-interrupted-'));
    const experiment = await loadExperimentFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'));
    stack = await startLocal({ seed: 7, stateDir: dir, fresh: true, start: DEFAULT_EPOCH, time: 'fast' });
    const id = 'instance-kill-interrupted';
    const { executionArn } = await client('sfn').send(
      new StartExecutionCommand({
        stateMachineArn: stack.deployment.stateMachines.gameday,
        name: id,
        input: JSON.stringify({ gamedayId: id, experiment, requestedBy: 'test' }),
      }),
    );
    const running = await until(
      async () =>
        (await client('fis').send(new ListExperimentsCommand({}))).experiments?.find(
          (e) => e.state?.status === 'running',
        ),
      'the experiment to run',
      10_000,
    );
    const lastAlive = stack.clock.now();
    await stack.close();

    // Started again as `faultline sandbox` starts it: its clock resumes on the next hour.
    const start = await handOverTime({ stateDir: dir, start: DEFAULT_EPOCH });
    stack = await startLocal({ seed: 7, stateDir: dir, start, time: 'fast' });
    expect(stack.clock.now()).toBeGreaterThan(lastAlive + 10 * 60_000);
    const incident = await until(
      async () => {
        const i = await store().findIncident(id);
        return i?.status === 'failed' && i.attributes.reports ? i : undefined;
      },
      'the incident to be failed and reported',
      30_000,
    );

    const sfn = client('sfn');
    const ended = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(ended).toMatchObject({ status: 'FAILED', error: 'Sandbox.Stopped' });
    expect(ended.stopDate?.getTime()).toBe(lastAlive);
    expect(ended.cause).toContain('the sandbox stopped while this execution was running');
    const experimentNow = (await client('fis').send(new GetExperimentCommand({ id: running.id! })))
      .experiment!;
    expect(experimentNow.state?.status).toBe('failed');
    expect(experimentNow.endTime?.getTime()).toBe(lastAlive);

    const events = await store().all(id);
    const failed = events.find((e: TimelineEvent) => e.kind === 'gameday.failed');
    expect(failed?.detail).toMatchObject({ error: 'Sandbox.Stopped' });
    expect(String(failed?.detail.cause)).toContain(new Date(lastAlive).toISOString());
    expect((incident as Incident).closedAt).toBeDefined();
    // The experiment's end is on the timeline at the moment the sandbox was last alive: the report
    // knows the fault ended.
    const experimentEnded = events.find((e) => e.kind === 'fis.experiment' && e.detail.status === 'failed');
    expect(experimentEnded?.occurredAt).toBe(new Date(lastAlive).toISOString());
    expect(incident.attributes.verdict).toMatchObject({ faultStopped: true });
    const reports = incident.attributes.reports as { json: string };
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(reports.json)!;
    const report = JSON.parse(
      await (
        await client('s3').send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      ).Body!.transformToString(),
    );
    expect(JSON.stringify(report)).toContain('Sandbox.Stopped');

    // The failure path ran once, as an execution of the game day's own state machine, and ended there.
    const runs = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.deployment.stateMachines.gameday }),
    );
    expect(runs.executions?.map((e) => [e.name, e.status]).sort()).toEqual([
      [id, 'FAILED'],
      [`${id}-ended`, 'FAILED'],
    ]);
  }, 300_000);

  it('a remediation waiting for approval: it fails when the sandbox stopped, and its incident records it for a person', async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-interrupted-'));
    // A manual clock: the approval waits, nothing times out, until the sandbox stops.
    stack = await startLocal({ seed: 7, stateDir: dir, fresh: true, start: DEFAULT_EPOCH, time: 'manual' });
    const requested = nextEvent(
      stack,
      (e) => e['detail-type'] === 'SNS Message Published' && /needs approval/.test(JSON.stringify(e.detail)),
    );
    const primaryHealth = alarmEvent({
      name: 'checkout-primary-health',
      namespace: 'AWS/Route53',
      metric: 'HealthCheckStatus',
      dimensions: {},
    });
    // Remediation confirms an alarm event against CloudWatch before it acts.
    await heldInAlarm('checkout-primary-health');
    const events = new EventBridgeClient({});
    await events.send(new PutEventsCommand({ Entries: [entryOf(primaryHealth)] }));
    events.destroy();
    await requested;
    // The alarm's own state change and the event sent here: one of them waits, the other is its duplicate.
    const [waiting] =
      (
        await client('sfn').send(
          new ListExecutionsCommand({
            stateMachineArn: stack.deployment.stateMachines.remediation,
            statusFilter: 'RUNNING',
          }),
        )
      ).executions ?? [];
    expect(waiting?.status).toBe('RUNNING');
    const remediationId = waiting!.name!;
    const lastAlive = stack.clock.now();
    await stack.close();

    const start = await handOverTime({ stateDir: dir, start: DEFAULT_EPOCH });
    stack = await startLocal({ seed: 7, stateDir: dir, start, time: 'manual' });
    const { incidents } = await store().listIncidents();
    const remediations = incidents.filter((i) => i.kind === 'remediation');
    expect(remediations.length).toBeGreaterThan(0);
    let incident: Incident | undefined;
    const failed = await until(
      async () => {
        for (const i of remediations) {
          const found = (await store().all(i.incidentId)).find(
            (e) => e.kind === 'remediation.failed' && e.detail.remediationId === remediationId,
          );
          if (found) {
            incident = i;
            return found;
          }
        }
        return undefined;
      },
      'the remediation to be recorded failed',
      200,
    );
    expect(failed.detail).toMatchObject({ error: 'Sandbox.Stopped', runbook: 'primary-region-failover' });
    expect(String(failed.detail.cause)).toContain(new Date(lastAlive).toISOString());
    const timeline = await store().all(incident!.incidentId);
    expect(timeline.some((e) => e.kind === 'notification.sent' && e.detail.purpose === 'failed')).toBe(true);
  }, 300_000);
});
