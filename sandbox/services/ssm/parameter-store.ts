import { z } from 'zod';
import { AwsError } from '../../protocol/types.ts';

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export const PARAMETER_TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
export type ParameterTier = 'Standard' | 'Advanced';
export const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

/** SSM keeps the last 100 versions of a parameter and drops the oldest beyond that. */
const MAX_VERSIONS = 100;
/** The standard-tier parameter quota per account and region. */
const MAX_PARAMETERS = 10_000;
const MAX_HIERARCHY_LEVELS = 15;
const DEFAULT_KEY_ID = 'alias/aws/ssm';

const versionSchema = z.object({
  version: z.number().int().positive(),
  value: z.string(),
  type: z.enum(PARAMETER_TYPES),
  lastModified: z.number(),
  description: z.string().optional(),
  allowedPattern: z.string().optional(),
  keyId: z.string().optional(),
  tier: z.enum(['Standard', 'Advanced']),
  dataType: z.string(),
});
export type ParameterVersion = z.infer<typeof versionSchema>;

const parameterSchema = z.object({
  name: z.string(),
  versions: z.array(versionSchema).min(1),
  tags: z.record(z.string(), z.string()),
});
export type StoredParameter = z.infer<typeof parameterSchema>;

export const savedParametersSchema = z.array(parameterSchema);

export interface PutRequest {
  name: string;
  value: string;
  type: ParameterType | undefined;
  description: string | undefined;
  overwrite: boolean;
  allowedPattern: string | undefined;
  keyId: string | undefined;
  tier: (typeof PARAMETER_TIERS)[number] | undefined;
  dataType: string | undefined;
  tags: Record<string, string> | undefined;
}

export interface PutOutcome {
  parameter: StoredParameter;
  created: boolean;
}

/** The latest version of a parameter: what every Get and Describe reports. */
export function latest(p: StoredParameter): ParameterVersion {
  return p.versions[p.versions.length - 1]!;
}

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can ' +
  'consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers ' +
  'and the following 3 symbols .-_';

/**
 * Checks a parameter name as PutParameter does: allowed characters, no reserved prefix, a path
 * that starts with `/` and has at most 15 levels.
 */
