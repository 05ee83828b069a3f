import { readFile, rename, writeFile } from 'node:fs/promises';
import { FisClient } from '@aws-sdk/client-fis';
import { catalogFile, catalogText } from '../../src/fis/catalog-file.ts';
import { readCatalogFromFis } from '../../src/fis/refresh.ts';
import * as z from '../../src/zod.ts';
import type { RefreshFlags } from '../commands/fis-catalog.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';

/** `faultline fis-catalog refresh`: reads FIS's catalog and writes it, whole or not at all. */
export async function refreshAction(flags: RefreshFlags, io: Io): Promise<void> {
  if (flags.aws === (flags.endpoint !== undefined)) {
    throw new UsageError('say where to read the catalog from: --aws or --endpoint <url>');
  }
  if (flags.region && !flags.aws) throw new UsageError('--region goes with --aws');
  const previous = await readCatalogFile(flags.out);
  const fis = flags.endpoint
    ? new FisClient({
        endpoint: flags.endpoint,
        region: process.env.AWS_REGION ?? 'us-east-1',
        credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      })
    : new FisClient(flags.region ? { region: flags.region } : {});
  const region = await fis.config.region();
  const takenAt = new Date().toISOString().slice(0, 10);
  const where = flags.endpoint ? `at ${flags.endpoint}` : `in ${region}`;
  const { catalog, changes } = await readCatalogFromFis(fis, previous, { takenAt, where });
  // Written whole or not at all: a half-written catalog would refuse every template.
  await writeFile(`${flags.out}.tmp`, catalogText(catalog));
  await rename(`${flags.out}.tmp`, flags.out);
  const list = (ids: string[]) => (ids.length > 0 ? ` (${ids.join(', ')})` : '');
  io.out(
    `Read ${Object.keys(catalog.actions).length} actions and ${Object.keys(catalog.resourceTypes).length} resource types from FIS ${where}; wrote ${flags.out} (taken ${takenAt}).`,
  );
  io.out(
    `Actions: ${changes.addedActions.length} new${list(changes.addedActions)}, ${changes.removedActions.length} gone${list(changes.removedActions)}, ${changes.changedActions.length} with other targets or parameters${list(changes.changedActions)}.`,
  );
  io.out(
    `Resource types: ${changes.addedResourceTypes.length} new${list(changes.addedResourceTypes)}, ${changes.removedResourceTypes.length} gone${list(changes.removedResourceTypes)}.`,
  );
  if (changes.unformatted.length > 0) {
    io.out(
      `${changes.unformatted.length} parameters have no documented format (any text is taken): ${changes.unformatted.join(', ')}`,
    );
  }
}

async function readCatalogFile(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the catalog file (${(e as NodeJS.ErrnoException).code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = z.safeParse(catalogFile, data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
