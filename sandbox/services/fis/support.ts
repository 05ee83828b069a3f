import type { FieldPath } from '../../../src/fis/problem.ts';
import type { FisRuntime, RuntimeAction, RuntimeResourceType } from '../../../src/fis/runtime.ts';
import {
  type DocumentParameters,
  documentNameOf,
  parseDocumentParameters,
} from '../../../src/fis/ssm-documents.ts';
import type { Disruption } from '../../world/world.ts';

/**
 * What the sandbox's FIS models of FIS's catalog (src/fis/catalog.json): the actions it has a
 * runner for, the resource types its world resolves, and what it needs of their parameters
 * beyond FIS's own rules. Its FIS refuses anything else in a template with a ValidationException
 * that says it runs on AWS, and faultline says so before a sandbox game day starts. A new kind
 * of resource adds its runners to ACTION_RUNNERS and its entries here.
 */

export interface FisSsmDocument {
  name: string;
  parameters: Record<string, { required: boolean; allowed?: readonly string[] }>;
}

export const KILL_PROCESS_DOCUMENT = 'AWSFIS-Run-Kill-Process';
export const KILL_SIGNALS = ['SIGTERM', 'SIGKILL'] as const;

/** The FIS-owned SSM documents the sandbox plays out for aws:ssm:send-command. */
export const SANDBOX_SSM_DOCUMENTS: Readonly<Record<string, FisSsmDocument>> = {
  [KILL_PROCESS_DOCUMENT]: {
    name: KILL_PROCESS_DOCUMENT,
    parameters: {
      ProcessName: { required: true },
      Signal: { required: false, allowed: KILL_SIGNALS },
      InstallDependencies: { required: false, allowed: ['True', 'False'] },
    },
  },
};

/** The disrupt-connectivity scopes the world models (s3express and vpc it does not). */
const WORLD_SCOPES: readonly Disruption['scope'][] = [
  'all',
  'availability-zone',
  'dynamodb',
  'prefix-list',
  's3',
];

type Problems = { path: FieldPath; detail: string }[];

const sendCommand: RuntimeAction = {
  checkParameters(p) {
    const name = documentNameOf(p.documentArn ?? '');
    if (name === undefined) return [];
    const doc = SANDBOX_SSM_DOCUMENTS[name];
    if (!doc) {
      return [
        {
          path: ['parameters', 'documentArn'],
          detail: `names ${name}, which the sandbox cannot run (it runs on AWS); the sandbox runs: ${Object.keys(SANDBOX_SSM_DOCUMENTS).join(', ')}`,
        },
      ];
    }
    const given = parseDocumentParameters(p.documentParameters ?? '{}');
    const problem = typeof given === 'string' ? undefined : checkDocumentParameters(doc, given);
    return problem ? [{ path: [], detail: `parameter 'documentParameters': ${problem}` }] : [];
  },
};

const disruptConnectivity: RuntimeAction = {
  checkParameters(p) {
    const problems: Problems = [];
    const scope = p.scope ?? 'all';
    if (!(WORLD_SCOPES as readonly string[]).includes(scope)) {
      problems.push({
        path: ['parameters', 'scope'],
        detail: `${scope} is a scope the sandbox does not model (it runs on AWS); the sandbox models: ${WORLD_SCOPES.join(', ')}`,
      });
    }
    if (p.prefixListIdentifier !== undefined && !/^pl-[0-9a-f]+$/.test(p.prefixListIdentifier)) {
      problems.push({
        path: ['parameters', 'prefixListIdentifier'],
        detail: `must be a prefix list id in the sandbox (got '${p.prefixListIdentifier}')`,
      });
    }
    return problems;
  },
};

const PLAIN: RuntimeAction = {};

/** Action id → what the sandbox needs of it; every action here has a runner in ACTION_RUNNERS (actions.ts). */
const ACTIONS: Readonly<Record<string, RuntimeAction>> = {
  'aws:ec2:stop-instances': PLAIN,
  'aws:ec2:terminate-instances': PLAIN,
  'aws:ec2:reboot-instances': PLAIN,
  'aws:network:disrupt-connectivity': disruptConnectivity,
  'aws:rds:failover-db-cluster': PLAIN,
  'aws:ssm:send-command': sendCommand,
  'aws:fis:wait': PLAIN,
};

/** Resource type → the filter paths the world resolves (targets.ts reads the same fields). */
const RESOURCE_TYPES: Readonly<Record<string, RuntimeResourceType>> = {
  'aws:ec2:instance': {
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
  },
  'aws:ec2:subnet': { filterPaths: ['SubnetId', 'VpcId', 'AvailabilityZone', 'CidrBlock'] },
  'aws:rds:cluster': { filterPaths: ['DBClusterIdentifier', 'Engine', 'Status'] },
};

export const SANDBOX_RUNTIME: FisRuntime = {
  name: 'the sandbox',
  action: (id) => (Object.hasOwn(ACTIONS, id) ? ACTIONS[id] : undefined),
  resourceType: (type) => (Object.hasOwn(RESOURCE_TYPES, type) ? RESOURCE_TYPES[type] : undefined),
};

/** The action ids the sandbox runs, in the order it lists them. */
export const SANDBOX_ACTION_IDS: readonly string[] = Object.keys(ACTIONS);
/** The resource types the sandbox resolves, in the order it lists them. */
export const SANDBOX_RESOURCE_TYPES: readonly string[] = Object.keys(RESOURCE_TYPES);

/** Why `given` does not suit the document (unknown, missing or disallowed parameters), or undefined. */
export function checkDocumentParameters(doc: FisSsmDocument, given: DocumentParameters): string | undefined {
  const known = Object.keys(doc.parameters);
  for (const [key, value] of Object.entries(given)) {
    const p = doc.parameters[key];
    if (!p) return `${key} is not a parameter of ${doc.name}; valid parameters: ${known.join(', ')}`;
    const values = typeof value === 'string' ? [value] : value;
    const bad = p.allowed ? values.find((v) => !p.allowed!.includes(v)) : undefined;
    if (bad !== undefined) {
      return `${key} of ${doc.name} must be one of ${p.allowed!.join(', ')} (got '${bad}')`;
    }
    if (values.every((v) => v === '') && p.required) return `${key} of ${doc.name} must not be empty`;
  }
  for (const [key, p] of Object.entries(doc.parameters)) {
    if (p.required && given[key] === undefined) return `${key} is required by ${doc.name}`;
  }
  return undefined;
}
