import { JSONPath } from 'jsonpath-plus';
import { parseIsoDuration } from '../../../src/time/duration.ts';
import { AwsError } from '../../protocol/types.ts';
import {
  apiRefusal,
  type DocumentStep,
  POLL_MS,
  type StepContext,
  type StepControl,
  type StepFlow,
} from './actions.ts';
import { unreachableService } from './aws-api.ts';

/**
 * Runs the steps of a customer's Automation document (schema 0.3) on the engine's machinery: the
 * step's inputs interpolated (`{{ Param }}`, `{{ step.Output }}`, `{{ automation:EXECUTION_ID }}`,
 * `{{ global:REGION }}`), then its action. The actions the sandbox can play are the ones that call
 * AWS APIs (against the sandbox's own services) and those that only wait or choose; any other
 * (scripts, commands on instances, approvals) fails its step with one line saying it runs on AWS.
 */

/** A value type of Automation: of a parameter, or of a step output. */
export type ValueType = 'String' | 'StringList' | 'Integer' | 'Boolean' | 'StringMap' | 'MapList';

/** A step of a customer's document as its content writes it, once CreateDocument has checked it. */
export interface StepSpec {
  name: string;
  action: string;
  inputs: Record<string, unknown>;
  outputs: { Name: string; Selector: string; Type: ValueType }[];
  timeoutSeconds?: number;
  flow: StepFlow;
}

/** The type of every name a document's steps can refer to: its parameters and its steps' outputs. */
export type TypeTable = ReadonlyMap<string, ValueType>;

const PLACEHOLDER = /\{\{\s*([\w:.-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([\w:.-]+)\s*\}\}$/;
/** aws:sleep's own ceiling: a step sleeps at most 7 days. */
const MAX_SLEEP_MS = 7 * 86_400_000;
const DEFAULT_TIMEOUT_S = 7 * 86_400;
const WAIT_TIMEOUT_S = 3_600;

/** A stored value (parameters and outputs are kept as lists of text) read back as its type. */
function typed(values: string[], type: ValueType | undefined): unknown {
  switch (type) {
    case 'StringList':
      return values;
    case 'Integer':
      return Number(values[0]);
    case 'Boolean':
      return values[0]?.toLowerCase() === 'true';
    case 'StringMap':
    case 'MapList':
      return JSON.parse(values[0] ?? 'null');
    default:
      return values[0] ?? '';
  }
}

/** A value a step produced, kept as a list of text as outputs are. */
export function stored(value: unknown, type: ValueType): string[] {
  if (type === 'StringList') return (Array.isArray(value) ? value : [value]).map((v) => text(v));
  if (type === 'StringMap' || type === 'MapList') return [JSON.stringify(value)];
  return [text(value)];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function lookup(name: string, ctx: StepContext, types: TypeTable): unknown {
  if (Object.hasOwn(ctx.variables, name)) return ctx.variables[name];
  const values = ctx.params[name] ?? ctx.outputs[name];
  if (values === undefined) {
    throw new Error(
      `{{ ${name} }} names no parameter, no output of a step that has run, and no Automation variable`,
    );
  }
  return typed(values, types.get(name));
}

/** Replaces `{{ … }}` in `value`: a placeholder alone keeps its value's type, one inside text is written into it. */
export function interpolate(value: unknown, ctx: StepContext, types: TypeTable): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!, ctx, types);
    return value.replace(PLACEHOLDER, (_, name: string) => {
      const v = lookup(name, ctx, types);
      return Array.isArray(v) ? v.map(text).join(',') : text(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, ctx, types));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, ctx, types)]));
  }
  return value;
}

const SSM_REFERENCE = /\{\{\s*ssm:([^{}\s]+)\s*\}\}/g;

/**
 * Parameters with their `{{ssm:/name}}` references replaced by the Parameter Store value, as
 * Automation resolves them when an execution starts (a runbook's defaults often name public
 * parameters such as the latest AMI). The first reference to a parameter that does not exist is
 * returned as the execution's failure, in Parameter Store's words.
 */
