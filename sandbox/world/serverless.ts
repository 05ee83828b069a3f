import { WorldError } from './errors.ts';
import { ReplicaLagModel } from './replica-lag.ts';
import type { ServerlessDefinition } from './serverless-schema.ts';
import {
  computeServerless,
  type InvocationFaults,
  NO_FAULTS,
  type ServerlessRates,
} from './serverless-traffic.ts';

/** The account's concurrency pool a function without reserved concurrency draws from. */
export const ACCOUNT_CONCURRENCY = 1000;

export interface LambdaFunction {
  name: string;
  arn: string;
  runtime: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Undefined: the function shares the account's unreserved concurrency. */
  reservedConcurrency: number | undefined;
  /** The subnets of its VPC config: Lambda places its ENIs there and spreads invocations over them. */
  subnetIds: string[];
  tags: Record<string, string>;
}

export interface GlobalTable {
  name: string;
  arn: string;
  /** The other regions holding a replica. */
  replicaRegions: string[];
  tags: Record<string, string>;
  /** Since when replication to the replicas is paused (FIS), while it is. */
  pausedSince: number | undefined;
  /** How many pauses hold it (two experiments may pause it at once; it resumes when both end). */
  pauses: number;
}

/** One Lambda fault in force: FIS's extension acting on a share of the function's invocations. */
export type InvocationFault =
  | { kind: 'delay'; ratio: number; delayMs: number }
  | { kind: 'error'; ratio: number; preventExecution: boolean }
  | { kind: 'http'; ratio: number; statusCode: number; preventExecution: boolean };

/** What the serverless service did over one slice. */
export interface ServerlessSlice {
  rates: ServerlessRates;
  /** ReplicationLatency (ms) per receiving region. */
  replicationLatencyMs: Record<string, number>;
  /** SuccessfulRequestLatency (ms) of the table's reads and writes. */
  tableLatencyMs: number;
  /** ApproximateAgeOfOldestMessage (s) of the queue. */
  queueAgeSeconds: number;
}

/** The world's network, as the function's ENIs see it. */
export interface ServerlessNetwork {
  region: string;
  arn(service: string, resource: string, region?: string): string;
  subnetIdsIn(azs: readonly string[]): string[];
  /** Whether code in the subnet reaches DynamoDB now. */
  reachesDynamoDb(subnetId: string): boolean;
  now(): number;
}

/** The noise the world drew for this slice (the same draws whatever the service type). */
export interface SliceNoise {
  latencyFactor: number;
  baselineErrorRatio: number;
  lagFactor: number;
}

/**
 * The serverless service's resources and their state: the function (its concurrency and VPC
 * config, which runbooks change, and the Lambda faults FIS injects), the global table (its
 * replication, which FIS pauses) and the queue's backlog.
 */
export class ServerlessService {
  readonly def: ServerlessDefinition;
  readonly fn: LambdaFunction;
  readonly table: GlobalTable;
  private readonly net: ServerlessNetwork;
  private readonly faults = new Set<{ functionName: string; fault: InvocationFault }>();
  private readonly replication = new Map<string, ReplicaLagModel>();
  private backlog = 0;

  constructor(
    def: ServerlessDefinition,
    azs: readonly string[],
    serviceTags: Record<string, string>,
    net: ServerlessNetwork,
  ) {
    this.def = def;
    this.net = net;
    const f = def.function;
    this.fn = {
      name: f.name,
      arn: net.arn('lambda', `function:${f.name}`),
      runtime: f.runtime,
      memoryMb: f.memoryMb,
      timeoutSeconds: f.timeoutSeconds,
      reservedConcurrency: f.reservedConcurrency,
      subnetIds: net.subnetIdsIn(f.availabilityZones ?? azs),
      tags: { ...serviceTags, ...f.tags },
    };
    this.table = {
      name: def.table.name,
      arn: net.arn('dynamodb', `table/${def.table.name}`),
      replicaRegions: [...def.table.replicaRegions],
      tags: { ...serviceTags, ...def.table.tags },
      pausedSince: undefined,
      pauses: 0,
    };
    for (const region of def.table.replicaRegions) {
      // No ceiling: a paused replica falls behind by as long as the pause lasts.
      this.replication.set(
        region,
        new ReplicaLagModel(def.table.baseReplicationLatencyMs, Number.MAX_SAFE_INTEGER),
      );
    }
  }

  functions(): LambdaFunction[] {
    return [this.fn];
  }

  globalTables(): GlobalTable[] {
    return [this.table];
  }

  /** The function, refused as Lambda refuses an unknown one. */
  requireFunction(name: string): LambdaFunction {
    const fn = this.functions().find((f) => f.name === name || f.arn === name);
    if (!fn) {
      throw new WorldError(
        'ResourceNotFoundException',
        `Function not found: ${this.net.arn('lambda', `function:${name}`)}`,
      );
    }
    return fn;
  }

