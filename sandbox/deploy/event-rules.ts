import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import type { Sandbox } from '../sandbox.ts';
import { compilePattern, InvalidEventPatternError } from '../services/events/pattern.ts';
import { type IntrinsicContext, resolveIntrinsics } from './intrinsics.ts';
import type { ResolvedService } from './resolve.ts';
import { compiledInput, splicedText } from './schedules.ts';

/** A state machine's `eventBridge` (or `cloudwatchEvent`) event, as the rule and target serverless-step-functions compiles it to. */
export interface EventBridgeRule {
  name: string;
  /** Where serverless.yml declares it, for error messages. */
  declaredAt: string;
  /** The state machine's key in serverless.yml. */
  stateMachine: string;
  eventPattern: string;
  enabled: boolean;
  description: string | undefined;
  targetId: string;
  input: string | undefined;
  inputPath: string | undefined;
  inputTransformer: { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
  retryPolicy: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
  /** The dead-letter queue's ARN, possibly still an intrinsic function (resolved at deploy). */
  deadLetterArn: unknown;
}

const eventSchema = z
  .object({
    event: z.record(z.string(), z.unknown()),
    name: z.string().optional(),
    description: z.string().optional(),
    enabled: z.boolean().optional(),
    eventBusName: z.unknown().optional(),
    iamRole: z.unknown().optional(),
    input: z.unknown().optional(),
    inputPath: z.string().optional(),
    inputTransformer: z
      .object({ inputPathsMap: z.record(z.string(), z.string()).optional(), inputTemplate: z.string() })
      .optional(),
    retryPolicy: z
      .object({
        maximumEventAgeInSeconds: z.number().int().optional(),
        maximumRetryAttempts: z.number().int().optional(),
      })
      .optional(),
    deadLetterConfig: z.unknown().optional(),
  })
  .passthrough();

/**
 * The eventBridge events of every state machine in a resolved serverless.yml, as the rules
 * serverless-step-functions would have CloudFormation create: same names, patterns, inputs.
 * Everything is checked here, before anything is deployed; one clear error names the event.
 */
export function eventBridgeRules(service: ResolvedService): EventBridgeRule[] {
  const stack = `${service.service}-${service.provider.stage}`;
  const rules: EventBridgeRule[] = [];
  for (const [key, sm] of Object.entries(service.stepFunctions?.stateMachines ?? {})) {
    let n = 0;
    for (const [i, event] of (sm.events ?? []).entries()) {
      const type = event.eventBridge !== undefined ? 'eventBridge' : 'cloudwatchEvent';
      const raw = event[type];
      if (raw === undefined) continue;
      n += 1;
      const declaredAt = `stepFunctions.stateMachines.${key}.events[${i}].${type}`;
      const parsed = eventSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`${declaredAt}${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
      }
      const spec = parsed.data;
      if (spec.eventBusName !== undefined && spec.eventBusName !== 'default') {
        throw new Error(`${declaredAt}.eventBusName: the sandbox emulates the default event bus only`);
      }
      const inputs = [spec.input, spec.inputPath, spec.inputTransformer].filter((x) => x !== undefined);
      if (inputs.length > 1) {
        throw new Error(`${declaredAt}: only one of input, inputPath and inputTransformer may be set`);
      }
      const eventPattern = JSON.stringify(spec.event);
      try {
        compilePattern(eventPattern);
      } catch (e) {
        if (e instanceof InvalidEventPatternError) throw new Error(`${declaredAt}.event: ${e.message}`);
        throw e;
      }
      const logicalId = `${normalizedName(key)}EventsRuleCloudWatchEvent${n}`;
      rules.push({
        // Without a name, CloudFormation names the rule after the stack and the logical id (and a
        // random suffix, which the sandbox leaves out so that runs replay).
        name: spec.name ?? `${stack}-${logicalId}`.slice(0, 64),
        declaredAt,
        stateMachine: key,
        eventPattern,
        enabled: spec.enabled !== false,
        description: spec.description,
        targetId: `${key}CloudWatchEvent`,
        input: spec.input === undefined ? undefined : compiledInput(spec.input, `${declaredAt}.input`),
        inputPath: spec.inputPath,
        inputTransformer: spec.inputTransformer && {
          InputPathsMap: spec.inputTransformer.inputPathsMap,
          InputTemplate: splicedText(spec.inputTransformer.inputTemplate, `${declaredAt}.inputTransformer`),
        },
        retryPolicy: spec.retryPolicy && {
          MaximumRetryAttempts: spec.retryPolicy.maximumRetryAttempts,
          MaximumEventAgeInSeconds: spec.retryPolicy.maximumEventAgeInSeconds,
        },
        deadLetterArn: spec.deadLetterConfig,
      });
    }
  }
  return rules;
}

/**
 * Creates the rules and their state-machine targets through the sandbox's EventBridge API.
 * Returns the rules' ARNs. A target EventBridge refuses is an error naming the event.
 */
export async function deployEventRules(
  sb: Sandbox,
  rules: EventBridgeRule[],
  stateMachineArns: Record<string, string>,
  ctx: IntrinsicContext,
): Promise<string[]> {
  if (rules.length === 0) return [];
  const client = new EventBridgeClient({
    endpoint: sb.endpoint,
    region: sb.world.region,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  try {
    const arns: string[] = [];
    for (const rule of rules) {
      const out = await client.send(
        new PutRuleCommand({
          Name: rule.name,
          EventPattern: rule.eventPattern,
          State: rule.enabled ? 'ENABLED' : 'DISABLED',
          Description: rule.description,
        }),
      );
      const deadLetterArn =
        rule.deadLetterArn === undefined
          ? undefined
          : String(resolveIntrinsics(rule.deadLetterArn, ctx, `${rule.declaredAt}.deadLetterConfig`));
      const put = await client.send(
        new PutTargetsCommand({
          Rule: rule.name,
          Targets: [
            {
              Id: rule.targetId,
              Arn: stateMachineArns[rule.stateMachine],
              RoleArn: `arn:aws:iam::${sb.world.accountId}:role/${rule.name}-role`,
              Input: rule.input,
              InputPath: rule.inputPath,
              InputTransformer: rule.inputTransformer,
              RetryPolicy: rule.retryPolicy,
              DeadLetterConfig: deadLetterArn === undefined ? undefined : { Arn: deadLetterArn },
            },
          ],
        }),
      );
      const failed = put.FailedEntries?.[0];
      if (failed) throw new Error(`${rule.declaredAt}: ${failed.ErrorMessage}`);
      arns.push(out.RuleArn!);
    }
    return arns;
  } finally {
    client.destroy();
  }
}

/** The Framework's normalised name (`remediation-flow` → `RemediationDashflow`), as logical ids use it. */
function normalizedName(name: string): string {
  const n = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n.charAt(0).toUpperCase() + n.slice(1);
}
