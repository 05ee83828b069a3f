// Every IAM role of the stack. One per Lambda function and per state machine, built here so that
// each states only what differs: the capabilities (below) its code uses. Plus the roles FIS and SSM
// Automation act as. serverless.yml gives every function
// `role: <Key>Role` and declares `<Key>Role: ${file(./iam/roles.cjs):roles.<Key>Role}`.
// test/deploy/template.test.ts holds each function's role to the SDK calls its handler's modules
// make, in both directions, so a capability cannot go missing or linger unused.
//
// Resource "*" appears only for actions that support no narrower resource (listing, describing,
// metric reads, X-Ray, log delivery), and then always with the region condition below.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${…} strings are CloudFormation Fn::Sub, not JavaScript.
'use strict';

const { bundle } = require('../runbooks/bundle.cjs');
const { loadDefinitions, referencedFunctions } = require('../state-machines/definitions.cjs');

const sub = (text) => ({ 'Fn::Sub': text });
const arn = (rest) => sub(`arn:\${AWS::Partition}:${rest}`);
const regional = (service, rest) => arn(`${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`);
const inThisRegion = { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } };
// Route 53 is global: its API is called in us-east-1 (src/aws/clients.ts).
const inRoute53Region = { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } };
const tagged = (kind, key) => ({ Null: { [`aws:${kind}/${key}`]: 'false' } });
// The tags faultline puts on what it creates (src/experiments/compile.ts, src/gameday/fis-experiments.ts).
const TEMPLATE_TAG = 'faultline:experiment';
const EXPERIMENT_TAG = 'faultline:gameday';

const allow = (actions, resources, condition) => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resources,
  ...(condition ? { Condition: condition } : {}),
});

const passRole = (roleLogicalId, service) =>
  allow(['iam:PassRole'], [{ 'Fn::GetAtt': [roleLogicalId, 'Arn'] }], {
    StringEquals: { 'iam:PassedToService': service },
  });

// IAM compares record names lower-cased and without the final dot.
const recordName = (name) => String(name).toLowerCase().replace(/\.$/, '');
const first = (value) => (Array.isArray(value) ? value[0] : value);

/**
 * What the runbooks act on: their SSM documents, the DNS records they fail over (a failover action's,
 * and Faultline-RegionFailover's RecordName), and the global databases that document promotes.
 */
function runbookTargets() {
  const actions = bundle().map((r) => r.data?.action ?? {});
  const documents = [...new Set(actions.flatMap((a) => (a.automation ? [a.automation.document] : [])))];
  const records = [...new Set(actions.flatMap((a) => (a.failover ? [recordName(a.failover.record)] : [])))];
  const regionFailovers = actions.flatMap((a) =>
    a.automation?.document === 'Faultline-RegionFailover' ? [a.automation.parameters ?? {}] : [],
  );
  const regionRecords = [...new Set(regionFailovers.map((p) => recordName(first(p.RecordName))))];
  const globalClusters = [...new Set(regionFailovers.map((p) => String(first(p.GlobalClusterIdentifier))))];
  return { documents, records, regionRecords, globalClusters };
}