  /** Lambda PutFunctionConcurrency. */
  putFunctionConcurrency(name: string, reserved: number): LambdaFunction {
    const fn = this.requireFunction(name);
    if (!Number.isInteger(reserved) || reserved < 0 || reserved > ACCOUNT_CONCURRENCY) {
      throw new WorldError(
        'InvalidParameterValueException',
        `ReservedConcurrentExecutions must be between 0 and ${ACCOUNT_CONCURRENCY}.`,
      );
    }
    fn.reservedConcurrency = reserved;
    return fn;
  }

  /** Lambda UpdateFunctionConfiguration's VpcConfig.SubnetIds. */
  setFunctionSubnets(name: string, subnetIds: string[]): LambdaFunction {
    const fn = this.requireFunction(name);
    if (subnetIds.length === 0) {
      throw new WorldError(
        'InvalidParameterValueException',
        'A VPC-connected function needs at least one subnet.',
      );
    }
    fn.subnetIds = [...subnetIds];
    return fn;
  }

  /** Starts a Lambda fault on the functions; the returned function ends it (once). */
  injectFault(functionNames: string[], fault: InvocationFault): () => void {
    const entries = functionNames.map((n) => ({ functionName: this.requireFunction(n).name, fault }));
    for (const e of entries) this.faults.add(e);
    return () => {
      for (const e of entries) this.faults.delete(e);
    };
  }

  /** FIS aws:dynamodb:global-table-pause-replication; the returned function resumes it (once). */
  pauseReplication(tableArn: string): () => void {
    const table = this.globalTables().find((t) => t.arn === tableArn || t.name === tableArn);
    if (!table) {
      throw new WorldError(
        'ResourceNotFoundException',
        `Requested resource not found: Table: ${tableArn} not found`,
      );
    }
    if (table.pauses++ === 0) table.pausedSince = this.net.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--table.pauses === 0) table.pausedSince = undefined;
    };
  }

  /** The faults in force on a function, combined (two of a kind: the larger share). */
  private faultsOn(name: string): InvocationFaults {
    const f: InvocationFaults = {
      delay: { ...NO_FAULTS.delay },
      error: { ...NO_FAULTS.error },
      http: { ...NO_FAULTS.http },
    };
    for (const { functionName, fault } of this.faults) {
      if (functionName !== name || fault.ratio < f[fault.kind].ratio) continue;
      if (fault.kind === 'delay') f.delay = { ratio: fault.ratio, delayMs: fault.delayMs };
      else if (fault.kind === 'error')
        f.error = { ratio: fault.ratio, preventExecution: fault.preventExecution };
      else
        f.http = {
          ratio: fault.ratio,
          statusCode: fault.statusCode,
          preventExecution: fault.preventExecution,
        };
    }
    return f;
  }

  /** The service over a slice of `seconds`, offered `offeredRps`. */
  sample(offeredRps: number, seconds: number, noise: SliceNoise): ServerlessSlice {
    const fn = this.fn;
    const cutOff = fn.subnetIds.filter((s) => !this.net.reachesDynamoDb(s)).length;
    const rates = computeServerless({
      offeredRps,
      concurrencyLimit: fn.reservedConcurrency ?? ACCOUNT_CONCURRENCY,
      timeoutMs: fn.timeoutSeconds * 1000,
      durationP99Ms: this.def.function.durationP99Ms,
      isolatedRatio: fn.subnetIds.length > 0 ? cutOff / fn.subnetIds.length : 0,
      baselineErrorRatio: noise.baselineErrorRatio,
      latencyFactor: noise.latencyFactor,
      apiOverheadMs: this.def.api.overheadMs,
      faults: this.faultsOn(fn.name),
    });
    const now = this.net.now();
    const replicationLatencyMs: Record<string, number> = {};
    for (const [region, model] of this.replication) {
      const lag = model.sample(now, { failingOver: false, writerUnreachableSince: this.table.pausedSince });
      replicationLatencyMs[region] = lag * noise.lagFactor;
    }
    // The queue: each completed order sends a message; consumers take up to consumerRps off it.
    const q = this.def.queue;
    const sent = rates.completed * (q.sendPercent / 100);
    this.backlog = Math.max(0, this.backlog + (sent - q.consumerRps) * seconds);
    return {
      rates,
      replicationLatencyMs,
      tableLatencyMs: this.def.table.requestLatencyMs * noise.latencyFactor,
      queueAgeSeconds: q.baseAgeSeconds * noise.latencyFactor + this.backlog / q.consumerRps,
    };
  }
}
