import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { LambdaRegistry } from '../backends/lambda.ts';
import { withTimeout } from '../backends/work-timeout.ts';
import type { VirtualClock } from '../clock.ts';
import type { SandboxCore } from '../context.ts';
import { jsonProtocol } from '../protocol/json.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';
import { TaskTokens } from './states/task-tokens.ts';
import { validateOnce } from './states/valid-definitions.ts';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface StoredStateMachine {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate: number;
  /** When UpdateStateMachine last changed it; undefined until then. */
  updateDate?: number;
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
  /** The state machine as it was when the execution started, which is what it runs. */
  machine: { name: string; definition: string; roleArn: string; updateDate: number };
  status: ExecutionStatus;
  input: string;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  startDate: number;
  stopDate: number | undefined;
  history: HistoryEvent[];
  abort: (() => void) | undefined;
  /**
   * Per Task state, the resolved Parameters of each call not yet in the history, oldest first: the
   * Task handler runs before the history recorder sees the state entered, and the TaskScheduled
   * event shows them (with the task token, as on AWS).
   */
  taskParameters: Map<string, string[]>;
  /** The state it entered last, with the document it entered with (what a restart keeps of it). */
  lastState: EnteredState | undefined;
}

interface EnteredState {
  name: string;
  type: string;
  input: string;
  at: number;
}

/**
 * What the state file keeps of an execution still running: enough for a restart to end it as
 * FAILED, with its input and the document of the state it was in, and to announce it.
 */
interface SavedExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  /** The state machine it ran (DescribeStateMachineForExecution still answers for it). */
  machine?: StoredExecution['machine'];
  input: string;
  startDate: number;
  lastState: EnteredState | undefined;
  /** Set once a restart has ended it (it stays saved until its end is announced). */
  stopDate?: number;
}

/** Why a restart ends the executions the last run left running. */
export const STOPPED_ERROR = 'Sandbox.Stopped';

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const PAGE = 100;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const WAIT_FOR_LAMBDA = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/**
 * What `$$.Task.Token` resolves to in Parameters: the interpreter evaluates `$$` against the
 * context object of the whole run, so the Task handler swaps this for a fresh token per attempt.
 */
const TOKEN_PLACEHOLDER = 'faultline-sandbox:task-token';
/** The longest delay the process's timers accept, in seconds. */
const MAX_TIMER_SECONDS = 2_147_483;
/**
 * Where a waiting task's TimeoutSecondsPath value travels to the Task handler: the interpreter
 * resolves it with the state's Parameters, against the same effective input AWS resolves the path
 * against, and the handler takes it out before calling the function.
 */
const TIMEOUT_FROM_PATH = 'faultline-sandbox:timeout-seconds';

/**
 * AWS Step Functions (awsJson1_0, `AWSStepFunctions.*`), running the project's ASL definitions on
 * aws-local-stepfunctions. Lambda Task states call the sandbox's LambdaRegistry in-process; Wait
 * states and retry back-off run on the process's timers, which the game-day runner puts on the
 * sandbox's virtual clock. `.waitForTaskToken` Lambda tasks wait for SendTaskSuccess / SendTaskFailure
 * (states/task-tokens.ts), their TimeoutSeconds and HeartbeatSeconds measured on the virtual clock.
 */
