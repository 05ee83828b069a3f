import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import { scorecardCharts } from '../../src/scorecard/charts.ts';
import { comparisonOf } from '../../src/scorecard/compare.ts';
import { comparisonBlocks, comparisonCharts } from '../../src/scorecard/compare-document.ts';
import { definitionBlocks, scorecardBlocks } from '../../src/scorecard/document.ts';
import { renderPage } from '../../src/scorecard/page.ts';
import { scorecardOf } from '../../src/scorecard/scorecard.ts';
import { launchChromium, openOffline } from '../helpers/chromium.ts';
import { DAY_MS, dayAt, killAnalysis, run } from './fixtures.ts';

const OUT = join(PROJECT_DIR, 'test-output');

/** What the test asks of the page at one width. */
interface Seen {
  pageWidth: number;
  charts: { title: string; width: number; marks: number }[];
  /** Elements whose right edge is past the screen's. */
  overflowing: string[];
  unlabelledCells: number;
  text: string;
}

describe('the scorecard page in a real headless Chromium', () => {
  let browser: Browser;
  let file: string;

  beforeAll(async () => {
    const zone = zoneFormat('UTC');
    const runs = [
      run(0, {
        passed: false,
        reasons: ['RTO missed'],
        rto: { ...run(0).rto, achievedSeconds: null, met: false },
      }),
      run(7),
      run(14, { kind: 'dry-run', passed: null, reasons: ['dry run: nothing was injected'] }),
      run(21),
      run(28, { passed: false }),
      run(29, { experiment: 'az-outage' }),
    ];
    const card = scorecardOf({
      service: 'checkout',
      runs,
      window: { from: Date.parse(dayAt(-1)), to: Date.parse(dayAt(30)), days: 31 },
      declared: [{ name: 'region-outage', service: 'checkout', schedule: 'rate(7 days)' }],
      lastRuns: new Map(),
      unreadable: 0,
    });
    expect(Date.parse(card.window.to) - Date.parse(card.window.from)).toBe(31 * DAY_MS);
    await mkdir(OUT, { recursive: true });
    file = join(OUT, 'scorecard.html');
    const blocks = [...scorecardBlocks(card, zone, scorecardCharts(card, zone)), ...definitionBlocks(card)];
    await writeFile(file, renderPage('Scorecard: checkout', blocks));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function look(width: number, path = file): Promise<Seen & { blocked: string[] }> {
    const { page, blocked } = await openOffline(browser, path, { width, height: 800 });
    // A string: the project compiles without the DOM's types.
    const seen = (await page.evaluate(`(() => {
      const right = document.documentElement.clientWidth;
      return {
        pageWidth: document.documentElement.scrollWidth,
        charts: [...document.querySelectorAll('svg.chart')].map((svg) => ({
          title: svg.querySelector('title')?.textContent ?? '',
          width: svg.getBoundingClientRect().width,
          marks: svg.querySelectorAll('circle, path.series, path.mark, polygon').length,
        })),
        overflowing: [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > right + 0.5)
          .map((e) => e.tagName + ' ' + (e.textContent ?? '').slice(0, 40)),
        unlabelledCells: document.querySelectorAll('td:not([data-label])').length,
        text: document.querySelector('main')?.textContent ?? '',
      };
    })()`)) as Seen;
    await page.context().close();
    return { ...seen, blocked };
  }

  /** No request left the file, nothing is wider than a phone, every cell is labelled, every chart is full width and drawn. */
  function fitsPhone(seen: Seen & { blocked: string[] }, charts: string[]): void {
    expect(seen.blocked).toEqual([]);
    expect(seen.pageWidth).toBeLessThanOrEqual(390);
    expect(seen.overflowing).toEqual([]);
    expect(seen.unlabelledCells).toBe(0);
    expect(seen.charts.map((c) => c.title)).toEqual(charts);
    for (const c of seen.charts) {
      expect(c.width, c.title).toBeGreaterThan(300);
      expect(c.marks, c.title).toBeGreaterThan(0);
    }
  }

  it('fits a phone: nothing wider than the screen, every table cell labelled, the charts full width', async () => {
    const seen = await look(390);
    fitsPhone(seen, [
      'Game days',
      'RTO achieved, objective dashed (min)',
      'From the impact to (min)',
      'Error budget spent per game day (%)',
    ]);
  });

  it('shows the score with its definition, the trend, the runs not counted and the fault not rehearsed', async () => {
    const seen = await look(1280);
    expect(seen.pageWidth).toBeLessThanOrEqual(1280);
    expect(seen.text).toContain('Score 60/100 (3 of 5 game days passed)');
    expect(seen.text).toContain('Score: The share of the service');
    expect(seen.text).toContain('Not counted: 1 dry run (they injected nothing).');
    expect(seen.text).toContain('region-outage: never run; scheduled rate(7 days)');
  });

  it('fits the comparison of two runs on a phone, both runs drawn on each chart', async () => {
    const c = comparisonOf(killAnalysis('gd-off', false), killAnalysis('gd-on', true));
    const path = join(OUT, 'compare.html');
    const zone = zoneFormat('UTC');
    await writeFile(path, renderPage('Compare', comparisonBlocks(c, zone, comparisonCharts(c))));
    const seen = await look(390, path);
    fitsPhone(seen, [
      '5xx rate, minutes after the impact (%)',
      'p99 latency, minutes after the impact (ms)',
      'Healthy hosts, minutes after the impact (hosts)',
      'Request rate, minutes after the impact (req/s)',
    ]);
    expect(seen.text).toContain('B against A: better: RTO met (7 min 2 s)');
  });
});
