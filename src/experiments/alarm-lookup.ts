import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** Which of some alarm names exist where a game day will run, and how to say where that is. */
export interface AlarmLookup {
  /** Completes "there is no CloudWatch alarm named 'x' …", e.g. "in the sandbox world 'checkout'". */
  where: string;
  existing(names: string[]): Promise<Set<string>>;
}

export function alarmsFromList(names: Iterable<string>, where: string): AlarmLookup {
  const known = new Set(names);
  return { where, existing: async (wanted) => new Set(wanted.filter((n) => known.has(n))) };
}

/** DescribeAlarms by name (metric and composite alarms), a hundred names a call. */
export function alarmsFromCloudWatch(cloudwatch: CloudWatchClient, where: string): AlarmLookup {
  return {
    where,
    async existing(wanted) {
      // Loaded when used: `faultline validate` checks against the sandbox world's list, no SDK.
      const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
      const found = new Set<string>();
      for (let i = 0; i < wanted.length; i += 100) {
        const out = await cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: wanted.slice(i, i + 100),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
          }),
        );
        for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (a.AlarmName) found.add(a.AlarmName);
        }
      }
      return found;
    },
  };
}
