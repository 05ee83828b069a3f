import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { quote } from '../../src/input/quote.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import { catchUp } from '../../src/scorecard/catch-up.ts';
import { scorecardCharts } from '../../src/scorecard/charts.ts';
import { definitionBlocks, type PageBlock, scorecardBlocks } from '../../src/scorecard/document.ts';
import { renderPage, renderPageMarkdown } from '../../src/scorecard/page.ts';
import { knownServices, readScorecard } from '../../src/scorecard/read.ts';
import type { DeclaredExperiment, Scorecard } from '../../src/scorecard/scorecard.ts';
import { definitionLines, scorecardLines, servicesLines } from '../../src/scorecard/terminal.ts';
import type { ScorecardFlags } from '../commands/scorecard.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR } from '../options.ts';
import { pageFormat, writePage } from '../page-output.ts';
import { withTimelineStore } from '../timeline-source.ts';

/** `faultline scorecard [service]`: the service's (or every service's) scorecard, in the form asked. */
export async function scorecardAction(
  service: string | undefined,
  flags: ScorecardFlags,
  io: Io,
): Promise<void> {
  const format = pageFormat(flags);
  const zone = zoneFormat(flags.tz);
  const declared = await declaredExperiments(flags.experiments, flags.experiments !== EXPERIMENTS_DIR);
  const cards = await withTimelineStore(flags, async (store) => {
    let told = false;
    const caught = await catchUp(store, {
      onRecording: () => {
        if (told) return;
        told = true;
        io.err('faultline: recording the game days reported before the scorecard existed (once)…');
      },
    });
    if (caught.recorded > 0) io.err(`faultline: recorded ${caught.recorded} game day(s)`);
    for (const u of caught.unreadable) io.err(`faultline: game day ${u.incidentId} left out: ${u.reason}`);
    const services = await knownServices(store, declared);
    if (service !== undefined && !services.includes(service)) {
      throw new UsageError(
        `no game day or experiment for service ${quote(service)}` +
          (services.length > 0
            ? ` (services: ${services.join(', ')})`
            : ': run a game day first (faultline gameday az-outage)'),
      );
    }
    const out: Scorecard[] = [];
    for (const s of service === undefined ? services : [service]) {
      out.push(await readScorecard(store, s, { days: flags.days, declared }));
    }
    return out;
  });
  if (format === 'json') {
    await writePage(
      flags,
      JSON.stringify(service === undefined ? { services: cards } : cards[0], null, 2),
      io,
    );
    return;
  }
  if (format === 'text') {
    const lines =
      service === undefined
        ? servicesLines(cards, zone)
        : [...scorecardLines(cards[0]!, zone), ...definitionLines(cards[0]!)];
    await writePage(flags, lines.join('\n'), io);
    return;
  }
  const title = service === undefined ? 'Scorecard: every service' : `Scorecard: ${service}`;
  const blocks: PageBlock[] = [
    { type: 'heading', level: 1, text: title },
    ...cards.flatMap((card) =>
      scorecardBlocks(card, zone, format === 'html' ? scorecardCharts(card, zone) : []),
    ),
    ...(cards[0] ? definitionBlocks(cards[0]) : [{ type: 'paragraph' as const, text: 'No game days yet.' }]),
  ];
  await writePage(flags, format === 'html' ? renderPage(title, blocks) : renderPageMarkdown(blocks), io);
}

/**
 * The experiments declared in a folder of experiment files: which service each is for, and its
 * schedule. A missing default folder declares none; a folder asked for must exist, and a file in
 * it that does not load is an error naming it (faultline validate says the same).
 */
async function declaredExperiments(dir: string, asked: boolean): Promise<DeclaredExperiment[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !asked) return [];
    throw new UsageError(
      `--experiments ${quote(dir)}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message}`,
    );
  }
  const declared: DeclaredExperiment[] = [];
  for (const f of files) {
    const spec = await loadExperimentFile(join(dir, f));
    declared.push({ name: spec.name, service: spec.service, schedule: spec.schedule ?? null });
  }
  return declared;
}
