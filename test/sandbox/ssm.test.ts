import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutomationDefinitionNotFoundException,
  type AutomationExecution,
  type AutomationExecutionFilter,
  AutomationExecutionNotFoundException,
  CreateDocumentCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeAutomationExecutionsCommand,
  DescribeAutomationStepExecutionsCommand,
  type DescribeAutomationStepExecutionsCommandInput,
  DescribeDocumentCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetAutomationExecutionCommand,
  GetDocumentCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  IdempotentParameterMismatch,
  InvalidAutomationExecutionParametersException,
  InvalidAutomationStatusUpdateException,
  InvalidDocument,
  ListDocumentsCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sandbox/clock.ts';
import type { AwsEvent } from '../../sandbox/events.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { Route53Service } from '../../sandbox/services/route53.ts';
import { loadWorldFile, type WorldDefinition } from '../../sandbox/world/schema.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

/** Resolves to the error a call rejects with (fails the test if it succeeds). */
async function failure(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

let checkout: WorldDefinition;
beforeAll(async () => {
  checkout = await loadWorldFile();
});

/**
 * The checkout world with Auto Scaling's health-check replacement off, so that an instance the
 * test stops stays stopped until the test (or its runbook) starts it again.
 */
function quietWorld(edit?: (def: WorldDefinition) => void): WorldDefinition {
  const def = structuredClone(checkout);
  if (def.autoScaling) def.autoScaling.replaceUnhealthy = false;
  edit?.(def);
  return def;
}

describe('SSM Parameter Store', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let ssm: SSMClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox({ world: quietWorld() }));
    ssm = new SSMClient(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('creates a parameter at version 1 and reads it back with its metadata', async () => {
    const put = await ssm.send(
      new PutParameterCommand({ Name: '/faultline/kill-switch', Value: 'off', Type: 'String' }),
    );
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/faultline/kill-switch' }));
    expect(Parameter).toMatchObject({
      Name: '/faultline/kill-switch',
      Type: 'String',
      Value: 'off',
      Version: 1,
      DataType: 'text',
      ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/faultline/kill-switch',
    });
    expect(Parameter?.LastModifiedDate?.getTime()).toBe(sb.clock.now());
  });

  it('refuses to overwrite without Overwrite, and versions each overwrite', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'flag', Value: 'one', Type: 'String' }));
    const err = await failure(
      ssm.send(new PutParameterCommand({ Name: 'flag', Value: 'two', Type: 'String' })),
    );
    expect(err).toBeInstanceOf(ParameterAlreadyExists);
    expect((await ssm.send(new GetParameterCommand({ Name: 'flag' }))).Parameter?.Value).toBe('one');

    await sb.clock.advance(60_000);
    const put = await ssm.send(new PutParameterCommand({ Name: 'flag', Value: 'two', Overwrite: true }));
    expect(put.Version).toBe(2);
    const latest = await ssm.send(new GetParameterCommand({ Name: 'flag' }));
    expect(latest.Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
    expect(latest.Parameter?.LastModifiedDate?.getTime()).toBe(sb.clock.now());

    const first = await ssm.send(new GetParameterCommand({ Name: 'flag:1' }));
    expect(first.Parameter).toMatchObject({ Name: 'flag', Value: 'one', Version: 1, Selector: ':1' });
    expect((await failure(ssm.send(new GetParameterCommand({ Name: 'flag:9' })))).name).toBe(
      'ParameterVersionNotFound',
    );

    const history = await ssm.send(new GetParameterHistoryCommand({ Name: 'flag' }));
    expect(history.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    const paged = await ssm.send(new GetParameterHistoryCommand({ Name: 'flag', MaxResults: 1 }));
    expect(paged.Parameters?.map((p) => p.Version)).toEqual([1]);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: 'flag', NextToken: paged.NextToken }));
    expect(rest.Parameters?.map((p) => p.Version)).toEqual([2]);
    expect(rest.NextToken).toBeUndefined();
  });

  it.each([
    ['a reserved prefix', { Name: 'aws-thing', Value: 'x', Type: 'String' as const }, 'ValidationException'],
    [
      'a path without a leading slash',
      { Name: 'a/b', Value: 'x', Type: 'String' as const },
      'ValidationException',
    ],
    [
      'a character outside the allowed set',
      { Name: '/a/b c', Value: 'x', Type: 'String' as const },
      'ValidationException',
    ],
    [
      'more than 15 levels',
      {
        Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`,
        Value: 'x',
        Type: 'String' as const,
      },
      'HierarchyLevelLimitExceededException',
    ],
    ['an empty value', { Name: '/bad/empty', Value: '', Type: 'String' as const }, 'ValidationException'],
    [
      'a value over 4096 characters',
      { Name: '/bad/big', Value: 'x'.repeat(4097), Type: 'String' as const },
      'ValidationException',
    ],
    ['no type on creation', { Name: '/bad/untyped', Value: 'x' }, 'ValidationException'],
    ['an unknown type', { Name: '/bad/type', Value: 'x', Type: 'Number' as 'String' }, 'ValidationException'],
    [
      'a value outside AllowedPattern',
      { Name: '/bad/pattern', Value: 'maybe', Type: 'String' as const, AllowedPattern: 'on|off' },
      'ParameterPatternMismatchException',
    ],
    [
      'a KeyId on a String parameter',
      { Name: '/bad/key', Value: 'x', Type: 'String' as const, KeyId: 'alias/mine' },
      'ValidationException',
    ],
    [
      'an unknown data type',
      { Name: '/bad/data', Value: 'x', Type: 'String' as const, DataType: 'json' },
      'ValidationException',
    ],
  ])('refuses %s and stores nothing', async (_label, input, code) => {
    const err = await failure(ssm.send(new PutParameterCommand(input)));
    expect(err.name).toBe(code);
    const got = await failure(ssm.send(new GetParameterCommand({ Name: input.Name })));
    expect(['ParameterNotFound', 'ValidationException']).toContain(got.name);
  });

  it('refuses tags together with Overwrite', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/tagged', Value: 'a', Type: 'String' }));
    const err = await failure(
      ssm.send(
        new PutParameterCommand({
          Name: '/tagged',
          Value: 'b',
          Overwrite: true,
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect((await ssm.send(new GetParameterCommand({ Name: '/tagged' }))).Parameter?.Value).toBe('a');
  });

  it('keeps an AllowedPattern for later versions', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/switch', Value: 'on', Type: 'String', AllowedPattern: 'on|off' }),
    );
    const err = await failure(
      ssm.send(new PutParameterCommand({ Name: '/switch', Value: 'onn', Overwrite: true })),
    );
    expect(err.name).toBe('ParameterPatternMismatchException');
    await ssm.send(new PutParameterCommand({ Name: '/switch', Value: 'off', Overwrite: true }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/switch' }))).Parameter?.Value).toBe('off');
  });

  it('hides a SecureString unless asked to decrypt it', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/secret/token', Value: 's3cr3t', Type: 'SecureString' }));
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/secret/token' }));
    expect(sealed.Parameter?.Type).toBe('SecureString');
    expect(sealed.Parameter?.Value).not.toContain('s3cr3t');
    const open = await ssm.send(new GetParameterCommand({ Name: '/secret/token', WithDecryption: true }));
    expect(open.Parameter?.Value).toBe('s3cr3t');
    const described = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/secret/token'] }] }),
    );
    expect(described.Parameters?.[0]).toMatchObject({ KeyId: 'alias/aws/ssm', Type: 'SecureString' });
  });

  it('answers ParameterNotFound for a missing parameter, and reads by ARN', async () => {
    const err = await failure(ssm.send(new GetParameterCommand({ Name: '/nope' })));
    expect(err).toBeInstanceOf(ParameterNotFound);
    await ssm.send(new PutParameterCommand({ Name: 'flat', Value: 'v', Type: 'String' }));
    const byArn = await ssm.send(
      new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/flat' }),
    );
    expect(byArn.Parameter?.Name).toBe('flat');
  });

  it('GetParameters returns the found ones and lists the rest as invalid', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/many/a', Value: '1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/many/b', Value: 'x,y', Type: 'StringList' }));
    const out = await ssm.send(new GetParametersCommand({ Names: ['/many/a', '/many/zz', '/many/b'] }));
    expect(out.Parameters?.map((p) => [p.Name, p.Value, p.Type])).toEqual([
      ['/many/a', '1', 'String'],
      ['/many/b', 'x,y', 'StringList'],
    ]);
    expect(out.InvalidParameters).toEqual(['/many/zz']);
    const err = await failure(
      ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) })),
    );
    expect(err.name).toBe('ValidationException');
  });

  it('GetParametersByPath lists one level or the whole tree, page by page', async () => {
    for (const name of ['/app/a', '/app/b', '/app/sub/c', '/application/x', '/other/d']) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: name, Type: 'String' }));
    }
    const names = async (input: { Path: string; Recursive?: boolean }) =>
      (await ssm.send(new GetParametersByPathCommand(input))).Parameters?.map((p) => p.Name);
    expect(await names({ Path: '/app' })).toEqual(['/app/a', '/app/b']);
    expect(await names({ Path: '/app/', Recursive: true })).toEqual(['/app/a', '/app/b', '/app/sub/c']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: '/app', Recursive: true, MaxResults: 2, NextToken: token }),
      );
      seen.push(...(page.Parameters ?? []).map((p) => p.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(seen).toEqual(['/app/a', '/app/b', '/app/sub/c']);
    expect(pages).toBe(2);

    const typed = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/many',
        ParameterFilters: [{ Key: 'Type', Values: ['StringList'] }],
      }),
    );
    expect(typed.Parameters?.map((p) => p.Name)).toEqual(['/many/b']);

    expect(
      (await failure(ssm.send(new GetParametersByPathCommand({ Path: '/app', NextToken: 'garbage' })))).name,
    ).toBe('InvalidNextToken');
    expect(
      (
        await failure(
          ssm.send(
            new GetParametersByPathCommand({
              Path: '/app',
              ParameterFilters: [{ Key: 'Name', Values: ['x'] }],
            }),
          ),
        )
      ).name,
    ).toBe('InvalidFilterKey');
    expect((await failure(ssm.send(new GetParametersByPathCommand({ Path: 'app' })))).name).toBe(
      'ValidationException',
    );
  });

  it('DescribeParameters filters by name, path, type and tag', async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: '/desc/one',
        Value: '1',
        Type: 'String',
        Description: 'first',
        Tags: [{ Key: 'team', Value: 'sre' }],
      }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/desc/deep/two', Value: '2', Type: 'StringList' }));
    const names = async (input: DescribeParametersCommandInput) =>
      (await ssm.send(new DescribeParametersCommand(input))).Parameters?.map((p) => p.Name);

    expect(
      await names({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/desc/'] }] }),
    ).toEqual(['/desc/deep/two', '/desc/one']);
    expect(await names({ ParameterFilters: [{ Key: 'Path', Values: ['/desc'] }] })).toEqual(['/desc/one']);
    expect(
      await names({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/desc'] }] }),
    ).toEqual(['/desc/deep/two', '/desc/one']);
    expect(
      await names({
        ParameterFilters: [
          { Key: 'Path', Option: 'Recursive', Values: ['/desc'] },
          { Key: 'Type', Values: ['StringList'] },
        ],
      }),
    ).toEqual(['/desc/deep/two']);
    expect(await names({ ParameterFilters: [{ Key: 'tag:team', Values: ['sre'] }] })).toEqual(['/desc/one']);
    expect(await names({ Filters: [{ Key: 'Name', Values: ['/desc/o'] }] })).toEqual(['/desc/one']);

    const one = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/desc/one'] }] }),
    );
    expect(one.Parameters?.[0]).toMatchObject({
      Name: '/desc/one',
      Description: 'first',
      Version: 1,
      Tier: 'Standard',
      DataType: 'text',
      LastModifiedUser: 'arn:aws:iam::123456789012:user/sandbox',
    });

    const first = await ssm.send(new DescribeParametersCommand({ MaxResults: 1 }));
    expect(first.Parameters).toHaveLength(1);
    const second = await ssm.send(
      new DescribeParametersCommand({ MaxResults: 1, NextToken: first.NextToken }),
    );
    expect(second.Parameters?.[0]?.Name).not.toBe(first.Parameters?.[0]?.Name);

    const both = await failure(
      ssm.send(
        new DescribeParametersCommand({
          Filters: [{ Key: 'Name', Values: ['x'] }],
          ParameterFilters: [{ Key: 'Name', Values: ['x'] }],
        }),
      ),
    );
    expect(both.name).toBe('ValidationException');
    const badOption = await failure(
      ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Type', Option: 'Contains', Values: ['String'] }],
        }),
      ),
    );
    expect(badOption.name).toBe('InvalidFilterOption');
  });

  it('deletes parameters, once', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/gone/a', Value: '1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/gone/b', Value: '1', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/gone/a' }));
    expect(await failure(ssm.send(new GetParameterCommand({ Name: '/gone/a' })))).toBeInstanceOf(
      ParameterNotFound,
    );
    expect(await failure(ssm.send(new DeleteParameterCommand({ Name: '/gone/a' })))).toBeInstanceOf(
      ParameterNotFound,
    );
    const many = await ssm.send(new DeleteParametersCommand({ Names: ['/gone/b', '/gone/zz'] }));
    expect(many).toMatchObject({ DeletedParameters: ['/gone/b'], InvalidParameters: ['/gone/zz'] });
  });

  it('publishes Parameter Store Change events', async () => {
    const events: AwsEvent[] = [];
    const stop = sb.core.bus.subscribe((e) => events.push(e));
    await ssm.send(new PutParameterCommand({ Name: '/evt', Value: '1', Type: 'String', Description: 'd' }));
    await ssm.send(new PutParameterCommand({ Name: '/evt', Value: '2', Overwrite: true }));
    await ssm.send(new DeleteParameterCommand({ Name: '/evt' }));
    stop();
    expect(events.map((e) => [e.source, e['detail-type'], e.detail.operation])).toEqual([
      ['aws.ssm', 'Parameter Store Change', 'Create'],
      ['aws.ssm', 'Parameter Store Change', 'Update'],
      ['aws.ssm', 'Parameter Store Change', 'Delete'],
    ]);
    expect(events[0]?.detail).toEqual({
      operation: 'Create',
      name: '/evt',
      type: 'String',
      description: 'd',
    });
    expect(events[0]?.resources).toEqual(['arn:aws:ssm:us-east-1:123456789012:parameter/evt']);
  });
});

const RESTART = 'AWS-RestartEC2Instance';

describe('SSM Automation', () => {
  let sb: Sandbox;
  let ssm: SSMClient;
  let events: AwsEvent[];
  let unsubscribe: () => void;
  beforeEach(async () => {
    let config: ClientConfig;
    ({ sb, config } = await startSandbox({ world: quietWorld() }));
    ssm = new SSMClient(config);
    events = [];
    unsubscribe = sb.core.bus.subscribe((e) => events.push(e));
  });
  afterEach(async () => {
    unsubscribe();
    await sb.close();
  });

  const instanceIds = () => sb.world.instances().map((i) => i.id);
  const start = async (DocumentName: string, Parameters: Record<string, string[]>, ClientToken?: string) =>
    (await ssm.send(new StartAutomationExecutionCommand({ DocumentName, Parameters, ClientToken })))
      .AutomationExecutionId!;
  const get = async (id: string): Promise<AutomationExecution> =>
    (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
  /** Advances virtual time a second at a time until the execution is terminal (or `limitMs` passes). */
  const runUntilDone = async (id: string, limitMs = 15 * 60_000) => {
    const terminal = ['Success', 'Failed', 'TimedOut', 'Cancelled'];
    for (let t = 0; t < limitMs && !terminal.includes(String(executionStatuses(id).at(-1))); t += 1000) {
      await sb.clock.advance(1000);
    }
    return get(id);
  };
  const executionStatuses = (id: string) =>
    events
      .filter((e) => e['detail-type'] === 'EC2 Automation Execution Status-change Notification')
      .filter((e) => e.detail.ExecutionId === id)
      .map((e) => e.detail.Status);

  it('describes and lists the runbooks it can run', async () => {
    const { Document } = await ssm.send(new DescribeDocumentCommand({ Name: RESTART }));
    expect(Document).toMatchObject({
      Name: RESTART,
      DocumentType: 'Automation',
      Owner: 'Amazon',
      Status: 'Active',
      SchemaVersion: '0.3',
      DocumentVersion: '1',
    });
    expect(Document?.Parameters?.map((p) => [p.Name, p.Type])).toEqual([
      ['InstanceId', 'StringList'],
      ['AutomationAssumeRole', 'String'],
    ]);
    const scale = await ssm.send(new DescribeDocumentCommand({ Name: 'Faultline-ScaleOut' }));
    expect(scale.Document?.Parameters?.find((p) => p.Name === 'Count')?.DefaultValue).toBe('2');
    expect(await failure(ssm.send(new DescribeDocumentCommand({ Name: 'AWS-Nope' })))).toBeInstanceOf(
      InvalidDocument,
    );
    expect(
      (await failure(ssm.send(new DescribeDocumentCommand({ Name: RESTART, DocumentVersion: '7' })))).name,
    ).toBe('InvalidDocumentVersion');

    // GetDocument's content is what DescribeDocument's hash is of.
    const got = await ssm.send(new GetDocumentCommand({ Name: RESTART }));
    expect(got).toMatchObject({
      Name: RESTART,
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
      Status: 'Active',
    });
    expect(createHash('sha256').update(got.Content!).digest('hex')).toBe(Document?.Hash);
    const content = JSON.parse(got.Content!);
    expect(content).toMatchObject({ schemaVersion: '0.3', assumeRole: '{{ AutomationAssumeRole }}' });
    expect(Object.keys(content.parameters)).toEqual(['InstanceId', 'AutomationAssumeRole']);
    expect(content.mainSteps).toEqual([
      { name: 'stopInstances', action: 'aws:changeInstanceState' },
      { name: 'startInstances', action: 'aws:changeInstanceState' },
    ]);
    const yaml = await failure(ssm.send(new GetDocumentCommand({ Name: RESTART, DocumentFormat: 'YAML' })));
    expect(yaml.name).toBe('ValidationException');
    expect(await failure(ssm.send(new GetDocumentCommand({ Name: 'AWS-Nope' })))).toBeInstanceOf(
      InvalidDocument,
    );

    const all = await ssm.send(new ListDocumentsCommand({}));
    expect(all.DocumentIdentifiers?.map((d) => d.Name)).toEqual([
      'AWS-RestartEC2Instance',
      'AWS-StartEC2Instance',
      'AWS-StopEC2Instance',
      'Faultline-RaiseFunctionConcurrency',
      'Faultline-RegionFailover',
      'Faultline-RestartUnhealthyTargets',
      'Faultline-ScaleOut',
    ]);
    const own = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Self'] }] }));
    expect(own.DocumentIdentifiers?.map((d) => d.Name)).toEqual([
      'Faultline-RaiseFunctionConcurrency',
      'Faultline-RegionFailover',
      'Faultline-RestartUnhealthyTargets',
      'Faultline-ScaleOut',
    ]);
  });

  it('refuses unknown runbooks and bad parameters without starting anything', async () => {
    const [id] = instanceIds();
    expect(await failure(start('AWS-Nope', { InstanceId: [id!] }))).toBeInstanceOf(
      AutomationDefinitionNotFoundException,
    );
    expect(await failure(start(RESTART, {}))).toBeInstanceOf(InvalidAutomationExecutionParametersException);
    expect(await failure(start(RESTART, { InstanceId: [id!], Force: ['true'] }))).toBeInstanceOf(
      InvalidAutomationExecutionParametersException,
    );
    expect(
      await failure(start(RESTART, { InstanceId: [id!], AutomationAssumeRole: ['not-a-role'] })),
    ).toBeInstanceOf(InvalidAutomationExecutionParametersException);
    expect(
      await failure(start('Faultline-ScaleOut', { AutoScalingGroupName: ['checkout-asg'], Count: ['two'] })),
    ).toBeInstanceOf(InvalidAutomationExecutionParametersException);
    expect((await failure(start(RESTART, { InstanceId: [id!] }, 'not-a-uuid'))).name).toBe(
      'ValidationException',
    );
    expect(
      (
        await failure(
          ssm.send(
            new StartAutomationExecutionCommand({
              DocumentName: RESTART,
              DocumentVersion: '3',
              Parameters: { InstanceId: [id!] },
            }),
          ),
        )
      ).name,
    ).toBe('AutomationDefinitionVersionNotFoundException');

    const listed = await ssm.send(new DescribeAutomationExecutionsCommand({}));
    expect(listed.AutomationExecutionMetadataList).toEqual([]);
    expect(events.filter((e) => e.source === 'aws.ssm')).toEqual([]);
  });

  it('starts one execution per ClientToken', async () => {
    const [a, b] = instanceIds();
    const token = '8c3e9a8e-2b1f-4c3d-9e4f-0a1b2c3d4e5f';
    const first = await start(RESTART, { InstanceId: [a!] }, token);
    const again = await start(RESTART, { InstanceId: [a!] }, token.toUpperCase());
    expect(again).toBe(first);
    const listed = await ssm.send(new DescribeAutomationExecutionsCommand({}));
    expect(listed.AutomationExecutionMetadataList?.map((e) => e.AutomationExecutionId)).toEqual([first]);
    expect(executionStatuses(first)).toEqual(['Pending']);
    expect(await failure(start(RESTART, { InstanceId: [b!] }, token))).toBeInstanceOf(
      IdempotentParameterMismatch,
    );
    expect(
      (await ssm.send(new DescribeAutomationExecutionsCommand({}))).AutomationExecutionMetadataList,
    ).toHaveLength(1);
  });

  it('restarts an instance over virtual time: stopping, stopped, pending, running, then Success', async () => {
    const id = instanceIds()[0]!;
    const states: string[] = [];
    const stop = sb.core.bus.subscribe((e) => {
      if (e.source === 'aws.ec2' && e.detail['instance-id'] === id) states.push(String(e.detail.state));
    });
    const startedAt = sb.clock.now();
    const execId = await start(RESTART, { InstanceId: [id] });
    expect(execId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const pending = await get(execId);
    expect(pending.AutomationExecutionStatus).toBe('Pending');
    expect(pending.ExecutionStartTime?.getTime()).toBe(startedAt);
    expect(pending.StepExecutions?.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['stopInstances', 'Pending'],
      ['startInstances', 'Pending'],
    ]);

    await sb.clock.advance(5_000);
    const running = await get(execId);
    expect(running.AutomationExecutionStatus).toBe('InProgress');
    expect(running).toMatchObject({
      CurrentStepName: 'stopInstances',
      CurrentAction: 'aws:changeInstanceState',
    });
    expect(sb.world.instance(id)?.state).toBe('stopping');

    const done = await runUntilDone(execId);
    stop();
    expect(done.AutomationExecutionStatus).toBe('Success');
    expect(states).toEqual(['stopping', 'stopped', 'pending', 'running']);
    expect(sb.world.instance(id)?.state).toBe('running');
    expect(executionStatuses(execId)).toEqual(['Pending', 'InProgress', 'Success']);

    const [stopStep, startStep] = done.StepExecutions!;
    expect(stopStep).toMatchObject({
      StepName: 'stopInstances',
      Action: 'aws:changeInstanceState',
      StepStatus: 'Success',
    });
    expect(startStep).toMatchObject({ StepName: 'startInstances', StepStatus: 'Success', IsEnd: true });
    expect(JSON.parse(stopStep!.Inputs!.InstanceIds!)).toEqual([id]);
    expect(JSON.parse(stopStep!.Inputs!.DesiredState!)).toBe('stopped');
    const t = (d: Date | undefined) => d!.getTime();
    expect(t(stopStep!.ExecutionStartTime)).toBeGreaterThan(startedAt);
    expect(t(stopStep!.ExecutionEndTime)).toBeGreaterThanOrEqual(t(stopStep!.ExecutionStartTime) + 20_000);
    expect(t(startStep!.ExecutionStartTime)).toBeGreaterThan(t(stopStep!.ExecutionEndTime));
    expect(t(startStep!.ExecutionEndTime)).toBeGreaterThanOrEqual(t(startStep!.ExecutionStartTime) + 15_000);
    expect(t(done.ExecutionEndTime)).toBeGreaterThanOrEqual(t(startStep!.ExecutionEndTime));
    expect(t(done.ExecutionEndTime)).toBeLessThan(t(startStep!.ExecutionEndTime) + 2_000);
    // A restart takes a minute or two: the stop and the start each take tens of seconds.
    expect(t(done.ExecutionEndTime) - startedAt).toBeGreaterThan(35_000);
    expect(t(done.ExecutionEndTime) - startedAt).toBeLessThan(180_000);

    const finished = events.find(
      (e) =>
        e['detail-type'] === 'EC2 Automation Execution Status-change Notification' &&
        e.detail.Status === 'Success',
    );
    expect(finished?.detail).toMatchObject({
      ExecutionId: execId,
      Definition: RESTART,
      DefinitionVersion: 1,
      ExecutedBy: 'arn:aws:iam::123456789012:user/sandbox',
    });
    expect(finished?.detail.StartTime).toBe('Jan 5, 2026 9:00:00 AM');
    expect(finished?.resources).toEqual([
      `arn:aws:ssm:us-east-1:123456789012:automation-execution/${execId}`,
      'arn:aws:ssm:us-east-1:123456789012:automation-definition/AWS-RestartEC2Instance:1',
    ]);
    const stepEvents = events.filter(
      (e) => e['detail-type'] === 'EC2 Automation Step Status-change Notification',
    );
    expect(stepEvents.map((e) => [e.detail.StepName, e.detail.Status])).toEqual([
      ['stopInstances', 'InProgress'],
      ['stopInstances', 'Success'],
      ['startInstances', 'InProgress'],
      ['startInstances', 'Success'],
    ]);
  });

  it('fails cleanly on a terminated instance and on an unknown one', async () => {
    const [dead, alive] = instanceIds();
    sb.world.terminateInstances([dead!]);
    await sb.clock.advance(120_000);
    const execId = await start(RESTART, { InstanceId: [alive!, dead!] });
    const failed = await runUntilDone(execId);
    expect(failed.AutomationExecutionStatus).toBe('Failed');
    expect(failed.FailureMessage).toContain('IncorrectInstanceState');
    expect(failed.StepExecutions?.map((s) => s.StepStatus)).toEqual(['Failed', 'Pending']);
    expect(failed.StepExecutions?.[0]?.FailureMessage).toContain(dead);
    // Nothing was stopped: the runbook checks every instance before it changes any.
    expect(sb.world.instance(alive!)?.state).toBe('running');

    const unknown = await start(RESTART, { InstanceId: ['i-0123456789abcdef0'] });
    const gone = await runUntilDone(unknown);
    expect(gone.AutomationExecutionStatus).toBe('Failed');
    expect(gone.FailureMessage).toContain('InvalidInstanceID.NotFound');
    expect(executionStatuses(unknown)).toEqual(['Pending', 'InProgress', 'Failed']);
  });

  it('cancels a running execution: Cancelling, then Cancelled', async () => {
    const id = instanceIds()[1]!;
    const execId = await start(RESTART, { InstanceId: [id] });
    await sb.clock.advance(10_000);
    expect((await get(execId)).AutomationExecutionStatus).toBe('InProgress');
    await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: execId, Type: 'Cancel' }));
    expect((await get(execId)).AutomationExecutionStatus).toBe('Cancelling');
    await sb.clock.advance(5_000);
    const cancelled = await get(execId);
    expect(cancelled.AutomationExecutionStatus).toBe('Cancelled');
    expect(cancelled.ExecutionEndTime).toBeDefined();
    expect(cancelled.StepExecutions?.map((s) => s.StepStatus)).toEqual(['Cancelled', 'Pending']);
    expect(executionStatuses(execId)).toEqual(['Pending', 'InProgress', 'Cancelling', 'Cancelled']);

    // The runbook does nothing more: the instance finishes stopping and stays stopped.
    await sb.clock.advance(300_000);
    expect(sb.world.instance(id)?.state).toBe('stopped');
    expect((await get(execId)).AutomationExecutionStatus).toBe('Cancelled');

    expect(
      await failure(ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: execId }))),
    ).toBeInstanceOf(InvalidAutomationStatusUpdateException);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await failure(get(missing))).toBeInstanceOf(AutomationExecutionNotFoundException);
    expect(
      await failure(ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: missing }))),
    ).toBeInstanceOf(AutomationExecutionNotFoundException);
  });

  it('cancels a pending execution before it does anything', async () => {
    const id = instanceIds()[2]!;
    const execId = await start(RESTART, { InstanceId: [id] });
    await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: execId }));
    await sb.clock.advance(60_000);
    expect((await get(execId)).AutomationExecutionStatus).toBe('Cancelled');
    expect(sb.world.instance(id)?.state).toBe('running');
  });

  it('stops and starts with AWS-StopEC2Instance and AWS-StartEC2Instance', async () => {
    const id = instanceIds()[3]!;
    const stopped = await runUntilDone(await start('AWS-StopEC2Instance', { InstanceId: [id] }));
    expect(stopped.AutomationExecutionStatus).toBe('Success');
    expect(sb.world.instance(id)?.state).toBe('stopped');
    const started = await runUntilDone(await start('AWS-StartEC2Instance', { InstanceId: [id] }));
    expect(started.AutomationExecutionStatus).toBe('Success');
    expect(sb.world.instance(id)?.state).toBe('running');
    expect(started.Parameters).toEqual({ InstanceId: [id], AutomationAssumeRole: [''] });
  });

  it('times out a step that never reaches its state', async () => {
    await sb.close();
    let config: ClientConfig;
    ({ sb, config } = await startSandbox({
      world: quietWorld((def) => {
        def.timings.stopSeconds = [5000, 5000];
      }),
    }));
    ssm = new SSMClient(config);
    const execId = await start('AWS-StopEC2Instance', { InstanceId: [instanceIds()[0]!] });
    await sb.clock.advance(3599_000);
    expect((await get(execId)).AutomationExecutionStatus).toBe('InProgress');
    await sb.clock.advance(10_000);
    const timedOut = await get(execId);
    expect(timedOut.AutomationExecutionStatus).toBe('TimedOut');
    expect(timedOut.StepExecutions?.[0]?.StepStatus).toBe('TimedOut');
  });

  it('filters and pages DescribeAutomationExecutions', async () => {
    const ids = instanceIds();
    const t0 = sb.clock.now();
    const restart = await start(RESTART, { InstanceId: [ids[0]!] });
    expect((await runUntilDone(restart)).AutomationExecutionStatus).toBe('Success');
    const t1 = sb.clock.now();
    const stopOne = await start('AWS-StopEC2Instance', { InstanceId: [ids[1]!] });
    const failing = await start('AWS-StartEC2Instance', { InstanceId: ['i-0fffffffffffffff0'] });
    await sb.clock.advance(10_000);

    const list = async (
      Filters: { Key: string; Values: string[] }[],
      MaxResults?: number,
      NextToken?: string,
    ) =>
      ssm.send(
        new DescribeAutomationExecutionsCommand({
          Filters: Filters.length > 0 ? (Filters as AutomationExecutionFilter[]) : undefined,
          MaxResults,
          NextToken,
        }),
      );
    const ids_ = async (Filters: { Key: string; Values: string[] }[]) =>
      (await list(Filters)).AutomationExecutionMetadataList?.map((e) => e.AutomationExecutionId);

    expect(await ids_([])).toEqual([failing, stopOne, restart]);
    expect(await ids_([{ Key: 'DocumentNamePrefix', Values: ['AWS-St'] }])).toEqual([failing, stopOne]);
    expect(await ids_([{ Key: 'ExecutionStatus', Values: ['Failed'] }])).toEqual([failing]);
    expect(await ids_([{ Key: 'ExecutionStatus', Values: ['InProgress', 'Success'] }])).toEqual([
      stopOne,
      restart,
    ]);
    expect(await ids_([{ Key: 'ExecutionId', Values: [restart] }])).toEqual([restart]);
    expect(await ids_([{ Key: 'StartTimeAfter', Values: [new Date(t1).toISOString()] }])).toEqual([
      failing,
      stopOne,
    ]);
    expect(await ids_([{ Key: 'StartTimeBefore', Values: [new Date(t0).toISOString()] }])).toEqual([restart]);
    expect(
      await ids_([
        { Key: 'DocumentNamePrefix', Values: ['AWS-'] },
        { Key: 'ExecutionStatus', Values: ['InProgress'] },
      ]),
    ).toEqual([stopOne]);

    const page1 = await list([], 2);
    expect(page1.AutomationExecutionMetadataList?.map((e) => e.AutomationExecutionId)).toEqual([
      failing,
      stopOne,
    ]);
    const page2 = await list([], 2, page1.NextToken);
    expect(page2.AutomationExecutionMetadataList?.map((e) => e.AutomationExecutionId)).toEqual([restart]);
    expect(page2.NextToken).toBeUndefined();

    const meta = (await list([{ Key: 'ExecutionId', Values: [restart] }]))
      .AutomationExecutionMetadataList![0]!;
    expect(meta).toMatchObject({ DocumentName: RESTART, Mode: 'Auto', AutomationType: 'Local' });

    expect((await failure(list([{ Key: 'ExecutionStatus', Values: ['Sleeping'] }]))).name).toBe(
      'InvalidFilterValue',
    );
    expect((await failure(list([{ Key: 'StartTimeAfter', Values: ['yesterday'] }]))).name).toBe(
      'InvalidFilterValue',
    );
    expect((await failure(list([{ Key: 'Colour', Values: ['red'] }]))).name).toBe('InvalidFilterKey');
    expect((await failure(list([], 2, 'bogus'))).name).toBe('InvalidNextToken');
    const empty = await failure(ssm.send(new DescribeAutomationExecutionsCommand({ Filters: [] })));
    expect(empty.name).toBe('ValidationException');
  });

  it('describes step executions with filters, in either order', async () => {
    const execId = await start(RESTART, { InstanceId: [instanceIds()[4]!] });
    const none = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: execId }),
    );
    expect(none.StepExecutions).toEqual([]);
    await runUntilDone(execId);
    const steps = async (
      input: Omit<DescribeAutomationStepExecutionsCommandInput, 'AutomationExecutionId'>,
    ) =>
      (
        await ssm.send(
          new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: execId, ...input }),
        )
      ).StepExecutions?.map((s) => s.StepName);
    expect(await steps({})).toEqual(['stopInstances', 'startInstances']);
    expect(await steps({ ReverseOrder: true })).toEqual(['startInstances', 'stopInstances']);
    expect(await steps({ Filters: [{ Key: 'StepName', Values: ['startInstances'] }] })).toEqual([
      'startInstances',
    ]);
    expect(await steps({ Filters: [{ Key: 'StepExecutionStatus', Values: ['Failed'] }] })).toEqual([]);
    const page = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: execId, MaxResults: 1 }),
    );
    expect(page.StepExecutions?.map((s) => s.StepName)).toEqual(['stopInstances']);
    const next = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({
        AutomationExecutionId: execId,
        NextToken: page.NextToken,
      }),
    );
    expect(next.StepExecutions?.map((s) => s.StepName)).toEqual(['startInstances']);
    expect(
      await failure(
        ssm.send(
          new DescribeAutomationStepExecutionsCommand({
            AutomationExecutionId: '00000000-0000-4000-8000-000000000000',
          }),
        ),
      ),
    ).toBeInstanceOf(AutomationExecutionNotFoundException);
  });

  it('scales out into the reachable AZs with the fewest serving instances', async () => {
    const before = new Set(instanceIds());
    const [azA, azB, azC] = sb.world.def.availabilityZones;
    // One instance in azA is down and azC is cut off: new instances go to azA first, never to azC.
    sb.world.stopInstances([sb.world.instances().find((i) => i.az === azA)!.id]);
    const subnetC = sb.world.subnets().find((s) => s.az === azC)!.id;
    sb.world.disruptConnectivity([subnetC], 'availability-zone', 30 * 60_000);

    const execId = await start('Faultline-ScaleOut', {
      AutoScalingGroupName: ['checkout-asg'],
      Count: ['3'],
    });
    const done = await runUntilDone(execId);
    expect(done.AutomationExecutionStatus).toBe('Success');
    const launched = done.Outputs?.['launchInstances.InstanceIds'] ?? [];
    expect(launched).toHaveLength(3);
    expect(launched.every((id) => !before.has(id))).toBe(true);
    const azs = launched.map((id) => sb.world.instance(id)!.az);
    expect(azs.filter((az) => az === azA)).toHaveLength(2);
    expect(azs.filter((az) => az === azB)).toHaveLength(1);
    expect(launched.every((id) => sb.world.instance(id)!.state === 'running')).toBe(true);
    expect(done.StepExecutions?.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['launchInstances', 'Success'],
      ['waitForInstances', 'Success'],
    ]);
    expect(done.StepExecutions?.[0]?.Outputs?.InstanceIds).toEqual(launched);
  });

  it('scale-out reports its output as not yet available until it has launched, and fails for another group', async () => {
    const execId = await start('Faultline-ScaleOut', { AutoScalingGroupName: ['other-asg'] });
    expect((await get(execId)).Outputs?.['launchInstances.InstanceIds']?.[0]).toMatch(
      /^No output available yet/,
    );
    const failed = await runUntilDone(execId);
    expect(failed.AutomationExecutionStatus).toBe('Failed');
    expect(failed.FailureMessage).toContain("AutoScalingGroup 'other-asg' not found");
    expect(failed.Parameters).toMatchObject({ AutoScalingGroupName: ['other-asg'], Count: ['2'] });
    expect(sb.world.instances()).toHaveLength(instanceIds().length);
  });

  const REGION_FAILOVER = {
    GlobalClusterIdentifier: ['checkout-global'],
    TargetDbClusterIdentifier: ['arn:aws:rds:us-west-2:123456789012:cluster:checkout-db-standby'],
    HostedZoneName: ['example.com.'],
    RecordName: ['checkout.example.com.'],
  };
  const route53 = () => sb.service('route53') as Route53Service;

  it('fails over to the standby region: promotes its database first, then moves the DNS record', async () => {
    expect(route53().resolve('checkout.example.com')).toMatchObject({
      failover: 'PRIMARY',
      region: 'us-east-1',
    });
    const done = await runUntilDone(await start('Faultline-RegionFailover', REGION_FAILOVER));
    expect(done.AutomationExecutionStatus).toBe('Success');
    expect(done.Parameters).toMatchObject({
      RecordType: ['A'],
      PrimarySetIdentifier: ['primary'],
      SecondarySetIdentifier: ['secondary'],
    });
    const steps = done.StepExecutions!;
    expect(steps.map((s) => [s.StepName, s.Action, s.StepStatus])).toEqual([
      ['PromoteStandbyDatabase', 'aws:executeAwsApi', 'Success'],
      ['WaitForStandbyWriter', 'aws:executeScript', 'Success'],
      ['MoveTraffic', 'aws:executeScript', 'Success'],
      ['WaitForDnsInSync', 'aws:waitForAwsResourceProperty', 'Success'],
    ]);
    // The record moves only once the standby takes writes: its first requests can write.
    const promotedAt = events.find(
      (e) => (e.detail as { EventID?: string }).EventID === 'RDS-EVENT-0185',
    )!.time;
    expect(steps[2]!.ExecutionStartTime!.getTime()).toBeGreaterThanOrEqual(Date.parse(promotedAt));
    const changeId = done.Outputs?.['MoveTraffic.ChangeId']?.[0];
    expect(changeId).toMatch(/^C[0-9A-Z]+$/);
    expect(route53().changeStatus(changeId!)).toBe('INSYNC');
    expect(route53().resolve('checkout.example.com')).toMatchObject({
      failover: 'PRIMARY',
      setIdentifier: 'primary',
      region: 'us-west-2',
      values: ['dualstack.checkout-standby-alb.us-west-2.elb.amazonaws.com.'],
    });
    expect(sb.world.dnsActiveRegion()).toBe('us-west-2');
    expect(sb.world.standby!.database()!.status).toBe('primary');
  });

  it("fails over nothing when the promotion is refused, and reports RDS's error", async () => {
    const failed = await runUntilDone(
      await start('Faultline-RegionFailover', {
        ...REGION_FAILOVER,
        GlobalClusterIdentifier: ['other-global'],
      }),
    );
    expect(failed.AutomationExecutionStatus).toBe('Failed');
    expect(failed.FailureMessage).toContain(
      "The global cluster other-global doesn't exist. (Service: AmazonRDS; Status Code: 400; Error Code: GlobalClusterNotFoundFault)",
    );
    expect(failed.StepExecutions?.map((s) => s.StepStatus)).toEqual([
      'Failed',
      'Pending',
      'Pending',
      'Pending',
    ]);
    expect(sb.world.standby!.database()!.status).toBe('secondary');
    expect(route53().resolve('checkout.example.com')).toMatchObject({ region: 'us-east-1' });
  });

  it("fails at the DNS step, naming Route 53's error, when the record is not a failover pair", async () => {
    const failed = await runUntilDone(
      await start('Faultline-RegionFailover', { ...REGION_FAILOVER, RecordName: ['shop.example.com.'] }),
    );
    expect(failed.AutomationExecutionStatus).toBe('Failed');
    expect(failed.StepExecutions?.map((s) => s.StepStatus)).toEqual([
      'Success',
      'Success',
      'Failed',
      'Pending',
    ]);
    expect(failed.FailureMessage).toContain(
      "shop.example.com. A in example.com. has no record sets 'primary' and 'secondary' (Service: AmazonRoute53; Status Code: 400; Error Code: InvalidInput)",
    );
    expect(sb.world.dnsActiveRegion()).toBe('us-east-1');
  });

  it('refuses a target that is not a cluster ARN before starting anything', async () => {
    expect(
      await failure(
        start('Faultline-RegionFailover', {
          ...REGION_FAILOVER,
          TargetDbClusterIdentifier: ['checkout-db-standby'],
        }),
      ),
    ).toBeInstanceOf(InvalidAutomationExecutionParametersException);
    expect(sb.world.standby!.database()!.status).toBe('secondary');
  });

  const targetState = (id: string) => sb.world.targetHealth().targets.find((t) => t.id === id)?.state;
  /** Plays virtual time until the load balancer has marked the instance unhealthy. */
  const untilUnhealthy = async (id: string) => {
    for (let t = 0; t < 10 * 60_000 && targetState(id) !== 'unhealthy'; t += 5_000)
      await sb.clock.advance(5_000);
    expect(targetState(id)).toBe('unhealthy');
  };

  it('restarts the unhealthy target whose process died: reboots it and waits until it is healthy again', async () => {
    const [dead, stopped] = sb.world.instances();
    sb.world.killServiceProcess([dead!.id]);
    // A stopped host is unhealthy too, but not a reboot's to fix: it is left alone.
    sb.world.stopInstances([stopped!.id]);
    await untilUnhealthy(dead!.id);
    await untilUnhealthy(stopped!.id);

    const execId = await start('Faultline-RestartUnhealthyTargets', {
      TargetGroup: [sb.world.targetGroupDimension],
    });
    const done = await runUntilDone(execId);
    expect(done.AutomationExecutionStatus).toBe('Success');
    expect(done.Outputs?.['RebootUnhealthyTargets.InstanceIds']).toEqual([dead!.id]);
    expect(done.StepExecutions?.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['RebootUnhealthyTargets', 'Success'],
      ['WaitHealthy', 'Success'],
    ]);
    expect(targetState(dead!.id)).toBe('healthy');
    expect(sb.world.instance(dead!.id)).toMatchObject({ state: 'running', processKilled: false });
    expect(sb.world.instance(stopped!.id)?.state).toBe('stopped');
  });

  it('leaves hosts cut off by a network outage alone: they time out, and a reboot would fix nothing', async () => {
    const az = sb.world.def.availabilityZones[0]!;
    const cutOff = sb.world.instances().filter((i) => i.az === az);
    sb.world.disruptConnectivity([sb.world.subnets().find((s) => s.az === az)!.id], 'all', 30 * 60_000);
    for (const i of cutOff) await untilUnhealthy(i.id);
    const done = await runUntilDone(
      await start('Faultline-RestartUnhealthyTargets', { TargetGroup: [sb.world.targetGroupDimension] }),
    );
    expect(done.AutomationExecutionStatus).toBe('Failed');
    expect(done.FailureMessage).toContain('nothing a restart fixes');
    // Not rebooted: still booted, so they answer as soon as the network is back.
    expect(cutOff.map((i) => sb.world.instance(i.id)!.appReadyAt! <= sb.clock.now())).toEqual([true, true]);
  });

  it('fails to restart when no unhealthy target is running, when the group is another, and refuses a malformed one', async () => {
    const [stopped] = sb.world.instances();
    sb.world.stopInstances([stopped!.id]);
    await untilUnhealthy(stopped!.id);
    const nothing = await runUntilDone(
      await start('Faultline-RestartUnhealthyTargets', { TargetGroup: [sb.world.targetGroupDimension] }),
    );
    expect(nothing.AutomationExecutionStatus).toBe('Failed');
    expect(nothing.FailureMessage).toContain(
      `None of the 1 unhealthy targets of ${sb.world.targetGroupDimension} is a running, booted instance that refuses its health checks`,
    );
    expect(sb.world.instance(stopped!.id)?.state).toBe('stopped');

    const other = await runUntilDone(
      await start('Faultline-RestartUnhealthyTargets', {
        TargetGroup: ['targetgroup/other-tg/0123456789abcdef'],
      }),
    );
    expect(other.AutomationExecutionStatus).toBe('Failed');
    expect(other.FailureMessage).toContain("Target group 'targetgroup/other-tg/0123456789abcdef' not found");

    expect(
      await failure(start('Faultline-RestartUnhealthyTargets', { TargetGroup: ['checkout-tg'] })),
    ).toBeInstanceOf(InvalidAutomationExecutionParametersException);
  });
});

describe('SSM state between runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-ssm-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps parameters, customers' documents and executions, and fails executions a restart interrupted", async () => {
    const first = await startSandbox({ world: quietWorld(), stateDir: dir, fresh: true });
    const ssm1 = new SSMClient(first.config);
    await ssm1.send(new PutParameterCommand({ Name: '/faultline/kill-switch', Value: 'on', Type: 'String' }));
    await ssm1.send(
      new PutParameterCommand({ Name: '/faultline/kill-switch', Value: 'off', Overwrite: true }),
    );
    const doc =
      "schemaVersion: '0.3'\nmainSteps:\n  - { name: Nap, action: aws:sleep, inputs: { Duration: PT1M } }\n";
    await ssm1.send(
      new CreateDocumentCommand({
        Name: 'Nap',
        Content: doc,
        DocumentFormat: 'YAML',
        DocumentType: 'Automation',
      }),
    );
    const id = first.sb.world.instances()[0]!.id;
    const token = '11111111-2222-4333-8444-555555555555';
    const running = (
      await ssm1.send(
        new StartAutomationExecutionCommand({
          DocumentName: RESTART,
          Parameters: { InstanceId: [id] },
          ClientToken: token,
        }),
      )
    ).AutomationExecutionId!;
    await first.sb.clock.advance(10_000);
    const lastAlive = first.sb.clock.now();
    await first.sb.close();

    // Resumed an hour later, the execution ended when the sandbox stopped, not then.
    const second = await startSandbox({
      world: quietWorld(),
      stateDir: dir,
      clock: VirtualClock.createPrivate(lastAlive + 3_600_000),
    });
    try {
      const ssm2 = new SSMClient(second.config);
      const p = await ssm2.send(new GetParameterCommand({ Name: '/faultline/kill-switch' }));
      expect(p.Parameter).toMatchObject({ Value: 'off', Version: 2 });
      const kept = await ssm2.send(new GetDocumentCommand({ Name: 'Nap' }));
      expect([kept.Content, kept.DocumentFormat, kept.DocumentType]).toEqual([doc, 'YAML', 'Automation']);
      const exec = (await ssm2.send(new GetAutomationExecutionCommand({ AutomationExecutionId: running })))
        .AutomationExecution!;
      expect(exec.AutomationExecutionStatus).toBe('Failed');
      expect(exec.FailureMessage).toBe('sandbox restarted');
      expect(exec.ExecutionEndTime?.getTime()).toBe(lastAlive);
      expect(exec.StepExecutions?.[0]?.StepStatus).toBe('Failed');
      expect(exec.StepExecutions?.[0]?.ExecutionEndTime?.getTime()).toBe(lastAlive);
      // The token still names the same execution, and a new one gets a new id.
      const again = await ssm2.send(
        new StartAutomationExecutionCommand({
          DocumentName: RESTART,
          Parameters: { InstanceId: [id] },
          ClientToken: token,
        }),
      );
      expect(again.AutomationExecutionId).toBe(running);
      const fresh = await ssm2.send(
        new StartAutomationExecutionCommand({ DocumentName: RESTART, Parameters: { InstanceId: [id] } }),
      );
      expect(fresh.AutomationExecutionId).not.toBe(running);
    } finally {
      await second.sb.close();
    }
  });
});
