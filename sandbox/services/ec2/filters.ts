import { queryList } from '../../protocol/query.ts';
import { invalidValue, type Params } from './input.ts';

/** For each filter name a resource supports, the values it has under that name. */
export type FilterFields<T> = Record<string, (resource: T) => readonly (string | number | boolean)[]>;

interface Filter {
  name: string;
  patterns: RegExp[];
}

/**
 * EC2 filter values may use `*` (any run of characters) and `?` (one character); a backslash
 * escapes either. Matching is case-sensitive and covers the whole value.
 */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) source += escapeRegExp(glob[++i]!);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function readFilters(params: Params): Filter[] {
  return queryList(params.Filter).map((raw) => {
    if (typeof raw !== 'object' || Array.isArray(raw) || typeof raw.Name !== 'string') {
      throw invalidValue('The filter is missing its Name.');
    }
    const values = queryList(raw.Value).filter((v): v is string => typeof v === 'string');
    if (values.length === 0) throw invalidValue(`The filter '${raw.Name}' has no values.`);
    return { name: raw.Name, patterns: values.map(globToRegExp) };
  });
}

/**
 * Reads `Filter.N.Name` / `Filter.N.Value.M` into one predicate. Filters are ANDed, the values of
 * one filter ORed; `tag:<Key>` matches the value of that tag. A name the resource does not support
 * is refused as EC2 refuses it.
 */
export function parseFilters<T>(
  params: Params,
  fields: FilterFields<T>,
  tagsOf?: (resource: T) => Record<string, string>,
): (resource: T) => boolean {
  const predicates = readFilters(params).map((f): ((r: T) => boolean) => {
    if (f.name.startsWith('tag:') && tagsOf) {
      const key = f.name.slice('tag:'.length);
      return (r) => {
        const tags = tagsOf(r);
        return key in tags && f.patterns.some((p) => p.test(tags[key]!));
      };
    }
    const field = fields[f.name];
    if (!field) throw invalidValue(`The filter '${f.name}' is invalid`);
    return (r) => field(r).some((v) => f.patterns.some((p) => p.test(String(v))));
  });
  return (r) => predicates.every((p) => p(r));
}

/** The filter fields every taggable resource has. */
export function tagFields<T>(tagsOf: (resource: T) => Record<string, string>): FilterFields<T> {
  return {
    'tag-key': (r) => Object.keys(tagsOf(r)),
    'tag-value': (r) => Object.values(tagsOf(r)),
  };
}
