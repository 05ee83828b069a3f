import { AwsError } from '../../protocol/types.ts';
import { type JsonInput, optionalString, optionalStringList, requiredString } from './input.ts';
import { latest, PARAMETER_TYPES, type StoredParameter } from './parameter-store.ts';

export type ParameterPredicate = (p: StoredParameter) => boolean;

/** Which options each ParameterStringFilter key accepts; the first is the default. */
const OPTIONS: Record<string, readonly string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['OneLevel', 'Recursive'],
  Type: ['Equals'],
  KeyId: ['Equals'],
  Tier: ['Equals'],
  DataType: ['Equals'],
  Label: ['Equals'],
  tag: ['Equals'],
};

/** The parent path of a hierarchical name (`/a/b/c` → `/a/b`, `/a` → `/`); undefined for flat names. */
export function parentPath(name: string): string | undefined {
  if (!name.startsWith('/')) return undefined;
  const i = name.lastIndexOf('/');
  return i === 0 ? '/' : name.slice(0, i);
}

/** Whether `name` sits under `path`, directly or (when recursive) at any depth. */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  if (!recursive) return parentPath(name) === path;
  const prefix = path === '/' ? '/' : `${path}/`;
  return name.startsWith(prefix);
}

/**
 * Reads `ParameterFilters` (ParameterStringFilter) into one predicate that all filters must pass.
 * `allowedKeys` is the operation's own list: GetParametersByPath takes fewer keys than
 * DescribeParameters.
 */
export function parseParameterStringFilters(
  filters: JsonInput[] | undefined,
  allowedKeys: readonly string[],
): ParameterPredicate {
  const predicates = (filters ?? []).map((f) => parseOne(f, allowedKeys));
  return (p) => predicates.every((pred) => pred(p));
}

function parseOne(filter: JsonInput, allowedKeys: readonly string[]): ParameterPredicate {
  const key = requiredString(filter, 'Key', { min: 1, max: 132 });
  const family = key.startsWith('tag:') ? 'tag' : key;
  if (!allowedKeys.includes(family) || OPTIONS[family] === undefined) {
    throw new AwsError(
      'InvalidFilterKey',
      `The following filter key is not valid: ${key}. Valid filter keys include: [${allowedKeys.join(', ')}].`,
    );
  }
  const options = OPTIONS[family]!;
  const option = optionalString(filter, 'Option', { min: 1, max: 10 }) ?? options[0]!;
  if (!options.includes(option)) {
    throw new AwsError(
      'InvalidFilterOption',
      `The filter option ${option} is not valid for key ${key}. Valid options include: [${options.join(', ')}].`,
    );
  }
  const values = optionalStringList(filter, 'Values', { min: 1, max: 50 }, { min: 1, max: 1024 });
  if (values === undefined && family !== 'tag') {
    throw new AwsError('InvalidFilterValue', `The filter key ${key} requires at least one value.`);
  }
  const vals = values ?? [];
  switch (family) {
    case 'Name':
      return (p) => vals.some((v) => nameMatches(p.name, v, option));
    case 'Path': {
      for (const v of vals) {
        if (!v.startsWith('/')) {
          throw new AwsError(
            'InvalidFilterValue',
            `The parameter path ${v} is not valid: it must begin with /.`,
          );
        }
      }
      const paths = vals.map(trimPath);
      return (p) => paths.some((path) => underPath(p.name, path, option === 'Recursive'));
    }
    case 'Type':
      for (const v of vals) {
        if (!(PARAMETER_TYPES as readonly string[]).includes(v)) {
          throw new AwsError(
            'InvalidFilterValue',
            `The filter value ${v} is not valid for key Type. Valid values include: [${PARAMETER_TYPES.join(', ')}].`,
          );
        }
      }
      return (p) => vals.includes(latest(p).type);
    case 'KeyId':
      return (p) => vals.includes(latest(p).keyId ?? '');
    case 'Tier':
      return (p) => vals.includes(latest(p).tier);
    case 'DataType':
      return (p) => vals.includes(latest(p).dataType);
    case 'Label':
      // The sandbox does not model parameter labels, so no parameter carries one.
      return () => false;
    default: {
      const tagKey = key.slice('tag:'.length);
      return (p) => tagKey in p.tags && (vals.length === 0 || vals.includes(p.tags[tagKey]!));
    }
  }
}

function nameMatches(name: string, value: string, option: string): boolean {
  if (option === 'BeginsWith') return name.startsWith(value);
  if (option === 'Contains') return name.toLowerCase().includes(value.toLowerCase());
  return name === value;
}

/** `/a/b/` and `/a/b` name the same path. */
export function trimPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** DescribeParameters' older `Filters` (ParametersFilter): Name (begins with), Type, KeyId. */
export function parseLegacyParameterFilters(filters: JsonInput[] | undefined): ParameterPredicate {
  const predicates = (filters ?? []).map((f): ParameterPredicate => {
    const key = requiredString(f, 'Key');
    const values = optionalStringList(f, 'Values', { min: 1, max: 50 }, { min: 1, max: 1024 });
    if (values === undefined) {
      throw new AwsError('InvalidFilterValue', `The filter key ${key} requires at least one value.`);
    }
    if (key === 'Name') return (p) => values.some((v) => p.name.startsWith(v));
    if (key === 'Type') return (p) => values.includes(latest(p).type);
    if (key === 'KeyId') return (p) => values.includes(latest(p).keyId ?? '');
    throw new AwsError(
      'InvalidFilterKey',
      `The following filter key is not valid: ${key}. Valid filter keys include: [Name, Type, KeyId].`,
    );
  });
  return (p) => predicates.every((pred) => pred(p));
}
