/**
 * Checks over a packaged CloudFormation template (`sls package` → cloudformation-template-update-
 * stack.json). Each is a pure function returning the problems it finds, one line each naming the
 * resource, so a test can assert `[]` and show everything wrong at once, and can prove on a small
 * bad template that the check really catches what it is for.
 */

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface Template {
  Resources: Record<string, Resource>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

/** A policy statement and where it is: identity policies (roles) grant; resource policies admit. */
export interface PlacedStatement {
  where: string;
  kind: 'identity' | 'resource';
  statement: Statement;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Every statement of every policy in the template (trust policies aside: they only say who may assume). */
export function policyStatements(template: Template): PlacedStatement[] {
  const out: PlacedStatement[] = [];
  const add = (where: string, kind: PlacedStatement['kind'], doc: unknown) => {
    const statements = list((doc as { Statement?: Statement | Statement[] } | undefined)?.Statement);
    statements.forEach((statement, i) => {
      out.push({ where: `${where}[${statement.Sid ?? i}]`, kind, statement });
    });
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        for (const policy of list(p.Policies as { PolicyName: string; PolicyDocument: unknown }[]))
          add(`${id}.${policy.PolicyName}`, 'identity', policy.PolicyDocument);
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(id, 'identity', p.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
        add(id, 'resource', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(id, 'resource', p.KeyPolicy);
        break;
    }
  }
  return out;
}

/**
 * No Allow names every action (`*`) or every action of a service (`s3:*`). Deny statements may:
 * a broad Deny (TLS-only bucket policies) only takes away.
 */
export function wildcardActionProblems(template: Template): string[] {
  return policyStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow')
    .flatMap(({ where, statement }) =>
      list(statement.Action)
        .filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))
        .map((a) => `${where}: allows ${a}`),
    );
}

/**
 * An identity policy's Allow on Resource "*" carries a Condition (in a resource policy "*" is the
 * resource itself: a key policy's only possible Resource).
 */
export function unconditionedStarProblems(template: Template): string[] {
  return policyStatements(template)
    .filter(({ kind, statement }) => kind === 'identity' && statement.Effect === 'Allow')
    .filter(({ statement }) => list(statement.Resource).includes('*') && !statement.Condition)
    .map(
      ({ where, statement }) => `${where}: ${list(statement.Action).join(', ')} on "*" without a Condition`,
    );
}

/** The logical id a `Ref`, `Fn::GetAtt` (either form) or `Fn::Sub` of one resource names; undefined otherwise. */
export function referencedResource(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every function runs as a role of its own, declared in the template. */
export function functionRoleProblems(template: Template): string[] {
  const problems: string[] = [];
  const users = new Map<string, string[]>();
  for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const role = referencedResource(fn.Properties?.Role);
    if (!role || template.Resources[role]?.Type !== 'AWS::IAM::Role') {
      problems.push(`${id}: its Role is not a role declared in the template`);
      continue;
    }
    users.set(role, [...(users.get(role) ?? []), id]);
  }
  for (const [role, fns] of users) if (fns.length > 1) problems.push(`${role}: shared by ${fns.join(', ')}`);
  return problems;
}

/** The actions a role's policies allow (what its Allow statements name). */
export function allowedActions(role: Resource): Set<string> {
  const template = { Resources: { role } };
  return new Set(
    policyStatements(template)
      .filter(({ statement }) => statement.Effect === 'Allow')
      .flatMap(({ statement }) => list(statement.Action)),
  );
}

/** The role denies `actions` on anything carrying the tag `tagKey`, whatever its value. */
export function protectedTagDenyProblems(template: Template, roleId: string, tagKey: string): string[] {
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') return [`${roleId}: no such role`];
  const condition = `aws:ResourceTag/${tagKey}`;
  const denies = policyStatements({ Resources: { [roleId]: role } }).filter(
    ({ statement: s }) =>
      s.Effect === 'Deny' &&
      list(s.Resource).includes('*') &&
      (s.Condition?.Null as Record<string, string> | undefined)?.[condition] === 'false',
  );
  if (denies.length === 0) return [`${roleId}: no Deny on resources tagged ${tagKey}`];
  const denied = new Set(denies.flatMap(({ statement }) => list(statement.Action)));
  const allowedChanges = [...allowedActions(role)].filter((a) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(a));
  return allowedChanges
    .filter(
      (a) =>
        !denied.has(a) &&
        !/^ec2:(CreateNetworkAcl|CreateNetworkAclEntry|CreateTags|DeleteNetworkAcl)$/.test(a) &&
        // Cancels a command FIS itself sent; it takes no instance, so no tag to deny on.
        a !== 'ssm:CancelCommand',
    )
    .map((a) => `${roleId}: allows ${a} but does not deny it on resources tagged ${tagKey}`);
}

/**
 * A state machine's definition as CloudFormation will have it, its `${…}` substitutions filled in:
 * a function's ARN (`Fn::GetAtt [X, Arn]`) becomes `arn:aws:lambda:…:function:X`, so a Task's
 * Resource still says which logical id it calls.
 */
export function stateMachineDefinition(machine: Resource): Record<string, unknown> {
  const raw = machine.Properties?.DefinitionString;
  const [text, vars] =
    typeof raw === 'string'
      ? [raw, {}]
      : ((raw as { 'Fn::Sub': [string, Record<string, unknown>] })['Fn::Sub'] ?? [JSON.stringify(raw), {}]);
  const filled = text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    const target = referencedResource(vars[name]);
    if (target) return `arn:aws:lambda:us-east-1:123456789012:function:${target}`;
    if (name.startsWith('AWS::')) return 'x';
    throw new Error(`DefinitionString: cannot resolve \${${name}}`);
  });
  return JSON.parse(filled) as Record<string, unknown>;
}

