import { setImmediate as realSetImmediate } from 'node:timers';
import { FisClient, StartExperimentCommand, StopExperimentCommand } from '@aws-sdk/client-fis';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeAutomationStepExecutionsCommand,
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  PutParameterCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { FisSnapshot } from '../../sandbox/services/fis/store.ts';
import type { ExecutionRecord } from '../../sandbox/services/ssm/automation.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { libraryDocuments } from '../helpers/template-library.ts';
import { CHECKOUT_INSTANCES, createTemplate } from './fis-helpers.ts';

async function failure(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}

/** The library's SSM documents: Automation runbooks and the Command documents its templates send. */
const RUNBOOK = `
schemaVersion: '0.3'
description: Waits, looks the instance up, stops it if it runs, and waits until it has stopped.
parameters:
  InstanceId: { type: String }
  Pause: { type: String, default: PT5M }
mainSteps:
  - name: Pause
    action: aws:sleep
    inputs: { Duration: '{{ Pause }}' }
  - name: Describe
    action: aws:executeAwsApi
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: ['{{ InstanceId }}']
    outputs:
      - { Name: State, Selector: '$.Reservations[0].Instances[0].State.Name', Type: String }
      - { Name: Ids, Selector: '$.Reservations[*].Instances[*].InstanceId', Type: StringList }
  - name: Choose
    action: aws:branch
    inputs:
      Choices:
        - And:
            - { Variable: '{{ Describe.State }}', StringEquals: running }
            - Not: { Variable: '{{ automation:EXECUTION_ID }}', StringEquals: '' }
          NextStep: Running
      Default: Never
  - name: Never
    action: aws:sleep
    inputs: { Duration: PT1H }
    isEnd: true
  - name: Running
    action: aws:assertAwsResourceProperty
    inputs:
      Service: ec2
      Api: DescribeInstanceStatus
      InstanceIds: ['{{ InstanceId }}']
      PropertySelector: '$.InstanceStatuses[*].InstanceState.Name'
      DesiredValues: [running]
  - name: Stop
    action: aws:executeAwsApi
    inputs: { Service: ec2, Api: StopInstances, InstanceIds: ['{{ InstanceId }}'] }
  - name: WaitStopped
    action: aws:waitForAwsResourceProperty
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: ['{{ InstanceId }}']
      PropertySelector: '$.Reservations[0].Instances[0].State.Name'
      DesiredValues: [stopped]
    isEnd: true
outputs: [Describe.State, Describe.Ids]
`;

const SCRIPTED = JSON.stringify({
  schemaVersion: '0.3',
  parameters: { duration: { type: 'String', default: 'PT2M' } },
  mainSteps: [
    { name: 'Wait', action: 'aws:sleep', inputs: { Duration: '{{ duration }}' } },
    {
      name: 'FindCacheClusters',
      action: 'aws:executeScript',
      inputs: { Runtime: 'python3.11', Handler: 'handler', Script: 'def handler(e, c): pass' },
    },
  ],
});

const CACHE = JSON.stringify({
  schemaVersion: '0.3',
  mainSteps: [
    {
      name: 'FindClusters',
      action: 'aws:executeAwsApi',
      inputs: { Service: 'elasticache', Api: 'DescribeCacheClusters' },
    },
  ],
});

/** A step that fails twice (maxAttempts), is not critical, and lets the next one run. */
const RESILIENT = `
schemaVersion: '0.3'
mainSteps:
  - name: Script
    action: aws:executeScript
    inputs: { Runtime: PowerShell 7.4, Handler: run, Script: 'Stop-Service W3SVC' }
    onFailure: Continue
    isCritical: false
    maxAttempts: 2
  - name: Nap
    action: aws:sleep
    inputs: { Duration: PT10S }
`;

const SLEEPER = JSON.stringify({
  schemaVersion: '0.3',
  parameters: { duration: { type: 'String', default: 'PT2M' } },
  mainSteps: [{ name: 'Wait', action: 'aws:sleep', inputs: { Duration: '{{ duration }}' } }],
});

