import { Command } from 'commander';
import { isDroppedEventsIncidentId } from '../../src/remediation/ids.ts';
import { INCIDENT_TYPE_LABELS, type IncidentType, incidentType } from '../../src/report/attributes.ts';
import { type ReportVerdict, reportVerdict } from '../../src/report/json.ts';
import { rtoText } from '../../src/report/terminal.ts';
import { textTable } from '../../src/report/text-table.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import type { Incident } from '../../src/timeline/event.ts';
import type { TimelineStore } from '../../src/timeline/store.ts';
import { integerIn } from '../options.ts';
import {
  type TimelineSourceFlags,
  timelineSourceOptions,
  timeZoneArgument,
  withTimelineStore,
} from '../timeline-source.ts';

export interface IncidentsFlags extends TimelineSourceFlags {
  json: boolean;
  tz: string;
  limit: number;
}

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

export function incidentsCommand(io: { out: (line: string) => void; err: (line: string) => void }): Command {
  const cmd = new Command('incidents')
    .description(
      'List incidents (game days and remediated alarms), newest first, with their status and verdict.',
    )
    .option('--json', 'print a JSON array for scripts instead of the table', false)
    .option('--tz <zone>', 'IANA time zone the opening times are shown in', timeZoneArgument, 'UTC')
    .option('--limit <n>', 'show at most this many', integerIn(1, 10_000), 50);
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline incidents
  faultline incidents --tz Europe/Paris --limit 10
  faultline incidents --json | jq '.[] | select(.verdict.rto.met == false) | .incidentId'

The verdict (hypothesis held/deviated, RTO met/missed) is the one the incident's report recorded;
"–" before a report was rendered. A game day run with --dry-run is listed as a "dry run": it
injected nothing, so its RTO was not measured. A day's "dropped events" (remediation-dropped-<date>) lists the
alarms and events no runbook acted on, and why: faultline timeline remediation-dropped-<date>. Exit status: 0 listed (even none); 2 bad flags or no sandbox state;
1 the incidents could not be read.`,
    )
    .action(async (flags: IncidentsFlags) => {
      const { incidents, more } = await withTimelineStore(flags, (store) => newest(store, flags.limit));
      const listings = incidents.map(listing);
      if (flags.json) io.out(JSON.stringify(listings, null, 2));
      else for (const line of incidentTable(listings, flags.tz)) io.out(line);
      if (more) io.err(`(showing the newest ${flags.limit}: pass --limit to see more)`);
    });
}

async function newest(
  store: TimelineStore,
  limit: number,
): Promise<{ incidents: Incident[]; more: boolean }> {
  const incidents: Incident[] = [];
  let cursor: string | undefined;
  // One more than asked for tells whether there are more.
  do {
    const page = await store.listIncidents({ limit: limit + 1 - incidents.length, cursor });
    incidents.push(...page.incidents);
    cursor = page.cursor;
  } while (cursor && incidents.length <= limit);
  return { incidents: incidents.slice(0, limit), more: incidents.length > limit };
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
      listings.map((l) => {
        // A day's dropped-events timeline lists what nothing acted on: no service, nothing to resolve.
        const dropped = isDroppedEventsIncidentId(l.incidentId);
        return [
          l.incidentId,
          dropped ? 'dropped events' : INCIDENT_TYPE_LABELS[l.kind],
          dropped ? '–' : l.service,
          zone.dateMinute(Date.parse(l.openedAt)),
          dropped ? '–' : l.status,
          l.verdict ? (l.verdict.hypothesis === 'untested' ? 'not tested' : l.verdict.hypothesis) : '–',
          l.verdict ? rtoText(l.verdict.rto, l.kind) : '–',
        ];
      }),
    ),
  ];
}