/** Every Task's Resource, in every nested state (Parallel branches, Map iterators). */
export function taskResources(definition: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.Type === 'Task' && typeof n.Resource === 'string') {
      const params = n.Parameters as Record<string, unknown> | undefined;
      // `arn:aws:states:::lambda:invoke` names its function in Parameters.FunctionName.
      out.push(typeof params?.FunctionName === 'string' ? params.FunctionName : n.Resource);
    }
    Object.values(n).forEach(walk);
  };
  walk(definition);
  return out;
}

/** Task Resources that are not a Lambda function of the template. */
export function taskTargetProblems(template: Template, machineId: string): string[] {
  const definition = stateMachineDefinition(template.Resources[machineId]!);
  return taskResources(definition)
    .map((arn) => [arn, /:function:([A-Za-z0-9]+)/.exec(arn)?.[1]] as const)
    .filter(([, id]) => !id || template.Resources[id]?.Type !== 'AWS::Lambda::Function')
    .map(([arn]) => `${machineId}: Task resource ${arn} is not a function in the template`);
}

/**
 * Every EventBridge rule targets a resource of the template; a rule on an event pattern (not a
 * schedule) also has a retry policy and a dead-letter queue of the template.
 */
export function eventRuleProblems(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
    const targets = list(rule.Properties?.Targets as Record<string, unknown>[]);
    if (targets.length === 0) problems.push(`${id}: no targets`);
    for (const t of targets) {
      const target = referencedResource(t.Arn);
      if (!target || !template.Resources[target])
        problems.push(`${id}: target ${JSON.stringify(t.Arn)} is not in the template`);
      if (rule.Properties?.EventPattern === undefined) continue;
      const dlq = referencedResource((t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn);
      if (!dlq || template.Resources[dlq]?.Type !== 'AWS::SQS::Queue')
        problems.push(`${id}: target ${String(t.Id)} has no dead-letter queue of the template`);
      const retry = t.RetryPolicy as
        | { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }
        | undefined;
      if (retry?.MaximumRetryAttempts === undefined || retry.MaximumEventAgeInSeconds === undefined)
        problems.push(`${id}: target ${String(t.Id)} has no retry policy`);
    }
  }
  return problems;
}

