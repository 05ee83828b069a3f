import { analyse } from '../../src/report/analysis.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import { CompareInputError, type Comparison, comparisonOf } from '../../src/scorecard/compare.ts';
import { comparisonBlocks, comparisonCharts, comparisonLines } from '../../src/scorecard/compare-document.ts';
import { renderPage, renderPageMarkdown } from '../../src/scorecard/page.ts';
import type { CompareFlags } from '../commands/compare.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { pageFormat, writePage } from '../page-output.ts';
import { readIncident, reportable, withTimelineStore } from '../timeline-source.ts';

/** `faultline compare A B`: B against A, in the form asked. */
export async function compareAction(a: string, b: string, flags: CompareFlags, io: Io): Promise<void> {
  const format = pageFormat(flags);
  const zone = zoneFormat(flags.tz);
  const [left, right] = await withTimelineStore(flags, async (store) => [
    await readIncident(store, a),
    await readIncident(store, b),
  ]);
  const analysed = [
    reportable(a, () => analyse(left.incident, left.events, { timeZone: flags.tz })),
    reportable(b, () => analyse(right.incident, right.events, { timeZone: flags.tz })),
  ] as const;
  let comparison: Comparison;
  try {
    comparison = comparisonOf(...analysed);
  } catch (e) {
    if (e instanceof CompareInputError) throw new UsageError(e.message);
    throw e;
  }
  if (format === 'json') {
    const { a: ra, b: rb, ...rest } = comparison;
    const side = (r: typeof ra) => ({ ...r.record, moments: r.moments, automation: r.automation });
    await writePage(flags, JSON.stringify({ ...rest, a: side(ra), b: side(rb) }, null, 2), io);
    return;
  }
  if (format === 'text') {
    await writePage(flags, comparisonLines(comparison, zone).join('\n'), io);
    return;
  }
  const blocks = comparisonBlocks(comparison, zone, format === 'html' ? comparisonCharts(comparison) : []);
  const title = `Compare ${b} against ${a}`;
  await writePage(flags, format === 'html' ? renderPage(title, blocks) : renderPageMarkdown(blocks), io);
}
