import { quote } from '../input/quote.ts';

/** A path into a template or a file: member names and list indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * How much a problem says about the rest: an action or resource type FIS does not have makes
 * everything about it moot, so it is told first; then what the runtime (the sandbox) does not
 * model; then every other rule.
 */
export type ProblemKind = 'unknown' | 'runtime' | 'rule';

/**
 * One reason FIS refuses a template. `detail` reads after the field's name ("is required by
 * aws:ec2:stop-instances"), so that faultline can name the field in its own vocabulary (an
 * experiment file's path); `fisMessage` is the ValidationException text FIS itself sends.
 */
export interface TemplateProblem {
  path: FieldPath;
  detail: string;
  fisMessage: string;
  kind: ProblemKind;
}

/** How FIS words the message: `'f' detail`, `'f': detail` or `Invalid value for 'f': detail`. */
export type ProblemStyle = 'plain' | 'colon' | 'invalid';

export function templateProblem(
  path: FieldPath,
  detail: string,
  style: ProblemStyle = 'plain',
  kind: ProblemKind = 'rule',
): TemplateProblem {
  const field = formatFieldPath(path);
  const fisMessage =
    field === ''
      ? detail
      : style === 'plain'
        ? `${quote(field)} ${detail}`
        : style === 'colon'
          ? `${quote(field)}: ${detail}`
          : `Invalid value for ${quote(field)}: ${detail}`;
  return { path, detail, fisMessage, kind };
}

/** The order problems are told in, by kind; lower first. */
export const PROBLEM_RANK: Readonly<Record<ProblemKind, number>> = { unknown: 0, runtime: 1, rule: 2 };

/** The problems with the unknown actions and resource types first, otherwise in the order found. */
export function byImportance<T extends { kind: ProblemKind }>(problems: readonly T[]): T[] {
  // Array sorting is stable: problems of one kind keep their order.
  return [...problems].sort((a, b) => PROBLEM_RANK[a.kind] - PROBLEM_RANK[b.kind]);
}

/** `actions.stop.targets.Instances`, `stopConditions[0].value`. */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
