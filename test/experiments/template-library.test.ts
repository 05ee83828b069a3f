import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateExperimentTemplateCommand, FisClient, StartExperimentCommand } from '@aws-sdk/client-fis';
import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { loadWorldFile, worldFileFor } from '../../sandbox/world/schema.ts';
import { compileTemplate } from '../../src/experiments/compile.ts';
import { ExperimentFileError, ExperimentProblems } from '../../src/experiments/errors.ts';
import { importTemplate } from '../../src/experiments/import-template.ts';
import { findCreateInputProblem } from '../../src/fis/check-create-input.ts';
import { sendActionsMode } from '../../src/fis/wire-extensions.ts';
import { measureBlastRadius } from '../../src/gameday/blast-radius.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import {
  createDocumentsFor,
  fill,
  filled,
  hasResourcesFor,
  LIBRARY,
  libraryDocuments,
  PLACEHOLDER,
  pointAtWorld,
  SIDE,
  sideFor,
  templatesIn,
  withSpot,
} from '../helpers/template-library.ts';
import { getExperiment } from '../sandbox/fis-helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = join(ROOT, '../shared/fis-template-library');

const templates = await templatesIn(LIBRARY);

/** All but one: Direct Connect is the one kind of resource the sandbox's worlds do not model. */
const SANDBOX_ACCEPTED = templates
  .map((t) => t.name)
  .filter((name) => name !== 'direct-connect-resiliency/direct-connect-resiliency-template.json');

const accepted = (verdicts: { name: string; accepted: boolean }[]) =>
  verdicts.filter((v) => v.accepted).map((v) => v.name);

const CTX = {
  region: 'us-east-1',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/faultline-fis',
};