/** Each capability: the statements of one part of src/ (named after the module that needs it). */
function capabilities({ service, stage }) {
  const { documents, records } = runbookTargets();
  return {
    // src/timeline/store.ts, runs.ts (each game day's record, in the same table)
    timeline: [
      allow(
        [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        [{ 'Fn::GetAtt': ['TimelineTable', 'Arn'] }, sub('${TimelineTable.Arn}/index/*')],
      ),
    ],
    // src/remediation/guard.ts, breaker.ts, slots.ts
    remediationState: [
      allow(
        [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        [{ 'Fn::GetAtt': ['RemediationTable', 'Arn'] }],
      ),
    ],
    // src/gameday/lease.ts (through src/remediation/slots.ts): a game day's lease on its service
    gamedayLease: [
      allow(
        ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        [{ 'Fn::GetAtt': ['RemediationTable', 'Arn'] }],
      ),
    ],
    // src/observe/kill-switch.ts (parameter names start with '/': the ARN adds none)
    killSwitch: [allow(['ssm:GetParameter'], [regional('ssm', 'parameter${KillSwitchParameter}')])],
    // src/observe/remediation-switch.ts
    remediationSwitch: [
      allow(['ssm:GetParameter'], [regional('ssm', 'parameter${RemediationSwitchParameter}')]),
    ],
    // src/observe/alarms.ts
    alarms: [
      allow(
        ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
        [regional('cloudwatch', 'alarm:*')],
      ),
    ],
    // src/observe/metric-query.ts
    metrics: [allow(['cloudwatch:GetMetricData'], ['*'], inThisRegion)],
    // src/observe/health-checks.ts
    healthChecks: [
      allow(
        ['route53:GetHealthCheck', 'route53:GetHealthCheckStatus', 'route53:ListTagsForResources'],
        [arn('route53:::healthcheck/*')],
      ),
      allow(['route53:ListHealthChecks'], ['*'], inRoute53Region),
    ],
    // src/gameday/blast-radius.ts
    blastRadius: [allow(['ec2:DescribeInstances', 'ec2:DescribeSubnets'], ['*'], inThisRegion)],
    // src/gameday/fis-experiments.ts: faultline's own experiments only
    fisExperiments: [
      allow(['fis:ListExperiments'], ['*'], inThisRegion),
      allow(
        ['fis:GetExperiment', 'fis:StopExperiment'],
        [regional('fis', 'experiment/*')],
        tagged('ResourceTag', EXPERIMENT_TAG),
      ),
    ],
    // src/observe/experiment-status.ts: faultline's own experiments
    fisExperimentRead: [
      allow(['fis:GetExperiment'], [regional('fis', 'experiment/*')], tagged('ResourceTag', EXPERIMENT_TAG)),
    ],
    // src/gameday/observe.ts
    fisTargets: [
      allow(
        ['fis:ListExperimentResolvedTargets'],
        [regional('fis', 'experiment/*')],
        tagged('ResourceTag', EXPERIMENT_TAG),
      ),
    ],
    // src/gameday/ensure-template.ts: faultline's own templates only, run with the FIS role only
    fisTemplates: [
      allow(['fis:ListExperimentTemplates'], ['*'], inThisRegion),
      allow(
        ['fis:CreateExperimentTemplate'],
        [regional('fis', 'experiment-template/*')],
        tagged('RequestTag', TEMPLATE_TAG),
      ),
      allow(
        ['fis:GetExperimentTemplate', 'fis:TagResource', 'fis:UpdateExperimentTemplate'],
        [regional('fis', 'experiment-template/*')],
        tagged('ResourceTag', TEMPLATE_TAG),
      ),
      allow(['fis:CreateExperimentTemplate', 'fis:UpdateExperimentTemplate'], [regional('fis', 'action/*')]),
      passRole('FisExperimentRole', 'fis.amazonaws.com'),
    ],
    // src/gameday/start-experiment.ts
    fisStart: [
      allow(
        ['fis:StartExperiment'],
        [regional('fis', 'experiment-template/*')],
        tagged('ResourceTag', TEMPLATE_TAG),
      ),
      allow(['fis:StartExperiment'], [regional('fis', 'experiment/*')], tagged('RequestTag', EXPERIMENT_TAG)),
    ],
    // src/gameday/render-report.ts
    reports: [allow(['s3:PutObject'], [sub('${ReportBucket.Arn}/*')])],
    // src/gameday/notify.ts, src/remediation/notify.ts
    notifications: [allow(['sns:Publish'], [{ Ref: 'NotificationsTopic' }])],
    // src/remediation/act.ts: the runbooks' documents, run as the automation role
    automation: [
      ...(documents.length > 0
        ? [
            allow(
              ['ssm:StartAutomationExecution'],
              documents.map((d) => regional('ssm', `automation-definition/${d}:*`)),
            ),
          ]
        : []),
      passRole('AutomationRole', 'ssm.amazonaws.com'),
    ],
    // src/reconcile/execution.ts: the game day's and the remediation's executions only
    reconcile: [
      allow(
        ['states:GetExecutionHistory'],
        ['gameday', 'remediation'].map((flow) =>
          regional('states', `execution:${service}-${stage}-${flow}:*`),
        ),
      ),
      allow(
        ['states:StartExecution'],
        ['gameday', 'remediation'].map((flow) =>
          regional('states', `stateMachine:${service}-${stage}-${flow}`),
        ),
      ),
    ],
    // src/remediation/check-action.ts
    automationStatus: [allow(['ssm:GetAutomationExecution'], [regional('ssm', 'automation-execution/*')])],
    // src/remediation/failover.ts: only the records the runbooks name
    failover: [
      allow(['route53:ListHostedZonesByName'], ['*'], inRoute53Region),
      allow(['route53:ListResourceRecordSets'], [arn('route53:::hostedzone/*')]),
      ...(records.length > 0
        ? [
            allow(['route53:ChangeResourceRecordSets'], [arn('route53:::hostedzone/*')], {
              'ForAllValues:StringEquals': {
                'route53:ChangeResourceRecordSetsNormalizedRecordNames': records,
              },
            }),
          ]
        : []),
      allow(['route53:GetChange'], [arn('route53:::change/*')]),
    ],
  };
}

const REMEDIATION = ['timeline', 'remediationState'];

/** Function key → the capabilities its handler's modules use (test/deploy/template.test.ts checks it). */
const FUNCTION_CAPABILITIES = {
  openIncident: ['timeline'],
  preflight: [
    'timeline',
    'gamedayLease',
    'killSwitch',
    'alarms',
    'metrics',
    'healthChecks',
    'blastRadius',
    'fisExperiments',
  ],
  ensureTemplate: ['timeline', 'fisTemplates'],
  startExperiment: ['timeline', 'fisExperiments', 'fisStart'],
  observe: [
    'timeline',
    'gamedayLease',
    'killSwitch',
    'alarms',
    'metrics',
    'healthChecks',
    'fisExperiments',
    'fisTargets',
  ],
  stopExperiment: ['timeline', 'fisExperiments'],
  verifyRecovery: ['timeline', 'gamedayLease', 'alarms', 'metrics', 'healthChecks', 'fisExperiments'],
  renderReport: ['timeline', 'gamedayLease', 'reports'],
  notify: ['timeline', 'notifications'],
  emergencyStop: ['timeline', 'fisExperiments'],
  // confirm.ts reads the alarm (or experiment) an event names before anything is done about it.
  remediationTriage: [...REMEDIATION, 'remediationSwitch', 'alarms', 'fisExperimentRead'],
  remediationAttachIncident: REMEDIATION,
  remediationGuard: [...REMEDIATION, 'killSwitch'],
  remediationRequestApproval: [...REMEDIATION, 'notifications'],
  remediationApprovalDenied: [...REMEDIATION, 'notifications'],
  remediationAct: [...REMEDIATION, 'killSwitch', 'alarms', 'fisExperimentRead', 'automation', 'failover'],
  // check-action.ts reads a failover's change through failover.ts, which also holds the change itself.
  remediationCheckAction: [...REMEDIATION, 'automationStatus', 'failover'],
  remediationVerify: [...REMEDIATION, 'alarms', 'healthChecks'],
  remediationResolve: [...REMEDIATION, 'notifications'],
  remediationEscalate: [...REMEDIATION, 'notifications'],
  remediationNotify: [...REMEDIATION, 'notifications'],
  remediationRecordFailure: [...REMEDIATION, 'notifications'],
  reconcileExecution: ['reconcile'],
};

const pascal = (key) => key.charAt(0).toUpperCase() + key.slice(1);

function role(service, statements, policyName) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        { PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      ],
    },
  };
}

