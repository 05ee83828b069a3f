import { isDroppedEventsIncidentId } from '../../src/remediation/ids.ts';
import { INCIDENT_TYPE_LABELS, type IncidentType, incidentType } from '../../src/report/attributes.ts';
import { type ReportVerdict, reportVerdict } from '../../src/report/json.ts';
import { rtoText } from '../../src/report/terminal.ts';
import { textTable } from '../../src/report/text-table.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import type { Incident } from '../../src/timeline/event.ts';
import type { TimelineStore } from '../../src/timeline/store.ts';
import type { IncidentsFlags } from '../commands/incidents.ts';
import type { Io } from '../main.ts';
import { withTimelineStore } from '../timeline-source.ts';

/** One incident as `faultline incidents --json` prints it. */
export interface IncidentListing {
  incidentId: string;
  /** `gameday`, `dry-run` (a game day run with --dry-run: nothing injected or measured) or `remediation`. */
  kind: IncidentType;
  title: string;
  service: string;
  status: Incident['status'];
  openedAt: string;
  closedAt: string | null;
  /** The verdict the incident's last report recorded; null before any report was rendered. */
  verdict: ReportVerdict | null;
}

/** `faultline incidents`: the newest incidents, as a table or JSON. */
export async function incidentsAction(flags: IncidentsFlags, io: Io): Promise<void> {
  const { incidents, dropped, more } = await withTimelineStore(flags, (store) => newest(store, flags.limit));
  const listings = incidents.map(listing);
  if (flags.json) io.out(JSON.stringify(listings, null, 2));
  else {
    for (const line of incidentTable(listings, flags.tz)) io.out(line);
    // Not incidents, yet worth knowing about: where to read what no runbook acted on.
    if (dropped.length > 0) {
      io.out('');
      io.out(`Events no runbook acted on (faultline timeline <id>): ${dropped.join(', ')}`);
    }
  }
  if (more) io.err(`(showing the newest ${flags.limit}: pass --limit to see more)`);
}

/**
 * The newest `limit` incidents, and the ids of the days' dropped-events logs met on the way: a
 * log of events no runbook acted on is kept as a timeline like an incident's, but is none.
 */
async function newest(
  store: TimelineStore,
  limit: number,
): Promise<{ incidents: Incident[]; dropped: string[]; more: boolean }> {
  const incidents: Incident[] = [];
  const dropped: string[] = [];
  let cursor: string | undefined;
  // One more than asked for tells whether there are more.
  do {
    const page = await store.listIncidents({ limit: limit + 1 - incidents.length, cursor });
    for (const incident of page.incidents) {
      if (isDroppedEventsIncidentId(incident.incidentId)) dropped.push(incident.incidentId);
      else incidents.push(incident);
    }
    cursor = page.cursor;
  } while (cursor && incidents.length <= limit);
  return { incidents: incidents.slice(0, limit), dropped, more: incidents.length > limit };
}

export function listing(incident: Incident): IncidentListing {
  const verdict = reportVerdict.safeParse(incident.attributes.verdict);
  return {
    incidentId: incident.incidentId,
    kind: incidentType(incident),
    title: incident.title,
    service: incident.service,
    status: incident.status,
    openedAt: incident.openedAt,
    closedAt: incident.closedAt ?? null,
    verdict: verdict.success ? verdict.data : null,
  };
}

export function incidentTable(listings: readonly IncidentListing[], timeZone: string): string[] {
  if (listings.length === 0) return ['No incidents yet: run a game day (faultline gameday az-outage).'];
  const zone = zoneFormat(timeZone);
  return [
    `Times are shown in ${zone.timeZone}.`,
    ...textTable(
      [
        { title: 'INCIDENT' },
        { title: 'KIND' },
        { title: 'SERVICE' },
        { title: 'OPENED' },
        { title: 'STATUS' },
        { title: 'HYPOTHESIS' },
        { title: 'RTO' },
      ],
      listings.map((l) => [
        l.incidentId,
        INCIDENT_TYPE_LABELS[l.kind],
        l.service,
        zone.dateMinute(Date.parse(l.openedAt)),
        l.status,
        l.verdict ? (l.verdict.hypothesis === 'untested' ? 'not tested' : l.verdict.hypothesis) : '–',
        l.verdict ? rtoText(l.verdict.rto, l.kind, l.verdict.injected) : '–',
      ]),
    ),
  ];
}
