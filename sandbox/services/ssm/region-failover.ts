import { AwsError } from '../../protocol/types.ts';
import { WorldError } from '../../world/world.ts';
import { apiFailure, type DocumentStep, one, POLL_MS, type StepContext } from './actions.ts';

/**
 * Faultline-RegionFailover's first step: RDS FailoverGlobalCluster with AllowDataLoss, which
 * promotes the standby region's secondary (an unplanned failover: the primary is not asked).
 */
export function promoteStandbyStep(name: string): DocumentStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    timeoutSeconds: 60,
    inputs: (ctx) => ({
      Service: 'rds',
      Api: 'FailoverGlobalCluster',
      GlobalClusterIdentifier: one(ctx, 'GlobalClusterIdentifier'),
      TargetDbClusterIdentifier: one(ctx, 'TargetDbClusterIdentifier'),
      AllowDataLoss: true,
    }),
    start(ctl, ctx) {
      try {
        ctl.world.failoverGlobalCluster(
          one(ctx, 'GlobalClusterIdentifier'),
          one(ctx, 'TargetDbClusterIdentifier'),
        );
      } catch (e) {
        if (!(e instanceof WorldError)) throw e;
        ctl.fail(apiFailure('AmazonRDS', e.code, e.message));
        return;
      }
      ctl.succeed();
    },
  };
}

/** Then waits until the promoted cluster is the global database's writer. */
export function waitForWriterStep(name: string): DocumentStep {
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds: 600,
    inputs: (ctx) => ({
      Runtime: 'python3.11',
      Handler: 'wait_for_writer',
      GlobalClusterIdentifier: one(ctx, 'GlobalClusterIdentifier'),
      TargetDbClusterIdentifier: one(ctx, 'TargetDbClusterIdentifier'),
    }),
    start(ctl) {
      ctl.poll(POLL_MS, () => {
        if (ctl.world.standby?.database()?.status === 'primary') ctl.succeed();
      });
    },
  };
}

/** Then moves the failover pair to the standby: the PRIMARY set upserted to answer what SECONDARY does. */
export function moveTrafficStep(name: string): DocumentStep {
  const request = (ctx: StepContext) => ({
    hostedZone: one(ctx, 'HostedZoneName'),
    record: one(ctx, 'RecordName'),
    type: one(ctx, 'RecordType'),
    primary: one(ctx, 'PrimarySetIdentifier'),
    secondary: one(ctx, 'SecondarySetIdentifier'),
  });
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds: 60,
    inputs: (ctx) => ({ Runtime: 'python3.11', Handler: 'move_traffic', ...request(ctx) }),
    start(ctl, ctx) {
      let changeId: string;
      try {
        changeId = ctl.dns.failOver({ ...request(ctx), comment: 'Faultline-RegionFailover' });
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        ctl.fail(apiFailure('AmazonRoute53', e.code, e.message, e.status));
        return;
      }
      ctl.succeed({ ChangeId: [changeId] });
    },
  };
}

/** Finally waits until Route 53 has the change everywhere (GetChange INSYNC). */
export function waitForDnsStep(name: string, moveStep: string): DocumentStep {
  const idOf = (ctx: StepContext) => ctx.outputs[`${moveStep}.ChangeId`]?.[0] ?? '';
  return {
    name,
    action: 'aws:waitForAwsResourceProperty',
    timeoutSeconds: 300,
    inputs: (ctx) => ({
      Service: 'route53',
      Api: 'GetChange',
      Id: idOf(ctx),
      PropertySelector: '$.ChangeInfo.Status',
      DesiredValues: ['INSYNC'],
    }),
    start(ctl, ctx) {
      ctl.poll(POLL_MS, () => {
        if (ctl.dns.changeStatus(idOf(ctx)) === 'INSYNC') ctl.succeed();
      });
    },
  };
}
