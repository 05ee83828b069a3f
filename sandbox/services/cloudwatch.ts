import { gunzipSync } from 'node:zlib';
import type { HistoryItemType, MetricAlarm, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { parseDimensions, parseTags, STANDARD_UNITS } from '../backends/alarm-config.ts';
import type { AlarmEngine, AlarmStateValue } from '../backends/alarms.ts';
import { cwError, decodeToken, encodeToken, Fields } from '../backends/cloudwatch-input.ts';
import { BASIC_STATISTICS } from '../backends/metric-stats.ts';
import type { SandboxCore } from '../context.ts';
import { type JsonOperation, jsonProtocol } from '../protocol/json.ts';
import { queryProtocol } from '../protocol/query.ts';
import { queryOperationsFromJson } from '../protocol/query-shapes.ts';
import type { SandboxRequest, ServiceHandler } from '../protocol/types.ts';
import { metricOperations } from './cloudwatch-metrics.ts';
import type { SandboxService } from './service.ts';

const STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
const HISTORY_ITEM_TYPES = [
  'ConfigurationUpdate',
  'StateUpdate',
  'Action',
  'AlarmContributorStateUpdate',
  'AlarmContributorAction',
] as const;
const ALARM_TYPES = ['CompositeAlarm', 'MetricAlarm'] as const;

/**
 * CloudWatch on the wire, in both protocols AWS serves it in: awsJson1_0 in its query-compatible
 * form (errors carry the query code in `x-amzn-query-error`), which SDK v3 speaks, and the query
 * protocol (form-encoded `Action=…&Version=2010-08-01`, XML answers), which the AWS CLI, the older
 * SDKs and many tools speak. One set of operations, over the alarm engine and the metric store,
 * serves both.
 */
export function createCloudWatchService(core: SandboxCore): SandboxService {
  const alarms = core.alarms;
  const operations = { ...alarmOperations(alarms), ...metricOperations(core) };
  const json = jsonProtocol({
    targetPrefix: 'GraniteServiceVersion20100801',
    version: '1.0',
    queryCompatible: true,
    operations,
  });
  // The service model comes with the whole SDK client (half a second to load): only the query
  // protocol needs it, so it is loaded at the first query request, not with every sandbox.
  let query: Promise<ServiceHandler> | undefined;
  const queryHandler = () =>
    (query ??= import('@aws-sdk/client-cloudwatch').then((model) =>
      queryProtocol({
        xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
        dialect: 'query',
        operations: queryOperationsFromJson(operations, model),
      }),
    ));
  return {
    signingName: 'monitoring',
    handler: acceptGzip(async (req) => (speaksJson(req) ? json(req) : (await queryHandler())(req))),
    save: () => alarms.save(),
    restore: (state) => alarms.restore(state),
    start: () => alarms.start(core.world.def.alarms),
  };
}

/**
 * A JSON client names its operation in X-Amz-Target and sends an `application/x-amz-json-1.0`
 * body; everything else (a form, a GET with a query string) is the query protocol.
 */
function speaksJson(req: SandboxRequest): boolean {
  return (
    req.headers['x-amz-target'] !== undefined ||
    String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json')
  );
}

/** Largest request body the service inflates: CloudWatch itself takes at most 1 MB per PutMetricData. */
const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

/**
 * The SDK gzips PutMetricData bodies of 10 KiB and more (the operation's requestCompression
 * trait), sending `Content-Encoding: gzip`. A body that does not inflate is passed on as it is, and
 * the JSON protocol answers it with a SerializationException.
 */
function acceptGzip(handler: ServiceHandler): ServiceHandler {
  return (req) => {
    if (String(req.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return handler(req);
    let body = req.body;
    try {
      body = gunzipSync(req.body, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch {
      // left as sent: not JSON, so refused as such
    }
    return handler({ ...req, body });
  };
}

function alarmOperations(alarms: AlarmEngine): Record<string, JsonOperation> {
  return {
    PutMetricAlarm: (input) => {
      alarms.putAlarm(input as PutMetricAlarmInput);
      return {};
    },
    DescribeAlarms: (input) => describeAlarms(alarms, input),
    DescribeAlarmsForMetric: (input) => describeAlarmsForMetric(alarms, input),
    DeleteAlarms: (input) => {
      alarms.delete(alarmNames(new Fields(input)));
      return {};
    },
    DescribeAlarmHistory: (input) => describeAlarmHistory(alarms, input),
    SetAlarmState: (input) => setAlarmState(alarms, input),
    EnableAlarmActions: (input) => {
      alarms.setActionsEnabled(alarmNames(new Fields(input)), true);
      return {};
    },
    DisableAlarmActions: (input) => {
      alarms.setActionsEnabled(alarmNames(new Fields(input)), false);
      return {};
    },
    TagResource: (input) => {
      const f = new Fields(input);
      const arn = resourceArn(alarms, f);
      const tags = parseTags(f, 'Tags');
      if (!f.has('Tags')) throw cwError.missing('Tags');
      for (const t of tags) {
        if (t.Key!.startsWith('aws:')) {
          throw cwError.invalidValue(`The tag key ${t.Key} is invalid: the aws: prefix is reserved.`);
        }
      }
      alarms.tag(arn, tags);
      return {};
    },
    UntagResource: (input) => {
      const f = new Fields(input);
      const arn = resourceArn(alarms, f);
      const keys = f.stringList('TagKeys', { max: 50, itemMax: 128 });
      if (keys === undefined) throw cwError.missing('TagKeys');
      alarms.untag(arn, keys);
      return {};
    },
    ListTagsForResource: (input) => ({ Tags: alarms.tagsOf(resourceArn(alarms, new Fields(input))) }),
  };
}

function alarmNames(f: Fields): string[] {
  const names = f.stringList('AlarmNames', { max: 100, itemMax: 255 });
  if (names === undefined) throw cwError.missing('AlarmNames');
  return names;
}

/** The ResourceARN of a tagging call; the sandbox tags alarms only. */
function resourceArn(alarms: AlarmEngine, f: Fields): string {
  const arn = f.requiredString('ResourceARN', { max: 1024 });
  if (
    !/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]*:\d*:(alarm|dashboard|insight-rule|metric-stream):.+/.test(arn)
  ) {
    throw cwError.invalidValue(
      `The value ${arn} for parameter ResourceARN is not a CloudWatch resource ARN.`,
    );
  }
  if (alarms.nameFromArn(arn) === undefined) {
    throw cwError.resourceNotFound(`The resource ${arn} does not exist: the sandbox only has alarms.`);
  }
  return arn;
}

/** A page of items after the one a NextToken names (by alarm name: stable while alarms come and go). */
function pageByName(items: MetricAlarm[], token: string | undefined, max: number) {
  const after = decodeToken<string>(token, 'string');
  const rest = after === undefined ? items : items.filter((a) => a.AlarmName! > after);
  const page = rest.slice(0, max);
  return { page, next: rest.length > max ? encodeToken(page.at(-1)!.AlarmName!) : undefined };
}

function describeAlarms(alarms: AlarmEngine, input: unknown) {
  const f = new Fields(input);
  const names = f.stringList('AlarmNames', { max: 100, itemMax: 255 });
  const prefix = f.string('AlarmNamePrefix', { min: 1, max: 255 });
  if (names !== undefined && prefix !== undefined) {
    throw cwError.combination('AlarmNames and AlarmNamePrefix cannot be specified together.');
  }
  const types = (f.stringList('AlarmTypes') ?? []).map((t) => {
    if (!(ALARM_TYPES as readonly string[]).includes(t)) {
      throw cwError.validation(
        `1 validation error detected: Value '${t}' at 'alarmTypes.member' failed to satisfy constraint: Member must satisfy enum value set: [${ALARM_TYPES.join(', ')}]`,
      );
    }
    return t;
  });
  const state = f.enumValue('StateValue', STATE_VALUES);
  const actionPrefix = f.string('ActionPrefix', { min: 1, max: 1024 });
  const max = f.integer('MaxRecords', { min: 1, max: 100 }) ?? 50;
  // Composite-alarm relations: the sandbox has no composite alarms, so nothing is related.
  const related = f.string('ChildrenOfAlarmName') ?? f.string('ParentsOfAlarmName');
  const wantMetricAlarms = related === undefined && (types.length === 0 || types.includes('MetricAlarm'));
  const matching = wantMetricAlarms
    ? alarms.list({
        ...(names ? { names } : {}),
        ...(prefix !== undefined ? { prefix } : {}),
        ...(state ? { state } : {}),
        ...(actionPrefix !== undefined ? { actionPrefix } : {}),
      })
    : [];
  const { page, next } = pageByName(matching, f.string('NextToken'), max);
  return { MetricAlarms: page, CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
}

function describeAlarmsForMetric(alarms: AlarmEngine, input: unknown) {
  const f = new Fields(input);
  const statistic = f.enumValue('Statistic', BASIC_STATISTICS);
  const extended = f.string('ExtendedStatistic');
  const period = f.integer('Period', { min: 1 });
  const unit = f.enumValue('Unit', STANDARD_UNITS);
  const found = alarms.forMetric({
    metricName: f.requiredString('MetricName', { max: 255 }),
    namespace: f.requiredString('Namespace', { max: 255 }),
    dimensions: Object.fromEntries(parseDimensions(f, 'Dimensions').map((d) => [d.Name!, d.Value!])),
    ...(statistic ? { statistic } : {}),
    ...(extended !== undefined ? { extendedStatistic: extended } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(unit ? { unit } : {}),
  });
  return { MetricAlarms: found };
}

function describeAlarmHistory(alarms: AlarmEngine, input: unknown) {
  const f = new Fields(input);
  const alarmName = f.string('AlarmName', { min: 1, max: 255 });
  const types = f.stringList('AlarmTypes') ?? [];
  const type = f.enumValue('HistoryItemType', HISTORY_ITEM_TYPES) as HistoryItemType | undefined;
  const start = f.timestamp('StartDate');
  const end = f.timestamp('EndDate');
  const max = f.integer('MaxRecords', { min: 1, max: 100 }) ?? 100;
  const scanBy = f.enumValue('ScanBy', ['TimestampDescending', 'TimestampAscending'] as const);
  const offset = decodeToken<number>(f.string('NextToken'), 'number') ?? 0;
  if (types.length > 0 && !types.includes('MetricAlarm')) return { AlarmHistoryItems: [] };
  const items = alarms.history({
    ...(alarmName !== undefined ? { alarmName } : {}),
    ...(type ? { type } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ascending: scanBy === 'TimestampAscending',
  });
  if (offset < 0 || offset > items.length) throw cwError.invalidNextToken();
  const page = items.slice(offset, offset + max);
  const next = offset + page.length;
  return { AlarmHistoryItems: page, ...(next < items.length ? { NextToken: encodeToken(next) } : {}) };
}

function setAlarmState(alarms: AlarmEngine, input: unknown) {
  const f = new Fields(input);
  const name = f.requiredString('AlarmName', { max: 255 });
  const value = f.enumValue('StateValue', STATE_VALUES);
  if (value === undefined) throw cwError.missing('StateValue');
  const reason = f.requiredString('StateReason', { min: 0, max: 1023 });
  const data = f.string('StateReasonData', { max: 4000 });
  if (data !== undefined && !isJsonObject(data)) {
    throw cwError.invalidFormat('The parameter StateReasonData must be a valid JSON object.');
  }
  alarms.setState(name, value as AlarmStateValue, reason, data);
  return {};
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