export function createStatesService(
  core: SandboxCore,
  lambdas: LambdaRegistry,
): SandboxService & {
  executions: () => StoredExecution[];
} {
  const machines = new Map<string, StoredStateMachine>();
  const executions = new Map<string, StoredExecution>();
  const tokens = new TaskTokens(core.clock);
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
    validateOnce(text, () => {
      try {
        new StateMachine(def, { validationOptions: { checkArn: false } });
      } catch (e) {
        throw new AwsError(
          'InvalidDefinition',
          `Invalid State Machine Definition: '${(e as Error).message}'`,
        );
      }
    });
    return def;
  };

  const start = (m: StoredStateMachine, name: string, input: string): StoredExecution => {
    const arn = `arn:aws:states:${region}:${accountId}:execution:${m.name}:${name}`;
    const def = JSON.parse(m.definition) as StateMachineDefinition;
    const exec: StoredExecution = {
      arn,
      name,
      stateMachineArn: m.arn,
      machine: {
        name: m.name,
        definition: m.definition,
        roleArn: m.roleArn,
        updateDate: m.updateDate ?? m.creationDate,
      },
      status: 'RUNNING',
      input,
      output: undefined,
      error: undefined,
      cause: undefined,
      startDate: now(),
      stopDate: undefined,
      history: [],
      abort: undefined,
      taskParameters: new Map(),
      lastState: undefined,
    };
    executions.set(arn, exec);
    const machine = interpreterFor(m.definition, def);
    const run = machine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers: taskHandlers(def, { lambdas, tokens, exec, now, clock: core.clock }),
      },
      context: {
        Task: { Token: TOKEN_PLACEHOLDER },
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
    void recordHistory(exec, run.eventLogs, taskResources(def));
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
    tokens.abandonExecution(exec.arn);
    announce(exec);
  };

  /** Step Functions' event for an execution that ended. */
  const announce = (exec: StoredExecution) => {
    core.bus.publish(
      'aws.states',
      'Step Functions Execution Status Change',
      {
        executionArn: exec.arn,
        stateMachineArn: exec.stateMachineArn,
        name: exec.name,
        status: exec.status,
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

  // Executions a restart ended, until their end is announced (once what hears of it is deployed).
  const interrupted = new Map<string, StoredExecution>();

  const saveExecution = (e: StoredExecution): SavedExecution => ({
    arn: e.arn,
    name: e.name,
    stateMachineArn: e.stateMachineArn,
    machine: e.machine,
    input: e.input,
    startDate: e.startDate,
    lastState: e.lastState,
    ...(e.status === 'RUNNING' ? {} : { stopDate: e.stopDate }),
  });

  /**
   * An execution the last run left running: its interpreter died with that process, so it ends
   * FAILED when that run was last seen alive. Its history keeps what the state file kept: the
   * start, the state it was in (with its document) and the end.
   */
  const endInterrupted = (saved: SavedExecution, savedAt: number): StoredExecution => {
    const stopDate = saved.stopDate ?? Math.max(savedAt, saved.startDate);
    const exec: StoredExecution = {
      arn: saved.arn,
      name: saved.name,
      stateMachineArn: saved.stateMachineArn,
      machine: saved.machine ?? {
        name: saved.stateMachineArn.split(':').pop() ?? '',
        definition: '{}',
        roleArn: '',
        updateDate: saved.startDate,
      },
      status: 'FAILED',
      input: saved.input,
      output: undefined,
      error: STOPPED_ERROR,
      cause: `the sandbox stopped while this execution was running (last seen running at ${new Date(stopDate).toISOString()})`,
      startDate: saved.startDate,
      stopDate,
      history: [],
      abort: undefined,
      taskParameters: new Map(),
      lastState: saved.lastState,
    };
    pushEvent(exec, 'ExecutionStarted', saved.startDate, {
      executionStartedEventDetails: { input: saved.input },
    });
    const last = saved.lastState;
    if (last) {
      pushEvent(exec, `${last.type}StateEntered`, last.at, {
        stateEnteredEventDetails: { name: last.name, input: last.input },
      });
    }
    pushEvent(exec, 'ExecutionFailed', stopDate, {
      executionFailedEventDetails: { error: exec.error, cause: exec.cause },
    });
    return exec;
  };

  /** An execution as ListExecutions shows it; DescribeExecution adds its input, output and error. */
  const executionSummary = (e: StoredExecution) => ({
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: new Date(e.startDate),
    stopDate: e.stopDate === undefined ? undefined : new Date(e.stopDate),
  });

  const describeExecution = (e: StoredExecution) => ({
    ...executionSummary(e),
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
        m.updateDate = now();
        return { updateDate: new Date(m.updateDate) };
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
      DescribeStateMachineForExecution: (input: { executionArn?: string }) => {
        const e = requireExecution(input.executionArn);
        return {
          stateMachineArn: e.stateMachineArn,
          name: e.machine.name,
          definition: e.machine.definition,
          roleArn: e.machine.roleArn,
          updateDate: new Date(e.machine.updateDate),
        };
      },
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
          executions: page.map(executionSummary),
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
      SendTaskSuccess: (input: { taskToken?: string; output?: string }) => {
        tokens.succeed(input.taskToken, input.output);
        return {};
      },
      SendTaskFailure: (input: { taskToken?: string; error?: string; cause?: string }) => {
        tokens.fail(input.taskToken, input.error, input.cause);
        return {};
      },
      SendTaskHeartbeat: (input: { taskToken?: string }) => {
        tokens.heartbeat(input.taskToken);
        return {};
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

  return {
    signingName: 'states',
    handler,
    executions: () => [...executions.values()],
    save: () => ({
      version: 1,
      running: [...executions.values()]
        .filter((e) => e.status === 'RUNNING' || interrupted.has(e.arn))
        .map(saveExecution),
    }),
    restore: (state, { savedAt }) => {
      const saved = state as { version?: unknown; running?: SavedExecution[] } | null;
      if (saved?.version !== 1 || !Array.isArray(saved.running)) {
        throw new Error(
          'the saved Step Functions state is not in the format this sandbox writes; start with --fresh',
        );
      }
      for (const s of saved.running) {
        const exec = endInterrupted(s, savedAt);
        executions.set(exec.arn, exec);
        interrupted.set(exec.arn, exec);
      }
    },
    resume: () => {
      for (const exec of interrupted.values()) announce(exec);
      interrupted.clear();
    },
  };
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

interface TaskState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Branches?: { States: Record<string, unknown> }[];
  Iterator?: { States: Record<string, unknown> };
  ItemProcessor?: { States: Record<string, unknown> };
}

/** Calls `fn` for every state, also inside Parallel branches and Map iterators. */
function eachState(states: Record<string, unknown>, fn: (name: string, state: TaskState) => void): void {
  for (const [name, raw] of Object.entries(states)) {
    const s = raw as TaskState;
    fn(name, s);
    for (const b of s.Branches ?? []) eachState(b.States, fn);
    if (s.Iterator) eachState(s.Iterator.States, fn);
    if (s.ItemProcessor) eachState(s.ItemProcessor.States, fn);
  }
}

/**
 * One interpreter per definition, reused by every execution of it: building one copies and
 * rewrites the whole definition, which a burst of a thousand executions would otherwise repeat a
 * thousand times on the event loop that runs their handlers.
 */
const interpreters = new Map<string, StateMachine>();

function interpreterFor(text: string, def: StateMachineDefinition): StateMachine {
  let machine = interpreters.get(text);
  if (!machine) {
    // CreateStateMachine validated the definition; the copy differs only in the timeouts set here.
    machine = new StateMachine(forInterpreter(def), { validationOptions: { noValidate: true } });
    interpreters.set(text, machine);
  }
  return machine;
}

/**
 * The definition as the interpreter runs it. The interpreter times a Task on the process's timers,
 * which are the virtual clock, with a default of 60 s that AWS does not have. The sandbox times
 * Lambda tasks itself instead: a task that waits for its token on the virtual clock (TaskTokens),
 * any other against the time its work really took (withTimeout). The interpreter's own timeout is
 * pushed out of the way; a TimeoutSecondsPath travels to the Task handler with the Parameters,
 * resolved against the same input AWS resolves it against.
 */
function forInterpreter(def: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(def);
  eachState(copy.States as Record<string, unknown>, (_, s) => {
    if (s.Type !== 'Task' || !isLambdaTask(s.Resource)) return;
    if (s.TimeoutSecondsPath && (s.Parameters || s.Resource === WAIT_FOR_LAMBDA)) {
      s.Parameters = { ...(s.Parameters ?? {}), [`${TIMEOUT_FROM_PATH}.$`]: s.TimeoutSecondsPath };
      delete s.TimeoutSecondsPath;
    }
    if (!s.TimeoutSecondsPath) s.TimeoutSeconds = MAX_TIMER_SECONDS;
    delete s.HeartbeatSeconds;
  });
  return copy;
}

function isLambdaTask(resource: string | undefined): boolean {
  return (
    resource === LAMBDA_INVOKE ||
    resource === WAIT_FOR_LAMBDA ||
    /^arn:aws[\w-]*:lambda:/.test(resource ?? '')
  );
}

/** `resourceType` and `resource` of each Task state, as history events name them. */
function taskResources(def: StateMachineDefinition): Map<string, { resourceType: string; resource: string }> {
  const out = new Map<string, { resourceType: string; resource: string }>();
  eachState(def.States as Record<string, unknown>, (name, s) => {
    if (s.Type !== 'Task' || !s.Resource) return;
    const m = /^arn:aws[\w-]*:states:::([\w-]+):(.+)$/.exec(s.Resource);
    out.set(
      name,
      m ? { resourceType: m[1]!, resource: m[2]! } : { resourceType: 'lambda', resource: 'invoke' },
    );
  });
  return out;
}

/** Maps every Lambda Task state (also inside Parallel branches and Map iterators) to the registry. */
function taskHandlers(
  def: StateMachineDefinition,
  run: {
    lambdas: LambdaRegistry;
    tokens: TaskTokens;
    exec: StoredExecution;
    now: () => number;
    clock: VirtualClock;
  },
): Record<string, (input: unknown) => Promise<never>> {
  const { lambdas, tokens, exec } = run;
  const out: Record<string, (input: unknown) => Promise<never>> = {};
  eachState(def.States as Record<string, unknown>, (name, s) => {
    if (s.Type !== 'Task' || !s.Resource) return;
    const resource = s.Resource;
    out[name] = (async (raw: unknown) => {
      const scheduled = (parameters: unknown) => {
        const queue = exec.taskParameters.get(name) ?? [];
        queue.push(JSON.stringify(parameters ?? null));
        exec.taskParameters.set(name, queue);
      };
      const { input, timeoutSeconds } = taskTimeout(s, raw);
      if (resource === WAIT_FOR_LAMBDA) {
        const { token, result } = tokens.begin(exec.arn, name, {
          timeoutSeconds,
          heartbeatSeconds: s.HeartbeatSeconds,
        });
        const p = JSON.parse(JSON.stringify(input).replaceAll(TOKEN_PLACEHOLDER, token)) as InvokeParameters;
        scheduled(p);
        try {
          await invoke(lambdas, p);
        } catch (e) {
          tokens.abandon(token);
          throw e;
        }
        pushEvent(exec, 'TaskSubmitted', run.now(), {
          taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
        });
        return result;
      }
      scheduled(input);
      let call: Promise<unknown>;
      if (resource === LAMBDA_INVOKE) call = invoke(lambdas, input as InvokeParameters);
      else if (/^arn:aws[\w-]*:lambda:/.test(resource)) call = lambdas.invoke(resource, input);
      else {
        throw Object.assign(new Error(`the sandbox cannot run Task resource ${resource}`), {
          name: 'States.Runtime',
        });
      }
      return timeoutSeconds === undefined
        ? call
        : withTimeout(call, timeoutSeconds * 1000, run.clock, () =>
            Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' }),
          );
    }) as (input: unknown) => Promise<never>;
  });
  return out;
}

/** The state's TimeoutSeconds, or the value its TimeoutSecondsPath led to (taken out of the input). */
function taskTimeout(s: TaskState, raw: unknown): { input: unknown; timeoutSeconds: number | undefined } {
  if (raw && typeof raw === 'object' && TIMEOUT_FROM_PATH in raw) {
    const { [TIMEOUT_FROM_PATH]: fromPath, ...input } = raw as Record<string, unknown>;
    return { input, timeoutSeconds: timeoutFromPath(s.TimeoutSecondsPath ?? '', fromPath) };
  }
  return { input: raw, timeoutSeconds: s.TimeoutSeconds };
}

/** A TimeoutSecondsPath must lead to a positive integer, or the state fails as on AWS. */
function timeoutFromPath(path: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw Object.assign(
    new Error(`TimeoutSecondsPath ${path} must point to a positive integer, not ${JSON.stringify(value)}`),
    { name: 'States.Runtime' },
  );
}

interface InvokeParameters {
  FunctionName?: string;
  Payload?: unknown;
  InvocationType?: 'RequestResponse' | 'Event' | 'DryRun';
}

/**
 * Lambda's Invoke as the optimised integration calls it. An `Event` invocation is queued and
 * answered at once (202), so the function's own failure is not the task's, as on AWS.
 */
async function invoke(lambdas: LambdaRegistry, p: InvokeParameters): Promise<unknown> {
  const name = p.FunctionName ?? '';
  if (p.InvocationType === 'Event') {
    const call = lambdas.invoke(name, p.Payload);
    // A function that does not exist is refused at once, queued or not.
    if (!lambdas.has(name)) await call;
    call.catch(() => {});
    return { Payload: '', StatusCode: 202 };
  }
  const payload = await lambdas.invoke(name, p.Payload);
  return { Payload: payload, StatusCode: 200, ExecutedVersion: '$LATEST' };
}

function pushEvent(
  exec: StoredExecution,
  type: string,
  timestamp: number,
  details: Record<string, unknown> = {},
) {
  const id = exec.history.length + 1;
  exec.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
}

/** Turns aws-local-stepfunctions' event log into Step Functions' GetExecutionHistory events. */
async function recordHistory(
  exec: StoredExecution,
  logs: AsyncGenerator<unknown>,
  resources: Map<string, { resourceType: string; resource: string }>,
): Promise<void> {
  const push = (type: string, timestamp: number, details: Record<string, unknown> = {}) =>
    pushEvent(exec, type, timestamp, details);
  const lambda = { resourceType: 'lambda', resource: 'invoke' };
  const task = (ev: { state?: { name: string } }) => resources.get(ev.state?.name ?? '') ?? lambda;
  const scheduled = (ev: { state?: { name: string } }) => {
    const parameters = exec.taskParameters.get(ev.state?.name ?? '')?.shift();
    return { ...task(ev), ...(parameters === undefined ? {} : { parameters }) };
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
      case 'StateEntered': {
        const input = JSON.stringify(ev.state!.input);
        exec.lastState = { name: ev.state!.name, type: ev.state!.type, input, at: t };
        push(`${ev.state!.type}StateEntered`, t, {
          stateEnteredEventDetails: { name: ev.state!.name, input },
        });
        if (ev.state!.type === 'Task') push('TaskScheduled', t, { taskScheduledEventDetails: scheduled(ev) });
        break;
      }
      case 'StateExited':
        if (ev.state!.type === 'Task') push('TaskSucceeded', t, { taskSucceededEventDetails: task(ev) });
        push(`${ev.state!.type}StateExited`, t, {
          stateExitedEventDetails: { name: ev.state!.name, output: JSON.stringify(ev.state!.output ?? null) },
        });
        break;
      case 'StateFailed':
        // Only a Task's failure is its own event; a Fail state's shows as ExecutionFailed.
        if (ev.state!.type !== 'Task') break;
        if (ev.Error === 'States.Timeout' || ev.Error === 'States.HeartbeatTimeout') {
          push('TaskTimedOut', t, { taskTimedOutEventDetails: { ...task(ev), error: ev.Error, cause } });
        } else {
          push('TaskFailed', t, { taskFailedEventDetails: { ...task(ev), error: ev.Error, cause } });
        }
        break;
      case 'StateRetried':
        // Step Functions shows a retry as the task being scheduled again.
        push('TaskScheduled', t, { taskScheduledEventDetails: scheduled(ev) });
        break;
      default:
        break;
    }
  }
}
