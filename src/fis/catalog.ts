import { parseIsoDuration } from '../time/duration.ts';
import type { Unavailable } from './problem.ts';
import {
  checkDocumentParameters,
  documentNameOf,
  FIS_SSM_DOCUMENTS,
  parseDocumentParameters,
} from './ssm-documents.ts';

/**
 * The FIS actions and resource types faultline supports: what the sandbox's FIS can run, and so
 * what an experiment file may use. Template validation (here, before anything starts, also on
 * AWS), the sandbox's ListActions/GetAction/ListTargetResourceTypes and its action runners all
 * read this one table, so an action the sandbox cannot perform can never be accepted into a
 * template, and an experiment that validates here runs the same way in the sandbox and on AWS.
 */

export interface ParameterSpec {
  description: string;
  required: boolean;
  /**
   * Why `value` is not acceptable (a phrase to follow the parameter's name), or what it names that
   * is not there; undefined when it is acceptable.
   */
  check(value: string): string | Unavailable | undefined;
}

export interface ActionSpec {
  id: string;
  description: string;
  parameters: Record<string, ParameterSpec>;
  /** Target key → resource type. The actions here each take exactly these keys (or none). */
  targets: Record<string, string>;
  /** Checks that span several parameters; returns why the combination is wrong. */
  checkParameters?(parameters: Record<string, string>): string | undefined;
}

export interface ResourceTypeSpec {
  resourceType: string;
  description: string;
  /** Target parameters that narrow the resolution (FIS accepts them in place of ARNs or tags). */
  parameters: Record<string, { description: string; required: boolean }>;
  /** Filter paths, into the resource as its own Describe API returns it. */
  filterPaths: readonly string[];
  /** Shape of the resource's ARN (region and account are checked at resolution). */
  arnPattern: RegExp;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function durationParam(description: string, required: boolean, minMs: number, maxMs: number): ParameterSpec {
  return {
    description,
    required,
    check(value) {
      const ms = parseIsoDuration(value);
      if (ms === undefined) return `must be an ISO 8601 duration such as PT5M (got '${value}')`;
      if (ms < minMs || ms > maxMs) {
        return `must be between ${formatMs(minMs)} and ${formatMs(maxMs)} (got '${value}')`;
      }
      return undefined;
    },
  };
}

function booleanParam(description: string): ParameterSpec {
  return {
    description,
    required: false,
    check: (value) =>
      value === 'true' || value === 'false' ? undefined : `must be true or false (got '${value}')`,
  };
}

function enumParam(description: string, values: readonly string[]): ParameterSpec {
  return {
    description,
    required: false,
    check: (value) =>
      values.includes(value) ? undefined : `must be one of ${values.join(', ')} (got '${value}')`,
  };
}

function formatMs(ms: number): string {
  if (ms % HOUR === 0) return `PT${ms / HOUR}H`;
  if (ms % MINUTE === 0) return `PT${ms / MINUTE}M`;
  return `PT${ms / 1000}S`;
}

export const DISRUPTION_SCOPES = ['all', 'availability-zone', 'dynamodb', 'prefix-list', 's3'] as const;
export type DisruptionScope = (typeof DISRUPTION_SCOPES)[number];

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  'aws:ec2:stop-instances': {
    id: 'aws:ec2:stop-instances',
    description: 'Stop the specified EC2 instances.',
    parameters: {
      startInstancesAfterDuration: durationParam(
        'The time to wait before restarting the instances (ISO 8601 duration, PT1M to PT12H).',
        false,
        MINUTE,
        12 * HOUR,
      ),
      completeIfInstancesTerminated: booleanParam(
        'Complete the action instead of failing when the instances are terminated while it runs.',
      ),
    },
    targets: { Instances: 'aws:ec2:instance' },
  },
  'aws:ec2:terminate-instances': {
    id: 'aws:ec2:terminate-instances',
    description: 'Terminate the specified EC2 instances.',
    parameters: {},
    targets: { Instances: 'aws:ec2:instance' },
  },
  'aws:ec2:reboot-instances': {
    id: 'aws:ec2:reboot-instances',
    description: 'Reboot the specified EC2 instances.',
    parameters: {},
    targets: { Instances: 'aws:ec2:instance' },
  },
  'aws:network:disrupt-connectivity': {
    id: 'aws:network:disrupt-connectivity',
    description: 'Deny network traffic to and from the specified subnets.',
    parameters: {
      duration: durationParam(
        'The duration of the disruption (ISO 8601, PT1M to PT12H).',
        true,
        MINUTE,
        12 * HOUR,
      ),
      scope: enumParam(
        'The traffic to deny: all (default), availability-zone, dynamodb, prefix-list or s3.',
        [...DISRUPTION_SCOPES],
      ),
      prefixListIdentifier: {
        description: 'The managed prefix list to deny, when scope is prefix-list.',
        required: false,
        check: (value) =>
          /^pl-[0-9a-f]+$/.test(value) ? undefined : `must be a prefix list id (got '${value}')`,
      },
    },
    targets: { Subnets: 'aws:ec2:subnet' },
    checkParameters(p) {
      if (p.scope === 'prefix-list' && p.prefixListIdentifier === undefined) {
        return "parameter 'prefixListIdentifier' is required when scope is prefix-list";
      }
      if (p.scope !== 'prefix-list' && p.prefixListIdentifier !== undefined) {
        return "parameter 'prefixListIdentifier' is only allowed when scope is prefix-list";
      }
      return undefined;
    },
  },
  'aws:rds:failover-db-cluster': {
    id: 'aws:rds:failover-db-cluster',
    description: 'Fail over the specified Aurora DB clusters.',
    parameters: {},
    targets: { Clusters: 'aws:rds:cluster' },
  },
  'aws:ssm:send-command': {
    id: 'aws:ssm:send-command',
    description: 'Run the specified SSM document on the target EC2 instances.',
    parameters: {
      documentArn: {
        description: `The ARN of the SSM document; one of ${Object.keys(FIS_SSM_DOCUMENTS).join(', ')}.`,
        required: true,
        check(value) {
          const name = documentNameOf(value);
          if (name === undefined) return `must be the ARN of an SSM document (got '${value}')`;
          if (!FIS_SSM_DOCUMENTS[name]) {
            return { kind: 'SSM document', name, available: Object.keys(FIS_SSM_DOCUMENTS) };
          }
          return undefined;
        },
      },
      documentVersion: {
        description: 'The version of the document (the default version when left out).',
        required: false,
        check: (value) =>
          /^(\$DEFAULT|\$LATEST|[1-9]\d*)$/.test(value)
            ? undefined
            : `must be $DEFAULT, $LATEST or a version number (got '${value}')`,
      },
      documentParameters: {
        description: "The document's parameters, as a JSON object of strings or arrays of strings.",
        required: false,
        check(value) {
          const parsed = parseDocumentParameters(value);
          return typeof parsed === 'string' ? parsed : undefined;
        },
      },
      duration: durationParam(
        'How long the command may run (ISO 8601, PT1M to PT12H).',
        true,
        MINUTE,
        12 * HOUR,
      ),
    },
    targets: { Instances: 'aws:ec2:instance' },
    checkParameters(p) {
      const doc = FIS_SSM_DOCUMENTS[documentNameOf(p.documentArn ?? '') ?? ''];
      if (!doc) return undefined;
      const given = parseDocumentParameters(p.documentParameters ?? '{}');
      const problem = typeof given === 'string' ? undefined : checkDocumentParameters(doc, given);
      return problem && `parameter 'documentParameters': ${problem}`;
    },
  },
  'aws:fis:wait': {
    id: 'aws:fis:wait',
    description: 'Wait for the specified duration.',
    parameters: {
      duration: durationParam('The time to wait (ISO 8601, PT1M to PT12H).', true, MINUTE, 12 * HOUR),
    },
    targets: {},
  },
};

