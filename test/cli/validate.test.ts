import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXPERIMENTS, scratch, validExperiment, volumeLatency } from '../experiments/files.ts';
import { runCli } from '../helpers/cli.ts';

describe('faultline validate', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  it('checks every file in experiments/ when given none, and exits 0 when all are valid', async () => {
    const project = join(files.dir, 'project');
    await mkdir(project);
    await cp(EXPERIMENTS, join(project, 'experiments'), { recursive: true });
    const r = await runCli(['validate'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'ok  experiments/az-outage.yaml  (8 actions on 7 targets, stop conditions: checkout-availability-critical)',
      'ok  experiments/dynamodb-replication.yaml  (1 action on 1 target, stop conditions: orders-availability-critical)',
      'ok  experiments/instance-kill.yaml  (2 actions on 1 target, stop conditions: checkout-availability-critical)',
      'ok  experiments/lambda-errors.yaml  (1 action on 1 target, stop conditions: orders-availability-critical)',
      'ok  experiments/lambda-latency.yaml  (1 action on 1 target, stop conditions: orders-availability-critical)',
      'ok  experiments/region-outage.yaml  (1 action on 1 target, stop conditions: checkout-secondary-health)',
      'ok  experiments/serverless-az-outage.yaml  (1 action on 1 target, stop conditions: orders-availability-critical)',
      '',
    ]);
    expect(r.code).toBe(0);
  });

  it('prints the one error of each bad file, naming the field, and exits 2', async () => {
    const good = await files.write('good.yaml', stringify(validExperiment()));
    const e = validExperiment();
    e.fault.actions.kill.action = 'aws:ec2:explode';
    const bad = await files.write('bad.yaml', stringify(e));
    const r = await runCli(['validate', good, bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      `ok  ${good}  (1 action on 1 target, stop conditions: checkout-availability-critical)\n`,
    );
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error  ${bad}: fault\\.actions\\.kill\\.action: aws:ec2:explode is not a FIS action; .* \\(line \\d+\\)$`,
      ),
    );
    expect(lines[1]).toBe('faultline: 1 of 2 files are not valid');
  });

  it('refuses an alarm the sandbox world does not have, unless told not to look', async () => {
    const e = validExperiment();
    e.stopConditions = ['checkout-availability-critcal'];
    const file = await files.write('typo-alarm.yaml', stringify(e));
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error  ${file}: stopConditions[0]: there is no CloudWatch alarm named 'checkout-availability-critcal' in the sandbox world 'checkout'`,
    );
    const offline = await runCli(['validate', '--no-alarm-check', file]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`ok  ${file}`);
  });

  /** A template with a misspelt target key, and a side file for it. */
  async function templateFiles(): Promise<{ template: string; side: string }> {
    const template = await files.write(
      'template.json',
      JSON.stringify({
        description: 'Terminate one instance',
        roleArn: 'arn:aws:iam::<ACCOUNT_ID>:role/<ROLE>',
        targets: {
          web: {
            resourceType: 'aws:ec2:instance',
            resourceTags: { Service: 'checkout' },
            selectionMode: 'COUNT(1)',
          },
        },
        actions: { kill: { actionId: 'aws:ec2:terminate-instances', targets: { Instance: 'web' } } },
        stopConditions: [
          {
            source: 'aws:cloudwatch:alarm',
            value: 'arn:aws:cloudwatch:<REGION>:<ACCOUNT_ID>:alarm:checkout-availability-critical',
          },
        ],
      }),
    );
    const side = await files.write(
      'side.yaml',
      stringify({
        name: 'kill',
        service: 'checkout',
        objectives: { rto: 'PT10M' },
        hypothesis: { alarms: ['checkout-5xx-rate'] },
      }),
    );
    return { template, side };
  }

  it('checks a FIS template with its side file', async () => {
    const { template, side } = await templateFiles();
    const r = await runCli(['validate', '--template', template, '--spec', side]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error  ${template}: actions.kill.targets.Instance: is not a target of aws:ec2:terminate-instances (did you mean Instances?); it takes 'Instances' (line 1)`,
    );
  });

  it('checks a FIS template without a side file, saying what only a side file can say', async () => {
    const { template, side } = await templateFiles();
    const noSide = await runCli(['validate', '--template', template]);
    expect(noSide.code).toBe(2);
    expect(noSide.stderr).toContain(
      `error  ${template}: 2 problems:\n  actions.kill.targets.Instance: is not a target of aws:ec2:terminate-instances (did you mean Instances?); it takes 'Instances' (line 1)\n  objectives: is required (the template cannot say it: give it in a side file, --spec)`,
    );
    const usage = await runCli(['validate', '--template', template, '--template', template, '--spec', side]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      'give each --template its --spec side file, in the same order, or no --spec at all',
    );
  });

  it("takes a template as people keep it: stop conditions 'none', the whole FIS catalog for AWS", async () => {
    const latency = volumeLatency();
    const template = await files.write('latency.json', JSON.stringify(latency.template));
    const side = await files.write('latency.yaml', stringify(latency.side));
    const aws = await runCli([
      'validate',
      '--template',
      template,
      '--spec',
      side,
      '--aws',
      '--no-alarm-check',
    ]);
    expect(aws.stderr).toBe('');
    expect(aws.stdout.split('\n')).toEqual([
      `ok  ${template} + ${side}  (1 action on 1 target, stop conditions: checkout-5xx-rate)`,
      "    Stop conditions: checkout-5xx-rate (the hypothesis's alarms; the template's stop condition is none).",
      "    Inferred name latency from the template's file name.",
      "    Inferred service checkout from the tag Service of the template's targets.",
      '',
    ]);
    expect(aws.code).toBe(0);
    const sandbox = await runCli(['validate', '--template', template, '--spec', side]);
    expect(sandbox.code).toBe(2);
    expect(sandbox.stderr.split('\n')[0]).toBe(
      `error  ${template}: actions.slow.actionId: aws:ebs:volume-io-latency is a FIS action the sandbox does not model; it runs on AWS (faultline gameday --aws) (line 1)`,
    );
  });

  it('takes a folder for the experiment files in it', async () => {
    const project = join(files.dir, 'folders');
    await mkdir(join(project, 'empty'), { recursive: true });
    await cp(EXPERIMENTS, join(project, 'experiments'), { recursive: true });
    const all = await runCli(['validate'], { cwd: project });
    const folder = await runCli(['validate', 'experiments/'], { cwd: project });
    expect(folder.code).toBe(0);
    expect(folder.stdout).toBe(all.stdout);
    const empty = await runCli(['validate', 'empty/'], { cwd: project });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('faultline: empty: no .yaml files in empty/\n');
  });

  it('says so when there is nothing to validate', async () => {
    const r = await runCli(['validate'], { cwd: files.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faultline: no files given, and no experiments/ folder here to validate\n');
  });
});
