import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileTemplate } from '../../src/experiments/compile.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { importTemplate, importTemplateFile } from '../../src/experiments/import-template.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import type { ExperimentSpec } from '../../src/experiments/schema.ts';
import { type Draft, SHIPPED, scratch, shippedFile } from './files.ts';

const CTX = {
  region: 'us-east-1',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/faultline-fis',
};

/** The side file of an experiment: everything but what the FIS template holds. */
function sideOf(spec: ExperimentSpec): Record<string, unknown> {
  const { fault: _fault, stopConditions: _stop, description: _description, tags: _tags, ...side } = spec;
  return side;
}

/** A template as the console exports it: read-only members, placeholders, a `none` stop condition. */
function consoleExport(): Draft {
  return {
    id: 'EXTabc123def456',
    arn: 'arn:aws:fis:us-east-1:<ACCOUNT_ID>:experiment-template/EXTabc123def456',
    description: 'Stop the instances of one AZ',
    targets: {
      'Instances-Target-1': {
        resourceType: 'aws:ec2:instance',
        resourceTags: { Service: 'checkout', 'aws:autoscaling:groupName': 'checkout-asg' },
        filters: [
          { path: 'Placement.AvailabilityZone', values: ['us-east-1a'] },
          { path: 'State.Name', values: ['running', 'pending'] },
        ],
        selectionMode: 'PERCENT(30)',
      },
    },
    actions: {
      StopInstances: {
        actionId: 'aws:ec2:stop-instances',
        parameters: { startInstancesAfterDuration: 'PT10M' },
        targets: { Instances: 'Instances-Target-1' },
      },
    },
    stopConditions: [
      { source: 'none' },
      {
        source: 'aws:cloudwatch:alarm',
        value: 'arn:aws:cloudwatch:<REGION>:<ACCOUNT_ID>:alarm:checkout-5xx-rate',
      },
    ],
    creationTime: '2026-01-01T10:00:00.000000+00:00',
    lastUpdateTime: '2026-01-02T10:00:00.000000+00:00',
    roleArn: 'arn:aws:iam::<ACCOUNT_ID>:role/<ROLE>',
    tags: { Name: 'az-stop', 'faultline:digest': 'old' },
    logConfiguration: { logSchemaVersion: 2, cloudWatchLogsConfiguration: { logGroupArn: 'arn:aws:logs:x' } },
    experimentReportConfiguration: { outputs: {} },
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'skip' },
    targetAccountConfigurationsCount: 0,
  };
}

const SIDE = {
  name: 'az-stop',
  service: 'checkout',
  objectives: { rto: 'PT15M' },
  hypothesis: { alarms: ['checkout-5xx-rate'] },
};

function refusal(template: unknown, side: unknown = SIDE): ExperimentFileError {
  try {
    importTemplate(template, side, { template: 't.json', spec: 's.yaml' });
  } catch (e) {
    expect(e).toBeInstanceOf(ExperimentFileError);
    return e as ExperimentFileError;
  }
  throw new Error('the import was not refused');
}