export function checkParameterName(name: string): void {
  if (name.length < 1 || name.length > 2048) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048`,
    );
  }
  const bare = name.startsWith('/') ? name.slice(1) : name;
  const segments = bare.split('/');
  const validChars = segments.every((s) => /^[a-zA-Z0-9_.-]+$/.test(s));
  if (!validChars || /^(aws|ssm)/i.test(bare)) throw new AwsError('ValidationException', NAME_RULES);
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsError('ValidationException', 'Parameter name must be a fully qualified name.');
  }
  if (segments.length > MAX_HIERARCHY_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
}

/** Parameter Store: named, versioned values. All checks happen before anything is changed. */
export class ParameterStore {
  private readonly byName = new Map<string, StoredParameter>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  all(): StoredParameter[] {
    return [...this.byName.values()];
  }

  find(name: string): StoredParameter | undefined {
    return this.byName.get(name);
  }

  require(name: string): StoredParameter {
    const p = this.byName.get(name);
    if (!p) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return p;
  }

  put(req: PutRequest): PutOutcome {
    checkParameterName(req.name);
    const existing = this.byName.get(req.name);
    if (existing && !req.overwrite) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (existing && req.tags) {
      throw new AwsError(
        'ValidationException',
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please " +
          'remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or ' +
          'RemoveTagsFromResource.',
      );
    }
    if (!existing && this.byName.size >= MAX_PARAMETERS) {
      throw new AwsError(
        'ParameterLimitExceeded',
        `You have exceeded the number of parameters for this AWS account (${MAX_PARAMETERS}).`,
      );
    }
    const previous = existing ? latest(existing) : undefined;
    const type = req.type ?? previous?.type;
    if (!type) {
      throw new AwsError('ValidationException', 'A parameter type is required when you create a parameter.');
    }
    if (req.keyId !== undefined && type !== 'SecureString') {
      throw new AwsError('ValidationException', 'KeyId is required for SecureString type parameter only.');
    }
    const version: ParameterVersion = {
      version: (previous?.version ?? 0) + 1,
      value: req.value,
      type,
      lastModified: this.now(),
      description: req.description ?? previous?.description,
      allowedPattern: req.allowedPattern ?? previous?.allowedPattern,
      keyId: type === 'SecureString' ? (req.keyId ?? previous?.keyId ?? DEFAULT_KEY_ID) : undefined,
      tier: this.tierFor(req, previous),
      dataType: req.dataType ?? previous?.dataType ?? 'text',
    };
    checkValue(version);
    if (existing) {
      existing.versions.push(version);
      if (existing.versions.length > MAX_VERSIONS) existing.versions.shift();
      return { parameter: existing, created: false };
    }
    const created: StoredParameter = { name: req.name, versions: [version], tags: { ...req.tags } };
    this.byName.set(req.name, created);
    return { parameter: created, created: true };
  }

  private tierFor(req: PutRequest, previous: ParameterVersion | undefined): ParameterTier {
    if (req.tier === 'Intelligent-Tiering') {
      return previous?.tier === 'Advanced' || req.value.length > 4096 ? 'Advanced' : 'Standard';
    }
    if (req.tier === 'Standard' && previous?.tier === 'Advanced') {
      throw new AwsError(
        'ValidationException',
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the " +
          'advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced ' +
          'parameter and recreate it as a standard parameter.',
      );
    }
    return req.tier ?? previous?.tier ?? 'Standard';
  }

  delete(name: string): StoredParameter {
    const p = this.require(name);
    this.byName.delete(name);
    return p;
  }

  save(): StoredParameter[] {
    return this.all();
  }

  restore(saved: StoredParameter[]): void {
    this.byName.clear();
    for (const p of saved) this.byName.set(p.name, p);
  }
}

function checkValue(v: ParameterVersion): void {
  const max = v.tier === 'Advanced' ? 8192 : 4096;
  if (v.value.length > max) {
    throw new AwsError(
      'ValidationException',
      v.tier === 'Standard'
        ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger ' +
            'parameter value, upgrade the parameter to use the advanced-parameter tier.'
        : `Advanced tier parameters support a maximum parameter value of ${max} characters.`,
    );
  }
  if (!(DATA_TYPES as readonly string[]).includes(v.dataType)) {
    throw new AwsError(
      'ValidationException',
      `The following data type is not supported: ${v.dataType} (Data type names are all lowercase.)`,
    );
  }
  if (v.dataType === 'aws:ec2:image') {
    if (v.type !== 'String') {
      throw new AwsError('ValidationException', 'The aws:ec2:image data type is only supported for String.');
    }
    if (!/^ami-[0-9a-f]{8,17}$/.test(v.value)) {
      throw new AwsError(
        'ParameterPatternMismatchException',
        `Parameter value, ${v.value}, does not match the aws:ec2:image data type.`,
      );
    }
  }
  if (v.allowedPattern !== undefined) checkAllowedPattern(v.value, v.allowedPattern);
}

function checkAllowedPattern(value: string, allowedPattern: string): void {
  let whole: RegExp;
  try {
    // AllowedPattern must match the whole value, as Java's Pattern.matches does in the real service.
    whole = new RegExp(`^(?:${allowedPattern})$`);
  } catch {
    throw new AwsError(
      'InvalidAllowedPatternException',
      'The request does not meet the regular expression requirement.',
    );
  }
  if (!whole.test(value)) {
    throw new AwsError(
      'ParameterPatternMismatchException',
      `Parameter value, ${value}, failed to satisfy constraint specified in the allowed pattern: ${allowedPattern}`,
    );
  }
}
