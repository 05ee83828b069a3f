import { cloudWatchClient } from './cloudwatch.ts';
import { dynamoDbClient } from './dynamodb.ts';
import { ec2Client } from './ec2.ts';
import { fisClient } from './fis.ts';
import { route53Client } from './route53.ts';
import { s3Client } from './s3.ts';
import { sfnClient } from './sfn.ts';
import { snsClient } from './sns.ts';
import { ssmClient } from './ssm.ts';

export { resetClients } from './shared-client.ts';

/**
 * Every service's shared client by name, for the CLI and the tests. Not for functions/: this module
 * imports all nine SDK clients, and a handler that imports it ships all of them; a handler imports
 * the one module per service it calls (fis.ts, ssm.ts, …) instead.
 */
const accessors = {
  fis: fisClient.patient,
  ssm: ssmClient.patient,
  cloudwatch: cloudWatchClient.patient,
  route53: route53Client.patient,
  ec2: ec2Client.patient,
  s3: s3Client.patient,
  sns: snsClient.patient,
  sfn: sfnClient.patient,
  dynamodb: dynamoDbClient.patient,
};

export type Clients = { [K in keyof typeof accessors]: ReturnType<(typeof accessors)[K]> };
export type ClientName = keyof Clients;

export function client<K extends ClientName>(name: K): Clients[K] {
  return accessors[name]() as Clients[K];
}

/** All of them, each made when first read: for code (tests) that hands a step every client. */
export function allClients(): Clients {
  const all = {} as Clients;
  for (const name of Object.keys(accessors) as ClientName[]) {
    Object.defineProperty(all, name, { enumerable: true, get: () => client(name) });
  }
  return all;
}
