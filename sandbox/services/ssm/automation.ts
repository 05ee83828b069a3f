import { z } from 'zod';
import type { TimerHandle, VirtualClock } from '../../clock.ts';
import type { EventBus } from '../../events.ts';
import { AwsError } from '../../protocol/types.ts';
import type { RandomStream } from '../../rng.ts';
import type { World } from '../../world/world.ts';
import type { StepContext, StepControl, StepDns } from './actions.ts';
import { AutomationEvents } from './automation-events.ts';
import type { AutomationDocument } from './documents.ts';
import { resolveParameterReferences } from './interpreter.ts';

export const STEP_STATUSES = ['Pending', 'InProgress', 'Success', 'Failed', 'TimedOut', 'Cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const EXECUTION_STATUSES = [...STEP_STATUSES, 'Cancelling'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
const TERMINAL: readonly ExecutionStatus[] = ['Success', 'Failed', 'TimedOut', 'Cancelled'];

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL.includes(status);
}

const stepSchema = z.object({
  stepExecutionId: z.string(),
  name: z.string(),
  action: z.string(),
  timeoutSeconds: z.number(),
  status: z.enum(STEP_STATUSES),
  startTime: z.number().optional(),
  endTime: z.number().optional(),
  inputs: z.record(z.string(), z.string()).optional(),
  outputs: z.record(z.string(), z.array(z.string())).optional(),
  failureMessage: z.string().optional(),
  /** A customer document's flow, as DescribeAutomationStepExecutions reports it. */
  onFailure: z.string().optional(),
  maxAttempts: z.number().optional(),
  nextStep: z.string().optional(),
  isEnd: z.boolean().optional(),
  isCritical: z.boolean().optional(),
});
export type StepRecord = z.infer<typeof stepSchema>;

const executionSchema = z.object({
  id: z.string(),
  documentName: z.string(),
  documentVersion: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startTime: z.number(),
  endTime: z.number().optional(),
  parameters: z.record(z.string(), z.array(z.string())),
  outputs: z.record(z.string(), z.array(z.string())),
  failureMessage: z.string().optional(),
  executedBy: z.string(),
  steps: z.array(stepSchema),
  tags: z.record(z.string(), z.string()),
  clientToken: z.string().optional(),
  /** What the request asked for, so a reused ClientToken with a different request is refused. */
  fingerprint: z.string(),
});
export type ExecutionRecord = z.infer<typeof executionSchema>;

export const savedAutomationSchema = z.object({ executions: z.array(executionSchema) });
export type SavedAutomation = z.infer<typeof savedAutomationSchema>;

/** Automation's placeholder for a runbook output whose step has not succeeded. */
const NO_OUTPUT_YET = 'No output available yet because the step is not successfully executed';
/** AWS's limit on concurrently running automations per account. */
const MAX_RUNNING = 100;

export interface AutomationDeps {
  clock: VirtualClock;
  world: World;
  /** Route 53, for steps that change DNS. */
  dns: StepDns;
  bus: EventBus;
  ids: RandomStream;
  timing: RandomStream;
  region: string;
  accountId: string;
  user: string;
  /** Calls a sandbox service over its wire protocol (see StepControl.callApi). */
  callApi: StepControl['callApi'];
  /** A Parameter Store value, for `{{ssm:/name}}` in an execution's parameters; undefined if none. */
  parameterValue: (name: string) => string | undefined;
}

export interface StartRequest {
  document: AutomationDocument;
  /** Parameters after defaults were applied. */
  parameters: Record<string, string[]>;
  clientToken: string | undefined;
  tags: Record<string, string>;
  fingerprint: string;
}

/** Timers belonging to the step that is running now; all cancelled when the step ends. */
interface ActiveStep {
  index: number;
  attempt: number;
  timers: TimerHandle[];
  done: boolean;
}

/**
 * Runs Automation executions on the virtual clock: Pending → InProgress → one step after another →
 * Success | Failed | TimedOut, or Cancelling → Cancelled when stopped. Every status change of an
 * execution or a step is published as AWS publishes it to EventBridge.
 */
export class AutomationEngine {
  private readonly deps: AutomationDeps;
  private readonly events: AutomationEvents;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly byToken = new Map<string, string>();
  private readonly active = new Map<string, ActiveStep>();
  /** The next scheduled transition of each execution (start, next step, end of cancelling). */
  private readonly transitions = new Map<string, TimerHandle>();
  /** The document each unfinished execution runs (a customer's may be deleted while it runs). */
  private readonly running = new Map<string, AutomationDocument>();
  /** Who waits for an execution to end (FIS's aws:ssm:start-automation-execution). */
  private readonly watchers = new Map<string, ((exec: ExecutionRecord) => void)[]>();

