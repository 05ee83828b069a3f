import { createHash } from 'node:crypto';
import { AwsError } from '../../protocol/types.ts';
import {
  changeInstanceStateStep,
  type DocumentStep,
  launchInstancesStep,
  rebootUnhealthyTargetsStep,
  waitForHealthyTargetsStep,
  waitForRunningStep,
} from './actions.ts';
import { putFunctionConcurrencyStep } from './function-concurrency.ts';
import { moveTrafficStep, promoteStandbyStep, waitForDnsStep, waitForWriterStep } from './region-failover.ts';

export type DocumentParameterType = 'String' | 'StringList' | 'Integer' | 'Boolean' | 'StringMap' | 'MapList';

export interface DocumentParameter {
  name: string;
  type: DocumentParameterType;
  description: string;
  /** Undefined makes the parameter required. */
  default?: string[];
  /** Each value must match (the runbook's allowedPattern). */
  allowedPattern?: RegExp;
  /** Inclusive bounds for Integer parameters. */
  range?: [number, number];
}

/** An Automation runbook the sandbox can run: its parameters, its steps, and the outputs it reports. */
export interface AutomationDocument {
  name: string;
  description: string;
  /** `Amazon` for AWS-owned runbooks; the account id for the project's own. */
  owner: string;
  version: string;
  createdDate: number;
  parameters: DocumentParameter[];
  steps: DocumentStep[];
  /** Runbook outputs, `stepName.OutputName`. */
  outputs: string[];
  /** `Command` documents are kept and described, never run by Automation. Automation when absent. */
  documentType?: 'Automation' | 'Command';
  /** A customer's document: its content as CreateDocument received it, which GetDocument returns. */
  source?: DocumentSource;
}

export interface DocumentSource {
  content: string;
  format: 'JSON' | 'YAML';
  schemaVersion: string;
}

const ASSUME_ROLE: DocumentParameter = {
  name: 'AutomationAssumeRole',
  type: 'String',
  description:
    '(Optional) The Amazon Resource Name (ARN) of the AWS Identity and Access Management (IAM) role that allows ' +
    'Systems Manager Automation to perform the actions on your behalf. If no role is specified, Systems Manager ' +
    'Automation uses the permissions of the user that starts this runbook.',
  default: [''],
  allowedPattern: /^(arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+)?$/,
};

function instanceIds(description: string): DocumentParameter {
  return { name: 'InstanceId', type: 'StringList', description };
}

const AWS_PUBLISHED = Date.UTC(2017, 10, 29);

