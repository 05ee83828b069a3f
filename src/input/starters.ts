import type { FileKind } from './file-kind.ts';

/**
 * The commented starting files `faultline init` writes: each valid as it is against the sandbox's
 * checkout world (test/experiments/starters.test.ts checks), so a person edits a file that works
 * rather than fills in blanks. The name is put in as given; the schema then judges it.
 */
export function starterText(kind: FileKind, name: string): string {
  return (kind === 'experiment' ? EXPERIMENT : RUNBOOK).replaceAll('<NAME>', name);
}

const EXPERIMENT = `# An experiment: what to break, how hard and for how long, what must hold meanwhile, and what stops
# it. Check it with \`faultline validate\`, try it with \`faultline gameday <NAME> --dry-run\` (nothing
# is injected), then run it: \`faultline gameday <NAME>\`. Every field: docs/files.md.
name: <NAME>
description: Reboot one checkout instance; checkout must not notice.
# The service under test: its resources carry the tag Service=<service>.
service: checkout

objectives:
  # The steady state must be back within this long after the fault ends.
  rto: PT10M
  availabilitySlo: 99.9

# The steady state: what must hold while the fault runs, or the hypothesis deviated.
hypothesis:
  alarms: [checkout-5xx-rate, checkout-p99-latency]
  metrics:
    - name: error-rate
      namespace: Faultline/Service
      metric: ErrorRate
      dimensions: { Service: checkout }
      statistic: Average
      max: 1

# What FIS does: targets (which resources) and actions (what happens to them).
fault:
  targets:
    one-instance:
      type: aws:ec2:instance
      # Only resources tagged for chaos: a typo here must not reach the whole fleet.
      tags: { Service: checkout, ChaosReady: "true" }
      filters:
        State.Name: running
      select: COUNT(1)
  actions:
    reboot:
      action: aws:ec2:reboot-instances
      description: One instance reboots.
      targets: { Instances: one-instance }

# Alarms that stop the fault at once when they go to ALARM.
stopConditions: [checkout-availability-critical]

guardrails:
  # Refuse to start if the targets are more than this share of the service's resources.
  maxBlastRadiusPercent: 20
  maxDuration: PT15M

# Run it on a schedule (an EventBridge expression), or leave this out to run it on demand.
# schedule: cron(0 10 ? * TUE *)

# More metrics for the report to chart beside its own (docs/files.md#extra-metrics-to-chart), e.g.
# metrics:
#   extra:
#     - name: payments-tasks
#       title: Payments tasks running
#       unit: tasks
#       namespace: ECS/ContainerInsights
#       metric: RunningTaskCount
#       dimensions: { ClusterName: checkout, ServiceName: checkout-payments }
#       statistic: Minimum
`;

const RUNBOOK = `# A runbook: which alarm (or FIS experiment state) it answers, what it does, how success is
# verified, and its limits. Check it with \`faultline validate runbooks/<NAME>.yaml\`. Every field:
# docs/files.md#runbooks.
name: <NAME>
description: A checkout host is unhealthy while still running; reboot it.

# Which alarm entering ALARM starts it: a name (globs allowed), or namespace, metric, dimensions, tags.
match:
  alarm:
    name: checkout-unhealthy-hosts

# What it does: an SSM Automation document (parameters may quote the event: {{alarm.name}},
# {{alarm.dimensions.<Name>}}), or a Route 53 failover.
action:
  automation:
    document: Faultline-RestartUnhealthyTargets
    parameters:
      TargetGroup: "{{alarm.dimensions.TargetGroup}}"

# Ask a person first (faultline approve / reject); no answer within the timeout is a rejection.
approval:
  required: false
  timeout: PT15M

# Success: every alarm here back to OK within this long; otherwise a person is told.
verify:
  within: PT10M
  alarms: ["{{alarm.name}}"]

limits:
  resource: "{{alarm.dimensions.TargetGroup}}"
  cooldown: PT10M
  perResource: { max: 2, window: PT1H }
  perRunbook: { max: 4, window: PT1H }
  breaker: { failures: 2, window: PT1H, halfOpenAfter: PT30M }

# true: record what it would have done, and do nothing. Start so until you trust it.
dryRun: true
`;
