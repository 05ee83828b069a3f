import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { packageProject } from './packaged.ts';
import { iamActionsReachedFrom } from './sdk-calls.ts';
import {
  alarmsOnTopic,
  allowedActions,
  bucketProblems,
  eventRuleProblems,
  functionRoleProblems,
  functionRuntimeProblems,
  protectedTagDenyProblems,
  referencedResource,
  resourcesOfType,
  stateMachineDefinition,
  type Template,
  tableProblems,
  taskTargetProblems,
  unconditionedStarProblems,
  wildcardActionProblems,
} from './template-rules.ts';

const runbookFiles = createRequire(import.meta.url)('../../runbooks/bundle.cjs') as {
  bundle(): { file: string; data: Record<string, unknown> }[];
};

/** Permissions a call needs besides its own action, and what every function's runtime needs. */
const IMPLIED = new Set([
  // Passing the FIS role to a template, and the automation role to SSM.
  'iam:PassRole',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
]);

/** A template with the mistakes the rules exist to catch: each check must find its own. */
const BAD: Template = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Shared', 'Arn'] } } },
    Fn2: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Shared', 'Arn'] } } },
    Shared: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyName: 'p',
            PolicyDocument: {
              Statement: [
                { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
                { Effect: 'Allow', Action: ['ec2:StopInstances', '*'], Resource: '*' },
              ],
            },
          },
        ],
      },
    },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: { EventPattern: { source: ['aws.fis'] }, Targets: [{ Id: 't', Arn: { Ref: 'Gone' } }] },
    },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
  },
};

describe('template rules on a bad template', () => {
  it('find every wildcard action in an Allow', () => {
    expect(wildcardActionProblems(BAD)).toEqual(['Shared.p[0]: allows s3:*', 'Shared.p[1]: allows *']);
  });

  it('find Resource "*" without a Condition', () => {
    expect(unconditionedStarProblems(BAD)).toEqual([
      'Shared.p[1]: ec2:StopInstances, * on "*" without a Condition',
    ]);
  });

  it('find a role shared by functions', () => {
    expect(functionRoleProblems(BAD)).toEqual(['Shared: shared by Fn, Fn2']);
  });

  it('find a missing protected-tag Deny', () => {
    expect(protectedTagDenyProblems(BAD, 'Shared', 'ChaosProtected')).toEqual([
      'Shared: no Deny on resources tagged ChaosProtected',
    ]);
  });

  it('find a rule whose target is gone, with no dead-letter queue and no retry policy', () => {
    expect(eventRuleProblems(BAD)).toEqual([
      'Rule: target {"Ref":"Gone"} is not in the template',
      'Rule: target t has no dead-letter queue of the template',
      'Rule: target t has no retry policy',
    ]);
  });

  it('find a bucket and a table without their protections', () => {
    expect(bucketProblems(BAD, 'Bucket')).toHaveLength(8);
    expect(tableProblems(BAD, ['Table'])).toEqual([
      'Table: no point-in-time recovery',
      'Table: SSE not enabled',
      'Table: no TTL',
    ]);
  });
});

