import type { ClientName, Clients } from '../aws/clients.ts';
import { dynamoDbClient } from '../aws/dynamodb.ts';
import type { SlotStore } from '../remediation/slots.ts';
import { ConfigurationError } from '../runtime/configuration-error.ts';
import { TimelineStore } from '../timeline/store.ts';

/** The deployment's names, from provider.environment in serverless.yml. */
export interface GameDayEnv {
  /** SSM parameter: `on` stops every game day. */
  readonly killSwitchParameter: string;
  readonly reportBucket: string;
  readonly topicArn: string;
  /** The role FIS assumes to run experiments; its ARN also names the account. */
  readonly fisRoleArn: string;
}

/** The services the game-day steps call between them. */
export type GameDayClient = 'fis' | 'ssm' | 'cloudwatch' | 'route53' | 'ec2' | 's3' | 'sns';

/**
 * Everything a game-day step touches, passed in so that tests can point it at a sandbox and a clock.
 * `K` names the SDK clients the step calls: a handler passes exactly those, so its bundle carries
 * no other client (the typechecker holds each handler to what its step declares).
 */
export interface GameDayDeps<K extends ClientName = GameDayClient> {
  aws: Pick<Clients, K>;
  store: TimelineStore;
  now: () => Date;
  env: GameDayEnv;
  /** The safety table, where a game day holds its lease on the service (lease.ts); made when first read. */
  readonly safety: SlotStore;
}

export { ConfigurationError } from '../runtime/configuration-error.ts';

const ENV_NAMES: Record<keyof GameDayEnv, string> = {
  killSwitchParameter: 'FAULTLINE_KILL_SWITCH_PARAMETER',
  reportBucket: 'FAULTLINE_REPORT_BUCKET',
  topicArn: 'FAULTLINE_TOPIC_ARN',
  fisRoleArn: 'FAULTLINE_FIS_ROLE_ARN',
};

/**
 * The settings, read when a step first needs one: a step that does not notify does not fail for
 * want of a topic.
 */
export function envFrom(source: Record<string, string | undefined>): GameDayEnv {
  const read = (key: keyof GameDayEnv) => {
    const name = ENV_NAMES[key];
    const value = source[name];
    if (!value)
      throw new ConfigurationError(`${name} is not set (see provider.environment in serverless.yml)`);
    return value;
  };
  return {
    get killSwitchParameter() {
      return read('killSwitchParameter');
    },
    get reportBucket() {
      return read('reportBucket');
    },
    get topicArn() {
      return read('topicArn');
    },
    get fisRoleArn() {
      return read('fisRoleArn');
    },
  };
}

/**
 * What a deployed handler runs with: the SDK clients its step calls (from the modules in src/aws/,
 * one per service), the timeline table, the clock.
 */
export function liveDeps<K extends ClientName>(
  aws: Pick<Clients, K>,
  source: Record<string, string | undefined> = process.env,
  now: () => Date = () => new Date(),
): GameDayDeps<K> {
  const table = source.FAULTLINE_TIMELINE_TABLE;
  if (!table) {
    throw new ConfigurationError(
      'FAULTLINE_TIMELINE_TABLE is not set (see provider.environment in serverless.yml)',
    );
  }
  let safety: SlotStore | undefined;
  return {
    aws,
    store: new TimelineStore(dynamoDbClient(), table, now),
    now,
    env: envFrom(source),
    get safety() {
      const safetyTable = source.FAULTLINE_REMEDIATION_TABLE;
      if (!safetyTable) {
        throw new ConfigurationError(
          'FAULTLINE_REMEDIATION_TABLE is not set (see provider.environment in serverless.yml)',
        );
      }
      safety ??= { db: dynamoDbClient(), table: safetyTable, now };
      return safety;
    },
  };
}