describe('the FIS template library (aws-samples/fis-template-library)', () => {
  it('is all here: 23 templates, with the LICENSE they come under', async () => {
    expect(templates).toHaveLength(23);
    expect(await readFile(join(LIBRARY, 'LICENSE'), 'utf8')).toMatch(/^MIT No Attribution/);
  });

  it.skipIf(!existsSync(SHARED))('is the same as the workplace copy it was taken from', async () => {
    expect(await templatesIn(SHARED)).toEqual(templates);
  });

  it.each(templates.map((t) => [t.name, t.text]))(
    'validates %s for AWS, placeholders filled',
    (name, text) => {
      const filled = text.replace(PLACEHOLDER, fill);
      expect(filled.match(PLACEHOLDER)).toBeNull();
      const spec = importTemplate(JSON.parse(filled), SIDE, { template: name });
      // Every template of the library says `none`: the hypothesis's alarm stops the fault.
      expect(spec.stopConditions).toEqual(['library-availability']);
      expect(spec.imported?.stopConditionsFrom).toBe('hypothesis');
      const input = compileTemplate(spec, CTX);
      expect(findCreateInputProblem(input)).toBeUndefined();
      expect(Object.keys(input.actions ?? {}).sort()).toEqual(Object.keys(JSON.parse(filled).actions).sort());
    },
  );

  it('runs in the sandbox what the sandbox models, and refuses the rest in lines that say it runs on AWS', () => {
    const verdicts = templates.map(({ name, text }) => {
      try {
        importTemplate(
          JSON.parse(text.replace(PLACEHOLDER, fill)),
          SIDE,
          { template: name },
          { runtime: SANDBOX_RUNTIME },
        );
        return { name, accepted: true, problems: [] as string[] };
      } catch (e) {
        if (!(e instanceof ExperimentFileError)) throw e;
        const problems = e instanceof ExperimentProblems ? e.problems : [e];
        return { name, accepted: false, problems: problems.map((p) => p.detail) };
      }
    });
    const refused = verdicts.filter((v) => !v.accepted);
    for (const v of refused) {
      for (const problem of v.problems)
        expect(problem, v.name).toMatch(/it runs on AWS|the sandbox cannot run|runs on AWS/);
    }
    expect(accepted(verdicts)).toEqual(SANDBOX_ACCEPTED);
    expect(refused.map((v) => v.name)).toEqual([
      'direct-connect-resiliency/direct-connect-resiliency-template.json',
    ]);
  });

  it('sends those the sandbox models to its FIS as dry runs, in the world that has their resources', async () => {
    const checkout = await loadWorldFile();
    const worlds = [
      await startSandbox({ world: withSpot(checkout) }),
      await startSandbox({ world: await loadWorldFile(worldFileFor('orders')) }),
    ];
    try {
      const reached: Record<string, string> = {};
      for (const { name, text } of templates) {
        const template = filled(text);
        const home = worlds.find(({ sb }) => hasResourcesFor(template, sb.world));
        if (!home) continue;
        const { sb, config } = home;
        const service = sb.world.def.service.name;
        let spec: ReturnType<typeof importTemplate>;
        try {
          spec = importTemplate(
            pointAtWorld(template, sb.world),
            { ...sideFor(service), service: SIDE.service },
            { template: name },
            { runtime: SANDBOX_RUNTIME },
          );
        } catch (e) {
          if (e instanceof ExperimentFileError) continue;
          throw e;
        }
        const fis = new FisClient(config);
        sendActionsMode(fis, 'skip-all');
        const created = await fis.send(new CreateExperimentTemplateCommand(compileTemplate(spec, CTX)));
        const started = await fis.send(
          new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id! }),
        );
        await sb.clock.advance(60_000);
        const exp = await getExperiment(fis, started.experiment!.id!);
        expect(exp.state, name).toMatchObject({ status: 'completed' });
        for (const [key, action] of Object.entries(exp.actions ?? {}))
          expect(action.state?.status, `${name} ${key}`).toBe('skipped');
        for (const [key, target] of Object.entries(exp.targets ?? {}))
          expect(target.resourceArns?.length ?? 1, `${name} ${key}`).toBeGreaterThan(0);
        reached[name] = service;
      }
      expect(reached).toEqual(
        Object.fromEntries(
          SANDBOX_ACCEPTED.map((name) => [name, name.startsWith('dynamodb-') ? 'orders' : 'checkout']),
        ),
      );
    } finally {
      for (const { sb } of worlds) await sb.close();
    }
  });

  it("runs those the sandbox models against its world, their targets' tags pointed at its resources", async () => {
    const world = await loadWorldFile();
    const { sb, config } = await startSandbox({
      world: { ...withSpot(world), autoScaling: undefined },
    });
    try {
      const fis = new FisClient(config);
      const side = { ...SIDE, hypothesis: { alarms: ['checkout-availability-critical'] } };
      const run = async (name: string, ends = 'completed', runFor = 10 * 60_000): Promise<string> => {
        // A user's resources carry their own tags: here, the world's.
        const template = pointAtWorld(filled(templates.find((t) => t.name === name)!.text), sb.world);
        const spec = importTemplate(template, side, { template: name }, { runtime: SANDBOX_RUNTIME });
        const created = await fis.send(new CreateExperimentTemplateCommand(compileTemplate(spec, CTX)));
        const started = await fis.send(
          new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id! }),
        );
        await sb.clock.advance(runFor);
        const exp = await getExperiment(fis, started.experiment!.id!);
        expect(exp.state!.status, name).toBe(ends);
        return exp.id!;
      };
      const states = () => sb.world.instances().map((i) => i.state);

      // Spot Instances are instances: the blast radius counts them, not names them as uncounted.
      const spotTemplate = 'ec2-spot-interruption/ec2-spot-interruption-template.json';
      const spotSpec = importTemplate(
        pointAtWorld(filled(templates.find((t) => t.name === spotTemplate)!.text), sb.world),
        { ...side, service: 'checkout' },
        { template: spotTemplate },
      );
      expect(await measureBlastRadius(new EC2Client(config), spotSpec)).toEqual({
        targets: {
          'spot-instances': sb.world
            .instances()
            .filter((i) => i.lifecycle === 'spot')
            .map((i) => i.id),
        },
        instancesHit: 3,
        instancesTotal: 6,
        percent: 50,
      });

      await run('aurora-cluster-failover/aurora-cluster-failover-template.json');
      expect(sb.world.dbCluster('checkout-db')).toMatchObject({ failovers: 1, writerAz: 'us-east-1b' });
      // Every instance stopped: the service is down, the stop condition stops the experiment, and
      // FIS starts them again at once rather than after the five minutes.
      await run('sap-ec2-instance-stop-ascs/sap-ec2-instance-stop-sap-ascs-template.json', 'stopped');
      expect(states()).toEqual(Array(6).fill('running'));
      await run('sap-ebs-pause-database-data/sap-ebs-pause-database-data-template.json');
      expect(
        sb.world
          .volumes()
          .filter((v) => v.ioPausedUntil !== undefined)
          .map((v) => v.az),
      ).toEqual(['us-east-1a', 'us-east-1a']);
      // PERCENT(25) of six: one.
      await run('ec2-instances-terminate/ec2-instances-terminate-template.json');
      expect(states().filter((s) => s === 'terminated')).toHaveLength(1);
      await run('ec2-spot-interruption/ec2-spot-interruption-template.json');
      const spot = sb.world.instances().filter((i) => i.lifecycle === 'spot');
      expect(spot.map((i) => i.state)).toEqual(Array(3).fill('terminated'));
      // Its AZ (us-east-1a) loses power for ten minutes: the primary there fails over to a replica.
      await run(
        'elasticache-az-power-interruption/elasticache-az-power-interruption-experiment-template.json',
        'completed',
        11 * 60_000,
      );
      expect(sb.world.cache?.primary()?.id).toBe('checkout-sessions-002');

      // Its own automation document, created as a user deploys it: its first step is Python.
      const sqs = 'sqs-queue-impairment/sqs-queue-impairment-tag-based-experiment-template.json';
      const ssm = new SSMClient(config);
      expect(
        await createDocumentsFor(
          sqs,
          filled(templates.find((t) => t.name === sqs)!.text),
          ssm,
          await libraryDocuments(),
        ),
      ).toEqual(['your-automation-document-name']);
      const failed = await getExperiment(fis, await run(sqs, 'failed', 60_000));
      expect(failed.actions?.impairSqs2m?.state).toMatchObject({
        status: 'failed',
        reason: expect.stringMatching(/aws:executeScript runs Python on AWS; the sandbox cannot run it$/),
      });
    } finally {
      await sb.close();
    }
  });
  it('blackholes DynamoDB for the orders world: replication paused, the function cut off from its table, errors until the stop condition ends it', async () => {
    const { sb, config } = await startSandbox({ world: await loadWorldFile(worldFileFor('orders')) });
    try {
      const fis = new FisClient(config);
      const name =
        'dynamodb-traffic-blackhole-region-impairment/dynamodb-traffic-blackhole-region-impairment-template.json';
      const template = pointAtWorld(filled(templates.find((t) => t.name === name)!.text), sb.world);
      const spec = importTemplate(
        template,
        sideFor('orders'),
        { template: name },
        { runtime: SANDBOX_RUNTIME },
      );
      const created = await fis.send(new CreateExperimentTemplateCommand(compileTemplate(spec, CTX)));
      const started = await fis.send(
        new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id! }),
      );
      const errors = (from: number) =>
        sb.core.metrics
          .points(
            { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders-api' } },
            from,
            Number.POSITIVE_INFINITY,
          )
          .reduce((sum, p) => sum + p.sum, 0);
      const before = errors(0);
      const t0 = sb.clock.now();
      await sb.clock.advance(90_000);
      const serverless = sb.world.serverless!;
      expect(serverless.globalTables().map((t) => t.pausedSince)).toEqual([t0 + 3_000]);
      // The function's ENIs time out on every call to DynamoDB: its invocations fail, the
      // availability alarm goes off, and the stop condition ends the fault, replication with it.
      await sb.clock.advance(3 * 60_000);
      expect(errors(t0)).toBeGreaterThan(1000 * Math.max(before, 1));
      expect((await getExperiment(fis, started.experiment!.id!)).state).toEqual({
        status: 'stopped',
        reason: `Experiment stopped by stop condition: the alarm arn:aws:cloudwatch:us-east-1:${sb.world.accountId}:alarm:orders-availability-critical entered ALARM.`,
      });
      expect(serverless.globalTables().map((t) => t.pausedSince)).toEqual([undefined]);
    } finally {
      await sb.close();
    }
  });
});