export function resolveParameterReferences(
  params: Record<string, string[]>,
  parameterValue: (name: string) => string | undefined,
): { parameters: Record<string, string[]> } | { failure: string } {
  let missing: string | undefined;
  const resolve = (v: string) =>
    v.replace(SSM_REFERENCE, (whole, name: string) => {
      const value = parameterValue(name);
      if (value === undefined) missing ??= name;
      return value ?? whole;
    });
  const parameters = Object.fromEntries(Object.entries(params).map(([k, vs]) => [k, vs.map(resolve)]));
  if (missing !== undefined) {
    return { failure: `Unable to resolve {{ssm:${missing}}}: Parameter ${missing} not found.` };
  }
  return { parameters };
}

/** What a JSONPath selects in a response: a list for list types, the first match otherwise. */
function select(json: Record<string, unknown>, path: string, type: ValueType): unknown {
  const found = JSONPath({ path, json, wrap: true }) as unknown[];
  if (type === 'StringList' || type === 'MapList') {
    return found.length === 1 && Array.isArray(found[0]) ? found[0] : found;
  }
  return found[0];
}

/** Automation's failure text for an API call a step made that was refused. */
function refusal(service: string, e: unknown): Error {
  if (e instanceof AwsError) return new Error(apiRefusal(service, e.code, e.message, e.status));
  return e instanceof Error ? e : new Error(String(e));
}

/** The API call a step's inputs describe: Service, Api, and the API's own members. */
function apiCall(inputs: Record<string, unknown>, own: readonly string[]) {
  const { Service, Api, ...rest } = inputs;
  const members = Object.fromEntries(Object.entries(rest).filter(([k]) => !own.includes(k)));
  return { service: String(Service ?? ''), api: String(Api ?? ''), members };
}

/** The step as the engine runs it: inputs, timeout and flow from the document, start from its action. */
export function customerStep(spec: StepSpec, types: TypeTable): DocumentStep {
  const inputs = (ctx: StepContext) => interpolate(spec.inputs, ctx, types) as Record<string, unknown>;
  const defaultTimeout =
    spec.action === 'aws:waitForAwsResourceProperty' ? WAIT_TIMEOUT_S : DEFAULT_TIMEOUT_S;
  return {
    name: spec.name,
    action: spec.action,
    timeoutSeconds: spec.timeoutSeconds ?? defaultTimeout,
    flow: spec.flow,
    inputs,
    start: (ctl, ctx) => play(spec, ctl, inputs(ctx)),
  };
}

function play(spec: StepSpec, ctl: StepControl, inputs: Record<string, unknown>): void {
  const unreachable = (service: string) => {
    const why = unreachableService(service);
    if (why) ctl.fail(`Step ${spec.name}: ${spec.action} calls ${why}`);
    return why !== undefined;
  };
  switch (spec.action) {
    case 'aws:sleep':
      sleep(spec, ctl, inputs);
      return;
    case 'aws:branch':
      branch(spec, ctl, inputs);
      return;
    case 'aws:executeAwsApi': {
      const call = apiCall(inputs, []);
      if (unreachable(call.service)) return;
      ctl.async(async () => {
        const out = await ctl.callApi(call.service, call.api, call.members).catch((e) => {
          throw refusal(call.service, e);
        });
        const outputs: Record<string, string[]> = {};
        for (const o of spec.outputs) {
          const v = select(out, o.Selector, o.Type);
          if (v !== undefined) outputs[o.Name] = stored(v, o.Type);
        }
        ctl.succeed(outputs);
      });
      return;
    }
    case 'aws:waitForAwsResourceProperty':
    case 'aws:assertAwsResourceProperty': {
      const call = apiCall(inputs, ['PropertySelector', 'DesiredValues']);
      if (unreachable(call.service)) return;
      const desired = (Array.isArray(inputs.DesiredValues) ? inputs.DesiredValues : []).map(text);
      const path = String(inputs.PropertySelector ?? '');
      const waits = spec.action === 'aws:waitForAwsResourceProperty';
      const check = () =>
        ctl.async(async () => {
          const out = await ctl.callApi(call.service, call.api, call.members).catch((e) => {
            throw refusal(call.service, e);
          });
          const found = (JSONPath({ path, json: out, wrap: true }) as unknown[]).flat().map(text);
          if (found.length > 0 && found.every((v) => desired.includes(v))) ctl.succeed();
          else if (waits) ctl.after(POLL_MS, check);
          else {
            ctl.fail(
              `Step fails when it is Verifying. ${path} is [${found.join(', ')}]; expected one of [${desired.join(', ')}].`,
            );
          }
        });
      check();
      return;
    }
    default: {
      const runtime = String(inputs.Runtime ?? '');
      const what =
        spec.action === 'aws:executeScript'
          ? ` runs ${/^powershell/i.test(runtime) ? 'PowerShell' : 'Python'} on AWS`
          : ' runs on AWS';
      ctl.fail(`Step ${spec.name}: ${spec.action}${what}; the sandbox cannot run it`);
    }
  }
}

