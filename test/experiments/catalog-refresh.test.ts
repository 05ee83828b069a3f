import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FisClient } from '@aws-sdk/client-fis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { SANDBOX_ACTION_IDS, SANDBOX_RESOURCE_TYPES } from '../../sandbox/services/fis/support.ts';
import { CATALOG } from '../../src/fis/catalog.ts';
import { catalogFile, catalogText } from '../../src/fis/catalog-file.ts';
import { readCatalogFromFis } from '../../src/fis/refresh.ts';
import * as z from '../../src/zod.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';
import { scratch } from './files.ts';

/**
 * The refresh reads a FIS through the real SDK and the restJson1 protocol: here the sandbox's,
 * which offers the seven actions it runs, so that what it reads is known in advance.
 */
describe('refreshing the catalog from FIS', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    files = await scratch();
  });
  afterAll(async () => {
    await sb.close();
    await files.cleanup();
  });

  it("reads what FIS's API says and keeps the documented value formats", async () => {
    const { catalog, changes } = await readCatalogFromFis(new FisClient(config), CATALOG, {
      takenAt: '2027-01-02',
      where: 'in the sandbox',
    });
    expect(Object.keys(catalog.actions).sort()).toEqual([...SANDBOX_ACTION_IDS].sort());
    expect(catalog.takenAt).toBe('2027-01-02');
    expect(catalog.source).toMatch(/^FIS's API in the sandbox \(ListActions, GetAction/);
    // What the API gives, and the formats only the documentation gives.
    expect(catalog.actions['aws:network:disrupt-connectivity']).toEqual(
      CATALOG.actions['aws:network:disrupt-connectivity'],
    );
    expect(catalog.actions['aws:fis:wait']!.parameters.duration!.format).toEqual({
      kind: 'duration',
      min: 'PT1M',
      max: 'PT12H',
    });
    expect(catalog.resourceTypes['aws:ec2:subnet']!.arns).toEqual(
      CATALOG.resourceTypes['aws:ec2:subnet']!.arns,
    );
    expect(changes.addedActions).toEqual([]);
    expect(changes.changedActions).toEqual([]);
    expect(changes.removedActions).toContain('aws:eks:terminate-nodegroup-instances');
    expect(changes.removedActions).not.toContain('aws:ecs:stop-task');
    expect(changes.removedActions).toHaveLength(
      Object.keys(CATALOG.actions).length - SANDBOX_ACTION_IDS.length,
    );
    expect(z.safeParse(catalogFile, JSON.parse(catalogText(catalog))).success).toBe(true);
  });

  it('is the fis-catalog refresh command: writes the file whole and says what changed', async () => {
    const out = join(files.dir, 'catalog.json');
    await writeFile(out, catalogText(CATALOG));
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`err: ${l}`) };
    const code = await main(['fis-catalog', 'refresh', '--endpoint', config.endpoint, '--out', out], io);
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(Object.keys(written.actions)).toHaveLength(SANDBOX_ACTION_IDS.length);
    expect(lines[0]).toBe(
      `Read ${SANDBOX_ACTION_IDS.length} actions and ${SANDBOX_RESOURCE_TYPES.length} resource types from FIS at ${config.endpoint}; wrote ${out} (taken ${new Date().toISOString().slice(0, 10)}).`,
    );
    const gone = Object.keys(CATALOG.actions).length - SANDBOX_ACTION_IDS.length;
    expect(lines[1]).toMatch(
      new RegExp(
        `^Actions: 0 new, ${gone} gone \\(aws:cloudwatch:assert-alarm-state, .*\\), 0 with other targets or parameters\\.$`,
      ),
    );

    const usage = await main(['fis-catalog', 'refresh', '--out', out], io);
    expect(usage).toBe(2);
    expect(lines.at(-1)).toBe(
      'err: faultline: say where to read the catalog from: --aws or --endpoint <url>',
    );
  });
});
