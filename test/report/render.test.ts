import { readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { experimentSchema } from '../../src/experiments/schema.ts';
import { downsample, MAX_POINTS_PER_SERIES, sampleX, VARIANTS, yScale } from '../../src/report/charts.ts';
import { ReportInputError } from '../../src/report/errors.ts';
import { REPORT_SCHEMA_VERSION, reportJson } from '../../src/report/json.ts';
import { renderReport } from '../../src/report/render.ts';
import type { Incident } from '../../src/timeline/event.ts';
import {
  AZ_OUTAGE_ATTRIBUTES,
  AZ_OUTAGE_TRUTH,
  azOutageIncident,
  azOutageTimeline,
  ev,
  iso,
  ms,
} from './fixtures.ts';

const ID = 'gd-az-outage-1';
/** The charts' SVGs (each chart is drawn once per width of VARIANTS); the legend's swatches are not charts. */
const svgs = (html: string) => html.match(/<svg class="chart [\s\S]*?<\/svg>/g) ?? [];
const CHARTS = 5;

describe('the time zone', () => {
  it('is stated at the top and applied to every time shown', () => {
    const { markdown, html, json } = renderReport(azOutageIncident(), azOutageTimeline(), {
      timeZone: 'Europe/Paris',
    });
    expect(markdown).toContain('Times are shown in Europe/Paris (UTC+01:00).');
    expect(markdown).toContain('| Detected | 2026-01-06 10:02:30 |');
    expect(markdown).toMatch(/\| 10:02 \| 478 \| 8 \| 620 \|/);
    expect(markdown).not.toContain('| 09:02 |');
    expect(html).toContain('Times are shown in Europe/Paris (UTC+01:00).');
    expect(html).toContain('>10:00</text>');
    // The JSON keeps UTC and names the zone the other forms use.
    const doc = reportJson.parse(JSON.parse(json));
    expect(doc.timeZone).toBe('Europe/Paris');
    expect(doc.keyMoments.find((m) => m.name === 'detected')!.at).toBe('2026-01-06T09:02:30.000Z');
  });

  it('is UTC by default', () => {
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    expect(markdown).toContain('Times are shown in UTC (UTC+00:00).');
    expect(markdown).toContain('| Detected | 2026-01-06 09:02:30 |');
  });

  it('says when the offset changes during the incident (daylight saving)', () => {
    const at = (t: string) => `2026-03-29T${t}.000Z`;
    const events = [
      ev(ID, at('00:30:00'), 'note:a', 'note', { author: 'a', text: 'before' }, 'before'),
      ev(ID, at('01:30:00'), 'note:b', 'note', { author: 'a', text: 'after' }, 'after'),
    ];
    const { markdown } = renderReport(
      azOutageIncident({ openedAt: at('00:30:00'), closedAt: undefined }),
      events,
      {
        timeZone: 'Europe/Paris',
      },
    );
    expect(markdown).toContain('Europe/Paris (UTC+01:00 at the start, UTC+02:00 at the end)');
    expect(markdown).toContain('01:30:00 before');
    expect(markdown).toContain('03:30:00 after');
  });

  it('must exist', () => {
    expect(() => renderReport(azOutageIncident(), [], { timeZone: 'Mars/Olympus' })).toThrow(
      /timeZone 'Mars\/Olympus' is not an IANA time zone/,
    );
  });
});

describe('an empty incident', () => {
  it('renders a sensible report in every form', () => {
    const incident = azOutageIncident({ status: 'open', closedAt: undefined });
    const r = renderReport(incident, []);
    expect(r.markdown).toContain("Nothing was recorded on this incident's timeline");
    expect(r.markdown).toContain('No minutes to show: nothing was recorded.');
    expect(r.markdown).toContain('| Impact started | not recorded |');
    // Nothing sampled, nothing to chart: a sentence instead of five empty plots.
    expect(svgs(r.html)).toHaveLength(0);
    expect(r.markdown).toContain(
      'No metric samples were recorded on this timeline: there is nothing to chart.',
    );
    expect(r.verdict).toEqual({
      hypothesis: 'untested',
      injected: false,
      rto: { objectiveSeconds: 900, achievedSeconds: null, met: null },
      faultStopped: true,
      experiment: { id: null, finalStatus: null, reason: null },
    });
    expect(reportJson.safeParse(JSON.parse(r.json)).success).toBe(true);
  });
});

describe('the JSON form', () => {
  it('validates against its exported schema and carries schemaVersion', () => {
    const { json, verdict } = renderReport(azOutageIncident(), azOutageTimeline());
    const raw = JSON.parse(json);
    expect(raw.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    // 4: what was injected read off the actions' events (verdict.injected, actions[].injected),
    // FIS's reasons in the verdict and on each action.
    expect(REPORT_SCHEMA_VERSION).toBe(4);
    const doc = reportJson.parse(raw);
    expect(doc.verdict).toEqual(verdict);
    expect(doc.verdict).toEqual({
      hypothesis: 'deviated',
      injected: true,
      rto: { objectiveSeconds: 900, achievedSeconds: 170, met: true },
      faultStopped: true,
      experiment: { id: 'EXP4z9kPq2', finalStatus: 'completed', reason: 'Experiment completed.' },
    });
    expect(doc.minutes.reduce((n, m) => n + m.minutes, 0)).toBe(Object.keys(AZ_OUTAGE_TRUTH.samples).length);
    expect(doc.events).toHaveLength(azOutageTimeline().length);
  });

  it('is rejected by the schema when a field is missing or of the wrong type', () => {
    const raw = JSON.parse(renderReport(azOutageIncident(), azOutageTimeline()).json);
    expect(reportJson.safeParse({ ...raw, schemaVersion: 1 }).success).toBe(false);
    const { verdict: _v, ...withoutVerdict } = raw;
    expect(reportJson.safeParse(withoutVerdict).success).toBe(false);
  });
});

describe('the HTML form', () => {
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
  const events = [
    ...azOutageTimeline(),
    ev(ID, '09:04:00', 'note:hostile', 'note', { author: 'mallory', text: hostile }, hostile),
  ];
  const incident = azOutageIncident({ title: 'Checkout <b>down</b> & out' });
  const { html, markdown } = renderReport(incident, events);

  it('escapes every text it shows', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>down</b>');
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(html).toContain('<title>Post-mortem draft: Checkout &lt;b&gt;down&lt;/b&gt; &amp; out</title>');
  });

  it('has one inline SVG per chart and width, each well-formed, with the fault window shaded and events marked', () => {
    const charts = svgs(html);
    expect(charts).toHaveLength(CHARTS * VARIANTS.length);
    for (const [i, svg] of charts.entries()) {
      expect(XMLValidator.validate(svg), `chart ${i}`).toBe(true);
      // The fault: from the injection to the end of the last action that acts on something.
      expect(svg).toMatch(/<rect class="fault"[^>]*><title>Fault 09:00:10–09:10:10<\/title>/);
      // Detected is a key moment, with its own labelled line; other events are plain marks.
      expect(svg).toContain(
        '<title>Detected 09:02:30: The first alarm transition to ALARM at or after impact started.</title>',
      );
      expect(svg).toContain('<title>09:05:00 alarm checkout-5xx-rate ALARM → OK</title>');
      expect(svg).toMatch(/<g class="series"[^>]*><title>[^<]+<\/title><path d="M/);
    }
    const titles = charts.map((s) => /<title id="[^"]+">([^<]+)</.exec(s)?.[1]);
    expect(titles.filter((_, i) => i % VARIANTS.length === 0)).toEqual([
      'Request rate (req/s)',
      '5xx rate (%)',
      'p99 latency (ms)',
      'Healthy hosts per AZ (hosts)',
      'Replica lag (ms)',
    ]);
    expect(charts[3 * VARIANTS.length]!.match(/<g class="series"/g)).toHaveLength(3);
  });

  it('draws each chart at each width it may be shown at, a share never past 100 %', () => {
    const chart = svgs(html).filter((s) => s.includes('5xx rate'));
    expect(chart.map((s) => /viewBox="0 0 (\d+) /.exec(s)?.[1])).toEqual(
      VARIANTS.map((v) => String(v.width)),
    );
    // A 5xx rate is a share: its axis stops at 100 %, whatever the headroom would ask.
    expect(yScale(98, true)).toEqual({ top: 100, step: 25 });
    expect(yScale(22, true)).toEqual({ top: 30, step: 10 });
  });

  it('draws each minute’s sample at the middle of its minute, so nothing rises before the impact', () => {
    // The 09:00 minute (impact at 09:00:10) is at 09:00:30; no sample is drawn at a minute's start.
    expect(sampleX(ms('09:00:00'))).toBe(ms('09:00:30'));
  });

  it('draws the watched alarms’ thresholds on the charts of their metrics, in the chart’s unit', () => {
    const alarm = (
      name: string,
      metric: string,
      statistic: string,
      threshold: number,
      stopCondition = false,
    ) => ({
      name,
      namespace: metric === 'TargetResponseTime' ? 'AWS/ApplicationELB' : 'Faultline/Service',
      metric,
      dimensions: {},
      statistic,
      periodSeconds: 60,
      threshold,
      comparison: 'GreaterThanThreshold',
      stopCondition,
    });
    const alarms = [
      alarm('checkout-availability-critical', 'ErrorRate', 'Average', 25, true),
      alarm('checkout-p99-latency', 'TargetResponseTime', 'p99', 1),
      // Not sampled: no chart to draw it on.
      alarm('checkout-unhealthy-hosts', 'UnHealthyHostCount', 'Maximum', 0),
    ];
    const out = svgs(
      renderReport(azOutageIncident({ attributes: { ...AZ_OUTAGE_ATTRIBUTES, alarms } }), azOutageTimeline())
        .html,
    );
    const errors = out.find((s) => s.includes('5xx rate'))!;
    expect(errors).toContain('<title>stop condition checkout-availability-critical &gt; 25</title>');
    // CloudWatch's seconds, drawn on a chart in milliseconds.
    expect(out.find((s) => s.includes('p99 latency'))).toContain(
      '<title>alarm checkout-p99-latency &gt; 1000</title>',
    );
    expect(out.join('')).not.toContain('checkout-unhealthy-hosts &gt;');
  });

  it('says when requests were answered while no sampled host was healthy (a standby region served them)', () => {
    const failedOver = new Set(['09:05', '09:06', '09:07'].map((m) => iso(`${m}:00`)));
    const events = azOutageTimeline().map((e) =>
      e.kind === 'metrics.sample' && failedOver.has(e.occurredAt)
        ? {
            ...e,
            detail: { ...e.detail, healthyHostsByAz: { 'us-east-1a': 0, 'us-east-1b': 0, 'us-east-1c': 0 } },
          }
        : e,
    );
    expect(renderReport(azOutageIncident(), events).markdown).toContain(
      '_From 09:05 to 09:08 no sampled host (us-east-1) was healthy, yet most requests were answered: hosts the samples do not cover served them (a standby region after a failover, say).',
    );
    expect(markdown).not.toContain('no sampled host');
    // One such minute may be hosts coming back within it (a Minimum of the minute): not enough to say.
    const one = azOutageTimeline().map((e) =>
      e.kind === 'metrics.sample' && e.occurredAt === iso('09:05:00')
        ? {
            ...e,
            detail: { ...e.detail, healthyHostsByAz: { 'us-east-1a': 0, 'us-east-1b': 0, 'us-east-1c': 0 } },
          }
        : e,
    );
    expect(renderReport(azOutageIncident(), one).markdown).not.toContain('no sampled host');
  });

  it('draws the hypothesis bound and the SLO across the 5xx chart, and says what they are', () => {
    const chart = svgs(html).find((s) => s.includes('5xx rate'))!;
    expect(chart).toContain('<title>hypothesis error-rate ≤ 1</title>');
    expect(chart).toContain('<title>SLO 99.9 %: errors ≤ 0.1 %</title>');
    expect(chart).toContain('>hypothesis error-rate ≤ 1</text>');
    expect(html).toContain('<ul class="chart-legend">');
  });

  it('needs nothing from the network and no script to show the charts', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html).toContain('<style>');
  });

  it('says the same as the markdown', () => {
    for (const heading of [
      'Summary',
      'Impact',
      'Responders',
      'Recovery',
      'Key moments',
      'Objectives',
      'Hypothesis verdict',
      'Minute by minute',
      'What the automation did',
      'What the post-mortem must still answer',
      'Lessons learned',
      'Action items',
      'Supporting links',
    ]) {
      expect(markdown).toContain(`## ${heading}`);
      expect(html).toContain(`>${heading}</h2>`);
    }
  });

  it('draws at most the maximum number of points per series, however long the incident', () => {
    const base = Date.parse('2026-01-06T09:00:00Z');
    const long = Array.from({ length: 20_000 }, (_, i) => {
      const at = new Date(base + i * 60_000).toISOString();
      const s = AZ_OUTAGE_TRUTH.samples['09:05']!;
      return ev(ID, at, `metrics:${at}`, 'metrics.sample', { ...s, requestRate: 400 + (i % 97) }, 'm');
    });
    const out = renderReport(azOutageIncident({ closedAt: undefined }), long).html;
    for (const path of out.match(/ d="[^"]+"/g) ?? []) {
      expect((path.match(/[ML]/g) ?? []).length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    }
    expect(svgs(out)).toHaveLength(CHARTS * VARIANTS.length);
  });

  it('keeps spikes and gaps when it downsamples', () => {
    const points: Array<[number, number | null]> = Array.from({ length: 20_000 }, (_, i) => [
      i,
      i === 12_345 ? 999 : 1,
    ]);
    points[7_000] = [7_000, null];
    const out = downsample(points);
    expect(out.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(out).toContainEqual([12_345, 999]);
    expect(out.some((p) => p[1] === null)).toBe(true);
    expect(out.map((p) => p[0])).toEqual([...out.map((p) => p[0])].sort((a, b) => a - b));
  });
});

describe('the markdown form', () => {
  it('escapes event text so a wiki shows it as written', () => {
    const text = 'use *bold* | pipe [x](javascript:alert(1)) <b>';
    const events = [...azOutageTimeline(), ev(ID, '09:04:00', 'note:x', 'note', { author: 'a', text }, text)];
    const { markdown } = renderReport(azOutageIncident(), events);
    expect(markdown).toContain('use \\*bold\\* \\| pipe [x\\](javascript:alert(1)) &lt;b&gt;');
  });

  it('has the post-mortem prompts, the five whys marked as a scaffold, lessons learned and typed action items', () => {
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    expect(markdown).toContain('### Contributing factors');
    expect(markdown).toContain('Prefer several contributing factors to a single root cause');
    expect(markdown).toContain('### Five whys (a scaffold, not a verdict)');
    for (const h of [
      '### Trigger',
      '## Lessons learned',
      '### What went well',
      '### What went wrong',
      '### Where we got lucky',
      '### What we learned',
      '## Action items',
    ]) {
      expect(markdown).toContain(h);
    }
    // Left for people, and shown as a prompt rather than as a fact.
    expect(markdown).toContain('- _What could have made this worse, and did not, by chance? …_');
    expect(markdown).toContain('| Done | Action | Type | Priority | Owner | Due | Ticket |');
    // The deviated hypothesis suggests an item; blank rows follow for the rest.
    expect(markdown).toContain(
      '| [ ] | Keep the steady state through this fault: error-rate was outside max 1 in 2 of 18 minutes (09:01–09:02), worst 22 | mitigate | P1 |  |  |  |',
    );
    expect(markdown).toContain('| [ ] |  |  |  |  |  |  |');
  });
});

describe('the post-mortem sections', () => {
  const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());

  it('lead the summary with what happened to users', () => {
    const summary = markdown.slice(markdown.indexOf('## Summary'));
    expect(summary.split('\n\n')[1]).toBe(
      '**For 2 minutes (09:01–09:03) users of checkout saw more than the hypothesis allows: up to 22 % of their requests failed (in the minute of 09:01), about 9,454 failed requests in all; the slowest 1 % of requests took up to 900 ms. It was back in its steady state at 09:13:00, 12 min after the first sign.**',
    );
  });

  it('suggest a severity from the timeline, and say how', () => {
    expect(markdown).toContain(
      '| Severity | SEV-2 (suggested: up to 22 % of requests failed in a minute; confirm or change) |',
    );
    expect(markdown).toContain('**How the severity is suggested**');
  });

  it('name the responders the timeline knows, with their roles, and prompt for the others', () => {
    expect(markdown).toContain(
      '| Incident commander | to fill in | who coordinated the response and made the calls |',
    );
    expect(markdown).toContain('| Responder | alice | wrote 1 note on the timeline |');
    expect(markdown).toContain(
      '| Automation | faultline | ran the FIS experiment, watched the steady state and checked the recovery |',
    );
  });

  it('tell the recovery in sentences, in the order it happened', () => {
    expect(markdown).toContain(
      'At 09:00:10 the impact started: FIS action failover-database running. ' +
        'It was detected at 09:02:30, 2 min 20 s after the impact started: alarm checkout-unhealthy-hosts OK → ALARM. ' +
        'The response started at 09:02:45: alice: Paged by unhealthy hosts; watching. ' +
        'It was mitigated at 09:03:00, 2 min 50 s after the impact started: from this minute on, every hypothesis metric within its bounds. ' +
        'The fault ended at 09:10:10. ' +
        'The service was back in its steady state at 09:13:00, 12 min 50 s after the impact started: alarm checkout-unhealthy-hosts ALARM → OK. ' +
        'The incident was closed at 09:15:00.',
    );
  });

  it('link the evidence the timeline names, and prompt for dashboards, logs, tickets and chat', () => {
    expect(markdown).toContain('- The FIS experiment: aws fis get-experiment --id EXP4z9kPq2');
    expect(markdown).toContain(
      '- Alarm checkout-unhealthy-hosts: aws cloudwatch describe-alarm-history --alarm-name checkout-unhealthy-hosts',
    );
    expect(markdown).toContain('- _Dashboards: the ones the responders watched_');
  });
});

describe('the incident attributes', () => {
  it('accept the experiment file itself, as the game day holds it', () => {
    const spec = experimentSchema.parse(parseYaml(readFileSync('experiments/az-outage.yaml', 'utf8')));
    const r = renderReport(azOutageIncident({ attributes: { experiment: spec } }), azOutageTimeline());
    expect(r.verdict.rto.objectiveSeconds).toBe(900);
    expect(r.markdown).toContain('| Experiment | az-outage |');
  });

  it('get one clear error naming the field when malformed', () => {
    const bad = azOutageIncident({ attributes: { objectives: { rto: 'fifteen minutes' } } });
    expect(() => renderReport(bad, [])).toThrow(ReportInputError);
    expect(() => renderReport(bad, [])).toThrow(
      /incident 'gd-az-outage-1': attributes\.objectives\.rto: must be an ISO-8601 duration/,
    );
  });

  it('may be empty (a real incident): every alarm seen then counts as the steady state', () => {
    const incident: Incident = {
      incidentId: 'inc-2',
      kind: 'remediation',
      title: 'checkout unhealthy hosts',
      service: 'checkout',
      openedAt: '2026-01-06T10:00:00.000Z',
      status: 'open',
      attributes: {},
    };
    const events = [
      ev('inc-2', '10:00:00', 'alarm:1', 'alarm.state', {
        alarm: 'checkout-unhealthy-hosts',
        from: 'OK',
        to: 'ALARM',
        reason: 'r',
      }),
      ev('inc-2', '10:05:00', 'ssm:1', 'ssm.automation', {
        executionId: 'e',
        document: 'AWS-RestartEC2Instance',
        status: 'Success',
      }),
      ev('inc-2', '10:07:00', 'alarm:2', 'alarm.state', {
        alarm: 'checkout-unhealthy-hosts',
        from: 'ALARM',
        to: 'OK',
        reason: 'r',
      }),
    ];
    const r = renderReport(incident, events);
    expect(r.verdict).toEqual({
      hypothesis: 'held',
      injected: true,
      rto: { objectiveSeconds: null, achievedSeconds: 120, met: null },
      faultStopped: true,
      experiment: { id: null, finalStatus: null, reason: null },
    });
    expect(r.markdown).toContain('| Time to recover (TTR) | 7 min |');
    // No samples: the severity rests on the alarm alone, and the lead says what is not known.
    expect(r.markdown).toContain(
      '| Severity | SEV-3 (suggested: steady-state signals left their state; no minute of errors was sampled; confirm or change) |',
    );
    expect(r.markdown).toContain('**What users saw is not on the timeline (no metric samples were recorded)');
  });
});

describe('docs/report-schema.md', () => {
  const doc = readFileSync('docs/report-schema.md', 'utf8');

  it('has an example that validates against the schema', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const parsed = reportJson.safeParse(JSON.parse(example!));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0])).toBe(true);
  });

  it('documents every field of the schema', () => {
    type SchemaDef = {
      innerType?: { _zod: { def: SchemaDef } };
      shape?: Record<string, unknown>;
      element?: unknown;
    };
    const missing: string[] = [];
    const walk = (schema: unknown, path: string) => {
      // The schema's definition (zod/mini schemas have no unwrap() or element): through nullable and
      // optional wrappers, into array elements, down to each object's shape.
      let s = (schema as { _zod: { def: SchemaDef } })._zod.def;
      while (s.innerType && !s.shape) s = s.innerType._zod.def;
      if (s.element) return walk(s.element, path);
      if (!s.shape) return;
      for (const [key, child] of Object.entries(s.shape)) {
        if (path !== 'events' && !doc.includes(`\`${key}\``) && !doc.includes(`\`${path}.${key}\``)) {
          missing.push(path ? `${path}.${key}` : key);
        }
        walk(child, key);
      }
    };
    walk(reportJson, '');
    expect(missing).toEqual([]);
  });
});
