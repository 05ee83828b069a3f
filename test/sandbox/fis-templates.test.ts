import {
  ConflictException,
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetActionCommand,
  GetExperimentTemplateCommand,
  GetTargetResourceTypeCommand,
  ListActionsCommand,
  ListExperimentTemplatesCommand,
  ListTagsForResourceCommand,
  ListTargetResourceTypesCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateExperimentTemplateCommand,
  ValidationException,
} from '@aws-sdk/client-fis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';
import { CHECKOUT_INSTANCES, createTemplate, ROLE_ARN, templateInput } from './fis-helpers.ts';

const SUBNET_TARGET = {
  resourceType: 'aws:ec2:subnet',
  resourceTags: { Service: 'checkout' },
  selectionMode: 'ALL',
};
const KILL_PROCESS_ARN = 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-Kill-Process';
/** aws:ssm:send-command on the checkout instances (target 'web'), with these parameters. */
const sendCommand = (parameters: Record<string, string>) => ({
  targets: { web: CHECKOUT_INSTANCES },
  actions: { kill: { actionId: 'aws:ssm:send-command', parameters, targets: { Instances: 'web' } } },
});
/** aws:network:disrupt-connectivity on the checkout subnets (target 'subnets'), with these parameters. */
const disruptConnectivity = (parameters?: Record<string, string>) => ({
  targets: { subnets: SUBNET_TARGET },
  actions: {
    cut: { actionId: 'aws:network:disrupt-connectivity', parameters, targets: { Subnets: 'subnets' } },
  },
});
const stopInstances = (targets: Record<string, string> = { Instances: 'web' }) => ({
  actionId: 'aws:ec2:stop-instances',
  targets,
});

