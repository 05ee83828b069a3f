import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateExperimentTemplateCommand, FisClient, StartExperimentCommand } from '@aws-sdk/client-fis';
import { describe, expect, it } from 'vitest';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { WORLD_RESOURCE_TYPES } from '../../sandbox/world/kinds/registry.ts';
import { loadWorldFile, worldFileFor } from '../../sandbox/world/schema.ts';
import type { World } from '../../sandbox/world/world.ts';
import { compileTemplate } from '../../src/experiments/compile.ts';
import { ExperimentFileError, ExperimentProblems } from '../../src/experiments/errors.ts';
import { importTemplate } from '../../src/experiments/import-template.ts';
import { findCreateInputProblem } from '../../src/fis/check-create-input.ts';
import { sendActionsMode } from '../../src/fis/wire-extensions.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { getExperiment } from '../sandbox/fis-helpers.ts';

/**
 * aws-samples/fis-template-library (MIT-0; LICENSE and SOURCE.md beside the copy): its 23
 * experiment templates, copied from the workplace's ../shared/fis-template-library into
 * test/fixtures so that the test needs nothing outside the repository. Their placeholders
 * (`<YOUR AWS ACCOUNT>`, `{{ aws:region }}`, …) are filled in here the way a user would.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIBRARY = join(ROOT, 'test/fixtures/fis-template-library');
const SHARED = join(ROOT, '../shared/fis-template-library');

const PLACEHOLDER = /<[^<>"]+>|\{\{[^{}"]+\}\}|\$\{[^{}"]+\}/g;

/** A value for a placeholder, by what its name says it is. */
function fill(placeholder: string): string {
  const name = placeholder.replace(/^[<{$]+|[>}]+$/g, '').trim();
  if (/account/i.test(name)) return '123456789012';
  if (/availability zone|\baz\b/i.test(name)) return 'us-east-1a';
  if (/region/i.test(name)) return 'us-east-1';
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function templatesIn(dir: string): Promise<{ name: string; text: string }[]> {
  const found: { name: string; text: string }[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(join(dir, entry.name))).sort()) {
      if (!file.endsWith('.json')) continue;
      const text = await readFile(join(dir, entry.name, file), 'utf8');
      if (text.includes('"stopConditions"')) found.push({ name: `${entry.name}/${file}`, text });
    }
  }
  return found;
}

/** What every template gets as its side file: a service, one alarm, an RTO. */
const SIDE = {
  service: 'library',
  objectives: { rto: 'PT15M' },
  hypothesis: { alarms: ['library-availability'] },
};

const templates = await templatesIn(LIBRARY);

/** All but one: Direct Connect is the one kind of resource the sandbox's worlds do not model. */
const SANDBOX_ACCEPTED = templates
  .map((t) => t.name)
  .filter((name) => name !== 'direct-connect-resiliency/direct-connect-resiliency-template.json');

interface LibraryTarget {
  resourceType: string;
  resourceTags?: Record<string, string>;
  resourceArns?: string[];
}

/**
 * The template with its targets pointed at the world's resources, as a user's own would be: tags
 * become the world's service tag, ARNs become those of the world's resources of that type.
 */
function pointAtWorld<T extends { targets?: Record<string, LibraryTarget> }>(template: T, world: World): T {
  for (const target of Object.values(template.targets ?? {})) {
    if (target.resourceTags) target.resourceTags = { Service: world.def.service.name };
    if (target.resourceArns) {
      const found = WORLD_RESOURCE_TYPES[target.resourceType]?.candidates(world) ?? [];
      target.resourceArns = found.slice(0, target.resourceArns.length).map((c) => c.arn);
    }
  }
  return template;
}

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
      // Spot Instances too, for the spot-interruption template.
      await startSandbox({ world: { ...checkout, service: { ...checkout.service, spotInstancesPerAz: 1 } } }),
      await startSandbox({ world: await loadWorldFile(worldFileFor('orders')) }),
    ];
    try {
      const reached: Record<string, string> = {};
      for (const { name, text } of templates) {
        const template = JSON.parse(text.replace(PLACEHOLDER, fill));
        const types = Object.values(template.targets ?? {}).map((t) => (t as LibraryTarget).resourceType);
        const home = worlds.find(({ sb }) =>
          types.every((type) => (WORLD_RESOURCE_TYPES[type]?.candidates(sb.world).length ?? 0) > 0),
        );
        if (!home) continue;
        const { sb, config } = home;
        const service = sb.world.def.service.name;
        let spec: ReturnType<typeof importTemplate>;
        try {
          spec = importTemplate(
            pointAtWorld(template, sb.world),
            { ...SIDE, hypothesis: { alarms: [`${service}-availability-critical`] } },
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
      world: { ...world, service: { ...world.service, spotInstancesPerAz: 1 }, autoScaling: undefined },
    });
    try {
      const fis = new FisClient(config);
      const side = { ...SIDE, hypothesis: { alarms: ['checkout-availability-critical'] } };
      const run = async (name: string, ends = 'completed', runFor = 10 * 60_000): Promise<string> => {
        const filled = JSON.parse(templates.find((t) => t.name === name)!.text.replace(PLACEHOLDER, fill));
        // A user's resources carry their own tags: here, the world's.
        for (const target of Object.values(filled.targets) as { resourceTags?: object }[])
          target.resourceTags = { Service: 'checkout' };
        const spec = importTemplate(filled, side, { template: name }, { runtime: SANDBOX_RUNTIME });
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
    } finally {
      await sb.close();
    }
  });
});
