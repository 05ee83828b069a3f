import { type FisClient, GetExperimentCommand } from '@aws-sdk/client-fis';
import { awsCall } from '../aws/errors.ts';

/** One FIS experiment as FIS describes it now. */
export async function getExperiment(fis: FisClient, id: string) {
  const out = await awsCall(`get experiment ${id}`, () => fis.send(new GetExperimentCommand({ id })));
  if (!out.experiment) throw new Error(`FIS returned no experiment for ${id}`);
  return out.experiment;
}
