import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { LambdaRegistry } from '../backends/lambda.ts';
import type { SandboxCore } from '../context.ts';
import { jsonProtocol } from '../protocol/json.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface StoredStateMachine {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate: number;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

interface StoredExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  input: string;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  startDate: number;
  stopDate: number | undefined;
  history: HistoryEvent[];
  abort: (() => void) | undefined;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const PAGE = 100;

/**
 * AWS Step Functions (awsJson1_0, `AWSStepFunctions.*`), running the project's ASL definitions on
 * aws-local-stepfunctions. Lambda Task states call the sandbox's LambdaRegistry in-process; Wait
 * states and retry back-off run on the process's timers, which the game-day runner puts on the
 * sandbox's virtual clock.
 */
export function createStatesService(
  core: SandboxCore,
  lambdas: LambdaRegistry,
): SandboxService & {
  executions: () => StoredExecution[];
} {
  const machines = new Map<string, StoredStateMachine>();
  const executions = new Map<string, StoredExecution>();
  const { region, accountId } = core.world;
  const now = () => core.clock.now();
  const smArn = (name: string) => `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;

  const requireMachine = (arn: unknown): StoredStateMachine => {
    if (typeof arn !== 'string' || !arn.startsWith('arn:aws:states:')) {
      throw new AwsError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    const m = machines.get(arn);
    if (!m) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  };
  const requireExecution = (arn: unknown): StoredExecution => {
    if (typeof arn !== 'string' || !arn.startsWith('arn:aws:states:')) {
      throw new AwsError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    const e = executions.get(arn);
    if (!e) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  };

  const parseDefinition = (text: unknown): StateMachineDefinition => {
    if (typeof text !== 'string')
      throw new AwsError('InvalidDefinition', 'Invalid State Machine Definition: missing');
    let def: StateMachineDefinition;
    try {
      def = JSON.parse(text) as StateMachineDefinition;
    } catch (e) {
      throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${(e as Error).message}'`);
    }
    try {
      new StateMachine(def, { validationOptions: { checkArn: false } });
    } catch (e) {
      throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${(e as Error).message}'`);
    }
    return def;
  };

  const start = (m: StoredStateMachine, name: string, input: string): StoredExecution => {
    const arn = `arn:aws:states:${region}:${accountId}:execution:${m.name}:${name}`;
    const def = JSON.parse(m.definition) as StateMachineDefinition;
    const exec: StoredExecution = {
      arn,
      name,
      stateMachineArn: m.arn,
      status: 'RUNNING',
      input,
      output: undefined,
      error: undefined,
      cause: undefined,
      startDate: now(),
      stopDate: undefined,
      history: [],
      abort: undefined,
    };
    executions.set(arn, exec);
    const machine = new StateMachine(def, { validationOptions: { checkArn: false } });
    const run = machine.run(JSON.parse(input), {
      overrides: { taskResourceLocalHandlers: taskHandlers(def, lambdas) },
      context: {
        Execution: {
          Id: arn,
          Name: name,
          StartTime: new Date(exec.startDate).toISOString(),
          Input: JSON.parse(input),
        },
        StateMachine: { Id: m.arn, Name: m.name },
      },
    });
    exec.abort = run.abort;
    void recordHistory(exec, run.eventLogs);
    run.result.then(
      (out) => finish(exec, 'SUCCEEDED', { output: JSON.stringify(out) }),
      (e: unknown) => {
        if (e instanceof ExecutionAbortedError) finish(exec, 'ABORTED', {});
        else if (e instanceof ExecutionTimeoutError) finish(exec, 'TIMED_OUT', { error: 'States.Timeout' });
        else {
          const err = e as { message?: string; cause?: unknown; name?: string };
          const info = errorInfo(err);
          finish(exec, 'FAILED', info);
        }
      },
    );
    return exec;
  };

  const finish = (
    exec: StoredExecution,
    status: ExecutionStatus,
    fields: { output?: string; error?: string; cause?: string },
  ) => {
    if (exec.status !== 'RUNNING') return;
    exec.status = status;
    exec.stopDate = now();
    exec.output = fields.output;
    exec.error = fields.error;
    exec.cause = fields.cause;
    exec.abort = undefined;
    core.bus.publish(
      'aws.states',
      'Step Functions Execution Status Change',
      {
        executionArn: exec.arn,
        stateMachineArn: exec.stateMachineArn,
        name: exec.name,
        status,
        startDate: exec.startDate,
        stopDate: exec.stopDate,
        input: exec.input,
        output: exec.output ?? null,
        error: exec.error ?? null,
        cause: exec.cause ?? null,
      },
      [exec.arn],
    );
  };

  const describeExecution = (e: StoredExecution) => ({
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: new Date(e.startDate),
    stopDate: e.stopDate === undefined ? undefined : new Date(e.stopDate),
    input: e.input,
    inputDetails: { included: true },
    output: e.output,
    outputDetails: e.output === undefined ? undefined : { included: true },
    error: e.error,
    cause: e.cause,
  });

  const handler = jsonProtocol({
    targetPrefix: 'AWSStepFunctions',
    version: '1.0',
    operations: {
      CreateStateMachine: (input: {
        name?: string;
        definition?: string;
        roleArn?: string;
        type?: string;
      }) => {
        if (!input.name || !NAME.test(input.name)) {
          throw new AwsError('InvalidName', `Invalid Name: '${input.name ?? ''}'`);
        }
        if (!input.roleArn)
          throw new AwsError(
            'ValidationException',
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
          );
        parseDefinition(input.definition);
        const arn = smArn(input.name);
        const existing = machines.get(arn);
        if (existing) {
          if (existing.definition === input.definition && existing.roleArn === input.roleArn) {
            return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
          }
          throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
        }
        const m: StoredStateMachine = {
          name: input.name,
          arn,
          definition: input.definition!,
          roleArn: input.roleArn,
          type: input.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
          creationDate: now(),
        };
        machines.set(arn, m);
        return { stateMachineArn: arn, creationDate: new Date(m.creationDate) };
      },
      UpdateStateMachine: (input: { stateMachineArn?: string; definition?: string; roleArn?: string }) => {
        const m = requireMachine(input.stateMachineArn);
        if (input.definition !== undefined) {
          parseDefinition(input.definition);
          m.definition = input.definition;
        }
        if (input.roleArn !== undefined) m.roleArn = input.roleArn;
        return { updateDate: new Date(now()) };
      },
      DescribeStateMachine: (input: { stateMachineArn?: string }) => {
        const m = requireMachine(input.stateMachineArn);
        return {
          stateMachineArn: m.arn,
          name: m.name,
          status: 'ACTIVE',
          definition: m.definition,
          roleArn: m.roleArn,
          type: m.type,
          creationDate: new Date(m.creationDate),
        };
      },
      ListStateMachines: (input: { maxResults?: number; nextToken?: string }) => {
        const all = [...machines.values()].sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
        return {
          stateMachines: page.map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: m.type,
            creationDate: new Date(m.creationDate),
          })),
          nextToken,
        };
      },
      DeleteStateMachine: (input: { stateMachineArn?: string }) => {
        const m = requireMachine(input.stateMachineArn);
        machines.delete(m.arn);
        return {};
      },
      StartExecution: (input: { stateMachineArn?: string; name?: string; input?: string }) => {
        const m = requireMachine(input.stateMachineArn);
        const name = input.name ?? `${now().toString(36)}-${executions.size + 1}`;
        if (!NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
        const text = input.input ?? '{}';
        try {
          JSON.parse(text);
        } catch {
          throw new AwsError('InvalidExecutionInput', 'Invalid execution input: not valid JSON');
        }
        const arn = `arn:aws:states:${region}:${accountId}:execution:${m.name}:${name}`;
        const existing = executions.get(arn);
        if (existing) {
          // Standard workflows: the same name and input is idempotent while it runs; anything else is a conflict.
          if (existing.status === 'RUNNING' && existing.input === text) {
            return { executionArn: arn, startDate: new Date(existing.startDate) };
          }
          throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        }
        const exec = start(m, name, text);
        return { executionArn: exec.arn, startDate: new Date(exec.startDate) };
      },
      DescribeExecution: (input: { executionArn?: string }) =>
        describeExecution(requireExecution(input.executionArn)),
      ListExecutions: (input: {
        stateMachineArn?: string;
        statusFilter?: ExecutionStatus;
        maxResults?: number;
        nextToken?: string;
      }) => {
        const m = requireMachine(input.stateMachineArn);
        const all = [...executions.values()]
          .filter(
            (e) => e.stateMachineArn === m.arn && (!input.statusFilter || e.status === input.statusFilter),
          )
          .sort((a, b) => b.startDate - a.startDate);
        const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
        return {
          executions: page.map((e) => ({
            executionArn: e.arn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: new Date(e.startDate),
            stopDate: e.stopDate === undefined ? undefined : new Date(e.stopDate),
          })),
          nextToken,
        };
      },
      StopExecution: (input: { executionArn?: string; error?: string; cause?: string }) => {
        const e = requireExecution(input.executionArn);
        if (e.status === 'RUNNING') {
          const abort = e.abort;
          finish(e, 'ABORTED', { error: input.error, cause: input.cause });
          abort?.();
        }
        return { stopDate: new Date(e.stopDate ?? now()) };
      },
      GetExecutionHistory: (input: {
        executionArn?: string;
        maxResults?: number;
        nextToken?: string;
        reverseOrder?: boolean;
      }) => {
        const e = requireExecution(input.executionArn);
        const events = input.reverseOrder ? [...e.history].reverse() : e.history;
        const { page, nextToken } = paginate(events, input.maxResults, input.nextToken);
        return { events: page.map((ev) => ({ ...ev, timestamp: new Date(ev.timestamp) })), nextToken };
      },
    },
  });

  return { signingName: 'states', handler, executions: () => [...executions.values()] };
}

