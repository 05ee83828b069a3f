/** A path into a template or a file: member names and list indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * A value FIS takes that the emulated FIS has nothing to act on: an SSM document other than those
 * its SSM has. FIS words it as a document it cannot find; faultline words it as what it cannot run.
 */
export interface Unavailable {
  kind: 'SSM document';
  name: string;
  /** What there is instead. */
  available: readonly string[];
}

/**
 * One reason FIS refuses a template. `detail` reads after the field's name ("is required by
 * aws:ec2:stop-instances"), so that faultline can name the field in its own vocabulary (an
 * experiment file's path); `fisMessage` is the ValidationException text FIS itself sends.
 * `unavailable` says when the reason is something FIS knows but the sandbox does not have.
 */
export interface TemplateProblem {
  path: FieldPath;
  detail: string;
  fisMessage: string;
  unavailable?: Unavailable;
}

/** How FIS words the message: `'f' detail`, `'f': detail` or `Invalid value for 'f': detail`. */
export type ProblemStyle = 'plain' | 'colon' | 'invalid';

export function templateProblem(
  path: FieldPath,
  detail: string,
  style: ProblemStyle = 'plain',
  unavailable?: Unavailable,
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
  return { path, detail, fisMessage, ...(unavailable ? { unavailable } : {}) };
}

/** FIS's words for an unavailable value, to follow the field's name. */
export function unavailableDetail(u: Unavailable): string {
  return `${u.kind} ${u.name} was not found; available: ${u.available.join(', ')}`;
}

/** `actions.stop.targets.Instances`, `stopConditions[0].value`. */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