function sleep(spec: StepSpec, ctl: StepControl, inputs: Record<string, unknown>): void {
  const now = ctl.world.now();
  let ms: number | undefined;
  if (inputs.Duration !== undefined) ms = parseIsoDuration(String(inputs.Duration));
  else if (inputs.Timestamp !== undefined) {
    const at = Date.parse(String(inputs.Timestamp));
    ms = Number.isNaN(at) ? undefined : Math.max(0, at - now);
  }
  if (ms === undefined || ms > MAX_SLEEP_MS) {
    ctl.fail(
      `Step fails when it is Executing. Step ${spec.name} needs a Duration (ISO 8601, at most 7 days) or a Timestamp (ISO 8601), got ${JSON.stringify(inputs)}.`,
    );
    return;
  }
  ctl.after(ms, () => ctl.succeed());
}

type Choice = Record<string, unknown>;

const NUMERIC: Record<string, (a: number, b: number) => boolean> = {
  NumericEquals: (a, b) => a === b,
  NumericGreater: (a, b) => a > b,
  NumericLesser: (a, b) => a < b,
  NumericGreaterOrEquals: (a, b) => a >= b,
  NumericLesserOrEquals: (a, b) => a <= b,
};

const STRING: Record<string, (a: string, b: string) => boolean> = {
  StringEquals: (a, b) => a === b,
  EqualsIgnoreCase: (a, b) => a.toLowerCase() === b.toLowerCase(),
  StartsWith: (a, b) => a.startsWith(b),
  EndsWith: (a, b) => a.endsWith(b),
};

/** Whether a choice (or one of its And/Or/Not parts) holds; its Variable is already interpolated. */
function holds(choice: Choice): boolean {
  if (Array.isArray(choice.And)) return (choice.And as Choice[]).every(holds);
  if (Array.isArray(choice.Or)) return (choice.Or as Choice[]).some(holds);
  if (choice.Not && typeof choice.Not === 'object') return !holds(choice.Not as Choice);
  const v = choice.Variable;
  for (const [op, test] of Object.entries(NUMERIC))
    if (op in choice) return test(Number(v), Number(choice[op]));
  for (const [op, test] of Object.entries(STRING)) if (op in choice) return test(text(v), text(choice[op]));
  if ('BooleanEquals' in choice)
    return String(v).toLowerCase() === String(choice.BooleanEquals).toLowerCase();
  if ('Contains' in choice) {
    return Array.isArray(v)
      ? v.map(text).includes(text(choice.Contains))
      : text(v).includes(text(choice.Contains));
  }
  return false;
}

function branch(spec: StepSpec, ctl: StepControl, inputs: Record<string, unknown>): void {
  const choices = (Array.isArray(inputs.Choices) ? inputs.Choices : []) as Choice[];
  const chosen = choices.find(holds);
  const next = chosen
    ? String(chosen.NextStep)
    : inputs.Default === undefined
      ? undefined
      : String(inputs.Default);
  if (next === undefined) {
    ctl.fail(
      `Step fails when it is Executing. No choice of step ${spec.name} matched, and it has no Default.`,
    );
    return;
  }
  ctl.succeed({}, next);
}