/** Encrypted, versioned, public access blocked, TLS-only, expiring: what a bucket of reports must be. */
export function bucketProblems(
  template: Template,
  bucketId: string,
  opts = { lifecycle: true, versioned: true },
): string[] {
  const bucket = template.Resources[bucketId];
  if (bucket?.Type !== 'AWS::S3::Bucket') return [`${bucketId}: no such bucket`];
  const p = bucket.Properties ?? {};
  const problems: string[] = [];
  const sse = (p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)
    ?.ServerSideEncryptionConfiguration;
  if (!sse?.length) problems.push(`${bucketId}: not encrypted`);
  if (opts.versioned && (p.VersioningConfiguration as { Status?: string } | undefined)?.Status !== 'Enabled')
    problems.push(`${bucketId}: not versioned`);
  const block = (p.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
  for (const k of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'])
    if (block[k] !== true) problems.push(`${bucketId}: ${k} is not true`);
  const rules = (p.LifecycleConfiguration as { Rules?: { Status?: string }[] } | undefined)?.Rules ?? [];
  if (opts.lifecycle && !rules.some((r) => r.Status === 'Enabled'))
    problems.push(`${bucketId}: no lifecycle rule`);
  const tlsOnly = resourcesOfType(template, 'AWS::S3::BucketPolicy').some(
    ([, policy]) =>
      referencedResource(policy.Properties?.Bucket) === bucketId &&
      list((policy.Properties?.PolicyDocument as { Statement?: Statement[] })?.Statement).some(
        (s) =>
          s.Effect === 'Deny' &&
          String((s.Condition?.Bool as Record<string, unknown> | undefined)?.['aws:SecureTransport']) ===
            'false',
      ),
  );
  if (!tlsOnly)
    problems.push(`${bucketId}: no policy denies requests without TLS (aws:SecureTransport false)`);
  return problems;
}

/** Point-in-time recovery and encryption on every table; TTL on the tables named. */
export function tableProblems(template: Template, withTtl: string[]): string[] {
  const problems: string[] = [];
  for (const [id, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const p = table.Properties ?? {};
    const pitr = p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined;
    if (pitr?.PointInTimeRecoveryEnabled !== true) problems.push(`${id}: no point-in-time recovery`);
    if ((p.SSESpecification as { SSEEnabled?: boolean } | undefined)?.SSEEnabled !== true)
      problems.push(`${id}: SSE not enabled`);
    const ttl = p.TimeToLiveSpecification as { Enabled?: boolean; AttributeName?: string } | undefined;
    if (withTtl.includes(id) && (ttl?.Enabled !== true || !ttl.AttributeName)) problems.push(`${id}: no TTL`);
  }
  return problems;
}

/** Every function on the runtime and architecture production runs, with a log group that expires. */
export function functionRuntimeProblems(template: Template, runtime: string, architecture: string): string[] {
  const problems: string[] = [];
  const logGroups = new Map(
    resourcesOfType(template, 'AWS::Logs::LogGroup').map(([, g]) => [g.Properties?.LogGroupName, g]),
  );
  for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    if (p.Runtime !== runtime) problems.push(`${id}: runtime ${String(p.Runtime)}, not ${runtime}`);
    if (!list(p.Architectures as string[]).includes(architecture))
      problems.push(`${id}: architectures ${JSON.stringify(p.Architectures)}, not ${architecture}`);
    const group = logGroups.get(`/aws/lambda/${String(p.FunctionName)}`);
    if (typeof group?.Properties?.RetentionInDays !== 'number')
      problems.push(`${id}: its log group has no retention`);
  }
  return problems;
}

/** The CloudWatch alarms whose actions publish to `topicId`, as `Namespace MetricName dimension-target`. */
export function alarmsOnTopic(template: Template, topicId: string): string[] {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .filter(([, a]) => list(a.Properties?.AlarmActions).some((x) => referencedResource(x) === topicId))
    .map(([, a]) => {
      const p = a.Properties ?? {};
      const dims = list(p.Dimensions as { Value: unknown }[]).map((d) => referencedResource(d.Value) ?? '?');
      return `${String(p.Namespace)} ${String(p.MetricName)} ${dims.join(',')}`;
    })
    .sort();
}