describe('the packaged CloudFormation template (sls package, offline)', () => {
  let template: Template;
  let remove = async () => {};

  beforeAll(async () => {
    ({ template, remove } = await packageProject(PROJECT_DIR));
  }, 300_000);
  afterAll(() => remove());

  describe('state machines', () => {
    it('are the three of state-machines/', () => {
      const names = resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(
        ([, m]) => m.Properties?.StateMachineName,
      );
      expect(names.sort()).toEqual([
        'faultline-dev-gameday',
        'faultline-dev-reconcile',
        'faultline-dev-remediation',
      ]);
    });

    it('have valid ASL definitions whose Tasks all call functions of the template', () => {
      for (const [id, machine] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
        const result = aslValidator(stateMachineDefinition(machine) as never);
        expect(result.errors, id).toEqual([]);
        expect(taskTargetProblems(template, id)).toEqual([]);
      }
    });

    it('log to a log group with retention, trace, and run as their own role', () => {
      for (const [id, machine] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
        const p = machine.Properties!;
        expect(p.TracingConfiguration, id).toEqual({ Enabled: true });
        const logging = p.LoggingConfiguration as {
          Level: string;
          Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
        };
        expect(logging.Level, id).toBe('ALL');
        const group = referencedResource(logging.Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn)!;
        expect(template.Resources[group]?.Properties?.RetentionInDays, id).toBeGreaterThan(0);
        const role = template.Resources[referencedResource(p.RoleArn)!]!;
        const invoked = [...allowedActions(role)].filter(
          (a) => !a.startsWith('logs:') && !a.startsWith('xray:'),
        );
        expect(invoked, id).toEqual(['lambda:InvokeFunction']);
      }
    });
  });

  it('routes every EventBridge rule to a resource of the template, alarm, FIS and ended-execution rules through a DLQ with retries', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rules.filter(([, r]) => r.Properties?.EventPattern).length).toBe(3);
    expect(eventRuleProblems(template)).toEqual([]);
  });

  describe('IAM', () => {
    it('allows no wildcard action', () => {
      expect(wildcardActionProblems(template)).toEqual([]);
    });

    it('allows Resource "*" only under a Condition', () => {
      expect(unconditionedStarProblems(template)).toEqual([]);
    });

    it('gives every function a role of its own', () => {
      expect(resourcesOfType(template, 'AWS::Lambda::Function')).toHaveLength(
        readdirSync(join(PROJECT_DIR, 'functions')).length,
      );
      expect(functionRoleProblems(template)).toEqual([]);
    });

    it("allows each function exactly the AWS calls its handler's modules make", () => {
      // A DNS failover action may change only the records runbooks name: with none, it may change none.
      const namesRecords = runbookFiles
        .bundle()
        .some((r) => (r.data.action as { failover?: unknown }).failover);
      for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
        const handler = String(fn.Properties?.Handler).replace(/\.[^.]+$/, '.ts');
        const reached = iamActionsReachedFrom(join(PROJECT_DIR, handler));
        if (!namesRecords) reached.delete('route53:ChangeResourceRecordSets');
        const role = template.Resources[referencedResource(fn.Properties?.Role)!]!;
        const granted = [...allowedActions(role)].filter((a) => !IMPLIED.has(a));
        expect({ [id]: granted.sort() }).toEqual({ [id]: [...reached].sort() });
      }
    });

    type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };
    const statementsOf = (roleId: string): Statement[] =>
      (
        template.Resources[roleId]!.Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[]
      ).flatMap((p) => p.PolicyDocument.Statement);

    it('lets FIS act only on chaos-tagged resources, never on protected ones', () => {
      expect(protectedTagDenyProblems(template, 'FisExperimentRole', 'ChaosProtected')).toEqual([]);
      const statements = (
        template.Resources.FisExperimentRole!.Properties!.Policies as {
          PolicyDocument: { Statement: { Effect: string; Action: string | string[]; Condition?: unknown }[] };
        }[]
      ).flatMap((p) => p.PolicyDocument.Statement);
      const changes = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          [s.Action].flat().some((a) => /^(ec2:(Reboot|Start|Stop|Terminate)Instances|rds:Failover)/.test(a)),
      );
      expect(changes.length).toBeGreaterThan(0);
      for (const s of changes)
        expect(s.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ChaosReady': 'true' } });
    });

    it('lets FIS send commands only to chaos-tagged instances, and only its kill-process document', () => {
      const sendCommand = statementsOf('FisExperimentRole').filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().includes('ssm:SendCommand'),
      );
      expect(sendCommand.map((s) => [JSON.stringify(s.Resource), s.Condition ?? null])).toEqual([
        [expect.stringContaining('instance/*'), { StringEquals: { 'aws:ResourceTag/ChaosReady': 'true' } }],
        [expect.stringContaining('::document/AWSFIS-Run-Kill-Process'), null],
      ]);
    });

    it('lets automation reboot, start and stop only chaos-tagged instances', () => {
      const changes = statementsOf('AutomationRole').filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => /^ec2:(Reboot|Start|Stop)/.test(a)),
      );
      expect(changes.flatMap((s) => [s.Action].flat()).sort()).toEqual([
        'ec2:RebootInstances',
        'ec2:StartInstances',
        'ec2:StopInstances',
      ]);
      for (const s of changes)
        expect(s.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ChaosReady': 'true' } });
    });

    it('lets automation fail over only the global database and the DNS name the region runbook names', () => {
      const allowing = (action: string) =>
        statementsOf('AutomationRole').filter(
          (s) => s.Effect === 'Allow' && [s.Action].flat().includes(action),
        );
      const [failover] = allowing('rds:FailoverGlobalCluster');
      expect(JSON.stringify(failover!.Resource)).toContain('global-cluster:checkout-global');
      expect(allowing('route53:ChangeResourceRecordSets').map((s) => s.Condition)).toEqual([
        {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['checkout.example.com'],
          },
        },
      ]);
    });

    it('lets automation change the reserved concurrency of chaos-tagged functions only, and nothing else of Lambda', () => {
      const lambda = statementsOf('AutomationRole').filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => a.startsWith('lambda:')),
      );
      expect(lambda.map((s) => [[s.Action].flat(), JSON.stringify(s.Resource), s.Condition])).toEqual([
        [
          ['lambda:PutFunctionConcurrency'],
          expect.stringContaining(':function:*'),
          { StringEquals: { 'aws:ResourceTag/ChaosReady': 'true' } },
        ],
      ]);
    });

    it('has an automation role the remediation functions can pass to SSM', () => {
      const env = template.Resources.RemediationActLambdaFunction!.Properties!.Environment as {
        Variables: Record<string, unknown>;
      };
      expect(referencedResource(env.Variables.FAULTLINE_AUTOMATION_ROLE_ARN)).toBe('AutomationRole');
      expect(allowedActions(template.Resources.RemediationActRole!).has('iam:PassRole')).toBe(true);
    });
  });

  it('declares every SSM document a runbook runs that AWS does not own, with the parameters it is given', () => {
    const declared = new Map(
      resourcesOfType(template, 'AWS::SSM::Document').map(([, r]) => [
        String(r.Properties!.Name),
        r.Properties!.Content as { parameters: Record<string, unknown>; assumeRole?: string },
      ]),
    );
    const used = runbookFiles
      .bundle()
      .map((r) => (r.data.action as { automation?: { document: string; parameters?: object } }).automation)
      .filter((a) => a !== undefined);
    expect(used.length).toBeGreaterThan(0);
    for (const a of used) {
      if (a.document.startsWith('AWS-')) continue;
      const doc = declared.get(a.document);
      expect(doc, a.document).toBeDefined();
      expect(doc!.assumeRole).toBe('{{ AutomationAssumeRole }}');
      const accepted = Object.keys(doc!.parameters);
      for (const name of [...Object.keys(a.parameters ?? {}), 'AutomationAssumeRole'])
        expect(accepted).toContain(name);
    }
  });

  it('keeps reports in a private, encrypted, versioned, TLS-only bucket that expires them', () => {
    expect(bucketProblems(template, 'ReportBucket')).toEqual([]);
  });

  it("keeps the framework's deployment bucket private, encrypted and TLS-only", () => {
    expect(
      bucketProblems(template, 'ServerlessDeploymentBucket', { lifecycle: false, versioned: false }),
    ).toEqual([]);
  });

  it('keeps tables with point-in-time recovery and encryption, and expires remediation state', () => {
    expect(resourcesOfType(template, 'AWS::DynamoDB::Table').map(([id]) => id)).toEqual([
      'TimelineTable',
      'RemediationTable',
    ]);
    expect(tableProblems(template, ['RemediationTable'])).toEqual([]);
  });

  it('runs every function on nodejs24.x, arm64, with a log group that expires', () => {
    expect(functionRuntimeProblems(template, 'nodejs24.x', 'arm64')).toEqual([]);
  });

  it("pages through the notifications topic when faultline's own machinery fails", () => {
    expect(alarmsOnTopic(template, 'NotificationsTopic')).toEqual([
      'AWS/SQS ApproximateNumberOfMessagesVisible ?',
      'AWS/States ExecutionsFailed FaultlineDashdevDashgameday',
      'AWS/States ExecutionsFailed FaultlineDashdevDashreconcile',
      'AWS/States ExecutionsFailed FaultlineDashdevDashremediation',
      'AWS/States ExecutionsTimedOut FaultlineDashdevDashgameday',
      'AWS/States ExecutionsTimedOut FaultlineDashdevDashreconcile',
      'AWS/States ExecutionsTimedOut FaultlineDashdevDashremediation',
    ]);
  });
});