// Lambda tracing (provider.tracing.lambda) and Step Functions tracing both send segments to X-Ray.
const xray = (actions) => allow(actions, ['*'], inThisRegion);

function functionRole(key, functionName, caps) {
  const statements = [
    // The log group is the framework's (/aws/lambda/<name>, with retention): write to it, nothing else.
    allow(
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [regional('logs', `log-group:/aws/lambda/${functionName}:*`)],
    ),
    xray(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']),
  ];
  for (const name of FUNCTION_CAPABILITIES[key]) {
    const capability = caps[name];
    if (!capability) throw new Error(`iam/roles.cjs: function ${key} names unknown capability '${name}'`);
    statements.push(...capability);
  }
  return role('lambda.amazonaws.com', statements, functionName);
}

function stateMachineRole(stateMachineName, definition) {
  const functions = referencedFunctions(definition).sort();
  const invoke = functions.flatMap((f) => {
    const fnArn = { 'Fn::GetAtt': [`${pascal(f)}LambdaFunction`, 'Arn'] };
    return [fnArn, sub(`\${${pascal(f)}LambdaFunction.Arn}:*`)];
  });
  return role(
    sub('states.${AWS::Region}.amazonaws.com'),
    [
      allow(['lambda:InvokeFunction'], invoke),
      // Step Functions delivers execution logs through CloudWatch Logs' log delivery API, which has
      // no resource-level permissions.
      allow(
        [
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
        ],
        ['*'],
        inThisRegion,
      ),
      xray([
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]),
    ],
    stateMachineName,
  );
}

const serviceTrust = (service) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
});

