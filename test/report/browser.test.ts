import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { renderReport } from '../../src/report/render.ts';
import { launchChromium } from '../helpers/chromium.ts';
import {
  AZ_OUTAGE_ATTRIBUTES,
  azOutageIncident,
  azOutageTimeline,
  CACHE,
  TASKS,
  withExtraSamples,
} from './fixtures.ts';

const OUT = join(PROJECT_DIR, 'test-output');

/** What the test asks of an SVG path (the project compiles without the DOM's types). */
interface SvgPath {
  getBBox(): { width: number; height: number };
  getTotalLength(): number;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** One chart as the page shows it at some width: its box, and every text drawn in it. */
interface ChartLaidOut {
  id: string;
  variant: string;
  box: Box;
  figureWidth: number;
  texts: Array<Box & { text: string }>;
  thresholds: number;
}

interface PageLaidOut {
  scrollWidth: number;
  clientWidth: number;
  /** The width of main's content box: what a chart is given. */
  contentWidth: number;
  charts: ChartLaidOut[];
}

/** Whether two boxes share more than a hair (anti-aliasing touches are not overlaps). */
const overlap = (a: Box, b: Box) =>
  Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
  Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;

interface ChartSeen {
  title: string;
  width: number;
  height: number;
  /** Plotted series: each path's drawn length and bounding box. */
  series: { length: number; width: number; height: number }[];
  faultWindowWidth: number;
  eventMarks: number;
}

describe('the HTML report in a real headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const blocked: string[] = [];

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    const file = join(OUT, 'report.html');
    // With the experiment's extra metrics, one under a title as long as a file may give it (59 of the 60 characters allowed).
    const extraMetrics = [
      { ...CACHE, title: 'Session cache: which node is the primary, one line per node' },
      TASKS,
    ];
    const incident = azOutageIncident({ attributes: { ...AZ_OUTAGE_ATTRIBUTES, extraMetrics } });
    await writeFile(file, renderReport(incident, withExtraSamples(azOutageTimeline())).html);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The report must read without a network: anything that is not the file itself is refused, and counted.
    context.on('request', (r) => requested.push(r.url()));
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** The page laid out at `width`, measured in the browser (every chart's shown variant and its texts). */
  async function layoutAt(width: number, screenshot: string): Promise<PageLaidOut> {
    const p = await page.context().newPage();
    await p.setViewportSize({ width, height: 900 });
    await p.goto(page.url(), { waitUntil: 'load' });
    const laidOut = await p.$eval('main', (main) => {
      const box = (r: { left: number; right: number; top: number; bottom: number }) => ({
        left: r.left,
        right: r.right,
        top: r.top,
        bottom: r.bottom,
      });
      const doc = main.ownerDocument;
      const style = doc.defaultView!.getComputedStyle(main);
      return {
        scrollWidth: doc.documentElement.scrollWidth,
        clientWidth: doc.documentElement.clientWidth,
        contentWidth:
          main.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight),
        charts: [...doc.querySelectorAll('figure.chart')].map((figure) => {
          const shown = [...figure.querySelectorAll('svg.chart')].filter(
            (s) => s.getBoundingClientRect().width > 0,
          );
          if (shown.length !== 1) throw new Error(`${figure.id}: ${shown.length} variants shown`);
          const svg = shown[0]!;
          return {
            id: figure.id,
            variant: svg.classList[1] ?? '',
            box: box(svg.getBoundingClientRect()),
            figureWidth: figure.getBoundingClientRect().width,
            texts: [...svg.querySelectorAll('text')].map((t) => ({
              text: t.textContent ?? '',
              ...box(t.getBoundingClientRect()),
            })),
            thresholds: svg.querySelectorAll('line.threshold:not(.swatch)').length,
          };
        }),
      };
    });
    // What a person would see there: the first two charts, at that width.
    await p.locator('figure.chart').nth(1).scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(OUT, screenshot) });
    await p.close();
    return laidOut;
  }

  for (const [width, variant] of [
    [1400, 'wide'],
    [390, 'narrow'],
  ] as const) {
    it(`at ${width} px: no sideways scrolling, charts as wide as the page gives them, labels readable and never overlapping`, async () => {
      const l = await layoutAt(width, `report-${width}.png`);
      expect(l.scrollWidth).toBeLessThanOrEqual(l.clientWidth);
      expect(l.charts.map((c) => c.id)).toEqual([
        'chart-request-rate',
        'chart-error-rate',
        'chart-p99-latency',
        'chart-healthy-hosts-us-east-1',
        'chart-replica-lag',
        'chart-extra-cache-primary',
        'chart-extra-payments-tasks',
      ]);
      for (const c of l.charts) {
        expect(c.variant, c.id).toBe(variant);
        // The width it is given, all of it (no fixed 700 px chart on a 1400 px page).
        expect(c.figureWidth, c.id).toBeGreaterThan(l.contentWidth - 1);
        expect(c.box.right - c.box.left, c.id).toBeGreaterThan(c.figureWidth - 1);
        for (const t of c.texts) {
          // Drawn at 12 units in a chart laid out for about this width: about 11 px or more on screen.
          expect(t.bottom - t.top, `${c.id}: '${t.text}'`).toBeGreaterThan(11);
          // Inside the chart, none cut off at an edge.
          expect(t.left, `${c.id}: '${t.text}'`).toBeGreaterThanOrEqual(c.box.left - 0.5);
          expect(t.right, `${c.id}: '${t.text}'`).toBeLessThanOrEqual(c.box.right + 0.5);
        }
        const clashes = c.texts.flatMap((a, i) =>
          c.texts
            .slice(i + 1)
            .filter((b) => overlap(a, b))
            .map((b) => `'${a.text}' on '${b.text}'`),
        );
        expect(clashes, c.id).toEqual([]);
      }
      // The key moments close together (impact started, detected, responded, mitigated) are all labelled.
      const labels = l.charts[1]!.texts.map((t) => t.text);
      for (const m of ['impact started', 'detected', 'responded', 'mitigated', 'recovered', 'resolved']) {
        expect(
          labels.some((t) => t.split(' · ').includes(m)),
          m,
        ).toBe(true);
      }
      // The 5xx chart carries the hypothesis's bound and the SLO, each named in its legend.
      expect(l.charts[1]!.thresholds).toBe(2);
      expect(labels).toContain('SLO 99.9 %: errors ≤ 0.1 %');
    });
  }

  it('draws every chart with a size and plotted lines, the fault window shaded and events marked', async () => {
    // Each chart is drawn at several widths; the page shows the one drawn for the screen.
    const charts: ChartSeen[] = await page.$$eval('svg.chart', (svgs) =>
      svgs
        .filter((svg) => svg.getBoundingClientRect().width > 0)
        .map((svg) => {
          const box = svg.getBoundingClientRect();
          const series = [...svg.querySelectorAll('g.series path')].map((element) => {
            const p = element as unknown as SvgPath;
            const b = p.getBBox();
            return { length: p.getTotalLength(), width: b.width, height: b.height };
          });
          const fault = svg.querySelector('rect.fault');
          return {
            title: svg.querySelector('title')?.textContent ?? '',
            width: box.width,
            height: box.height,
            series,
            faultWindowWidth: fault ? fault.getBoundingClientRect().width : 0,
            eventMarks: svg.querySelectorAll('line.event').length,
          };
        }),
    );
    expect(charts.map((c) => c.title)).toEqual([
      'Request rate (req/s)',
      '5xx rate (%)',
      'p99 latency (ms)',
      'Healthy hosts per AZ (hosts)',
      'Replica lag (ms)',
      'Session cache: which node is the primary, one line per node (1 = primary)',
      'Payments tasks running (tasks)',
    ]);
    for (const c of charts) {
      expect(c.width, c.title).toBeGreaterThan(100);
      expect(c.height, c.title).toBeGreaterThan(50);
      expect(c.series.length, c.title).toBeGreaterThan(0);
      for (const s of c.series) {
        expect(s.length, c.title).toBeGreaterThan(0);
        // A flat line has no height, but every series spans the incident's minutes.
        expect(s.width, c.title).toBeGreaterThan(100);
      }
      expect(c.faultWindowWidth, c.title).toBeGreaterThan(0);
      expect(c.eventMarks, c.title).toBeGreaterThan(0);
    }
    // One line per AZ on the healthy-hosts chart; the AZ that lost power dips to zero.
    expect(charts[3]!.series).toHaveLength(3);
    expect(charts.some((c) => c.series.some((s) => s.height > 0))).toBe(true);
  });

  it('shows the report’s text, tables and verdict', async () => {
    await expect(page.title()).resolves.toBe('Post-mortem draft: Game day az-outage on checkout');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Times are shown in UTC (UTC+00:00).');
    expect(text).toContain('The steady-state hypothesis DEVIATED');
    expect(await page.locator('#minute-table tr').count()).toBeGreaterThan(10);
  });

  it('made no network request: everything it needs is in the file', () => {
    expect(blocked).toEqual([]);
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.every((u) => u.startsWith('file://'))).toBe(true);
  });

  it('leaves a screenshot in test-output/report.png', async () => {
    const png = join(OUT, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(50_000);
  });
});
