/** A path into a template or a file: member names and list indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * One reason FIS refuses a template. `detail` reads after the field's name ("is required by
 * aws:ec2:stop-instances"), so that faultline can name the field in its own vocabulary (an
 * experiment file's path); `fisMessage` is the ValidationException text FIS itself sends.
 */
export interface TemplateProblem {
  path: FieldPath;
  detail: string;
  fisMessage: string;
}

/** How FIS words the message: `'f' detail`, `'f': detail` or `Invalid value for 'f': detail`. */
export type ProblemStyle = 'plain' | 'colon' | 'invalid';

export function templateProblem(
  path: FieldPath,
  detail: string,
  style: ProblemStyle = 'plain',
): TemplateProblem {
  const field = formatFieldPath(path);
  const fisMessage =
    field === ''
      ? detail
      : style === 'plain'
        ? `'${field}' ${detail}`
        : style === 'colon'
          ? `'${field}': ${detail}`
          : `Invalid value for '${field}': ${detail}`;
  return { path, detail, fisMessage };
}

/** `actions.stop.targets.Instances`, `stopConditions[0].value`. */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
