import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveServerless } from '../../sandbox/deploy/resolve.ts';
import { PROJECT_DIR } from '../../sandbox/project-dir.ts';
import { approvalRequestEvent } from '../../src/timeline/approvals.ts';
import { TimelineStore } from '../../src/timeline/store.ts';

const ROLE = 'arn:aws:iam::123456789012:role/faultline-states';

export interface ApprovalTestbed {
  sfn: SFNClient;
  store: TimelineStore;
  /** Starts an execution that waits for approval and records its request on a new incident. */
  waitingApproval(incidentId: string): Promise<{ executionArn: string; taskToken: string }>;
}

/**
 * Approvals to answer in a running `faultline sandbox`: a small state machine waits for a task
 * token, and its request is recorded on an incident's timeline as the remediation flow records it.
 * For the approve/reject tests and the CLI benchmark.
 */
export async function approvalTestbed(endpoint: string): Promise<ApprovalTestbed> {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  };
  const service = await resolveServerless(PROJECT_DIR, 'dev');
  const sfn = new SFNClient(config);
  const store = new TimelineStore(
    DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    String(service.provider.environment!.FAULTLINE_TIMELINE_TABLE),
  );
  // Any deployed function will do to "send" the request: queued (Event), its answer is not awaited.
  const definition = {
    StartAt: 'AskApproval',
    States: {
      AskApproval: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: service.functions.notify!.name,
          InvocationType: 'Event',
          Payload: { 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSeconds: 3600,
        ResultPath: '$.approval',
        Catch: [{ ErrorEquals: ['ApprovalRejected'], ResultPath: '$.rejection', Next: 'Held' }],
        Next: 'Act',
      },
      Act: { Type: 'Pass', Result: 'acted', ResultPath: '$.outcome', End: true },
      Held: { Type: 'Pass', Result: 'held', ResultPath: '$.outcome', End: true },
    },
  };
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: 'approval-test',
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  return {
    sfn,
    store,
    async waitingApproval(incidentId) {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: incidentId, input: '{}' }),
      );
      let taskToken: string | undefined;
      for (let i = 0; i < 200 && !taskToken; i++) {
        const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
        const parameters = events?.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails
          ?.parameters;
        if (parameters) taskToken = (JSON.parse(parameters).Payload as { taskToken: string }).taskToken;
      }
      if (!taskToken) throw new Error(`${executionArn} never scheduled its approval task`);
      await store.openIncident({
        incidentId,
        kind: 'remediation',
        title: 'checkout primary health check failing',
        service: 'checkout',
        openedAt: '2026-01-05T09:12:00.000Z',
        attributes: {},
      });
      await store.append(
        incidentId,
        approvalRequestEvent({
          taskToken,
          runbook: 'dns-failover',
          action: 'Route 53 failover to secondary',
          requestedAt: '2026-01-05T09:12:30.000Z',
          expiresAt: '2026-01-05T10:12:30.000Z',
        }),
      );
      return { executionArn: executionArn!, taskToken };
    },
  };
}