/**
 * The role FIS runs faultline's experiments as: it may break only what carries the chaos tag, and
 * never what carries the protected tag, whatever an experiment file asks for. (Built here rather
 * than in serverless.yml because the tag keys are parameters, and the framework does not resolve
 * variables in keys.)
 */
function fisExperimentRole({ chaosTagKey, chaosTagValue, protectedTagKey }) {
  const chaosTagged = { StringEquals: { [`aws:ResourceTag/${chaosTagKey}`]: chaosTagValue } };
  const fisManaged = (kind) => ({ StringEquals: { [`aws:${kind}/managedByFIS`]: 'true' } });
  const breaking = [
    'ec2:RebootInstances',
    'ec2:ReplaceNetworkAclAssociation',
    'ec2:StartInstances',
    'ec2:StopInstances',
    'ec2:TerminateInstances',
    'rds:FailoverDBCluster',
    'ssm:SendCommand',
  ];
  const statements = [
    // Resolving targets and stop conditions: these calls take no resource.
    allow(
      [
        'cloudwatch:DescribeAlarms',
        'ec2:DescribeInstances',
        'ec2:DescribeManagedPrefixLists',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'rds:DescribeDBClusters',
        'tag:GetResources',
      ],
      ['*'],
      inThisRegion,
    ),
    // aws:ec2:stop-instances (and its restart), terminate-instances, reboot-instances.
    allow(
      ['ec2:RebootInstances', 'ec2:StartInstances', 'ec2:StopInstances', 'ec2:TerminateInstances'],
      [regional('ec2', 'instance/*')],
      chaosTagged,
    ),
    // aws:rds:failover-db-cluster.
    allow(['rds:FailoverDBCluster'], [regional('rds', 'cluster:*')], chaosTagged),
    // aws:ssm:send-command: FIS's own kill-process document (owned by AWS: no account in its ARN),
    // on tagged instances; FIS follows the command and cancels it when the experiment stops early.
    allow(['ssm:SendCommand'], [regional('ec2', 'instance/*')], chaosTagged),
    allow(
      ['ssm:SendCommand'],
      [sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWSFIS-Run-Kill-Process')],
    ),
    allow(['ssm:CancelCommand', 'ssm:ListCommands'], ['*'], inThisRegion),
    // aws:network:disrupt-connectivity swaps a tagged subnet's network ACL for one FIS creates
    // (tagged managedByFIS), and swaps it back afterwards.
    allow(['ec2:ReplaceNetworkAclAssociation'], [regional('ec2', 'subnet/*')], chaosTagged),
    allow(['ec2:ReplaceNetworkAclAssociation'], [regional('ec2', 'network-acl/*')]),
    allow(['ec2:CreateNetworkAcl'], [regional('ec2', 'vpc/*')]),
    allow(
      ['ec2:CreateNetworkAcl', 'ec2:CreateTags'],
      [regional('ec2', 'network-acl/*')],
      fisManaged('RequestTag'),
    ),
    allow(
      ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
      [regional('ec2', 'network-acl/*')],
      fisManaged('ResourceTag'),
    ),
    // Wins over every Allow above: a protected resource is never a target.
    {
      Sid: 'NeverProtected',
      Effect: 'Deny',
      Action: breaking,
      Resource: ['*'],
      Condition: { Null: { [`aws:ResourceTag/${protectedTagKey}`]: 'false' } },
    },
  ];
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: serviceTrust('fis.amazonaws.com'),
      Policies: [
        { PolicyName: 'chaos-tagged-only', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      ],
    },
  };
}

