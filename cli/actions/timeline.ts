import { renderTerminalTimeline } from '../../src/report/terminal.ts';
import type { TimelineFlags } from '../commands/timeline.ts';
import type { Io } from '../main.ts';
import { readIncident, reportable, withTimelineStore } from '../timeline-source.ts';

/** `faultline timeline`: the incident minute by minute, on stdout. */
export async function timelineAction(incidentId: string, flags: TimelineFlags, io: Io): Promise<void> {
  const { incident, events } = await withTimelineStore(flags, (store) => readIncident(store, incidentId));
  const lines = reportable(incidentId, () =>
    renderTerminalTimeline(incident, events, { timeZone: flags.tz, ids: flags.ids, steps: flags.steps }),
  );
  for (const line of lines) io.out(line);
}
