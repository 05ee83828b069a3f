/** EventBridge events as AWS (and the sandbox's bus) publish them, for matching tests. */

export interface AlarmEventOptions {
  id?: string;
  name?: string;
  state?: string;
  previous?: string;
  timestamp?: string;
  namespace?: string;
  metric?: string;
  dimensions?: Record<string, string>;
}

export function alarmEvent(o: AlarmEventOptions = {}) {
  const name = o.name ?? 'checkout-unhealthy-hosts';
  return {
    version: '0',
    id: o.id ?? '00000000-0000-4000-8000-000000000001',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-01-05T09:07:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`],
    detail: {
      alarmName: name,
      state: {
        value: o.state ?? 'ALARM',
        reason: 'Threshold Crossed',
        timestamp: o.timestamp ?? '2026-01-05T09:07:00.000+0000',
      },
      previousState: { value: o.previous ?? 'OK', reason: 'ok', timestamp: '2026-01-05T09:00:00.000+0000' },
      configuration: {
        description: 'test alarm',
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: o.namespace ?? 'AWS/ApplicationELB',
                name: o.metric ?? 'UnHealthyHostCount',
                dimensions: o.dimensions ?? {
                  TargetGroup: 'targetgroup/checkout-tg/73e2d6bc24d8a067',
                  LoadBalancer: 'app/checkout-alb/50dc6c495c0c9188',
                },
              },
              period: 60,
              stat: 'Maximum',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

export function experimentEvent(status: string, id = 'EXP4w2N7rAzEzNo7Bz') {
  return {
    version: '0',
    id: '00000000-0000-4000-8000-00000000000a',
    'detail-type': 'FIS Experiment State Change',
    source: 'aws.fis',
    account: '123456789012',
    time: '2026-01-05T09:05:01Z',
    region: 'us-east-1',
    resources: [`arn:aws:fis:us-east-1:123456789012:experiment/${id}`],
    detail: {
      'experiment-id': id,
      'experiment-template-id': 'EXTT72rZbufvqCNFN',
      'new-state': { status, reason: '' },
      'old-state': { status: 'running', reason: '' },
    },
  };
}