  constructor(deps: AutomationDeps) {
    this.deps = deps;
    this.events = new AutomationEvents(deps);
  }

  all(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  get(id: string): ExecutionRecord {
    const exec = this.executions.get(id);
    if (!exec) {
      throw new AwsError(
        'AutomationExecutionNotFoundException',
        `Automation execution ${id} not found. Verify the execution ID and try again.`,
      );
    }
    return exec;
  }

  /** Starts an execution, or returns the one an earlier call with the same ClientToken started. */
  start(req: StartRequest): ExecutionRecord {
    const token = req.clientToken?.toLowerCase();
    const earlier = token === undefined ? undefined : this.executions.get(this.byToken.get(token) ?? '');
    if (earlier) {
      if (earlier.fingerprint !== req.fingerprint) {
        throw new AwsError(
          'IdempotentParameterMismatch',
          "Error returned when an idempotent operation is retried and the parameters don't match the original " +
            'call to the API with the same idempotency token.',
        );
      }
      return earlier;
    }
    if (this.all().filter((e) => !isTerminal(e.status)).length >= MAX_RUNNING) {
      throw new AwsError(
        'AutomationExecutionLimitExceededException',
        `The number of simultaneously running Automation executions exceeded the limit (${MAX_RUNNING}).`,
      );
    }
    const doc = req.document;
    const now = this.deps.clock.now();
    const resolved = resolveParameterReferences(req.parameters, this.deps.parameterValue);
    const exec: ExecutionRecord = {
      id: this.newId(),
      documentName: doc.name,
      documentVersion: doc.version,
      status: 'Pending',
      startTime: now,
      parameters: 'parameters' in resolved ? resolved.parameters : req.parameters,
      outputs: Object.fromEntries(doc.outputs.map((o) => [o, [NO_OUTPUT_YET]])),
      executedBy: this.deps.user,
      steps: doc.steps.map((s) => ({
        stepExecutionId: this.newUuid(),
        name: s.name,
        action: s.action,
        timeoutSeconds: s.timeoutSeconds,
        status: 'Pending',
        ...(s.flow
          ? {
              onFailure: s.flow.onFailure,
              maxAttempts: s.flow.maxAttempts,
              isEnd: s.flow.isEnd,
              isCritical: s.flow.isCritical,
              ...(s.flow.nextStep !== undefined ? { nextStep: s.flow.nextStep } : {}),
            }
          : {}),
      })),
      tags: req.tags,
      clientToken: token,
      fingerprint: req.fingerprint,
    };
    this.executions.set(exec.id, exec);
    this.running.set(exec.id, doc);
    if (token !== undefined) this.byToken.set(token, exec.id);
    this.events.execution(exec);
    // Automation takes a moment to pick a new execution up.
    this.schedule(exec, this.drawMs(1, 3), () => {
      // A reference to a parameter that does not exist fails the execution before its first step.
      if ('failure' in resolved) return this.finish(exec, 'Failed', resolved.failure);
      this.setStatus(exec, 'InProgress');
      this.runStep(exec, 0);
    });
    return exec;
  }

  /** StopAutomationExecution: Cancel moves a running execution to Cancelling, then Cancelled. */
  stop(id: string, type: 'Cancel' | 'Complete'): void {
    const exec = this.get(id);
    if (type === 'Complete') {
      throw new AwsError(
        'InvalidAutomationStatusUpdateException',
        `Execution ${id} is not waiting at a step that can be completed; use Type Cancel to stop it.`,
      );
    }
    if (isTerminal(exec.status)) {
      throw new AwsError(
        'InvalidAutomationStatusUpdateException',
        `Execution ${id} has already finished with status ${exec.status} and cannot be cancelled.`,
      );
    }
    if (exec.status === 'Cancelling') return;
    this.endActiveStep(exec);
    this.setStatus(exec, 'Cancelling');
    this.schedule(exec, this.drawMs(1, 2), () => {
      const now = this.deps.clock.now();
      for (const step of exec.steps) {
        if (step.status !== 'InProgress') continue;
        step.status = 'Cancelled';
        step.endTime = now;
        this.events.step(exec, step);
      }
      this.finish(exec, 'Cancelled', undefined);
    });
  }

  /** Calls `fn` once the execution has ended (at once if it has). */
  watch(id: string, fn: (exec: ExecutionRecord) => void): void {
    const exec = this.get(id);
    if (isTerminal(exec.status)) {
      fn(exec);
      return;
    }
    this.watchers.set(id, [...(this.watchers.get(id) ?? []), fn]);
  }

  private runStep(exec: ExecutionRecord, index: number, attempt = 1): void {
    const doc = this.running.get(exec.id);
    const def = doc?.steps[index];
    const step = exec.steps[index];
    if (!def || !step) {
      this.finishAfterSteps(exec);
      return;
    }
    const ctx: StepContext = {
      params: exec.parameters,
      outputs: this.stepOutputs(exec),
      variables: {
        'automation:EXECUTION_ID': exec.id,
        'automation:DOCUMENT_EXECUTION_ID': exec.id,
        'global:ACCOUNT_ID': this.deps.accountId,
        'global:REGION': this.deps.region,
        'global:AWS_PARTITION': 'aws',
        'global:DATE': new Date(this.deps.clock.now()).toISOString().slice(0, 10),
        'global:DATE_TIME': new Date(this.deps.clock.now()).toISOString(),
      },
    };
    step.status = 'InProgress';
    step.startTime = this.deps.clock.now();
    delete step.endTime;
    delete step.failureMessage;
    delete step.outputs;
    try {
      step.inputs = Object.fromEntries(
        Object.entries(def.inputs(ctx)).map(([k, v]) => [k, JSON.stringify(v)]),
      );
    } catch {
      // Inputs that cannot be resolved fail the step as it starts, with the same reason.
      step.inputs = {};
    }
    this.events.step(exec, step);

    const active: ActiveStep = { index, attempt, timers: [], done: false };
    this.active.set(exec.id, active);
    active.timers.push(
      this.deps.clock.after(def.timeoutSeconds * 1000, () =>
        this.endStep(exec, active, 'TimedOut', {
          failureMessage: `Step timed out while step is verifying the ${def.action} action's result.`,
        }),
      ),
    );
    const fail = (failureMessage: string) => this.endStep(exec, active, 'Failed', { failureMessage });
    // A step that throws (a bug, or a world refusal the step did not expect) fails, never the sandbox.
    const guarded = (fn: () => void) => () => {
      try {
        fn();
      } catch (e) {
        fail(`Step fails when it is Executing. ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const control: StepControl = {
      world: this.deps.world,
      dns: this.deps.dns,
      poll: (ms, fn) => {
        if (active.done) return;
        guarded(fn)();
        if (!active.done) active.timers.push(this.deps.clock.every(ms, guarded(fn)));
      },
      after: (ms, fn) => {
        if (!active.done) active.timers.push(this.deps.clock.after(ms, guarded(fn)));
      },
      callApi: this.deps.callApi,
      async: (fn) => {
        if (active.done) return;
        // Virtual time stands still while the step works (a request in flight): it is not waiting.
        const work = this.deps.clock.startWork();
        work
          .run(fn)
          .catch((e: unknown) =>
            fail(`Step fails when it is Executing. ${e instanceof Error ? e.message : String(e)}`),
          )
          .finally(() => work.end());
      },
      succeed: (outputs, next) => this.endStep(exec, active, 'Success', { outputs, next }),
      fail,
    };
    guarded(() => def.start(control, ctx))();
  }

  private endStep(
    exec: ExecutionRecord,
    active: ActiveStep,
    status: 'Success' | 'Failed' | 'TimedOut',
    result: {
      outputs?: Record<string, string[]> | undefined;
      failureMessage?: string;
      next?: string | undefined;
    },
  ): void {
    if (active.done) return;
    this.endActiveStep(exec);
    const def = this.running.get(exec.id)?.steps[active.index];
    const flow = def?.flow;
    if (status !== 'Success' && flow && active.attempt < flow.maxAttempts) {
      this.schedule(exec, this.drawMs(0.5, 1.5), () => this.runStep(exec, active.index, active.attempt + 1));
      return;
    }
    const step = exec.steps[active.index]!;
    step.status = status;
    step.endTime = this.deps.clock.now();
    if (result.outputs) step.outputs = result.outputs;
    if (result.failureMessage) step.failureMessage = result.failureMessage;
    this.events.step(exec, step);
    if (status === 'Success') {
      for (const [key, value] of Object.entries(result.outputs ?? {})) {
        const name = `${step.name}.${key}`;
        if (name in exec.outputs) exec.outputs[name] = value;
      }
    }
    const next = this.nextIndex(exec, active.index, status === 'Success', result.next);
    if (next === undefined) {
      if (status === 'Success') this.finishAfterSteps(exec);
      else this.finish(exec, status, result.failureMessage);
      return;
    }
    this.schedule(exec, this.drawMs(0.5, 1.5), () => this.runStep(exec, next));
  }

  /**
   * The step after step `index`, or undefined when the execution ends there: a failure aborts
   * unless the step says Continue or step:<name>; a success goes where aws:branch chose, then to
   * nextStep, then to the next step in order, unless the step isEnd.
   */
  private nextIndex(exec: ExecutionRecord, index: number, succeeded: boolean, chosen: string | undefined) {
    const flow = this.running.get(exec.id)?.steps[index]?.flow;
    const byName = (name: string) => {
      const i = exec.steps.findIndex((s) => s.name === name);
      return i < 0 ? undefined : i;
    };
    if (!succeeded) {
      if (!flow || flow.onFailure === 'Abort') return undefined;
      if (flow.onFailure.startsWith('step:')) return byName(flow.onFailure.slice(5));
    } else if (chosen !== undefined) {
      return byName(chosen);
    }
    if (flow?.isEnd) return undefined;
    if (flow?.nextStep !== undefined) return byName(flow.nextStep);
    return index + 1 < exec.steps.length ? index + 1 : undefined;
  }

  /** Ends an execution whose last step is done: Failed if a critical step failed on the way. */
  private finishAfterSteps(exec: ExecutionRecord): void {
    const failed = exec.steps.find(
      (s) => (s.status === 'Failed' || s.status === 'TimedOut') && s.isCritical !== false,
    );
    if (failed) this.finish(exec, failed.status, failed.failureMessage);
    else this.finish(exec, 'Success', undefined);
  }

  /** Stops the running step's timers (its polls and its timeout). */
  private endActiveStep(exec: ExecutionRecord): void {
    const active = this.active.get(exec.id);
    if (!active) return;
    active.done = true;
    for (const t of active.timers) this.deps.clock.cancel(t);
    this.active.delete(exec.id);
  }

  private finish(exec: ExecutionRecord, status: ExecutionStatus, failureMessage: string | undefined): void {
    this.deps.clock.cancel(this.transitions.get(exec.id));
    this.transitions.delete(exec.id);
    exec.endTime = this.deps.clock.now();
    if (failureMessage) exec.failureMessage = failureMessage;
    this.running.delete(exec.id);
    this.setStatus(exec, status);
    const watchers = this.watchers.get(exec.id) ?? [];
    this.watchers.delete(exec.id);
    for (const w of watchers) w(exec);
  }

  private setStatus(exec: ExecutionRecord, status: ExecutionStatus): void {
    exec.status = status;
    this.events.execution(exec);
  }

  private schedule(exec: ExecutionRecord, ms: number, fn: () => void): void {
    this.deps.clock.cancel(this.transitions.get(exec.id));
    this.transitions.set(
      exec.id,
      this.deps.clock.after(ms, () => {
        this.transitions.delete(exec.id);
        fn();
      }),
    );
  }

  private stepOutputs(exec: ExecutionRecord): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const step of exec.steps) {
      for (const [key, value] of Object.entries(step.outputs ?? {})) out[`${step.name}.${key}`] = value;
    }
    return out;
  }

  private drawMs(minSeconds: number, maxSeconds: number): number {
    return Math.round(this.deps.timing.between(minSeconds, maxSeconds) * 1000);
  }

  private newUuid(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => this.deps.ids.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[this.deps.ids.int(0, 3)]}${hex(3)}-${hex(12)}`;
  }

  private newId(): string {
    // A restored run replays the same seeded stream, so skip ids an earlier run already used.
    let id = this.newUuid();
    while (this.executions.has(id)) id = this.newUuid();
    return id;
  }

  save(): SavedAutomation {
    return { executions: this.all() };
  }

  /**
   * Loads executions from an earlier run. Their timers died with that process, so any execution
   * that had not finished is recorded as Failed rather than left running forever, at `savedAt`:
   * the last moment the saved state shows it running.
   */
  restore(saved: SavedAutomation, savedAt: number): void {
    const now = savedAt;
    for (const exec of saved.executions) {
      if (!isTerminal(exec.status)) {
        for (const step of exec.steps) {
          if (step.status !== 'InProgress') continue;
          step.status = 'Failed';
          step.endTime = now;
          step.failureMessage = 'sandbox restarted';
        }
        exec.status = 'Failed';
        exec.endTime = now;
        exec.failureMessage = 'sandbox restarted';
      }
      this.executions.set(exec.id, exec);
      if (exec.clientToken !== undefined) this.byToken.set(exec.clientToken, exec.id);
    }
  }
}