describe('FIS experiment templates', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let fis: FisClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    fis = new FisClient(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  async function templateCount(): Promise<number> {
    return (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates!.length;
  }

  it('creates, reads, updates, lists and deletes a template', async () => {
    const created = await fis.send(
      new CreateExperimentTemplateCommand(
        templateInput({
          description: 'stop one AZ',
          targets: { web: { ...CHECKOUT_INSTANCES, filters: [{ path: 'State.Name', values: ['running'] }] } },
          actions: {
            stop: { ...stopInstances(), parameters: { startInstancesAfterDuration: 'PT5M' } },
            after: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['stop'] },
          },
          tags: { team: 'sre' },
        }),
      ),
    );
    const t = created.experimentTemplate!;
    expect(t.id).toMatch(/^EXT[a-zA-Z0-9]{13,15}$/);
    expect(t.roleArn).toBe(ROLE_ARN);
    expect(t.creationTime).toEqual(sb.clock.date());
    expect(t.experimentOptions).toEqual({
      accountTargeting: 'single-account',
      emptyTargetResolutionMode: 'fail',
    });
    expect(t.actions!.stop).toEqual({
      actionId: 'aws:ec2:stop-instances',
      parameters: { startInstancesAfterDuration: 'PT5M' },
      targets: { Instances: 'web' },
    });

    const got = (await fis.send(new GetExperimentTemplateCommand({ id: t.id! }))).experimentTemplate!;
    expect(got).toEqual(t);

    await sb.clock.advance(60_000);
    const updated = await fis.send(
      new UpdateExperimentTemplateCommand({
        id: t.id!,
        description: 'stop one AZ, tolerant',
        experimentOptions: { emptyTargetResolutionMode: 'skip' },
      }),
    );
    expect(updated.experimentTemplate!.description).toBe('stop one AZ, tolerant');
    expect(updated.experimentTemplate!.experimentOptions!.emptyTargetResolutionMode).toBe('skip');
    expect(updated.experimentTemplate!.actions).toEqual(t.actions);
    expect(updated.experimentTemplate!.lastUpdateTime!.getTime()).toBe(t.creationTime!.getTime() + 60_000);

    const listed = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates!;
    expect(listed.find((s) => s.id === t.id)).toMatchObject({
      description: 'stop one AZ, tolerant',
      tags: { team: 'sre' },
    });

    const deleted = await fis.send(new DeleteExperimentTemplateCommand({ id: t.id! }));
    expect(deleted.experimentTemplate!.id).toBe(t.id);
    await expect(fis.send(new GetExperimentTemplateCommand({ id: t.id! }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('answers ResourceNotFoundException for unknown template ids', async () => {
    for (const command of [
      new GetExperimentTemplateCommand({ id: 'EXTdoesnotexist1' }),
      new UpdateExperimentTemplateCommand({ id: 'EXTdoesnotexist1', description: 'x' }),
      new DeleteExperimentTemplateCommand({ id: 'EXTdoesnotexist1' }),
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: three command types through one send
      const err = await fis.send(command as any).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect((err as Error).message).toContain('EXTdoesnotexist1');
    }
  });

  it('returns the same template for a retried clientToken and refuses the token for another request', async () => {
    const input = templateInput({ clientToken: 'create-once' });
    const first = await fis.send(new CreateExperimentTemplateCommand(input));
    const before = await templateCount();
    const again = await fis.send(new CreateExperimentTemplateCommand(input));
    expect(again.experimentTemplate!.id).toBe(first.experimentTemplate!.id);
    expect(await templateCount()).toBe(before);
    await expect(
      fis.send(new CreateExperimentTemplateCommand({ ...input, description: 'something else' })),
    ).rejects.toBeInstanceOf(ConflictException);
  });

  it('pages through templates with maxResults and nextToken', async () => {
    for (let i = 0; i < 3; i++) await createTemplate(fis, { description: `page ${i}` });
    const total = await templateCount();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await fis.send(new ListExperimentTemplatesCommand({ maxResults: 2, nextToken }));
      expect(out.experimentTemplates!.length).toBeLessThanOrEqual(2);
      seen.push(...out.experimentTemplates!.map((t) => t.id!));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(Math.ceil(total / 2));
    expect(new Set(seen).size).toBe(total);
    await expect(
      fis.send(new ListExperimentTemplatesCommand({ nextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(fis.send(new ListExperimentTemplatesCommand({ maxResults: 0 }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });

  const invalid: [string, Partial<CreateExperimentTemplateCommandInput>, string][] = [
    [
      'an unknown action id',
      { actions: { a: { actionId: 'aws:ec2:explode-instances' } } },
      "'actions.a.actionId' aws:ec2:explode-instances is not a FIS action",
    ],
    [
      'a FIS action the sandbox does not model',
      {
        targets: {
          nodes: {
            resourceType: 'aws:eks:nodegroup',
            resourceTags: { Service: 'checkout' },
            selectionMode: 'ALL',
          },
        },
        actions: {
          stop: {
            actionId: 'aws:eks:terminate-nodegroup-instances',
            parameters: { instanceTerminationPercentage: '50' },
            targets: { Nodegroups: 'nodes' },
          },
        },
      },
      "'actions.stop.actionId' aws:eks:terminate-nodegroup-instances is a FIS action the sandbox does not model; it runs on AWS",
    ],
    [
      'a disrupt-connectivity scope the sandbox does not model',
      disruptConnectivity({ duration: 'PT5M', scope: 'vpc' }),
      "'actions.cut.parameters.scope' vpc is a scope the sandbox does not model (it runs on AWS)",
    ],
    [
      'a missing required parameter',
      disruptConnectivity(),
      "'actions.cut.parameters.duration' is required by aws:network:disrupt-connectivity",
    ],
    [
      'a duration that is not ISO 8601',
      { actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: '5 minutes' } } } },
      "'actions.wait.parameters.duration' must be an ISO 8601 duration such as PT5M",
    ],
    [
      'a duration beyond the action limit',
      { actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT13H' } } } },
      "'actions.wait.parameters.duration' must be between PT1M and PT12H",
    ],
    [
      'an unknown action parameter',
      { actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M', force: 'true' } } } },
      "'actions.wait.parameters.force' is not a parameter of aws:fis:wait",
    ],
    [
      'a scope the action does not know',
      disruptConnectivity({ duration: 'PT5M', scope: 'everything' }),
      "'actions.cut.parameters.scope' must be one of all, availability-zone",
    ],
    [
      'a target key the action does not take',
      { targets: { web: CHECKOUT_INSTANCES }, actions: { stop: stopInstances({ Subnets: 'web' }) } },
      'Unexpected target "Subnets" found in action "stop".',
    ],
    [
      'a missing target key',
      { actions: { stop: { actionId: 'aws:ec2:stop-instances' } } },
      "'actions.stop.targets.Instances' is required by aws:ec2:stop-instances",
    ],
    [
      'a target that is not defined',
      { actions: { stop: stopInstances({ Instances: 'ghosts' }) } },
      "'actions.stop.targets.Instances' names target 'ghosts', which is not defined in 'targets'",
    ],
    [
      'a target of the wrong resource type',
      { targets: { web: SUBNET_TARGET }, actions: { stop: stopInstances() } },
      "names target 'web' of resource type aws:ec2:subnet, but aws:ec2:stop-instances needs aws:ec2:instance",
    ],
    [
      'a resource type the sandbox does not model',
      {
        targets: { web: { ...CHECKOUT_INSTANCES, resourceType: 'aws:eks:nodegroup' } },
        actions: { stop: stopInstances() },
      },
      "'targets.web.resourceType' aws:eks:nodegroup is a FIS resource type the sandbox does not model; it runs on AWS",
    ],
    [
      'a selection mode that is not one',
      {
        targets: { web: { ...CHECKOUT_INSTANCES, selectionMode: 'SOME' } },
        actions: { stop: stopInstances() },
      },
      "'targets.web.selectionMode' must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got 'SOME')",
    ],
    [
      'a percentage over 100',
      {
        targets: { web: { ...CHECKOUT_INSTANCES, selectionMode: 'PERCENT(150)' } },
        actions: { stop: stopInstances() },
      },
      "(got 'PERCENT(150)')",
    ],
    [
      'COUNT(0)',
      {
        targets: { web: { ...CHECKOUT_INSTANCES, selectionMode: 'COUNT(0)' } },
        actions: { stop: stopInstances() },
      },
      "(got 'COUNT(0)')",
    ],
    [
      'both resourceArns and resourceTags',
      {
        targets: {
          web: {
            ...CHECKOUT_INSTANCES,
            resourceArns: ['arn:aws:ec2:us-east-1:123456789012:instance/i-00000000000000001'],
          },
        },
        actions: { stop: stopInstances() },
      },
      "'targets.web' must specify either resourceArns or resourceTags, not both",
    ],
    [
      'neither resourceArns nor resourceTags',
      {
        targets: { web: { resourceType: 'aws:ec2:instance', selectionMode: 'ALL' } },
        actions: { stop: stopInstances() },
      },
      "'targets.web' must specify resourceArns or resourceTags",
    ],
    [
      'a resource ARN of another type',
      {
        targets: {
          web: {
            resourceType: 'aws:ec2:instance',
            resourceArns: ['arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a000000000000001'],
            selectionMode: 'ALL',
          },
        },
        actions: { stop: stopInstances() },
      },
      "'targets.web.resourceArns' contains 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a000000000000001', which is not an aws:ec2:instance ARN",
    ],
    [
      'a filter path the resource type does not have',
      {
        targets: {
          web: { ...CHECKOUT_INSTANCES, filters: [{ path: 'Placement.Zone', values: ['us-east-1a'] }] },
        },
        actions: { stop: stopInstances() },
      },
      "'targets.web.filters[0].path' Placement.Zone is not a filter path of aws:ec2:instance",
    ],
    [
      'a filter without values',
      {
        targets: { web: { ...CHECKOUT_INSTANCES, filters: [{ path: 'State.Name', values: [] }] } },
        actions: { stop: stopInstances() },
      },
      "Invalid value for 'targets.web.filters[0].values': must list at least one value",
    ],
    [
      'startAfter naming an unknown action',
      {
        actions: {
          wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['nope'] },
        },
      },
      "'actions.wait.startAfter' names action 'nope', which is not defined in 'actions'",
    ],
    [
      'startAfter forming a cycle',
      {
        actions: {
          a: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['c'] },
          b: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['a'] },
          c: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['b'] },
        },
      },
      "'startAfter' forms a cycle: a -> c -> b -> a",
    ],
    ['no actions', { actions: {} }, "'actions' must define at least one action"],
    [
      'no stop conditions',
      { stopConditions: [] },
      "'stopConditions' must contain at least one stop condition (use { source: 'none' } for none)",
    ],
    [
      'an unknown stop condition source',
      { stopConditions: [{ source: 'aws:sns:topic', value: 'arn:aws:sns:us-east-1:123456789012:t' }] },
      "'stopConditions[0].source' must be aws:cloudwatch:alarm or none",
    ],
    [
      'a stop condition value that is not an alarm ARN',
      { stopConditions: [{ source: 'aws:cloudwatch:alarm', value: 'checkout-availability-critical' }] },
      "'stopConditions[0].value' must be a CloudWatch alarm ARN (got 'checkout-availability-critical')",
    ],
    [
      'a stop condition alarm that does not exist',
      {
        stopConditions: [
          {
            source: 'aws:cloudwatch:alarm',
            value: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:no-such-alarm',
          },
        ],
      },
      "'stopConditions[0].value': the CloudWatch alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:no-such-alarm does not exist",
    ],
    [
      'a send-command without a document',
      sendCommand({ duration: 'PT1M' }),
      "'actions.kill.parameters.documentArn' is required by aws:ssm:send-command",
    ],
    [
      'a send-command whose documentArn is not a document ARN',
      sendCommand({ documentArn: 'AWSFIS-Run-Kill-Process', duration: 'PT1M' }),
      "'actions.kill.parameters.documentArn' must be the ARN of an SSM document",
    ],
    [
      'a send-command of a document the sandbox cannot run',
      sendCommand({ documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress', duration: 'PT1M' }),
      "'actions.kill.parameters.documentArn' names AWSFIS-Run-CPU-Stress, which the sandbox cannot run (it runs on AWS); the sandbox runs: AWSFIS-Run-Kill-Process",
    ],
    [
      'a send-command without a duration',
      sendCommand({ documentArn: KILL_PROCESS_ARN, documentParameters: '{"ProcessName":"checkout"}' }),
      "'actions.kill.parameters.duration' is required by aws:ssm:send-command",
    ],
    [
      'documentParameters that are not a JSON object',
      sendCommand({
        documentArn: KILL_PROCESS_ARN,
        documentParameters: 'ProcessName=checkout',
        duration: 'PT1M',
      }),
      "'actions.kill.parameters.documentParameters' must be a JSON object",
    ],
    [
      'documentParameters with a value that is not a string',
      sendCommand({
        documentArn: KILL_PROCESS_ARN,
        documentParameters: '{"ProcessName":7}',
        duration: 'PT1M',
      }),
      "'actions.kill.parameters.documentParameters' must map each name to a string or an array of strings ('ProcessName' is not)",
    ],
    [
      'a kill-process without its ProcessName',
      sendCommand({
        documentArn: KILL_PROCESS_ARN,
        documentParameters: '{"Signal":"SIGKILL"}',
        duration: 'PT1M',
      }),
      "'actions.kill': parameter 'documentParameters': ProcessName is required by AWSFIS-Run-Kill-Process",
    ],
    [
      'a kill-process with a signal it does not send',
      sendCommand({
        documentArn: KILL_PROCESS_ARN,
        documentParameters: '{"ProcessName":"checkout","Signal":"SIGHUP"}',
        duration: 'PT1M',
      }),
      "'actions.kill': parameter 'documentParameters': Signal of AWSFIS-Run-Kill-Process must be one of SIGTERM, SIGKILL (got 'SIGHUP')",
    ],
    ['a missing roleArn', { roleArn: undefined }, "'roleArn' is required"],
    [
      'a roleArn that is not a role',
      { roleArn: 'arn:aws:iam::123456789012:user/someone' },
      "'roleArn' must be the ARN of an IAM role",
    ],
  ];

  it.each(invalid)(
    'refuses %s with a ValidationException and stores nothing',
    async (_case, overrides, message) => {
      const before = await templateCount();
      const err = await fis
        .send(new CreateExperimentTemplateCommand(templateInput(overrides)))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationException);
      expect((err as Error).message).toContain(message);
      // The emulated FIS speaks as FIS: what faultline can run is faultline's to say, not the API's.
      expect((err as Error).message).not.toMatch(/faultline/i);
      expect(await templateCount()).toBe(before);
    },
  );

  it('validates an update as a whole and leaves the template unchanged when it is refused', async () => {
    const id = await createTemplate(fis, {
      targets: { web: CHECKOUT_INSTANCES },
      actions: { stop: stopInstances() },
    });
    const before = (await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate;
    // Replacing the targets leaves the action pointing at a target that no longer exists.
    const err = await fis
      .send(
        new UpdateExperimentTemplateCommand({
          id,
          description: 'changed',
          targets: { other: SUBNET_TARGET },
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toContain("names target 'web', which is not defined in 'targets'");
    expect((await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate).toEqual(before);
  });

  it('lists and describes the supported actions and resource types', async () => {
    const actions = (await fis.send(new ListActionsCommand({}))).actions!;
    expect(actions.map((a) => a.id).sort()).toEqual([
      'aws:arc:start-zonal-autoshift',
      'aws:dynamodb:global-table-pause-replication',
      'aws:ebs:pause-volume-io',
      'aws:ec2:asg-insufficient-instance-capacity-error',
      'aws:ec2:reboot-instances',
      'aws:ec2:send-spot-instance-interruptions',
      'aws:ec2:stop-instances',
      'aws:ec2:terminate-instances',
      'aws:ecs:stop-task',
      'aws:ecs:task-cpu-stress',
      'aws:ecs:task-kill-process',
      'aws:ecs:task-network-blackhole-port',
      'aws:ecs:task-network-latency',
      'aws:ecs:task-network-packet-loss',
      'aws:elasticache:interrupt-cluster-az-power',
      'aws:elasticache:replicationgroup-interrupt-az-power',
      'aws:fis:wait',
      'aws:lambda:invocation-add-delay',
      'aws:lambda:invocation-error',
      'aws:lambda:invocation-http-integration-response',
      'aws:network:disrupt-connectivity',
      'aws:rds:failover-db-cluster',
      'aws:rds:reboot-db-instances',
      'aws:ssm:send-command',
      'aws:ssm:start-automation-execution',
    ]);
    const page = await fis.send(new ListActionsCommand({ maxResults: 4 }));
    expect(page.actions).toHaveLength(4);
    expect(page.nextToken).toBeDefined();

    const action = (await fis.send(new GetActionCommand({ id: 'aws:network:disrupt-connectivity' }))).action!;
    expect(action.targets).toEqual({ Subnets: { resourceType: 'aws:ec2:subnet' } });
    expect(action.parameters!.duration!.required).toBe(true);
    expect(action.parameters!.scope!.required).toBe(false);
    await expect(fis.send(new GetActionCommand({ id: 'aws:ec2:explode' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );

    const types = (await fis.send(new ListTargetResourceTypesCommand({}))).targetResourceTypes!;
    expect(types.map((t) => t.resourceType).sort()).toEqual([
      'aws:arc:zonal-shift-managed-resource',
      'aws:dynamodb:global-table',
      'aws:ec2:autoscaling-group',
      'aws:ec2:ebs-volume',
      'aws:ec2:instance',
      'aws:ec2:spot-instance',
      'aws:ec2:subnet',
      'aws:ecs:cluster',
      'aws:ecs:task',
      'aws:elasticache:redis-replicationgroup',
      'aws:elasticache:replicationgroup',
      'aws:lambda:function',
      'aws:rds:cluster',
      'aws:rds:db',
    ]);
    const subnet = (await fis.send(new GetTargetResourceTypeCommand({ resourceType: 'aws:ec2:subnet' })))
      .targetResourceType!;
    expect(Object.keys(subnet.parameters!)).toEqual(['availabilityZoneIdentifier', 'vpc']);
  });

  it('tags and untags a template by ARN', async () => {
    const created = await fis.send(new CreateExperimentTemplateCommand(templateInput({ tags: { a: '1' } })));
    const arn = `arn:aws:fis:us-east-1:123456789012:experiment-template/${created.experimentTemplate!.id}`;
    await fis.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2', c: '3' } }));
    await fis.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'c'] }));
    expect((await fis.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
    await expect(
      fis.send(
        new ListTagsForResourceCommand({
          resourceArn: 'arn:aws:fis:us-east-1:123456789012:experiment-template/EXTnothere0000',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
