import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderReport } from '../../src/report/index.ts';
import { REPORT_FORMS, type ReportFlags } from '../commands/report.ts';
import type { Io } from '../main.ts';
import { readIncident, reportable, withTimelineStore } from '../timeline-source.ts';

/** `faultline report`: the incident's report in the form asked, on stdout or in a file. */
export async function reportAction(incidentId: string, flags: ReportFlags, io: Io): Promise<void> {
  const { incident, events } = await withTimelineStore(flags, (store) => readIncident(store, incidentId));
  const rendered = reportable(incidentId, () => renderReport(incident, events, { timeZone: flags.tz }));
  const text = rendered[REPORT_FORMS[flags.format]];
  if (flags.out === undefined) {
    io.out(text.trimEnd());
    return;
  }
  await mkdir(dirname(flags.out), { recursive: true });
  await writeFile(flags.out, text);
  io.err(`wrote ${flags.out}`);
}