/** The runbooks the sandbox knows, by name. */
export function automationDocuments(accountId: string): Map<string, AutomationDocument> {
  const docs: AutomationDocument[] = [
    {
      name: 'AWS-RestartEC2Instance',
      description: 'Restart EC2 instances(s)',
      owner: 'Amazon',
      version: '1',
      createdDate: AWS_PUBLISHED,
      parameters: [instanceIds('(Required) EC2 Instance(s) to restart'), ASSUME_ROLE],
      steps: [
        changeInstanceStateStep('stopInstances', 'stopped'),
        changeInstanceStateStep('startInstances', 'running'),
      ],
      outputs: [],
    },
    {
      name: 'AWS-StartEC2Instance',
      description: 'Start EC2 instances(s)',
      owner: 'Amazon',
      version: '1',
      createdDate: AWS_PUBLISHED,
      parameters: [instanceIds('(Required) EC2 Instance(s) to start'), ASSUME_ROLE],
      steps: [changeInstanceStateStep('startInstances', 'running')],
      outputs: [],
    },
    {
      name: 'AWS-StopEC2Instance',
      description: 'Stop EC2 instances(s)',
      owner: 'Amazon',
      version: '1',
      createdDate: AWS_PUBLISHED,
      parameters: [instanceIds('(Required) EC2 Instance(s) to stop'), ASSUME_ROLE],
      steps: [changeInstanceStateStep('stopInstances', 'stopped')],
      outputs: [],
    },
    {
      name: 'Faultline-ScaleOut',
      description:
        "Adds instances to the service's Auto Scaling group, in the reachable Availability Zones that have the " +
        'fewest serving instances, and waits until they are running.',
      owner: accountId,
      version: '1',
      createdDate: Date.UTC(2026, 0, 1),
      parameters: [
        {
          name: 'AutoScalingGroupName',
          type: 'String',
          description: '(Required) The Auto Scaling group to scale out.',
        },
        {
          name: 'Count',
          type: 'Integer',
          description: '(Optional) How many instances to add.',
          default: ['2'],
          range: [1, 50],
        },
        {
          name: 'AvailabilityZones',
          type: 'StringList',
          description: "(Optional) Availability Zones to launch into; all of the group's zones by default.",
          default: [],
        },
        ASSUME_ROLE,
      ],
      steps: [
        launchInstancesStep('launchInstances'),
        waitForRunningStep('waitForInstances', 'launchInstances'),
      ],
      outputs: ['launchInstances.InstanceIds'],
    },
    {
      name: 'Faultline-RestartUnhealthyTargets',
      description:
        "Reboots the target group's unhealthy targets whose instance is running (a host whose service died), " +
        'and waits until they are healthy again.',
      owner: accountId,
      version: '1',
      createdDate: Date.UTC(2026, 0, 1),
      parameters: [
        {
          name: 'TargetGroup',
          type: 'String',
          description:
            "(Required) The target group, as the alarm's TargetGroup dimension names it: targetgroup/<name>/<id>.",
          allowedPattern: /^targetgroup\/[\w-]{1,32}\/[0-9a-f]{16}$/,
        },
        ASSUME_ROLE,
      ],
      steps: [
        rebootUnhealthyTargetsStep('RebootUnhealthyTargets'),
        waitForHealthyTargetsStep('WaitHealthy', 'RebootUnhealthyTargets'),
      ],
      outputs: ['RebootUnhealthyTargets.InstanceIds'],
    },
    {
      name: 'Faultline-RegionFailover',
      description:
        "Fails the service over to its standby region: promotes the standby's Aurora Global Database " +
        'secondary (FailoverGlobalCluster with AllowDataLoss), waits until it is the writer, then points ' +
        "the DNS failover pair's PRIMARY record at the standby and waits until the change is INSYNC.",
      owner: accountId,
      version: '1',
      createdDate: Date.UTC(2026, 0, 1),
      parameters: [
        {
          name: 'GlobalClusterIdentifier',
          type: 'String',
          description: '(Required) The Aurora Global Database to fail over.',
          allowedPattern: /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
        },
        {
          name: 'TargetDbClusterIdentifier',
          type: 'String',
          description:
            "(Required) The ARN of the standby region's secondary cluster, which becomes the writer.",
          allowedPattern: /^arn:aws(-cn|-us-gov)?:rds:[a-z0-9-]+:\d{12}:cluster:[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
        },
        {
          name: 'HostedZoneName',
          type: 'String',
          description: '(Required) The public hosted zone that holds the record, e.g. example.com.',
          allowedPattern: /^[a-zA-Z0-9.-]{1,255}$/,
        },
        {
          name: 'RecordName',
          type: 'String',
          description: "(Required) The service's name, a failover pair of record sets.",
          allowedPattern: /^[a-zA-Z0-9.*_-]{1,255}$/,
        },
        {
          name: 'RecordType',
          type: 'String',
          description: "(Optional) The pair's record type.",
          default: ['A'],
          allowedPattern: /^(A|AAAA|CNAME)$/,
        },
        {
          name: 'PrimarySetIdentifier',
          type: 'String',
          description: '(Optional) The set identifier of the PRIMARY record set.',
          default: ['primary'],
          allowedPattern: /^.{1,128}$/,
        },
        {
          name: 'SecondarySetIdentifier',
          type: 'String',
          description: '(Optional) The set identifier of the SECONDARY record set (the standby).',
          default: ['secondary'],
          allowedPattern: /^.{1,128}$/,
        },
        ASSUME_ROLE,
      ],
      steps: [
        promoteStandbyStep('PromoteStandbyDatabase'),
        waitForWriterStep('WaitForStandbyWriter'),
        moveTrafficStep('MoveTraffic'),
        waitForDnsStep('WaitForDnsInSync', 'MoveTraffic'),
      ],
      outputs: ['MoveTraffic.ChangeId'],
    },
    {
      name: 'Faultline-RaiseFunctionConcurrency',
      description:
        "Sets a Lambda function's reserved concurrency (PutFunctionConcurrency), so that the invocations " +
        'it was throttling run again.',
      owner: accountId,
      version: '1',
      createdDate: Date.UTC(2026, 0, 1),
      parameters: [
        {
          name: 'FunctionName',
          type: 'String',
          description: '(Required) The function whose invocations are throttled.',
          allowedPattern: /^[a-zA-Z0-9-_]{1,64}$/,
        },
        {
          name: 'ReservedConcurrentExecutions',
          type: 'Integer',
          description:
            "(Required) The reserved concurrency to set (it must cover the function's load times its duration).",
          range: [1, 1000],
        },
        ASSUME_ROLE,
      ],
      steps: [putFunctionConcurrencyStep('PutFunctionConcurrency')],
      outputs: ['PutFunctionConcurrency.ReservedConcurrentExecutions'],
    },
  ];
  return new Map(docs.map((d) => [d.name, d]));
}

/**
 * The runbook's content as GetDocument returns it: an Automation document (schema 0.3) in JSON
 * with its parameters, its steps by name and action, and its outputs. The sandbox runs its steps in
 * code, so each step's inputs are not part of it.
 */
export function documentContent(doc: AutomationDocument): string {
  if (doc.source) return doc.source.content;
  const parameters = Object.fromEntries(
    doc.parameters.map((p) => [
      p.name,
      {
        type: p.type,
        description: p.description,
        ...(p.default !== undefined
          ? { default: p.type === 'StringList' ? p.default : (p.default[0] ?? '') }
          : {}),
        ...(p.allowedPattern ? { allowedPattern: p.allowedPattern.source } : {}),
      },
    ]),
  );
  const content = {
    schemaVersion: '0.3',
    description: doc.description,
    ...(doc.parameters.some((p) => p.name === 'AutomationAssumeRole')
      ? { assumeRole: '{{ AutomationAssumeRole }}' }
      : {}),
    parameters,
    mainSteps: doc.steps.map((s) => ({ name: s.name, action: s.action })),
    outputs: doc.outputs,
  };
  return JSON.stringify(content, null, 2);
}

/** The content hash DescribeDocument and GetDocument report: Sha256 of the content GetDocument returns. */
export function documentHash(doc: AutomationDocument): string {
  return createHash('sha256').update(documentContent(doc)).digest('hex');
}

function invalidParameters(message: string): AwsError {
  return new AwsError('InvalidAutomationExecutionParametersException', message);
}

/**
 * Checks StartAutomationExecution's `Parameters` against the runbook and fills in defaults, as
 * Automation does before it accepts an execution: unknown names, missing required parameters,
 * wrong arity, non-integers and values outside the allowed pattern are all refused.
 */
export function resolveParameters(
  doc: AutomationDocument,
  given: Record<string, string[]>,
): Record<string, string[]> {
  const known = new Set(doc.parameters.map((p) => p.name));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw invalidParameters(
      `Parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} not defined in document ${doc.name}.`,
    );
  }
  const resolved: Record<string, string[]> = {};
  for (const p of doc.parameters) {
    const values = given[p.name];
    if (values === undefined || values.length === 0) {
      if (p.default === undefined) {
        throw invalidParameters(`Parameter "${p.name}" is required but is missing or empty.`);
      }
      resolved[p.name] = [...p.default];
      continue;
    }
    if (p.type !== 'StringList' && values.length !== 1) {
      throw invalidParameters(`Parameter "${p.name}" is of type ${p.type} and takes exactly one value.`);
    }
    if (p.type === 'Boolean' && !/^(true|false)$/i.test(values[0]!)) {
      throw invalidParameters(`Parameter "${p.name}" must be true or false, got "${values[0]}".`);
    }
    if (p.type === 'Integer') {
      const n = Number(values[0]);
      if (!/^-?\d+$/.test(values[0]!) || (p.range && (n < p.range[0] || n > p.range[1]))) {
        const bounds = p.range ? ` between ${p.range[0]} and ${p.range[1]}` : '';
        throw invalidParameters(`Parameter "${p.name}" must be an integer${bounds}, got "${values[0]}".`);
      }
    }
    if (p.allowedPattern) {
      const bad = values.find((v) => !p.allowedPattern!.test(v));
      if (bad !== undefined) {
        throw invalidParameters(
          `Parameter "${p.name}" value "${bad}" does not match the allowed pattern ${p.allowedPattern.source}.`,
        );
      }
    }
    resolved[p.name] = [...values];
  }
  return resolved;
}
