import { readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { experimentSchema } from '../../src/experiments/schema.ts';
import { downsample, MAX_POINTS_PER_SERIES } from '../../src/report/charts.ts';
import { ReportInputError } from '../../src/report/errors.ts';
import { REPORT_SCHEMA_VERSION, reportJson } from '../../src/report/json.ts';
import { renderReport } from '../../src/report/render.ts';
import type { Incident } from '../../src/timeline/event.ts';
import { AZ_OUTAGE_TRUTH, azOutageIncident, azOutageTimeline, ev } from './fixtures.ts';

const ID = 'gd-az-outage-1';
const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

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
    expect(svgs(r.html)).toHaveLength(5);
    expect(r.html).toContain('no samples recorded');
    expect(r.verdict).toEqual({
      hypothesis: 'untested',
      rto: { objectiveSeconds: 900, achievedSeconds: null, met: null },
      faultStopped: true,
      experiment: { id: null, finalStatus: null },
    });
    expect(reportJson.safeParse(JSON.parse(r.json)).success).toBe(true);
  });
});

describe('the JSON form', () => {
  it('validates against its exported schema and carries schemaVersion', () => {
    const { json, verdict } = renderReport(azOutageIncident(), azOutageTimeline());
    const raw = JSON.parse(json);
    expect(raw.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    // 3: moments from the events that show them (with their evidence), impact from the service's
    // signals, the dry-run kind, the events' sequence.
    expect(REPORT_SCHEMA_VERSION).toBe(3);
    const doc = reportJson.parse(raw);
    expect(doc.verdict).toEqual(verdict);
    expect(doc.verdict).toEqual({
      hypothesis: 'deviated',
      rto: { objectiveSeconds: 900, achievedSeconds: 170, met: true },
      faultStopped: true,
      experiment: { id: 'EXP4z9kPq2', finalStatus: 'completed' },
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

  it('has one inline SVG per chart, each well-formed, with the fault window shaded and events marked', () => {
    const charts = svgs(html);
    expect(charts).toHaveLength(5);
    for (const [i, svg] of charts.entries()) {
      expect(XMLValidator.validate(svg), `chart ${i}`).toBe(true);
      expect(svg).toMatch(/<rect class="fault"[^>]*><title>Fault window 09:00:10–09:10:12<\/title>/);
      expect(svg).toContain('<title>09:02:30 alarm checkout-unhealthy-hosts OK → ALARM</title>');
      expect(svg).toMatch(/<path class="series" d="M/);
    }
    expect(charts.map((s) => /<title id="[^"]+">([^<]+)</.exec(s)?.[1])).toEqual([
      'Request rate (req/s)',
      '5xx rate (%)',
      'p99 latency (ms)',
      'Healthy hosts per AZ (hosts)',
      'Replica lag (ms)',
    ]);
    expect(charts[3]!.match(/<path class="series"/g)).toHaveLength(3);
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
      'Key moments',
      'Objectives',
      'Hypothesis verdict',
      'Minute by minute',
      'What the automation did',
      'What the post-mortem must still answer',
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
    expect(svgs(out)).toHaveLength(5);
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

  it('has the post-mortem prompts, the five whys marked as a scaffold, and an empty action-item checklist', () => {
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    expect(markdown).toContain('### Contributing factors');
    expect(markdown).toContain('Prefer several contributing factors to a single root cause');
    expect(markdown).toContain('### Five whys (a scaffold, not a verdict)');
    for (const h of [
      '### Trigger',
      '### What went well',
      '### What went wrong',
      '### Where we got lucky',
      '### Action items',
    ]) {
      expect(markdown).toContain(h);
    }
    expect(markdown).toContain('| Done | Action | Owner | Due | Ticket |');
    expect(markdown).toContain('| [ ] |  |  |  |  |');
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
      rto: { objectiveSeconds: null, achievedSeconds: 120, met: null },
      faultStopped: true,
      experiment: { id: null, finalStatus: null },
    });
    expect(r.markdown).toContain('| Time to recover (TTR) | 7 min |');
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
