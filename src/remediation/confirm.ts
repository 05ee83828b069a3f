import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { FisClient } from '@aws-sdk/client-fis';
import { describeAlarmStates } from '../observe/alarms.ts';
import { getExperiment } from '../observe/experiment-status.ts';
import type { Triaged } from './state.ts';

export interface Confirmation {
  confirmed: boolean;
  reason: string;
}

/** Where a remediation checks what its event says: CloudWatch, and FIS (loaded when needed). */
export interface ConfirmClients {
  cloudwatch: CloudWatchClient;
  fis: () => Promise<FisClient>;
}

/**
 * Does the service itself say what the event says? Anyone who may put events on the bus can send
 * one that names a real alarm, and an event can be stale by the time a person has approved: before
 * acting, the alarm must be in the state the event reports (or the experiment in its status), as
 * CloudWatch (or FIS) shows it now.
 */
export async function confirmSubject(
  subject: Pick<Triaged['subject'], 'kind' | 'name' | 'state'>,
  clients: ConfirmClients,
): Promise<Confirmation> {
  if (subject.kind === 'alarm') {
    const current = (await describeAlarmStates(clients.cloudwatch, [subject.name])).get(subject.name);
    if (!current) {
      return { confirmed: false, reason: `CloudWatch has no alarm ${subject.name}` };
    }
    return current.state === subject.state
      ? { confirmed: true, reason: `CloudWatch shows alarm ${subject.name} in ${current.state}` }
      : {
          confirmed: false,
          reason: `CloudWatch shows alarm ${subject.name} in ${current.state}, not ${subject.state}`,
        };
  }
  const experiment = await getExperiment(await clients.fis(), subject.name).catch((e: unknown) => {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  });
  const status = experiment?.state?.status;
  if (!status) return { confirmed: false, reason: `FIS has no experiment ${subject.name}` };
  return status === subject.state
    ? { confirmed: true, reason: `FIS shows experiment ${subject.name} ${status}` }
    : { confirmed: false, reason: `FIS shows experiment ${subject.name} ${status}, not ${subject.state}` };
}