describe('importing a FIS experiment template', () => {
  it.each(SHIPPED)('round-trips %s: compile, import, compile gives the same template', async (name) => {
    const spec = await loadExperimentFile(shippedFile(name));
    const template = compileTemplate(spec, CTX);
    const imported = importTemplate(JSON.parse(JSON.stringify(template)), sideOf(spec));
    expect(JSON.stringify(compileTemplate(imported, CTX))).toBe(JSON.stringify(template));
  });

  it('takes a console export: read-only members and placeholders ignored, ARNs become alarm names', () => {
    const spec = importTemplate(consoleExport(), SIDE);
    expect(spec.name).toBe('az-stop');
    expect(spec.description).toBe('Stop the instances of one AZ');
    expect(spec.stopConditions).toEqual(['checkout-5xx-rate']);
    expect(spec.fault.emptyTargets).toBe('skip');
    expect(spec.fault.targets['Instances-Target-1']).toEqual({
      type: 'aws:ec2:instance',
      tags: { Service: 'checkout', 'aws:autoscaling:groupName': 'checkout-asg' },
      filters: { 'Placement.AvailabilityZone': 'us-east-1a', 'State.Name': ['running', 'pending'] },
      select: 'PERCENT(30)',
    });
    expect(spec.fault.actions.StopInstances).toEqual({
      action: 'aws:ec2:stop-instances',
      targets: { Instances: 'Instances-Target-1' },
      parameters: { startInstancesAfterDuration: 'PT10M' },
      startAfter: [],
    });
    // faultline writes its own faultline: tags; the template's other tags stay.
    expect(spec.tags).toEqual({ Name: 'az-stop' });
    // It compiles with faultline's role and the real account.
    const t = compileTemplate(spec, CTX);
    expect(t.roleArn).toBe(CTX.roleArn);
    expect(t.stopConditions![0]!.value).toBe(
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate',
    );
  });

  it('takes the output of aws fis get-experiment-template, and a description from the side file', () => {
    const spec = importTemplate(
      { experimentTemplate: consoleExport() },
      { ...SIDE, description: 'Our own words' },
    );
    expect(spec.description).toBe('Our own words');
  });

  const refused: [string, (t: Draft) => void, string, string][] = [
    [
      'an action FIS does not support',
      (t) => {
        t.actions.StopInstances.actionId = 'aws:ec2:explode';
      },
      'actions.StopInstances.actionId',
      'aws:ec2:explode is not a FIS action',
    ],
    [
      'a selection mode FIS refuses',
      (t) => {
        t.targets['Instances-Target-1'].selectionMode = 'PERCENT(0)';
      },
      'targets.Instances-Target-1.selectionMode',
      "must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got 'PERCENT(0)')",
    ],
    [
      'a blast radius over the side file guardrail',
      (t) => {
        t.targets['Instances-Target-1'].selectionMode = 'PERCENT(80)';
      },
      'targets.Instances-Target-1.selectionMode',
      'PERCENT(80) of the instances is more than guardrails.maxBlastRadiusPercent allows (50%)',
    ],
    [
      'a filter without values',
      (t) => {
        t.targets['Instances-Target-1'].filters[0].values = [];
      },
      'targets.Instances-Target-1.filters[0].values',
      'must list at least one value',
    ],
    [
      'a member FIS does not have',
      (t) => {
        t.actions.StopInstances.target = t.actions.StopInstances.targets;
      },
      'actions.StopInstances.target',
      'is not a field faultline knows (did you mean targets?)',
    ],
    [
      'a missing parameter',
      (t) => {
        t.actions.Wait = { actionId: 'aws:fis:wait' };
      },
      'actions.Wait.parameters.duration',
      'is required by aws:fis:wait',
    ],
    [
      'a startAfter cycle',
      (t) => {
        t.actions.StopInstances.startAfter = ['StopInstances'];
      },
      'actions.StopInstances.startAfter',
      'names the action itself',
    ],
    [
      'only a none stop condition',
      (t) => {
        t.stopConditions = [{ source: 'none' }];
      },
      'stopConditions',
      'needs at least one alarm: a fault must always have a way to stop',
    ],
    [
      'a stop condition source FIS does not have',
      (t) => {
        t.stopConditions[1].source = 'aws:sns:topic';
      },
      'stopConditions[1].source',
      "must be aws:cloudwatch:alarm or none (got 'aws:sns:topic')",
    ],
    [
      'a stop condition that is not an alarm ARN',
      (t) => {
        t.stopConditions[1].value = 'checkout-5xx-rate-is-the-name';
      },
      'stopConditions[1].value',
      'must be a CloudWatch alarm ARN',
    ],
    [
      'a multi-account template',
      (t) => {
        t.experimentOptions.accountTargeting = 'multi-account';
      },
      'experimentOptions.accountTargeting',
      'must be single-account: faultline runs experiments in one account',
    ],
    [
      'no actions',
      (t) => {
        t.actions = {};
      },
      'actions',
      'needs at least one action',
    ],
  ];

  it.each(refused)('refuses a template with %s, naming its member', (_case, change, field, detail) => {
    const t = consoleExport();
    change(t);
    const err = refusal(t);
    expect(err.file).toBe('t.json');
    expect(err.field).toBe(field);
    expect(err.detail).toContain(detail);
  });

  it('refuses a filter on the same path twice, which an experiment file cannot say', () => {
    const t = consoleExport();
    t.targets['Instances-Target-1'].filters.push({ path: 'State.Name', values: ['stopped'] });
    const err = refusal(t);
    expect(err.field).toBe('targets.Instances-Target-1.filters[2].path');
  });

  it('names the side file for what the side file got wrong', () => {
    expect(refusal(consoleExport(), { ...SIDE, objectives: { rto: 'soon' } }).message).toBe(
      "s.yaml: objectives.rto: must be an ISO-8601 duration such as PT10M (got 'soon')",
    );
    const unknown = refusal(consoleExport(), { ...SIDE, fault: {} });
    expect(unknown.file).toBe('s.yaml');
    expect(unknown.detail).toContain("is not a field of a template's side file");
    expect(unknown.detail).toContain('(fault come from the template)');
    expect(refusal(consoleExport(), { ...SIDE, name: undefined }).message).toBe('s.yaml: name: is required');
    expect(refusal(consoleExport(), { ...SIDE, guardrails: { maxBlastRadiusPercent: 20 } }).file).toBe(
      't.json',
    );
  });

  describe('from files', () => {
    let files: Awaited<ReturnType<typeof scratch>>;
    beforeAll(async () => {
      files = await scratch();
    });
    afterAll(async () => {
      await files.cleanup();
    });

    it('reads the template and the side file', async () => {
      const t = await files.write('t.json', JSON.stringify(consoleExport(), null, 2));
      const s = await files.write('s.yaml', stringify(SIDE));
      const spec = await importTemplateFile(t, s);
      expect(spec.fault.actions.StopInstances!.action).toBe('aws:ec2:stop-instances');
    });

    it('says on which line of the template the member is', async () => {
      const bad = consoleExport();
      bad.actions.StopInstances.actionId = 'aws:ec2:explode';
      const t = await files.write('bad.json', JSON.stringify({ experimentTemplate: bad }, null, 2));
      const s = await files.write('s.yaml', stringify(SIDE));
      const err = (await importTemplateFile(t, s).catch((e: unknown) => e)) as ExperimentFileError;
      expect(err).toBeInstanceOf(ExperimentFileError);
      const lines = JSON.stringify({ experimentTemplate: bad }, null, 2).split('\n');
      expect(err.line).toBe(lines.findIndex((l) => l.includes('"aws:ec2:explode"')) + 1);
      expect(err.message).toMatch(
        new RegExp(`^${t}: actions\\.StopInstances\\.actionId: aws:ec2:explode is not`),
      );
    });

    it('refuses a template that is not JSON', async () => {
      const t = await files.write('broken.json', '{\n  "actions": {},\n}\n');
      const s = await files.write('s.yaml', stringify(SIDE));
      const err = (await importTemplateFile(t, s).catch((e: unknown) => e)) as ExperimentFileError;
      expect(err).toBeInstanceOf(ExperimentFileError);
      expect(err.message).toMatch(new RegExp(`^${t}: not valid JSON: .*line 3`));
    });
  });
});
