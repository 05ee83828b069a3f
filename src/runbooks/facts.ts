import { quote } from '../input/quote.ts';

/**
 * What a runbook can know about the event that triggered it, normalised from the EventBridge
 * event (src/runbooks/event.ts): the names its `{{…}}` references read, and what matching looks at.
 */
export interface EventFacts {
  kind: 'alarm' | 'experiment';
  event: { id: string; region: string; account: string; time: string };
  alarm?: AlarmFacts;
  experiment?: ExperimentFacts;
}

export interface AlarmFacts {
  name: string;
  arn: string | undefined;
  state: string;
  previousState: string | undefined;
  /** When the alarm entered its state: with the name, what identifies this transition. */
  stateTimestamp: string;
  /** Of the alarm's (first) metric; a metric-math or composite alarm may have none. */
  namespace: string | undefined;
  metric: string | undefined;
  dimensions: Record<string, string>;
  /** The alarm's tags, when the caller looked them up (EventBridge does not carry them). */
  tags: Record<string, string> | undefined;
}

export interface ExperimentFacts {
  id: string;
  templateId: string | undefined;
  status: string;
  previousStatus: string | undefined;
}

/** A reference's path, e.g. ['alarm', 'dimensions', 'InstanceId']. */
export type FactPath = readonly string[];

const SCALARS: Record<string, readonly string[]> = {
  event: ['id', 'region', 'account', 'time'],
  alarm: ['name', 'arn', 'namespace', 'metric', 'state', 'stateTimestamp'],
  experiment: ['id', 'templateId', 'status'],
};
const MAPS: Record<string, readonly string[]> = { alarm: ['dimensions', 'tags'] };

/** Why a reference names nothing a runbook can read; undefined when it is one of the known names. */
export function unknownFact(path: FactPath): string | undefined {
  const [root, field, key, ...rest] = path;
  const known = [
    ...Object.entries(SCALARS).flatMap(([r, fs]) => fs.map((f) => `${r}.${f}`)),
    ...Object.entries(MAPS).flatMap(([r, fs]) => fs.map((f) => `${r}.${f}.<name>`)),
  ].join(', ');
  if (root && field && SCALARS[root]?.includes(field) && key === undefined) return undefined;
  if (root && field && MAPS[root]?.includes(field) && key && rest.length === 0) return undefined;
  return `${quote(path.join('.'))} is not something an event tells; references take: ${known}`;
}

/** The value a reference names in these facts, undefined when the event does not have it. */
export function factValue(facts: EventFacts, path: FactPath): string | undefined {
  const [root, field, key] = path;
  const section = (root === 'event' ? facts.event : root === 'alarm' ? facts.alarm : facts.experiment) as
    | Record<string, unknown>
    | undefined;
  const value = section?.[field ?? ''];
  if (key === undefined) return typeof value === 'string' ? value : undefined;
  const inner = (value as Record<string, string> | undefined)?.[key];
  return typeof inner === 'string' ? inner : undefined;
}