function paginate<T>(items: T[], maxResults: number | undefined, token: string | undefined) {
  const size = maxResults && maxResults > 0 ? Math.min(maxResults, 1000) : PAGE;
  let offset = 0;
  if (token !== undefined) {
    offset = Number.parseInt(Buffer.from(token, 'base64').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
      throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
    }
  }
  const page = items.slice(offset, offset + size);
  const next =
    offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64') : undefined;
  return { page, nextToken: next };
}

function errorInfo(err: { message?: string; cause?: unknown; name?: string }): {
  error: string;
  cause: string;
} {
  // aws-local-stepfunctions reports a failed execution as an ExecutionError whose cause is the
  // state's error: take the States-language error name from it.
  const cause = err.cause as { name?: string; message?: string } | undefined;
  const inner = cause && typeof cause === 'object' ? cause : err;
  return { error: inner.name ?? 'States.Runtime', cause: inner.message ?? String(err.message ?? '') };
}

/** Maps every Lambda Task state (also inside Parallel branches and Map iterators) to the registry. */
function taskHandlers(
  def: StateMachineDefinition,
  lambdas: LambdaRegistry,
): Record<string, (input: unknown) => Promise<never>> {
  const out: Record<string, (input: unknown) => Promise<never>> = {};
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const s = raw as {
        Type: string;
        Resource?: string;
        Branches?: { States: Record<string, unknown> }[];
        Iterator?: { States: Record<string, unknown> };
        ItemProcessor?: { States: Record<string, unknown> };
      };
      if (s.Type === 'Task' && s.Resource) {
        const resource = s.Resource;
        out[name] = (async (input: unknown) => {
          if (resource === 'arn:aws:states:::lambda:invoke') {
            const p = input as { FunctionName?: string; Payload?: unknown };
            const payload = await lambdas.invoke(p.FunctionName ?? '', p.Payload);
            return { Payload: payload, StatusCode: 200, ExecutedVersion: '$LATEST' };
          }
          if (/^arn:aws[\w-]*:lambda:/.test(resource)) return lambdas.invoke(resource, input);
          throw Object.assign(new Error(`the sandbox cannot run Task resource ${resource}`), {
            name: 'States.Runtime',
          });
        }) as (input: unknown) => Promise<never>;
      }
      for (const b of s.Branches ?? []) visit(b.States);
      if (s.Iterator) visit(s.Iterator.States);
      if (s.ItemProcessor) visit(s.ItemProcessor.States);
    }
  };
  visit(def.States as Record<string, unknown>);
  return out;
}

