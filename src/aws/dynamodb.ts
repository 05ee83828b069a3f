import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sharedClient } from './shared-client.ts';

/** DynamoDB, as documents: the timeline and remediation tables. */
export const dynamoDbClient = sharedClient((config) =>
  DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);
