import { performance } from 'node:perf_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { zoneFormat } from '../src/report/time-zone.ts';
import { catchUp } from '../src/scorecard/catch-up.ts';
import { previousRun } from '../src/scorecard/previous.ts';
import { readScorecard } from '../src/scorecard/read.ts';
import type { RunRecord } from '../src/scorecard/run.ts';
import { definitionLines, scorecardLines } from '../src/scorecard/terminal.ts';
import { TimelineStore } from '../src/timeline/store.ts';
import { startSandbox } from '../test/helpers/sandbox.ts';
import { serverlessTable } from '../test/helpers/tables.ts';
import { instanceKillIncident } from '../test/report/fixtures.ts';
import { DAY_MS, run } from '../test/scorecard/fixtures.ts';
import { figure, median } from './print.ts';

const GAME_DAYS = 1_000;
/** Other services' game days in the same table: what a scan would read and a query does not. */
const OTHER_SERVICES = ['cart'];
const TARGET_MS = 1_000;
const EXPERIMENTS = ['instance-kill', 'az-outage', 'region-outage'];

/** Counts the requests a client sends and the items the answers carry; a Scan is never expected. */
function countReads(db: DynamoDBDocumentClient): { requests: number; items: number; scans: number } {
  const seen = { requests: 0, items: 0, scans: 0 };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      seen.requests++;
      if (context.commandName === 'ScanCommand') seen.scans++;
      const o = out.output as { Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
      seen.items +=
        (o.Items?.length ?? 0) +
        (o.Item ? 1 : 0) +
        Object.values(o.Responses ?? {}).reduce((n, r) => n + r.length, 0);
      return out;
    },
    { step: 'initialize', name: 'benchCountReads' },
  );
  return seen;
}

/** A service's n-th game day: one a day, a mix of experiments, results, dry and refused runs. */
function history(service: string, n: number): RunRecord {
  const kind = n % 20 === 7 ? 'dry-run' : n % 40 === 13 ? 'refused' : 'gameday';
  const passed = kind === 'gameday' ? n % 3 !== 0 : null;
  return run(n, {
    service,
    incidentId: `${service}-gd-${n}`,
    experiment: EXPERIMENTS[n % EXPERIMENTS.length]!,
    kind,
    passed,
    reasons: passed === false ? ['RTO missed'] : passed === null ? [`${kind}: nothing was injected`] : [],
    timeToDetectSeconds: 60 + (n % 17) * 10,
  });
}

/**
 * A service with 1,000 game days of history (one a day, beside 1,000 of another service in the same
 * table): the scorecard over 30 days, a year and all of it, and the previous-run lookup a report
 * makes, as the CLI reads them from the sandbox's DynamoDB. Target: each under 1 s, reading with
 * queries what the window holds (the items-read figures), never a scan.
 */
export async function scorecardBench(): Promise<void> {
  const { sb, config } = await startSandbox();
  try {
    const { db, table } = await serverlessTable(config, 'TimelineTable', 'bench-scorecard');
    const store = new TimelineStore(db, table);
    const t0 = performance.now();
    for (const service of ['checkout', ...OTHER_SERVICES]) {
      for (let n = 0; n < GAME_DAYS; n += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, GAME_DAYS - n) }, (_, i) =>
            store.runs.record(history(service, n + i)),
          ),
        );
      }
    }
    figure('scorecard.write_history.2000_gamedays', (performance.now() - t0) / 1000, 's');
    const reads = countReads(db);
    const zone = zoneFormat('UTC');
    const slowest: number[] = [];
    for (const days of [30, 365, 3650]) {
      const times: number[] = [];
      let items = 0;
      let requests = 0;
      for (let i = 0; i < 5; i++) {
        const before = { ...reads };
        const started = performance.now();
        // What `faultline scorecard checkout --days N` does once the table is open.
        await catchUp(store);
        const card = await readScorecard(store, 'checkout', { days, declared: [] });
        scorecardLines(card, zone).concat(definitionLines(card)).join('\n');
        times.push(performance.now() - started);
        items = reads.items - before.items;
        requests = reads.requests - before.requests;
      }
      const label = days === 3650 ? 'all' : `${days}_days`;
      figure(`scorecard.read.${label}.1000_gamedays`, median(times), 'ms');
      figure(`scorecard.items_read.${label}.1000_gamedays`, items, 'items');
      figure(`scorecard.requests.${label}.1000_gamedays`, requests, 'requests');
      slowest.push(median(times));
    }
    const latest = history('checkout', GAME_DAYS - 1);
    const incident = instanceKillIncident({
      incidentId: 'checkout-gd-next',
      openedAt: new Date(Date.parse(latest.openedAt) + DAY_MS).toISOString(),
      attributes: { ...instanceKillIncident().attributes, experiment: latest.experiment },
    });
    const times: number[] = [];
    const before = { ...reads };
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await previousRun(store.runs, incident);
      times.push(performance.now() - started);
    }
    figure('scorecard.previous_run.1000_gamedays', median(times), 'ms');
    figure('scorecard.previous_run.items_read', (reads.items - before.items) / 20, 'items');
    const worst = Math.max(...slowest, median(times));
    process.stdout.write(
      `# scorecard targets: 1,000 game days answer in < ${TARGET_MS} ms (${worst < TARGET_MS ? 'met' : 'MISSED'}, worst ${worst.toFixed(1)} ms); ` +
        `scans: ${reads.scans} (${reads.scans === 0 ? 'none, as required' : 'MISSED: expected none'})\n`,
    );
  } finally {
    await sb.close();
  }
}