export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  'aws:ec2:instance': {
    resourceType: 'aws:ec2:instance',
    description: 'An Amazon EC2 instance.',
    parameters: {},
    filterPaths: [
      'InstanceId',
      'InstanceType',
      'ImageId',
      'SubnetId',
      'VpcId',
      'PrivateIpAddress',
      'Placement.AvailabilityZone',
      'State.Name',
      'State.Code',
    ],
    arnPattern: /^arn:aws[\w-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]+$/,
  },
  'aws:ec2:subnet': {
    resourceType: 'aws:ec2:subnet',
    description: 'An Amazon VPC subnet.',
    parameters: {
      availabilityZoneIdentifier: {
        description: 'The Availability Zone of the subnets (for example us-east-1a).',
        required: false,
      },
      vpc: { description: 'The VPC of the subnets.', required: false },
    },
    filterPaths: ['SubnetId', 'VpcId', 'AvailabilityZone', 'CidrBlock'],
    arnPattern: /^arn:aws[\w-]*:ec2:[a-z0-9-]+:\d{12}:subnet\/subnet-[0-9a-f]+$/,
  },
  'aws:rds:cluster': {
    resourceType: 'aws:rds:cluster',
    description: 'An Amazon Aurora DB cluster.',
    parameters: {
      writerAvailabilityZoneIdentifiers: {
        description: 'Comma-separated Availability Zones: only clusters whose writer is in one of them.',
        required: false,
      },
    },
    filterPaths: ['DBClusterIdentifier', 'Engine', 'Status'],
    arnPattern: /^arn:aws[\w-]*:rds:[a-z0-9-]+:\d{12}:cluster:[a-zA-Z][a-zA-Z0-9-]*$/,
  },
};