/**
 * The role SSM Automation runs remediation documents as (FAULTLINE_AUTOMATION_ROLE_ARN, their
 * AutomationAssumeRole): it reboots, starts, stops and scales out only what carries the chaos tag,
 * faultline's mark of the service it looks after, and fails over only the global databases and
 * DNS names the runbooks name.
 */
function automationRole({ chaosTagKey, chaosTagValue }) {
  const chaosTagged = { StringEquals: { [`aws:ResourceTag/${chaosTagKey}`]: chaosTagValue } };
  const { regionRecords, globalClusters, documents } = runbookTargets();
  const globalClusterArns = globalClusters.map((g) => arn(`rds::\${AWS::AccountId}:global-cluster:${g}`));
  // Faultline-RegionFailover: only the global databases and DNS names the runbooks name.
  const regionFailover =
    globalClusters.length === 0
      ? []
      : [
          allow(['rds:DescribeGlobalClusters'], globalClusterArns),
          // Promoting names both the global database and the secondary cluster (in the standby's region).
          allow(
            ['rds:FailoverGlobalCluster'],
            [...globalClusterArns, arn('rds:*:${AWS::AccountId}:cluster:*')],
          ),
          allow(['route53:ListHostedZonesByName'], ['*'], inRoute53Region),
          allow(['route53:ListResourceRecordSets'], [arn('route53:::hostedzone/*')]),
          allow(['route53:ChangeResourceRecordSets'], [arn('route53:::hostedzone/*')], {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': regionRecords,
            },
          }),
          allow(['route53:GetChange'], [arn('route53:::change/*')]),
        ];
  const statements = [
    allow(
      [
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      ['*'],
      inThisRegion,
    ),
    allow(
      ['ec2:RebootInstances', 'ec2:StartInstances', 'ec2:StopInstances'],
      [regional('ec2', 'instance/*')],
      chaosTagged,
    ),
    allow(
      ['autoscaling:SetDesiredCapacity'],
      [regional('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
      chaosTagged,
    ),
    ...regionFailover,
    // Faultline-RaiseFunctionConcurrency: only chaos-tagged functions, and only when a runbook runs it.
    ...(documents.includes('Faultline-RaiseFunctionConcurrency')
      ? [allow(['lambda:PutFunctionConcurrency'], [regional('lambda', 'function:*')], chaosTagged)]
      : []),
  ];
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: serviceTrust('ssm.amazonaws.com'),
      Policies: [
        {
          PolicyName: 'tagged-instances-only',
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      ],
    },
  };
}

/** For serverless.yml: `${file(./iam/roles.cjs):roles.<LogicalId>}`. */
async function roles({ resolveVariable }) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const tags = {
    chaosTagKey: await resolveVariable('param:chaosTagKey'),
    chaosTagValue: String(await resolveVariable('param:chaosTagValue')),
    protectedTagKey: await resolveVariable('param:protectedTagKey'),
  };
  const caps = capabilities({ service, stage });
  const out = { FisExperimentRole: fisExperimentRole(tags), AutomationRole: automationRole(tags) };
  for (const key of Object.keys(FUNCTION_CAPABILITIES)) {
    out[`${pascal(key)}Role`] = functionRole(key, `${service}-${stage}-${key}`, caps);
  }
  for (const [key, definition] of Object.entries(loadDefinitions())) {
    out[`${pascal(key)}StateMachineRole`] = stateMachineRole(`${service}-${stage}-${key}`, definition);
  }
  return out;
}

module.exports = { roles, FUNCTION_CAPABILITIES };