describe('customer SSM documents', () => {
  let sb: Sandbox;
  let ssm: SSMClient;
  let fis: FisClient;
  let account: string;
  const arn = (name: string) => `arn:aws:ssm:us-east-1:${account}:document/${name}`;

  beforeAll(async () => {
    const world = await loadWorldFile();
    if (world.autoScaling) world.autoScaling.replaceUnhealthy = false;
    const started = await startSandbox({ world });
    sb = started.sb;
    ssm = new SSMClient(started.config);
    fis = new FisClient(started.config);
    account = sb.world.accountId;
    for (const [name, content, format] of [
      ['Runbook', RUNBOOK, 'YAML'],
      ['Scripted', SCRIPTED, 'JSON'],
      ['Sleeper', SLEEPER, 'JSON'],
      ['Cache', CACHE, 'JSON'],
      ['Resilient', RESILIENT, 'YAML'],
    ] as const) {
      await ssm.send(
        new CreateDocumentCommand({
          Name: name,
          Content: content,
          DocumentFormat: format,
          DocumentType: 'Automation',
        }),
      );
    }
  });
  afterAll(async () => {
    ssm.destroy();
    fis.destroy();
    await sb.close();
  });

  const executions = () =>
    (sb.service('ssm').save!() as { automation: { executions: ExecutionRecord[] } }).automation.executions;
  const experiments = () => (sb.service('fis').save!() as FisSnapshot).experiments;

  /**
   * Plays virtual time until `done`: a timer at a time, and only while nothing is in flight (a
   * step's API call takes no virtual time).
   */
  async function runUntil(done: () => boolean): Promise<void> {
    for (let i = 0; i < 20_000 && !done(); i++) {
      await new Promise((r) => realSetImmediate(r));
      if (sb.requestsInFlight > 0 || sb.clock.workRunning > 0) continue;
      await sb.clock.runNext();
    }
    expect(done()).toBe(true);
  }

  /** Starts an automation and plays time until it has ended; resolves to GetAutomationExecution's answer. */
  async function runToEnd(DocumentName: string, Parameters?: Record<string, string[]>) {
    const { AutomationExecutionId } = await ssm.send(
      new StartAutomationExecutionCommand({ DocumentName, Parameters }),
    );
    await runUntil(ended(AutomationExecutionId!));
    return (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId })))
      .AutomationExecution!;
  }

  const ended = (id: string) => () =>
    ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(
      executions().find((e) => e.id === id)?.status ?? '',
    );
  const experimentEnded = (id: string) => () =>
    ['completed', 'failed', 'stopped'].includes(experiments().find((e) => e.id === id)?.state.status ?? '');

  it("accepts every one of the library's documents, as SSM does", async () => {
    const docs = await libraryDocuments();
    expect(docs.filter((d) => d.type === 'Automation')).toHaveLength(11);
    expect(docs.filter((d) => d.type === 'Command')).toHaveLength(3);
    for (const d of docs) {
      const out = await ssm.send(
        new CreateDocumentCommand({
          Name: d.name,
          Content: d.content,
          DocumentType: d.type,
          DocumentFormat: d.file.endsWith('.json') ? 'JSON' : 'YAML',
        }),
      );
      expect(out.DocumentDescription, d.file).toMatchObject({
        Name: d.name,
        DocumentType: d.type,
        Status: 'Active',
      });
    }
    const own = await ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: 'DocumentType', Values: ['Command'] }] }),
    );
    expect(own.DocumentIdentifiers?.map((d) => d.Name).sort()).toEqual(
      docs
        .filter((d) => d.type === 'Command')
        .map((d) => d.name)
        .sort(),
    );
    // GetDocument gives the content back as written, and in the other format on request.
    const yaml = docs.find((d) => d.file.endsWith('.yaml'))!;
    expect((await ssm.send(new GetDocumentCommand({ Name: yaml.name }))).Content).toBe(yaml.content);
    const json = await ssm.send(new GetDocumentCommand({ Name: yaml.name, DocumentFormat: 'JSON' }));
    expect(JSON.parse(json.Content!).schemaVersion).toBe('0.3');
    await ssm.send(new DeleteDocumentCommand({ Name: yaml.name }));
    expect((await failure(ssm.send(new DescribeDocumentCommand({ Name: yaml.name })))).name).toBe(
      'InvalidDocument',
    );
  });

  it('refuses a document SSM refuses, saying what is wrong, and keeps nothing', async () => {
    const create = (Name: string, Content: string) =>
      failure(
        ssm.send(
          new CreateDocumentCommand({ Name, Content, DocumentType: 'Automation', DocumentFormat: 'YAML' }),
        ),
      );
    const noSchema = await create('Bad1', 'mainSteps: [{name: A, action: aws:sleep}]');
    expect([noSchema.name, noSchema.message]).toEqual([
      'InvalidDocumentContent',
      'schemaVersion is missing.',
    ]);
    const unknown = await create(
      'Bad2',
      "schemaVersion: '0.3'\nmainSteps: [{name: A, action: aws:teleport}]",
    );
    expect([unknown.name, unknown.message]).toEqual([
      'InvalidDocumentContent',
      'Step A has action aws:teleport, which is not an Automation action.',
    ]);
    expect(
      (await create('Runbook', "schemaVersion: '0.3'\nmainSteps: [{name: A, action: aws:sleep}]")).name,
    ).toBe('DocumentAlreadyExists');
    expect(
      (await create('AWS-Mine', "schemaVersion: '0.3'\nmainSteps: [{name: A, action: aws:sleep}]")).name,
    ).toBe('ValidationException');
    expect((await failure(ssm.send(new DescribeDocumentCommand({ Name: 'Bad2' })))).name).toBe(
      'InvalidDocument',
    );
  });

  it('runs a customer runbook against the sandbox, in virtual time only while it waits', async () => {
    const id = sb.world.instances()[0]!.id;
    const exec = await runToEnd('Runbook', { InstanceId: [id] });
    const { AutomationExecutionId } = exec;
    expect(exec.AutomationExecutionStatus).toBe('Success');
    expect(exec.Outputs).toEqual({ 'Describe.State': ['running'], 'Describe.Ids': [id] });
    const { StepExecutions: steps = [] } = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId }),
    );
    expect(steps.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['Pause', 'Success'],
      ['Describe', 'Success'],
      ['Choose', 'Success'],
      ['Running', 'Success'],
      ['Stop', 'Success'],
      ['WaitStopped', 'Success'],
    ]);
    const took = (s: (typeof steps)[number]) =>
      s.ExecutionEndTime!.getTime() - s.ExecutionStartTime!.getTime();
    expect(took(steps[0]!)).toBe(300_000);
    // An API call takes no virtual time; the wait polls until EC2 says stopped.
    expect(took(steps[1]!)).toBe(0);
    expect(took(steps[5]!)).toBeGreaterThan(0);
    expect(took(steps[5]!) % 5_000).toBe(0);
    expect(steps[1]?.Inputs?.InstanceIds).toBe(JSON.stringify([id]));
    expect(steps[5]).toMatchObject({ IsEnd: true });
    expect(sb.world.instance(id)?.state).toBe('stopped');
  });

  it('fails a step the sandbox cannot run with one line that says it runs on AWS', async () => {
    const exec = await runToEnd('Scripted');
    const line = 'Step FindCacheClusters: aws:executeScript runs Python on AWS; the sandbox cannot run it';
    expect([exec.AutomationExecutionStatus, exec.FailureMessage]).toEqual(['Failed', line]);

    const cache = await runToEnd('Cache');
    expect([cache.AutomationExecutionStatus, cache.FailureMessage]).toEqual([
      'Failed',
      'Step FindClusters: aws:executeAwsApi calls elasticache, which runs on AWS; the sandbox speaks ec2, ssm, cloudwatch, fis, route53, s3, sns, stepfunctions, events, dynamodb',
    ]);
  });

  it("resolves {{ssm:/name}} in a runbook's parameters from Parameter Store, and fails the execution when it is not there", async () => {
    const content = JSON.stringify({
      schemaVersion: '0.3',
      parameters: { ImageId: { type: 'String', default: '{{ssm:/faultline/test/ami}}' } },
      mainSteps: [{ name: 'Wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
    });
    await ssm.send(
      new CreateDocumentCommand({ Name: 'UsesParameter', Content: content, DocumentType: 'Automation' }),
    );
    const missing = await runToEnd('UsesParameter');
    expect([missing.AutomationExecutionStatus, missing.FailureMessage]).toEqual([
      'Failed',
      'Unable to resolve {{ssm:/faultline/test/ami}}: Parameter /faultline/test/ami not found.',
    ]);
    expect(missing.StepExecutions?.map((s) => s.StepStatus)).toEqual(['Pending']);
    await ssm.send(
      new PutParameterCommand({ Name: '/faultline/test/ami', Value: 'ami-0abc', Type: 'String' }),
    );
    const found = await runToEnd('UsesParameter');
    expect(found.AutomationExecutionStatus).toBe('Success');
    expect(found.Parameters).toEqual({ ImageId: ['ami-0abc'] });
    // Given by the caller, a reference is resolved too.
    const given = await runToEnd('UsesParameter', { ImageId: ['{{ ssm:/faultline/test/ami }}-x'] });
    expect(given.Parameters).toEqual({ ImageId: ['ami-0abc-x'] });
  });

  it('goes on past a failed step that says Continue, and succeeds when that step is not critical', async () => {
    const exec = await runToEnd('Resilient');
    expect(exec.AutomationExecutionStatus).toBe('Success');
    expect(
      exec.StepExecutions?.map((s) => [
        s.StepName,
        s.StepStatus,
        s.OnFailure,
        s.MaxAttempts,
        s.IsCritical,
        s.FailureMessage,
      ]),
    ).toEqual([
      [
        'Script',
        'Failed',
        'Continue',
        2,
        false,
        'Step Script: aws:executeScript runs PowerShell on AWS; the sandbox cannot run it',
      ],
      ['Nap', 'Success', 'Abort', 1, true, undefined],
    ]);
  });

  it("FIS's aws:ssm:start-automation-execution completes, fails, is stopped and hits maxDuration", async () => {
    const action = (name: string, maxDuration = 'PT10M', documentParameters = '{}') => ({
      actions: {
        run: {
          actionId: 'aws:ssm:start-automation-execution',
          parameters: { documentArn: arn(name), documentParameters, maxDuration },
        },
      },
    });
    const startWith = async (overrides: Parameters<typeof createTemplate>[1]) => {
      const experimentTemplateId = await createTemplate(fis, overrides);
      return (await fis.send(new StartExperimentCommand({ experimentTemplateId }))).experiment!.id!;
    };
    const runAction = (id: string) => experiments().find((e) => e.id === id)!.actions.run!;
    const automationOf = () => executions().at(-1)!;

    const completes = await startWith(action('Sleeper'));
    await runUntil(experimentEnded(completes));
    expect(experiments().find((e) => e.id === completes)?.state.status).toBe('completed');
    expect(automationOf()).toMatchObject({ documentName: 'Sleeper', status: 'Success' });

    const fails = await startWith(action('Scripted'));
    await runUntil(experimentEnded(fails));
    expect(runAction(fails).state).toEqual({
      status: 'failed',
      reason: `Automation execution ${automationOf().id} ended Failed: Step FindCacheClusters: aws:executeScript runs Python on AWS; the sandbox cannot run it`,
    });

    const timesOut = await startWith(action('Sleeper', 'PT1M', '{"duration":"PT1H"}'));
    await runUntil(experimentEnded(timesOut));
    expect(runAction(timesOut).state.reason).toBe(
      `Automation execution ${automationOf().id} did not end within maxDuration PT1M, so it was cancelled.`,
    );
    await runUntil(ended(automationOf().id));
    expect(automationOf().status).toBe('Cancelled');

    const stopped = await startWith(action('Sleeper', 'PT2H', '{"duration":"PT1H"}'));
    await runUntil(() => automationOf().status === 'InProgress');
    await fis.send(new StopExperimentCommand({ id: stopped }));
    await runUntil(experimentEnded(stopped));
    await runUntil(ended(automationOf().id));
    expect([experiments().find((e) => e.id === stopped)?.state.status, automationOf().status]).toEqual([
      'stopped',
      'Cancelled',
    ]);

    // The template names a document nobody created: accepted, and the action fails with SSM's words.
    const missing = await startWith(action('Nobody-Made-This'));
    await runUntil(experimentEnded(missing));
    expect(runAction(missing).state.reason).toBe(
      `AutomationDefinitionNotFoundException: Document ${arn('Nobody-Made-This')} does not exist.`,
    );
  });

  it("aws:ssm:send-command with AWS-RunShellScript or a customer's Command document fails on each instance, which stays running", async () => {
    const running = sb.world
      .instances()
      .filter((i) => i.state === 'running')
      .map((i) => i.id)
      .sort();
    const reasonFor = async (documentArn: string) => {
      const id = await createTemplate(fis, {
        targets: { hosts: { ...CHECKOUT_INSTANCES, filters: [{ path: 'State.Name', values: ['running'] }] } },
        actions: {
          shell: {
            actionId: 'aws:ssm:send-command',
            targets: { Instances: 'hosts' },
            parameters: {
              documentArn,
              documentParameters: '{"commands":["stress-ng --cpu 2"]}',
              duration: 'PT5M',
            },
          },
        },
      });
      const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id }))).experiment!.id!;
      await runUntil(experimentEnded(exp));
      const state = experiments().find((e) => e.id === exp)!.actions.shell!.state;
      expect(state.status).toBe('failed');
      return state.reason;
    };
    const cannot = (name: string) =>
      `The command ${name} failed on ${running.join(', ')}: ${name} runs on AWS; the sandbox's hosts run only the checkout process, not commands.`;
    expect(await reasonFor('arn:aws:ssm:us-east-1::document/AWS-RunShellScript')).toBe(
      cannot('AWS-RunShellScript'),
    );
    // The library's load test, which the first test created.
    const loadTest = 'mysql-rds-loadtest-failover-ssm-template';
    expect(await reasonFor(arn(loadTest))).toBe(cannot(loadTest));
    expect(await reasonFor(arn('Nobody-Wrote-This'))).toBe(
      `InvalidDocument: Document ${arn('Nobody-Wrote-This')} does not exist in us-east-1.`,
    );
    expect(running.map((i) => sb.world.instance(i)?.state)).toEqual(running.map(() => 'running'));
  });
});
