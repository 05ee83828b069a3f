import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderReport } from '../../src/report/index.ts';
import { previousRun } from '../../src/scorecard/previous.ts';
import { REPORT_FORMS, type ReportFlags } from '../commands/report.ts';
import type { Io } from '../main.ts';
import { readIncident, reportable, withTimelineStore } from '../timeline-source.ts';

/** `faultline report`: the incident's report in the form asked, on stdout or in a file. */
export async function reportAction(incidentId: string, flags: ReportFlags, io: Io): Promise<void> {
  // The previous run as RenderReport looked it up, so that the report read again says what the stored one says.
  const { incident, events, previous } = await withTimelineStore(flags, async (store) => {
    const read = await readIncident(store, incidentId);
    return { ...read, previous: await previousRun(store.runs, read.incident) };
  });
  const rendered = reportable(incidentId, () =>
    renderReport(incident, events, { timeZone: flags.tz, previousRun: previous }),
  );
  const text = rendered[REPORT_FORMS[flags.format]];
  if (flags.out === undefined) {
    io.out(text.trimEnd());
    return;
  }
  await mkdir(dirname(flags.out), { recursive: true });
  await writeFile(flags.out, text);
  io.err(`wrote ${flags.out}`);
}
