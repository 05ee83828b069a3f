import { type RunRecord, runOf } from '../scorecard/run.ts';
import type { Incident, TimelineEvent } from '../timeline/event.ts';
import { analyse, type ReportOptions } from './analysis.ts';
import { chartLegend, renderCharts } from './charts.ts';
import { reportBlocks } from './document.ts';
import { renderHtml } from './html.ts';
import { type ReportVerdict, reportJsonOf, verdictOf } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { minuteRows } from './minutes.ts';

/** Above this many (distinct) events the JSON is written without indentation: half the size, a third faster. */
const PRETTY_JSON_MAX_EVENTS = 10_000;

export interface RenderedReport {
  markdown: string;
  html: string;
  /** The JSON document as file content (validates against `reportJson`). */
  json: string;
  verdict: ReportVerdict;
  /** A game day's record for its service's history (src/scorecard/run.ts); null for other incidents. */
  run: RunRecord | null;
}

/**
 * The incident's report in its three forms, from the incident and its timeline (any order, any
 * duplication). Pure: the RenderReport handler and `faultline report` do the reading and writing.
 */
export function renderReport(
  incident: Incident,
  events: readonly TimelineEvent[],
  options: ReportOptions = {},
): RenderedReport {
  const analysis = analyse(incident, events, options);
  const rows = minuteRows(analysis.facts);
  const blocks = reportBlocks(analysis, rows, options.previousRun);
  return {
    markdown: renderMarkdown(blocks),
    html: renderHtml(`Post-mortem draft: ${incident.title || incident.incidentId}`, blocks, {
      legend: chartLegend(analysis),
      charts: renderCharts(analysis),
    }),
    json: `${JSON.stringify(reportJsonOf(analysis, rows), null, analysis.facts.length <= PRETTY_JSON_MAX_EVENTS ? 2 : undefined)}\n`,
    verdict: verdictOf(analysis),
    run: runOf(analysis),
  };
}
