import type { TemplateAction, TemplateTarget } from '../fis/template.ts';

/**
 * A template's content written one way only: maps in key order, lists that FIS treats as sets
 * (ARNs, filter values, startAfter, stop conditions) sorted and without repeats, empty members
 * left out. A compiled template is written this way, and an existing one is rewritten this way
 * before the two are compared, so "changed" means changed in substance.
 */
export interface TemplateContent {
  description: string;
  targets: Record<string, TemplateTarget>;
  actions: Record<string, TemplateAction>;
  stopConditions: { source: string; value?: string }[];
  roleArn: string;
  emptyTargetResolutionMode: 'fail' | 'skip';
}

/** The loose shape of a template as the SDK returns it or as it is written: every member optional. */
export interface LooseTemplate {
  description?: string;
  targets?: Record<
    string,
    {
      resourceType?: string;
      resourceArns?: string[];
      resourceTags?: Record<string, string>;
      filters?: { path?: string; values?: string[] }[];
      selectionMode?: string;
      parameters?: Record<string, string>;
    }
  >;
  actions?: Record<
    string,
    {
      actionId?: string;
      description?: string;
      parameters?: Record<string, string>;
      targets?: Record<string, string>;
      startAfter?: string[];
    }
  >;
  stopConditions?: { source?: string; value?: string }[];
  roleArn?: string;
  experimentOptions?: { emptyTargetResolutionMode?: string };
}

export function canonicalContent(t: LooseTemplate): TemplateContent {
  return {
    description: t.description ?? '',
    targets: sortedMap(t.targets ?? {}, (x) =>
      compact({
        resourceType: x.resourceType ?? '',
        resourceArns: sortedSet(x.resourceArns),
        resourceTags: nonEmpty(sortedMap(x.resourceTags ?? {}, (v) => v)),
        filters: nonEmptyList(
          (x.filters ?? [])
            .map((f) => ({ path: f.path ?? '', values: sortedSet(f.values) ?? [] }))
            .sort((a, b) => compare(a.path, b.path)),
        ),
        selectionMode: x.selectionMode ?? '',
        parameters: nonEmpty(sortedMap(x.parameters ?? {}, (v) => v)),
      }),
    ),
    actions: sortedMap(t.actions ?? {}, (a) =>
      compact({
        actionId: a.actionId ?? '',
        description: a.description || undefined,
        parameters: nonEmpty(sortedMap(a.parameters ?? {}, (v) => v)),
        targets: nonEmpty(sortedMap(a.targets ?? {}, (v) => v)),
        startAfter: sortedSet(a.startAfter),
      }),
    ),
    stopConditions: uniqueBy(
      (t.stopConditions ?? []).map((c) => compact({ source: c.source ?? '', value: c.value })),
      (c) => `${c.source} ${c.value ?? ''}`,
    ),
    roleArn: t.roleArn ?? '',
    emptyTargetResolutionMode: t.experimentOptions?.emptyTargetResolutionMode === 'skip' ? 'skip' : 'fail',
  };
}

export function sortedMap<A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(
    Object.keys(o)
      .sort(compare)
      .map((k) => [k, f(o[k]!)]),
  );
}

/** Code-unit order, the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedSet(list: string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...new Set(list)].sort(compare) : undefined;
}

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of list) seen.set(key(item), item);
  return [...seen.keys()].sort(compare).map((k) => seen.get(k)!);
}

function nonEmpty<T>(o: Record<string, T>): Record<string, T> | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

function nonEmptyList<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Leaves out the members that are undefined, so that JSON and deep equality agree. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
