import { findCreateInputProblem } from '../fis/check-create-input.ts';
import type { FieldPath } from '../fis/problem.ts';
import { parseSelectionMode } from '../fis/selection-mode.ts';
import { parseScheduleExpression, ScheduleExpressionError } from '../time/schedule-expression.ts';
import type { AlarmLookup } from './alarm-lookup.ts';
import { buildTemplate, type CompileContext } from './compile.ts';
import type { FieldIssue } from './field-issue.ts';
import { specPathOf } from './field-names.ts';
import { faultlineDetail } from './fis-problem.ts';
import type { ExperimentSpec } from './schema.ts';

/**
 * Compiling for the rules needs some account: the rules look at the shape of ARNs, not at whose
 * they are, so any well-formed one gives the same answer as the real one.
 */
const ANY_ACCOUNT: CompileContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  roleArn: 'arn:aws:iam::000000000000:role/faultline-fis',
};

const INSTANCE = 'aws:ec2:instance';

/**
 * What a schema cannot say about an experiment, checked before anything starts: its schedule is
 * one EventBridge takes, the template it compiles to passes FIS's rules (supported actions, their
 * parameters and target keys, targets that exist with the right resource type, startAfter without
 * cycles, …: the same rules the sandbox's FIS applies), and no PERCENT selection of instances
 * exceeds the blast-radius guardrail. The first problem, named by the experiment's own field;
 * undefined when there is none.
 */
export function findExperimentProblem(spec: ExperimentSpec): FieldIssue | undefined {
  const schedule = findScheduleProblem(spec);
  if (schedule) return schedule;
  const template = buildTemplate(spec, ANY_ACCOUNT);
  const problem = findCreateInputProblem(template);
  if (problem) {
    return { path: specPathOf(problem.path, spec, template) ?? [], detail: faultlineDetail(problem) };
  }
  return findBlastRadiusProblem(spec);
}

function findScheduleProblem(spec: ExperimentSpec): FieldIssue | undefined {
  if (spec.schedule === undefined) return undefined;
  try {
    parseScheduleExpression(spec.schedule);
    return undefined;
  } catch (e) {
    if (!(e instanceof ScheduleExpressionError)) throw e;
    return {
      path: ['schedule'],
      detail: `must be an EventBridge schedule expression: ${e.detail} (got '${spec.schedule}')`,
    };
  }
}

function findBlastRadiusProblem(spec: ExperimentSpec): FieldIssue | undefined {
  const limit = spec.guardrails.maxBlastRadiusPercent;
  for (const [name, target] of Object.entries(spec.fault.targets)) {
    const mode = parseSelectionMode(target.select);
    if (target.type === INSTANCE && mode?.kind === 'PERCENT' && mode.n > limit) {
      return {
        path: ['fault', 'targets', name, 'select'],
        detail: `${target.select} of the instances is more than guardrails.maxBlastRadiusPercent allows (${limit}%)`,
      };
    }
  }
  return undefined;
}

/**
 * The first alarm the experiment names (stop conditions, then the hypothesis) that does not
 * exist where it will run. A stop condition on a missing alarm can never stop the fault.
 */
export async function findUnknownAlarm(
  spec: ExperimentSpec,
  alarms: AlarmLookup,
): Promise<FieldIssue | undefined> {
  const named: { path: FieldPath; name: string }[] = [
    ...spec.stopConditions.map((name, i) => ({ path: ['stopConditions', i], name })),
    ...spec.hypothesis.alarms.map((name, i) => ({ path: ['hypothesis', 'alarms', i], name })),
  ];
  const existing = await alarms.existing([...new Set(named.map((n) => n.name))]);
  const missing = named.find((n) => !existing.has(n.name));
  return (
    missing && {
      path: missing.path,
      detail: `there is no CloudWatch alarm named '${missing.name}' ${alarms.where}`,
    }
  );
}
