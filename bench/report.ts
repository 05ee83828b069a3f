import { performance } from 'node:perf_hooks';
import { renderReport } from '../src/report/index.ts';
import { azOutageIncident, largeTimeline } from '../test/report/fixtures.ts';
import { figure, median } from './print.ts';

/**
 * Rendering an incident to Markdown, HTML and JSON at 1,000, 10,000 and 100,000 events. Target:
 * 100,000 events under 2 s, growing linearly (the per-event figure should stay flat).
 */
export async function reportBench(): Promise<void> {
  const incident = azOutageIncident();
  for (const count of [1_000, 10_000, 100_000]) {
    const events = largeTimeline(count, incident.incidentId);
    const runs = count >= 100_000 ? 3 : 5;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      renderReport(incident, events, { timeZone: 'UTC' });
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    figure(`report.render_all_forms.${count}_events`, ms, 'ms');
    figure(`report.render_per_event.${count}_events`, (ms * 1000) / count, 'us');
  }
}
