/** The world's EC2 instances and their root volumes, as EC2 describes them. */

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** EC2's numeric state codes, as DescribeInstances reports them. */
export const INSTANCE_STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  id: string;
  arn: string;
  az: string;
  subnetId: string;
  vpcId: string;
  privateIp: string;
  instanceType: string;
  imageId: string;
  /** `spot` for a Spot Instance (DescribeInstances' InstanceLifecycle); `on-demand` otherwise. */
  lifecycle: 'on-demand' | 'spot';
  state: InstanceState;
  /** Why the instance last changed state, as EC2's StateTransitionReason says it. */
  stateReason: string;
  /** EC2's StateReason code for the last time it went down (`Client.UserInitiatedShutdown`, …). */
  stateReasonCode: string;
  launchTime: number;
  tags: Record<string, string>;
  /** Virtual time at which the application on it answers requests (undefined while it does not). */
  appReadyAt: number | undefined;
  /**
   * The service's process was killed (FIS AWSFIS-Run-Kill-Process) while the instance kept running:
   * nothing restarts it until the instance boots again (a reboot, or a stop and start), as it starts on boot.
   */
  processKilled: boolean;
  autoScalingGroup: string | undefined;
  /** Its root EBS volume (deleted with the instance). */
  volumeId: string;
}

/** An EBS volume: each instance's root volume, in the instance's AZ. */
export interface Volume {
  id: string;
  arn: string;
  az: string;
  instanceId: string;
  sizeGiB: number;
  volumeType: 'gp3';
  createTime: number;
  tags: Record<string, string>;
  /** `deleted` once its instance is terminated (DeleteOnTermination). */
  state: 'in-use' | 'deleted';
  /** I/O is paused (FIS aws:ebs:pause-volume-io) until this virtual time; undefined when it flows. */
  ioPausedUntil: number | undefined;
}

export interface StateChange {
  id: string;
  previous: InstanceState;
  current: InstanceState;
}