/** Turns aws-local-stepfunctions' event log into Step Functions' GetExecutionHistory events. */
async function recordHistory(exec: StoredExecution, logs: AsyncGenerator<unknown>): Promise<void> {
  const push = (type: string, timestamp: number, details: Record<string, unknown> = {}) => {
    const id = exec.history.length + 1;
    exec.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  };
  for await (const raw of logs) {
    const ev = raw as {
      type: string;
      timestamp: number;
      input?: unknown;
      output?: unknown;
      Error?: string;
      Cause?: unknown;
      state?: { name: string; type: string; input: unknown; output?: unknown };
    };
    const t = ev.timestamp;
    const cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause ?? null);
    switch (ev.type) {
      case 'ExecutionStarted':
        push('ExecutionStarted', t, { executionStartedEventDetails: { input: JSON.stringify(ev.input) } });
        break;
      case 'ExecutionSucceeded':
        push('ExecutionSucceeded', t, {
          executionSucceededEventDetails: { output: JSON.stringify(ev.output) },
        });
        break;
      case 'ExecutionFailed':
        push('ExecutionFailed', t, { executionFailedEventDetails: { error: ev.Error, cause } });
        break;
      case 'ExecutionAborted':
        push('ExecutionAborted', t, { executionAbortedEventDetails: {} });
        break;
      case 'ExecutionTimeout':
        push('ExecutionTimedOut', t, { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        break;
      case 'StateEntered':
        push(`${ev.state!.type}StateEntered`, t, {
          stateEnteredEventDetails: { name: ev.state!.name, input: JSON.stringify(ev.state!.input) },
        });
        if (ev.state!.type === 'Task')
          push('TaskScheduled', t, {
            taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke' },
          });
        break;
      case 'StateExited':
        if (ev.state!.type === 'Task')
          push('TaskSucceeded', t, {
            taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke' },
          });
        push(`${ev.state!.type}StateExited`, t, {
          stateExitedEventDetails: { name: ev.state!.name, output: JSON.stringify(ev.state!.output ?? null) },
        });
        break;
      case 'StateFailed':
        // Only a Task's failure is its own event; a Fail state's shows as ExecutionFailed.
        if (ev.state!.type === 'Task') {
          push('TaskFailed', t, {
            taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: ev.Error, cause },
          });
        }
        break;
      case 'StateRetried':
        // Step Functions shows a retry as the task being scheduled again.
        push('TaskScheduled', t, {
          taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke' },
        });
        break;
      default:
        break;
    }
  }
}
