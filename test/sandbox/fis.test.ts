import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FisClient,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  ValidationException,
} from '@aws-sdk/client-fis';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock.ts';
import type { Sandbox, SandboxOptions } from '../../sandbox/sandbox.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';
import {
  advanceToRunning,
  CHECKOUT_INSTANCES,
  createTemplate,
  getExperiment,
  listExperimentsOf,
  sendActionsMode,
  startFrom,
  worldWithoutAutoScaling,
} from './fis-helpers.ts';

const MINUTE = 60_000;
const AZ_A = { path: 'Placement.AvailabilityZone', values: ['us-east-1a'] };

describe('FIS experiments', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let fis: FisClient;
  const opened: Sandbox[] = [];

  async function open(opts: SandboxOptions = {}): Promise<void> {
    ({ sb, config } = await startSandbox({ world: await worldWithoutAutoScaling(), ...opts }));
    opened.push(sb);
    fis = new FisClient(config);
  }

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  const instancesIn = (az: string) => sb.world.instances().filter((i) => i.az === az);
  const states = (az: string) => instancesIn(az).map((i) => i.state);
  const fisEvents = () =>
    sb.core.bus
      .all()
      .filter((e) => e.source === 'aws.fis')
      .map((e) => e.detail as { 'new-state': { status: string }; 'old-state': { status: string } });

  it('runs pending → initiating → running → completed on the virtual clock and publishes each change', async () => {
    await open();
    const start = sb.clock.now();
    const templateId = await createTemplate(fis);
    const started = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId })))
      .experiment!;
    expect(started.id).toMatch(/^EXP[a-zA-Z0-9]{13,15}$/);
    expect(started.state).toEqual({ status: 'pending', reason: 'Experiment is pending.' });
    expect(started.actions!.wait!.state!.status).toBe('pending');

    await sb.clock.advance(1_000);
    expect((await getExperiment(fis, started.id!)).state!.status).toBe('initiating');
    await sb.clock.advance(2_000);
    const running = await getExperiment(fis, started.id!);
    expect(running.state!.status).toBe('running');
    expect(running.actions!.wait!.state!.status).toBe('running');
    expect(running.actions!.wait!.startTime!.getTime()).toBe(start + 3_000);

    await sb.clock.advance(5 * MINUTE - 1);
    expect((await getExperiment(fis, started.id!)).state!.status).toBe('running');
    await sb.clock.advance(1);
    const done = await getExperiment(fis, started.id!);
    expect(done.state).toEqual({ status: 'completed', reason: 'Experiment completed.' });
    expect(done.actions!.wait!.state!.status).toBe('completed');
    expect(done.actions!.wait!.endTime!.getTime()).toBe(start + 3_000 + 5 * MINUTE);
    expect(done.endTime!.getTime()).toBe(start + 3_000 + 5 * MINUTE);

    expect(fisEvents().map((d) => `${d['old-state'].status}->${d['new-state'].status}`)).toEqual([
      'pending->initiating',
      'initiating->running',
      'running->completed',
    ]);
    const event = sb.core.bus.all().find((e) => e['detail-type'] === 'FIS Experiment State Change')!;
    expect(event.resources).toEqual([`arn:aws:fis:us-east-1:123456789012:experiment/${started.id}`]);
    expect(event.detail).toMatchObject({ 'experiment-id': started.id, 'experiment-template-id': templateId });
  });

  it('answers ResourceNotFoundException for unknown experiments and templates', async () => {
    await open();
    await expect(
      fis.send(new StartExperimentCommand({ experimentTemplateId: 'EXTnope00000000' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(getExperiment(fis, 'EXPnope000000000')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(fis.send(new StopExperimentCommand({ id: 'EXPnope000000000' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: 'EXPnope000000000' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('starts one experiment per clientToken and lists experiments by page and by template', async () => {
    await open();
    const templateId = await createTemplate(fis);
    const first = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: 'go-1' }),
    );
    const retry = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: 'go-1' }),
    );
    expect(retry.experiment!.id).toBe(first.experiment!.id);
    await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId, tags: { run: '2' } }));
    const page1 = await fis.send(new ListExperimentsCommand({ maxResults: 1 }));
    expect(page1.experiments).toHaveLength(1);
    expect(page1.experiments![0]!.id).toBe(first.experiment!.id);
    const page2 = await fis.send(new ListExperimentsCommand({ maxResults: 1, nextToken: page1.nextToken }));
    expect(page2.experiments![0]!.tags).toEqual({ run: '2' });
    expect(page2.nextToken).toBeUndefined();

    const otherTemplate = await createTemplate(fis, { description: 'other' });
    const other = await fis.send(new StartExperimentCommand({ experimentTemplateId: otherTemplate }));
    const filtered = new FisClient(config);
    listExperimentsOf(filtered, otherTemplate);
    const ofOther = (await filtered.send(new ListExperimentsCommand({}))).experiments!;
    expect(ofOther.map((e) => e.id)).toEqual([other.experiment!.id]);
  });

  it('stops instances and starts them again after startInstancesAfterDuration', async () => {
    await open();
    const id = await startFrom(fis, {
      targets: {
        web: { ...CHECKOUT_INSTANCES, filters: [AZ_A, { path: 'State.Name', values: ['running'] }] },
      },
      actions: {
        stop: {
          actionId: 'aws:ec2:stop-instances',
          parameters: { startInstancesAfterDuration: 'PT5M' },
          targets: { Instances: 'web' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(states('us-east-1a')).toEqual(['stopping', 'stopping']);
    expect(states('us-east-1b')).toEqual(['running', 'running']);
    await sb.clock.advance(2 * MINUTE);
    expect(states('us-east-1a')).toEqual(['stopped', 'stopped']);
    expect((await getExperiment(fis, id)).actions!.stop!.state!.status).toBe('running');

    await sb.clock.advance(3 * MINUTE);
    expect(states('us-east-1a')).toEqual(['pending', 'pending']);
    await sb.clock.advance(MINUTE);
    expect(states('us-east-1a')).toEqual(['running', 'running']);
    const exp = await getExperiment(fis, id);
    expect(exp.state!.status).toBe('completed');
    expect(exp.actions!.stop!.state!.status).toBe('completed');

    const resolved = (await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id })))
      .resolvedTargets!;
    expect(resolved).toEqual(
      instancesIn('us-east-1a').map((i) => ({
        resourceType: 'aws:ec2:instance',
        targetName: 'web',
        targetInformation: { arn: i.arn },
      })),
    );
    const published = sb.core.bus.all().find((e) => e['detail-type'] === 'FIS Experiment Targets Resolved')!;
    expect(published.resources).toEqual([
      `arn:aws:fis:us-east-1:123456789012:experiment/${id}`,
      ...instancesIn('us-east-1a').map((i) => i.arn),
    ]);
  });

  it.each([
    ['fails', 'false', 'failed'],
    ['completes with completeIfInstancesTerminated', 'true', 'completed'],
  ])(
    '%s when a stopped instance is terminated before its restart, and restarts the others',
    async (_case, complete, status) => {
      // What an Auto Scaling group does to the instances it sees stopped for a few minutes.
      await open();
      const id = await startFrom(fis, {
        targets: { web: { ...CHECKOUT_INSTANCES, filters: [AZ_A] } },
        actions: {
          stop: {
            actionId: 'aws:ec2:stop-instances',
            parameters: { startInstancesAfterDuration: 'PT10M', completeIfInstancesTerminated: complete },
            targets: { Instances: 'web' },
          },
        },
      });
      const victims = instancesIn('us-east-1a');
      await advanceToRunning(sb);
      await sb.clock.advance(2 * MINUTE);
      sb.world.terminateInstances([victims[0]!.id]);
      await sb.clock.advance(9 * MINUTE);
      expect(victims.map((i) => i.state)).toEqual(['terminated', 'running']);
      const exp = await getExperiment(fis, id);
      expect(exp.state!.status).toBe(status);
      if (status === 'failed') {
        expect(exp.actions!.stop!.state!.reason).toBe(
          `The instance ${victims[0]!.id} was terminated while the action was running.`,
        );
      }
    },
  );

  it('rolls every running action back when the experiment is stopped', async () => {
    await open();
    const id = await startFrom(fis, {
      targets: {
        web: { ...CHECKOUT_INSTANCES, filters: [AZ_A] },
        subnetB: {
          resourceType: 'aws:ec2:subnet',
          resourceTags: { Service: 'checkout' },
          filters: [{ path: 'AvailabilityZone', values: ['us-east-1b'] }],
          selectionMode: 'ALL',
        },
      },
      actions: {
        stop: {
          actionId: 'aws:ec2:stop-instances',
          parameters: { startInstancesAfterDuration: 'PT30M' },
          targets: { Instances: 'web' },
        },
        cut: {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration: 'PT30M' },
          targets: { Subnets: 'subnetB' },
        },
        later: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['cut'] },
      },
    });
    await advanceToRunning(sb);
    await sb.clock.advance(2 * MINUTE);
    expect(states('us-east-1a')).toEqual(['stopped', 'stopped']);
    expect(sb.world.activeDisruptions()).toHaveLength(1);
    expect(sb.world.azReachable('us-east-1b')).toBe(false);

    const stopped = (await fis.send(new StopExperimentCommand({ id }))).experiment!;
    expect(stopped.state).toEqual({ status: 'stopping', reason: 'Experiment stopped by user request.' });
    expect(sb.world.activeDisruptions()).toHaveLength(0);
    expect(states('us-east-1a')).toEqual(['pending', 'pending']);

    await sb.clock.advance(1_000);
    const exp = await getExperiment(fis, id);
    expect(exp.state).toEqual({ status: 'stopped', reason: 'Experiment stopped by user request.' });
    expect(exp.actions!.stop!.state!.status).toBe('stopped');
    expect(exp.actions!.cut!.state!.status).toBe('stopped');
    expect(exp.actions!.later!.state!.status).toBe('cancelled');
    await sb.clock.advance(MINUTE);
    expect(states('us-east-1a')).toEqual(['running', 'running']);
    expect(fisEvents().map((d) => d['new-state'].status)).toEqual([
      'initiating',
      'running',
      'stopping',
      'stopped',
    ]);
  });

  it('waits for instances still stopping before restarting them on stop', async () => {
    await open();
    const id = await startFrom(fis, {
      targets: { web: { ...CHECKOUT_INSTANCES, filters: [AZ_A] } },
      actions: {
        stop: {
          actionId: 'aws:ec2:stop-instances',
          parameters: { startInstancesAfterDuration: 'PT10M' },
          targets: { Instances: 'web' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(states('us-east-1a')).toEqual(['stopping', 'stopping']);
    await fis.send(new StopExperimentCommand({ id }));
    expect((await getExperiment(fis, id)).state!.status).toBe('stopping');
    await sb.clock.advance(2 * MINUTE);
    expect(states('us-east-1a')).not.toContain('stopped');
    expect((await getExperiment(fis, id)).state!.status).toBe('stopped');
    await sb.clock.advance(MINUTE);
    expect(states('us-east-1a')).toEqual(['running', 'running']);
  });

  it('cancels an experiment stopped before it runs, and refuses to stop one that has ended', async () => {
    await open();
    const id = await startFrom(fis);
    const out = await fis.send(new StopExperimentCommand({ id }));
    expect(out.experiment!.state!.status).toBe('cancelled');
    expect(out.experiment!.actions!.wait!.state!.status).toBe('cancelled');
    await sb.clock.advance(10 * MINUTE);
    expect((await getExperiment(fis, id)).state!.status).toBe('cancelled');
    const err = await fis.send(new StopExperimentCommand({ id })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toBe(`Experiment ${id} is already cancelled and cannot be stopped.`);
  });

  it.each([
    ['COUNT(1)', 1],
    ['PERCENT(50)', 3],
    ['PERCENT(1)', 1],
    ['ALL', 6],
  ])('selects %s of the six checkout instances', async (selectionMode, count) => {
    await open();
    const id = await startFrom(fis, {
      targets: { web: { ...CHECKOUT_INSTANCES, selectionMode } },
      actions: { reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'web' } } },
    });
    await advanceToRunning(sb);
    const resolved = (await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id })))
      .resolvedTargets!;
    expect(resolved).toHaveLength(count);
    const rebooting = sb.world.instances().filter((i) => !sb.world.instanceServing(i));
    expect(rebooting.map((i) => i.arn)).toEqual(resolved.map((r) => r.targetInformation!.arn));
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
  });

  it('draws the same random selection for the same seed', async () => {
    const pick = async () => {
      await open({ seed: 42 });
      const id = await startFrom(fis, {
        targets: { web: { ...CHECKOUT_INSTANCES, selectionMode: 'COUNT(2)' } },
        actions: { reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'web' } } },
      });
      await advanceToRunning(sb);
      return (await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id })))
        .resolvedTargets!;
    };
    expect(await pick()).toEqual(await pick());
  });

  it('filters instances by state: stopped instances are not selected', async () => {
    await open();
    const [first] = instancesIn('us-east-1a');
    sb.world.stopInstances([first!.id]);
    await sb.clock.advance(2 * MINUTE);
    const id = await startFrom(fis, {
      targets: {
        web: { ...CHECKOUT_INSTANCES, filters: [AZ_A, { path: 'State.Name', values: ['running'] }] },
      },
      actions: { reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'web' } } },
    });
    await advanceToRunning(sb);
    const resolved = (
      await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id, targetName: 'web' }))
    ).resolvedTargets!;
    expect(resolved.map((r) => r.targetInformation!.arn)).toEqual([instancesIn('us-east-1a')[1]!.arn]);
  });

  it('fails the experiment when a target resolves to nothing, unless emptyTargetResolutionMode is skip', async () => {
    await open();
    const nobody = { ...CHECKOUT_INSTANCES, resourceTags: { Service: 'billing' } };
    const failing = await startFrom(fis, {
      targets: { web: nobody },
      actions: { reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'web' } } },
    });
    await advanceToRunning(sb);
    const failed = await getExperiment(fis, failing);
    expect(failed.state).toEqual({
      status: 'failed',
      reason: 'Target resolution returned no resources for target web.',
    });
    expect(failed.actions!.reboot!.state!.status).toBe('cancelled');

    const skipping = await startFrom(fis, {
      targets: { web: nobody },
      actions: {
        reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'web' } },
        wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['reboot'] },
      },
      experimentOptions: { emptyTargetResolutionMode: 'skip' },
    });
    await advanceToRunning(sb);
    const skipped = await getExperiment(fis, skipping);
    expect(skipped.actions!.reboot!.state).toEqual({
      status: 'skipped',
      reason: 'No resources were found for target web.',
    });
    expect(skipped.actions!.wait!.state!.status).toBe('running');
    await sb.clock.advance(MINUTE);
    expect((await getExperiment(fis, skipping)).state!.status).toBe('completed');
  });

  it('starts actions in startAfter order; actions without startAfter start together', async () => {
    await open();
    const id = await startFrom(fis, {
      actions: {
        first: { actionId: 'aws:fis:wait', parameters: { duration: 'PT2M' } },
        alongside: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } },
        second: {
          actionId: 'aws:fis:wait',
          parameters: { duration: 'PT1M' },
          startAfter: ['first', 'alongside'],
        },
      },
    });
    await advanceToRunning(sb);
    let exp = await getExperiment(fis, id);
    expect(exp.actions!.first!.state!.status).toBe('running');
    expect(exp.actions!.alongside!.state!.status).toBe('running');
    expect(exp.actions!.second!.state!.status).toBe('pending');
    await sb.clock.advance(MINUTE);
    exp = await getExperiment(fis, id);
    expect(exp.actions!.alongside!.state!.status).toBe('completed');
    expect(exp.actions!.second!.state!.status).toBe('pending');
    await sb.clock.advance(MINUTE);
    exp = await getExperiment(fis, id);
    expect(exp.actions!.second!.state!.status).toBe('running');
    expect(exp.actions!.second!.startTime).toEqual(exp.actions!.first!.endTime);
    await sb.clock.advance(MINUTE);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
  });

  it('runs a skip-all dry run: targets resolved, every action skipped, the world untouched', async () => {
    await open();
    sendActionsMode(fis, 'skip-all');
    const id = await startFrom(fis, {
      targets: { web: CHECKOUT_INSTANCES },
      actions: {
        stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'web' } },
        wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT5M' }, startAfter: ['stop'] },
      },
    });
    await advanceToRunning(sb);
    const exp = await getExperiment(fis, id);
    expect(exp.experimentOptions).toMatchObject({ actionsMode: 'skip-all' });
    expect(exp.state!.status).toBe('completed');
    expect(Object.values(exp.actions!).map((a) => a.state!.status)).toEqual(['skipped', 'skipped']);
    expect(sb.world.instances().every((i) => i.state === 'running')).toBe(true);
    const resolved = await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id }));
    expect(resolved.resolvedTargets).toHaveLength(6);
  });

  it('fails the experiment when an action fails, and ends the faults other actions started', async () => {
    await open();
    const [victim] = instancesIn('us-east-1c');
    sb.world.terminateInstances([victim!.id]);
    await sb.clock.advance(2 * MINUTE);
    const id = await startFrom(fis, {
      targets: {
        subnets: {
          resourceType: 'aws:ec2:subnet',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'COUNT(1)',
        },
        gone: { resourceType: 'aws:ec2:instance', resourceArns: [victim!.arn], selectionMode: 'ALL' },
      },
      actions: {
        cut: {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration: 'PT10M', scope: 'availability-zone' },
          targets: { Subnets: 'subnets' },
        },
        stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'gone' } },
      },
    });
    await advanceToRunning(sb);
    const exp = await getExperiment(fis, id);
    const reason = `IncorrectInstanceState: The instance '${victim!.id}' is not in a state from which it can be stopped.`;
    expect(exp.actions!.stop!.state).toEqual({ status: 'failed', reason });
    expect(exp.state).toEqual({
      status: 'failed',
      reason: `Action stop (aws:ec2:stop-instances) failed: ${reason}`,
    });
    expect(exp.actions!.cut!.state!.status).toBe('stopped');
    expect(sb.world.activeDisruptions()).toHaveLength(0);
  });

  it('fails an action whose instance is in the wrong state for it', async () => {
    await open();
    const [inst] = instancesIn('us-east-1b');
    sb.world.stopInstances([inst!.id]);
    const id = await startFrom(fis, {
      targets: { one: { resourceType: 'aws:ec2:instance', resourceArns: [inst!.arn], selectionMode: 'ALL' } },
      actions: { reboot: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'one' } } },
    });
    await advanceToRunning(sb);
    const exp = await getExperiment(fis, id);
    expect(exp.state!.status).toBe('failed');
    expect(exp.actions!.reboot!.state!.reason).toBe(
      `IncorrectInstanceState: The instance '${inst!.id}' is not running.`,
    );
  });

  const killProcess = (processName: string) => ({
    actionId: 'aws:ssm:send-command',
    parameters: {
      documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-Kill-Process',
      documentParameters: JSON.stringify({ ProcessName: processName, Signal: 'SIGKILL' }),
      duration: 'PT1M',
    },
    targets: { Instances: 'one' },
  });

  it('kills the service process with AWSFIS-Run-Kill-Process: the host runs on but serves nothing until it reboots', async () => {
    await open({ world: await loadWorldFile() });
    const id = await startFrom(fis, {
      targets: { one: { ...CHECKOUT_INSTANCES, selectionMode: 'COUNT(1)' } },
      actions: { kill: killProcess('checkout') },
    });
    await advanceToRunning(sb);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
    const dead = sb.world.instances().filter((i) => i.processKilled);
    expect(dead).toHaveLength(1);
    const host = dead[0]!;
    expect(sb.world.instanceServing(host)).toBe(false);
    // The Auto Scaling group checks EC2 status only: a running host is healthy to it, however long.
    await sb.clock.advance(15 * MINUTE);
    expect(sb.world.instances().map((i) => i.state)).toEqual(Array(6).fill('running'));
    expect(sb.world.targetHealth().targets.find((t) => t.instanceId === host.id)).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.FailedHealthChecks',
    });
    // The process starts on boot.
    sb.world.rebootInstances([host.id]);
    await sb.clock.advance(5 * MINUTE);
    expect(sb.world.instance(host.id)?.processKilled).toBe(false);
    expect(sb.world.targetHealth().targets.find((t) => t.instanceId === host.id)?.state).toBe('healthy');
  });

  it('fails a kill-process whose process is not on the host, or whose host is not running', async () => {
    await open();
    const [stopped, running] = instancesIn('us-east-1b');
    sb.world.stopInstances([stopped!.id]);
    await sb.clock.advance(MINUTE);
    const byArn = (inst: { arn: string }) => ({
      one: { resourceType: 'aws:ec2:instance', resourceArns: [inst.arn], selectionMode: 'ALL' },
    });
    const other = await startFrom(fis, { targets: byArn(running!), actions: { kill: killProcess('nginx') } });
    await advanceToRunning(sb);
    expect((await getExperiment(fis, other)).actions!.kill!.state).toMatchObject({
      status: 'failed',
      reason: `The command AWSFIS-Run-Kill-Process failed on ${running!.id}: no process named 'nginx' is running.`,
    });
    expect(sb.world.instanceServing(running!)).toBe(true);

    const down = await startFrom(fis, {
      targets: byArn(stopped!),
      actions: { kill: killProcess('checkout') },
    });
    await advanceToRunning(sb);
    expect((await getExperiment(fis, down)).actions!.kill!.state!.reason).toBe(
      `InvalidInstanceId: Instance ${stopped!.id} is not in a valid state for sending a command (it is stopped).`,
    );
  });

  it('terminates instances and fails over the database cluster', async () => {
    await open();
    const id = await startFrom(fis, {
      targets: {
        one: { ...CHECKOUT_INSTANCES, selectionMode: 'COUNT(1)' },
        db: { resourceType: 'aws:rds:cluster', resourceTags: { ChaosReady: 'true' }, selectionMode: 'ALL' },
      },
      actions: {
        kill: { actionId: 'aws:ec2:terminate-instances', targets: { Instances: 'one' } },
        failover: { actionId: 'aws:rds:failover-db-cluster', targets: { Clusters: 'db' } },
      },
    });
    await advanceToRunning(sb);
    expect(sb.world.dbCluster('checkout-db')!.status).toBe('failing-over');
    expect(sb.world.instances().filter((i) => i.state === 'shutting-down')).toHaveLength(1);
    await sb.clock.advance(3 * MINUTE);
    const exp = await getExperiment(fis, id);
    expect(exp.state!.status).toBe('completed');
    expect(sb.world.dbCluster('checkout-db')).toMatchObject({ status: 'available', writerAz: 'us-east-1b' });
    expect(sb.world.instances().filter((i) => i.state === 'terminated')).toHaveLength(1);
  });

  it('keeps templates and experiments across a restart, failing experiments that were running', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'fis-state-'));
    try {
      await open({ stateDir, fresh: true });
      const templateId = await createTemplate(fis, { description: 'kept' });
      const id = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId })))
        .experiment!.id!;
      await advanceToRunning(sb);
      const lastAlive = sb.clock.now();
      await sb.close();
      opened.splice(0);

      // The next start resumes an hour later: the experiment ended when the sandbox stopped, not then.
      await open({ stateDir, clock: VirtualClock.createPrivate(lastAlive + 3_600_000) });
      const exp = await getExperiment(fis, id);
      expect(exp.state).toEqual({
        status: 'failed',
        reason: 'sandbox restarted while the experiment was running',
      });
      expect(exp.endTime?.getTime()).toBe(lastAlive);
      expect(exp.actions!.wait!.state!.status).toBe('failed');
      expect(exp.actions!.wait!.endTime?.getTime()).toBe(lastAlive);
      const again = await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }));
      expect(again.experiment!.id).not.toBe(id);
    } finally {
      for (const s of opened.splice(0)) await s.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
