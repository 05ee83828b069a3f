import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { compileTemplate } from '../../src/experiments/compile.ts';
import { ExperimentFileError, ExperimentProblems } from '../../src/experiments/errors.ts';
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
    logConfiguration: {
      logSchemaVersion: 2,
      cloudWatchLogsConfiguration: {
        logGroupArn: 'arn:aws:logs:us-east-1:<ACCOUNT_ID>:log-group:/aws/fis:*',
      },
    },
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

/** What `f` throws (undefined when it does not). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

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
      'is not a member of a FIS template (did you mean targets?)',
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
      'must define at least one action',
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
      "s.yaml: objectives.rto: must be an ISO-8601 duration from PT1M to P1D, such as PT10M (got 'soon')",
    );
    const unknown = refusal(consoleExport(), { ...SIDE, fault: {} });
    expect(unknown.file).toBe('s.yaml');
    expect(unknown.detail).toContain("is not a field of a template's side file");
    expect(unknown.detail).toContain('(fault comes from the template)');
    expect(refusal(consoleExport(), { ...SIDE, objectives: undefined }).message).toBe(
      's.yaml: objectives: is required',
    );
    expect(refusal(consoleExport(), { ...SIDE, guardrails: { maxBlastRadiusPercent: 20 } }).file).toBe(
      't.json',
    );
  });

  describe('templates as people keep them', () => {
    /** The console export with `stopConditions: [{ source: 'none' }]`, as every template of the library has. */
    function noneTemplate(): Draft {
      const t = consoleExport();
      t.stopConditions = [{ source: 'none' }];
      return t;
    }

    it("takes a 'none' template's stop conditions from the hypothesis's alarms, and says so", () => {
      const spec = importTemplate(noneTemplate(), SIDE, { template: 't.json' });
      expect(spec.stopConditions).toEqual(['checkout-5xx-rate']);
      expect(spec.imported).toEqual({
        template: 't.json',
        stopConditionsFrom: 'hypothesis',
        notes: [
          "Stop conditions: checkout-5xx-rate (the hypothesis's alarms; the template's stop condition is none).",
          'Not carried over: logConfiguration (faultline creates the template without experiment logging).',
          'Not carried over: experimentReportConfiguration (faultline writes its own report).',
        ],
      });
      // What FIS gets stops on that alarm.
      expect(compileTemplate(spec, CTX).stopConditions).toEqual([
        {
          source: 'aws:cloudwatch:alarm',
          value: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate',
        },
      ]);
    });

    it("takes a 'none' template's stop conditions from the side file when it gives them", () => {
      const spec = importTemplate(noneTemplate(), {
        ...SIDE,
        stopConditions: ['checkout-availability-critical'],
      });
      expect(spec.stopConditions).toEqual(['checkout-availability-critical']);
      expect(spec.imported?.stopConditionsFrom).toBe('side file');
      expect(spec.imported?.notes[0]).toBe(
        "Stop conditions: checkout-availability-critical (from the side file; the template's stop condition is none).",
      );
    });

    it('refuses side-file stop conditions beside a template that names its own alarms', () => {
      const err = refusal(consoleExport(), { ...SIDE, stopConditions: ['checkout-availability-critical'] });
      expect(err.file).toBe('s.yaml');
      expect(err.field).toBe('stopConditions');
      expect(err.detail).toContain("the template's stop conditions name alarms (checkout-5xx-rate)");
    });

    it("refuses a 'none' template when nothing names an alarm to stop on", () => {
      const err = refusal(noneTemplate(), { ...SIDE, hypothesis: { healthChecks: ['checkout-primary'] } });
      expect(err.message).toBe(
        't.json: stopConditions: names no alarm (source none), and the side file gives none: add stopConditions or hypothesis.alarms to it; a fault must always have a way to stop',
      );
    });

    it('reports every problem of a template and its side file together, the unknown action first', () => {
      const t = noneTemplate();
      t.targets['Instances-Target-1'].selectionMode = 'SOME';
      t.actions.Explode = {
        actionId: 'aws:ec2:explode-instances',
        targets: { Instances: 'Instances-Target-1' },
      };
      const err = refusal(t, { ...SIDE, objectives: { rto: 'soon' } });
      expect(err).toBeInstanceOf(ExperimentProblems);
      const problems = (err as ExperimentProblems).problems.map((p) => `${p.file}: ${p.field}`);
      expect(problems).toEqual([
        't.json: actions.Explode.actionId',
        't.json: targets.Instances-Target-1.selectionMode',
        's.yaml: objectives.rto',
      ]);
      expect(err.field).toBe('actions.Explode.actionId');
      expect(err.message.split('\n')).toEqual([
        't.json and s.yaml: 3 problems:',
        expect.stringMatching(
          /^ {2}t\.json: actions\.Explode\.actionId: aws:ec2:explode-instances is not a FIS action/,
        ),
        "  t.json: targets.Instances-Target-1.selectionMode: must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got 'SOME')",
        "  s.yaml: objectives.rto: must be an ISO-8601 duration from PT1M to P1D, such as PT10M (got 'soon')",
      ]);
    });

    it('infers what the side file leaves out from the template: name, service and hypothesis', () => {
      const spec = importTemplate(
        consoleExport(),
        { objectives: { rto: 'PT15M' } },
        { template: 'lib/Stop-AZ.json' },
      );
      expect(spec.name).toBe('stop-az');
      expect(spec.service).toBe('checkout');
      expect(spec.hypothesis.alarms).toEqual(['checkout-5xx-rate']);
      expect(spec.imported?.notes).toEqual([
        "Inferred name stop-az from the template's file name.",
        "Inferred service checkout from the tag Service of the template's targets.",
        "Inferred the hypothesis from the template's stop conditions: checkout-5xx-rate stay OK.",
        'Not carried over: logConfiguration (faultline creates the template without experiment logging).',
        'Not carried over: experimentReportConfiguration (faultline writes its own report).',
      ]);
    });

    it('says what the template cannot tell when there is no side file', () => {
      const t = consoleExport();
      delete t.targets['Instances-Target-1'].resourceTags.Service;
      const err = thrown(() => importTemplate(t, undefined, { template: 't.json' }));
      expect(err).toBeInstanceOf(ExperimentProblems);
      expect((err as ExperimentProblems).problems.map((p) => p.message)).toEqual([
        "t.json: service: is required: the tags of the template's targets name no single Service to infer it from; give it in a side file (--spec)",
        't.json: objectives: is required (the template cannot say it: give it in a side file, --spec)',
      ]);
    });

    it('leaves out a member FIS templates do not have, with a note, but refuses a misspelt one', () => {
      const t = consoleExport();
      t.actions.StopInstances.startAfterDelay = 'PT5M';
      const spec = importTemplate(t, SIDE);
      expect(spec.fault.actions.StopInstances).not.toHaveProperty('startAfterDelay');
      expect(spec.imported?.notes).toContain(
        'Left out actions.StopInstances.startAfterDelay: FIS templates have no such member (FIS would not see it; the AWS CLI refuses it).',
      );
      t.actions.StopInstances.paramters = {};
      expect(refusal(t).detail).toContain('is not a member of a FIS template (did you mean parameters?)');
    });

    it('takes an action of the whole catalog for AWS, and refuses it in one line for the sandbox', () => {
      const t = consoleExport();
      t.targets['Instances-Target-1'] = {
        resourceType: 'aws:ec2:ebs-volume',
        resourceTags: { Service: 'checkout' },
        selectionMode: 'ALL',
      };
      t.actions.StopInstances = {
        actionId: 'aws:ebs:volume-io-latency',
        parameters: { duration: 'PT5M' },
        targets: { Volumes: 'Instances-Target-1' },
      };
      expect(importTemplate(t, SIDE).fault.actions.StopInstances!.action).toBe('aws:ebs:volume-io-latency');
      const err = thrown(() => importTemplate(t, SIDE, { template: 't.json' }, { runtime: SANDBOX_RUNTIME }));
      expect(err).toBeInstanceOf(ExperimentFileError);
      expect(err).not.toBeInstanceOf(ExperimentProblems);
      expect((err as Error).message).toBe(
        't.json: actions.StopInstances.actionId: aws:ebs:volume-io-latency is a FIS action the sandbox does not model; it runs on AWS',
      );
    });
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
