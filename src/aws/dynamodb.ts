import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig, sharedClient } from './shared-client.ts';

/** DynamoDB, as documents: the timeline and remediation tables. */
export const dynamoDbClient = sharedClient(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);
