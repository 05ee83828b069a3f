import { sfnClient } from '../src/aws/sfn.ts';
import { executionEnded, reconcileExecution, stateMachinesFrom } from '../src/reconcile/execution.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'ReconcileExecution',
  executionEnded,
  (event) => reconcileExecution(event, { sfn: sfnClient(), stateMachines: stateMachinesFrom(process.env) }),
  (event) => event.detail.name,
);
