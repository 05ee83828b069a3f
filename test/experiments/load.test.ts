import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { alarmsFromList } from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { type Draft, SHIPPED, scratch, shippedFile, validExperiment } from './files.ts';

type Change = (e: Draft) => void;

describe('loading an experiment file', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  async function errorFor(change: Change | string, name = 'x.yaml'): Promise<ExperimentFileError> {
    let text: string;
    if (typeof change === 'string') text = change;
    else {
      const e = validExperiment();
      change(e);
      text = stringify(e);
    }
    const file = await files.write(name, text);
    const err = await loadExperimentFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExperimentFileError);
    const error = err as ExperimentFileError;
    expect(error.file).toBe(file);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    return error;
  }

  it.each(SHIPPED)('accepts the shipped %s experiment', async (name) => {
    const spec = await loadExperimentFile(shippedFile(name));
    expect(spec.name).toBe(name);
    expect(spec.stopConditions).toEqual(['checkout-availability-critical']);
  });

  it('accepts a small valid file and fills in the defaults', async () => {
    const spec = await loadExperimentFile(await files.write('ok.yaml', stringify(validExperiment())));
    expect(spec.fault.emptyTargets).toBe('fail');
    expect(spec.guardrails.maxBlastRadiusPercent).toBe(50);
    expect(spec.fault.actions.kill!.parameters).toEqual({});
  });

  const cases: [string, Change | string, string, string][] = [
    [
      'a number where text is expected',
      (e) => {
        e.objectives.rto = 15;
      },
      'objectives.rto',
      'must be text (got 15)',
    ],
    [
      'a list where a map is expected',
      (e) => {
        e.fault.targets = ['web'];
      },
      'fault.targets',
      'must be a map (got a list)',
    ],
    [
      'an unquoted YAML boolean as a FIS parameter',
      (e) => {
        e.fault.actions.kill = {
          action: 'aws:ec2:stop-instances',
          targets: { Instances: 'web' },
          parameters: { completeIfInstancesTerminated: true },
        };
      },
      'fault.actions.kill.parameters.completeIfInstancesTerminated',
      "must be text (got true): quote it, e.g. 'true'",
    ],
    [
      'an action FIS does not have',
      (e) => {
        e.fault.actions.kill.action = 'aws:ec2:explode';
      },
      'fault.actions.kill.action',
      "aws:ec2:explode is not a FIS action; FIS's catalog of",
    ],
    [
      'an action id that is not one',
      (e) => {
        e.fault.actions.kill.action = 'terminate';
      },
      'fault.actions.kill.action',
      "must be a FIS action id such as aws:ec2:stop-instances (got 'terminate')",
    ],
    [
      'a target key the action does not take',
      (e) => {
        e.fault.actions.kill.targets = { Subnets: 'web' };
      },
      'fault.actions.kill.targets.Subnets',
      "is not a target of aws:ec2:terminate-instances; it takes 'Instances'",
    ],
    [
      'an action without its target',
      (e) => {
        e.fault.actions.kill.targets = {};
      },
      'fault.actions.kill.targets.Instances',
      'is required by aws:ec2:terminate-instances (a aws:ec2:instance target)',
    ],
    [
      'a target that is not defined',
      (e) => {
        e.fault.actions.kill.targets = { Instances: 'ghosts' };
      },
      'fault.actions.kill.targets.Instances',
      "names target 'ghosts', which is not defined in 'targets'",
    ],
    [
      'a target of the wrong resource type',
      (e) => {
        e.fault.targets.web.type = 'aws:ec2:subnet';
      },
      'fault.actions.kill.targets.Instances',
      "names target 'web' of resource type aws:ec2:subnet, but aws:ec2:terminate-instances needs aws:ec2:instance",
    ],
    [
      'a resource type FIS does not have',
      (e) => {
        e.fault.targets.web.type = 'aws:ec2:instances';
      },
      'fault.targets.web.type',
      'aws:ec2:instances is not a FIS resource type (did you mean aws:ec2:instance?)',
    ],
    [
      'an action parameter the action does not take',
      (e) => {
        e.fault.actions.kill.parameters = { force: 'true' };
      },
      'fault.actions.kill.parameters.force',
      'is not a parameter of aws:ec2:terminate-instances (it takes none)',
    ],
    [
      'a FIS duration that is not ISO 8601',
      (e) => {
        e.fault.actions.kill = {
          action: 'aws:ec2:stop-instances',
          targets: { Instances: 'web' },
          parameters: { startInstancesAfterDuration: '10 minutes' },
        };
      },
      'fault.actions.kill.parameters.startInstancesAfterDuration',
      "must be an ISO 8601 duration such as PT5M (got '10 minutes')",
    ],
    [
      'a FIS duration beyond the action limit',
      (e) => {
        e.fault.actions.wait = { action: 'aws:fis:wait', parameters: { duration: 'PT13H' } };
      },
      'fault.actions.wait.parameters.duration',
      "must be between PT1M and PT12H (got 'PT13H')",
    ],
    [
      'an RTO that is not a duration',
      (e) => {
        e.objectives.rto = 'soon';
      },
      'objectives.rto',
      "must be an ISO-8601 duration from PT1M to P1D, such as PT10M (got 'soon')",
    ],
    [
      'a selection mode that is not one',
      (e) => {
        e.fault.targets.web.select = 'SOME';
      },
      'fault.targets.web.select',
      "must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got 'SOME')",
    ],
    [
      'COUNT(0)',
      (e) => {
        e.fault.targets.web.select = 'COUNT(0)';
      },
      'fault.targets.web.select',
      "must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got 'COUNT(0)')",
    ],
    [
      'a blast radius over the guardrail',
      (e) => {
        e.fault.targets.web.select = 'PERCENT(60)';
        e.guardrails = { maxBlastRadiusPercent: 40 };
      },
      'fault.targets.web.select',
      'PERCENT(60) of the instances is more than guardrails.maxBlastRadiusPercent allows (40%)',
    ],
    [
      'a blast radius over the default guardrail',
      (e) => {
        e.fault.targets.web.select = 'PERCENT(51)';
      },
      'fault.targets.web.select',
      'PERCENT(51) of the instances is more than guardrails.maxBlastRadiusPercent allows (50%)',
    ],
    [
      'no stop conditions',
      (e) => {
        e.stopConditions = [];
      },
      'stopConditions',
      'needs at least one alarm: a fault must always have a way to stop',
    ],
    [
      'stop conditions left out',
      (e) => {
        delete e.stopConditions;
      },
      'stopConditions',
      'is required',
    ],
    [
      'the same stop condition twice',
      (e) => {
        e.stopConditions = ['a', 'a'];
      },
      'stopConditions',
      'names an alarm twice',
    ],
    [
      'startAfter naming an action that does not exist',
      (e) => {
        e.fault.actions.kill.startAfter = ['warm-up'];
      },
      'fault.actions.kill.startAfter',
      "names action 'warm-up', which is not defined in 'actions'",
    ],
    [
      'a startAfter cycle',
      (e) => {
        e.fault.actions = {
          a: { action: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['c'] },
          b: { action: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['a'] },
          c: { action: 'aws:fis:wait', parameters: { duration: 'PT1M' }, startAfter: ['b'] },
        };
      },
      'fault.actions',
      'forms a cycle: a -> c -> b -> a',
    ],
    [
      'an unknown top-level field',
      (e) => {
        e.owner = 'sre';
      },
      'owner',
      'is not a field faultline knows; the file takes: name, description',
    ],
    [
      'a misspelt field',
      (e) => {
        e.guardrails = { maxBlastRadius: 20 };
      },
      'guardrails.maxBlastRadius',
      'is not a field faultline knows; guardrails takes: maxBlastRadiusPercent, abortWhen, windows, maxDuration',
    ],
    [
      'a misspelt required field, named as misspelt rather than as missing',
      (e) => {
        e.stopCondition = e.stopConditions;
        delete e.stopConditions;
      },
      'stopCondition',
      'is not a field faultline knows (did you mean stopConditions?)',
    ],
    [
      'a reserved template tag',
      (e) => {
        e.tags = { 'faultline:digest': 'x' };
      },
      'tags.faultline:digest',
      "'faultline:digest' is not a valid name: tag keys starting with faultline: or aws: are reserved",
    ],
    [
      'a target name FIS would refuse',
      (e) => {
        e.fault.targets['web servers'] = e.fault.targets.web;
      },
      'fault.targets.web servers',
      "'web servers' is not a valid name: must not contain whitespace",
    ],
    [
      'an empty hypothesis',
      (e) => {
        e.hypothesis = {};
      },
      'hypothesis',
      'the steady state needs at least one alarm, health check or metric bound',
    ],
  ];

  it.each(cases)('refuses %s, naming the field', async (_case, change, field, detail) => {
    const error = await errorFor(change);
    expect(error.field).toBe(field);
    expect(error.detail).toContain(detail);
    expect(error.message).toContain(`: ${field}: ${detail}`);
  });

  const sandboxOnly: [string, Change, string, string][] = [
    [
      'a kill-process without the process to kill',
      (e) => {
        e.fault.actions.kill = {
          action: 'aws:ssm:send-command',
          targets: { Instances: 'web' },
          parameters: {
            documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-Kill-Process',
            documentParameters: '{"Signal":"SIGKILL"}',
            duration: 'PT1M',
          },
        };
      },
      'fault.actions.kill',
      "parameter 'documentParameters': ProcessName is required by AWSFIS-Run-Kill-Process",
    ],
    [
      'an SSM document the sandbox cannot run',
      (e) => {
        e.fault.actions.kill = {
          action: 'aws:ssm:send-command',
          targets: { Instances: 'web' },
          parameters: {
            documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress',
            duration: 'PT1M',
          },
        };
      },
      'fault.actions.kill.parameters.documentArn',
      'names AWSFIS-Run-CPU-Stress, which the sandbox cannot run (it runs on AWS); the sandbox runs: AWSFIS-Run-Kill-Process',
    ],
    [
      'a filter path the resource type does not have',
      (e) => {
        e.fault.targets.web.filters = { 'State.Name': 'running', 'Placement.Zone': 'us-east-1a' };
      },
      'fault.targets.web.filters.Placement.Zone',
      'Placement.Zone is not a filter path of aws:ec2:instance in the sandbox',
    ],
    [
      'an action the sandbox does not model',
      (e) => {
        e.fault.targets.web.type = 'aws:ec2:ebs-volume';
        e.fault.actions.kill = {
          action: 'aws:ebs:volume-io-latency',
          targets: { Volumes: 'web' },
          parameters: { duration: 'PT5M' },
        };
      },
      'fault.actions.kill.action',
      'aws:ebs:volume-io-latency is a FIS action the sandbox does not model; it runs on AWS',
    ],
  ];

  it.each(sandboxOnly)(
    'refuses %s when it runs in the sandbox, and takes it for AWS',
    async (_case, change, field, detail) => {
      const e = validExperiment();
      change(e);
      const file = await files.write('sandbox.yaml', stringify(e));
      await expect(loadExperimentFile(file)).resolves.toBeDefined();
      const error = (await loadExperimentFile(file, { runtime: SANDBOX_RUNTIME }).catch(
        (x: unknown) => x,
      )) as ExperimentFileError;
      expect(error).toBeInstanceOf(ExperimentFileError);
      expect(error.field).toBe(field);
      expect(error.detail).toContain(detail);
    },
  );

  it('says on which line the field is', async () => {
    const text = [
      'name: kill-one',
      'description: Terminate one instance.',
      'service: checkout',
      'objectives: { rto: PT10M }',
      'hypothesis: { alarms: [checkout-5xx-rate] }',
      'fault:',
      '  targets:',
      '    web: { type: aws:ec2:instance, tags: { Service: checkout }, select: COUNT(1) }',
      '  actions:',
      '    kill:',
      '      action: aws:ec2:explode',
      '      targets: { Instances: web }',
      'stopConditions: [checkout-availability-critical]',
      '',
    ].join('\n');
    const error = await errorFor(text, 'lines.yaml');
    expect(error.line).toBe(11);
    expect(error.message).toMatch(
      /: fault\.actions\.kill\.action: aws:ec2:explode is not a FIS action; .* \(line 11\)$/,
    );
  });

  it.each([
    [
      'a flow list that is not closed',
      'name: x\nfault: [1, 2\nservice: y\n',
      'line 3, column 1: not valid YAML: ',
    ],
    [
      'a key written twice',
      'name: x\nname: y\n',
      'line 2, column 1: not valid YAML: Map keys must be unique',
    ],
    ['a tab indentation', 'name: x\nfault:\n\ttargets: {}\n', 'line 3, column 1: not valid YAML: '],
  ])('refuses YAML with %s, with the line', async (_case, text, detail) => {
    const error = await errorFor(text, 'syntax.yaml');
    expect(error.field).toBeUndefined();
    expect(error.detail.startsWith(detail)).toBe(true);
  });

  it('refuses an empty file and a file that is not a map', async () => {
    expect((await errorFor('', 'empty.yaml')).detail).toMatch(/^the file is empty/);
    expect((await errorFor('- a\n- b\n', 'list.yaml')).detail).toBe('must be a map of fields (got a list)');
  });

  it('refuses a file that does not exist', async () => {
    const err = await loadExperimentFile(`${files.dir}/nope.yaml`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExperimentFileError);
    expect((err as Error).message).toBe(`${files.dir}/nope.yaml: no such file`);
  });

  it('refuses an alarm that does not exist where the game day runs, when asked to look', async () => {
    const alarms = alarmsFromList(
      ['checkout-5xx-rate', 'checkout-availability-critical'],
      "in the world 'w'",
    );
    const e = validExperiment();
    (e.hypothesis as { alarms: string[] }).alarms = ['checkout-5xx-rate', 'checkout-typo'];
    const file = await files.write('alarm.yaml', stringify(e));
    await expect(loadExperimentFile(file)).resolves.toBeDefined();
    const err = (await loadExperimentFile(file, { alarms }).catch((x: unknown) => x)) as ExperimentFileError;
    expect(err).toBeInstanceOf(ExperimentFileError);
    expect(err.field).toBe('hypothesis.alarms[1]');
    expect(err.detail).toBe("there is no CloudWatch alarm named 'checkout-typo' in the world 'w'");

    e.stopConditions = ['gone'];
    const stop = (await loadExperimentFile(await files.write('alarm2.yaml', stringify(e)), { alarms }).catch(
      (x: unknown) => x,
    )) as ExperimentFileError;
    // Stop conditions first: without its alarm a fault has no way to stop.
    expect(stop.field).toBe('stopConditions[0]');
  });
});
