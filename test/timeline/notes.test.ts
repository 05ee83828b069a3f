import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { renderTerminalTimeline } from '../../src/report/terminal.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { personEvent, placeEntry } from '../../src/timeline/notes.ts';
import { azOutageIncident, azOutageTimeline, iso } from '../report/fixtures.ts';

const ID = 'gd-az-outage-1';

/** The stored form of an entry, as the store gives it back. */
function stored(entry: ReturnType<typeof personEvent>, seq: number): TimelineEvent {
  return { ...entry, incidentId: ID, recordedAt: entry.occurredAt, seq } as TimelineEvent;
}

describe('a note on an incident', () => {
  it('is placed now while the incident is open', () => {
    const now = new Date(iso('09:05:00'));
    expect(placeEntry({}, now)).toEqual({ at: now });
    // Closed later than now (a clock that went back): still now, inside the incident.
    expect(placeEntry({ closedAt: iso('09:15:00') }, now)).toEqual({ at: now });
  });

  it('is placed at the close of a closed incident, saying when it was written', () => {
    const incident = azOutageIncident();
    const now = new Date(Date.parse(incident.closedAt!) + 68 * 60_000);
    const place = placeEntry(incident, now);
    expect(place).toEqual({ at: new Date(incident.closedAt!), writtenAt: now });
    const entry = personEvent({ author: 'dana', text: 'Root cause: replica promotion', ...place }, 'late');
    expect(entry.occurredAt).toBe(incident.closedAt);
    expect(entry.detail).toEqual({
      author: 'dana',
      text: 'Root cause: replica promotion',
      writtenAt: now.toISOString(),
    });

    const events = [...azOutageTimeline(), stored(entry, 10_000)];
    const lines = renderTerminalTimeline(incident, events, { timeZone: 'Europe/Paris' });
    // The last minute of the incident holds it, in the reader's zone; no empty stretch after it.
    expect(lines.filter((l) => l.includes('dana:'))).toEqual([
      expect.stringMatching(
        /10:15:00 dana: Root cause: replica promotion \(written 11:23:00, after the incident closed\)$/,
      ),
    ]);
    expect(lines.join('\n')).not.toMatch(/nothing recorded\n[^\n]*dana/);
    // About the incident, not a response in it: on a timeline with no response of its own, it
    // is not taken for one, as the same note written at that moment would be.
    const responded = (late: TimelineEvent) => {
      const quiet = azOutageTimeline().filter((e) => !/^(note|gameday\.stop-requested)$/.test(e.kind));
      return analyse(incident, [...quiet, late]).moments.find((m) => m.name === 'responded')!.eventId;
    };
    expect(responded(stored(entry, 10_000))).toBeNull();
    const inTime = personEvent({ author: 'dana', text: 'Root cause', at: place.at }, 'in-time');
    expect(responded(stored(inTime, 10_000))).toBe('note:in-time');
  });
});
