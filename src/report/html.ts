import { type RenderedChart, VARIANTS } from './charts.ts';
import type { Block, Cell } from './document.ts';
import { escapeHtml } from './html-escape.ts';

/** Below this viewport width the page is laid out for a phone: tables as cards, long parts folded. */
const PHONE = VARIANTS[1].minViewport;
/** Tables of more columns than this are laid out as cards on a phone. */
const CARD_COLUMNS = 3;

const variantRules = VARIANTS.map((v, i) => {
  const show = `svg.chart.${v.id} { display: block; }`;
  const hide = i > 0 ? `svg.chart.${VARIANTS[i - 1]!.id} { display: none; } ` : '';
  return v.minViewport === 0 ? show : `@media (min-width: ${v.minViewport}px) { ${hide}${show} }`;
}).join('\n');

// Self-contained on purpose: no script, no web font, no external stylesheet, so the page reads the
// same offline, in a mail attachment or from an S3 download. What adapts to the screen does so
// with CSS alone: the chart drawn for the width, tables as cards and long parts folded on a phone.
const STYLE = `
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 48px; background: #fff; }
h1 { font-size: 22px; line-height: 1.25; margin: 8px 0 12px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p, li { overflow-wrap: anywhere; }
p.note { color: #59636e; font-size: 14px; }
p.warning { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 8px 12px; }
p.verdict { background: #f6f8fa; border-left: 4px solid #1f6feb; padding: 8px 12px; }
p.lead { font-size: 18px; font-weight: 600; }
p.prompt, li.prompt { color: #9a6700; font-style: italic; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; }
#minute-table td:first-child { white-space: nowrap; font-variant-numeric: tabular-nums; }
details { margin: 8px 0 16px; }
summary { cursor: pointer; color: #0969da; }
.fold-toggle { position: absolute; opacity: 0; width: 1px; height: 1px; }
.fold-label { display: none; }
ul.chart-legend { list-style: none; padding: 0; margin: 8px 0 12px; font-size: 14px; color: #59636e; }
ul.chart-legend li { margin: 2px 0; }
ul.chart-legend svg.swatch { vertical-align: middle; margin-right: 6px; }
figure.chart { margin: 8px 0 20px; }
svg.chart { display: none; width: 100%; height: auto; font-size: 12px; }
svg .plot { fill: #fff; stroke: #d0d7de; }
svg .grid { stroke: #eaeef2; }
svg .tick, svg .legend { fill: #424a53; }
svg .chart-title { fill: #1f2328; font-weight: 600; font-size: 13px; }
svg .series path, svg .swatch line { fill: none; stroke-width: 2; }
svg .threshold { stroke-width: 1.5; }
svg .fault { fill: #d1242f; fill-opacity: 0.12; }
svg .impact { fill: #bc4c00; fill-opacity: 0.75; }
svg .event { stroke: #8c959f; stroke-opacity: 0.55; stroke-width: 1; }
svg .moment line { stroke: #1f2328; stroke-dasharray: 3 3; stroke-width: 1; }
svg .moment-label { fill: #1f2328; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .empty { fill: #8c959f; font-size: 14px; }
${variantRules}
@media (min-width: ${PHONE}px) {
  main { padding: 24px 32px 64px; }
  h1 { font-size: 26px; }
  h2 { font-size: 20px; margin-top: 32px; }
  body { font-size: 15px; }
  table { font-size: 13px; }
}
@media (max-width: ${PHONE - 0.02}px) {
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 8px; padding: 4px 10px; }
  table.cards td { border: none; padding: 2px 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label); display: block; font-size: 12px; font-weight: 600; color: #59636e; }
  table.cards td:empty { display: none; }
  .fold-label { display: block; padding: 8px 12px; margin: 8px 0; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; color: #0969da; cursor: pointer; }
  .fold-label::before { content: "▸ "; }
  .fold-toggle:checked + .fold-label::before { content: "▾ "; }
  .fold-toggle:focus-visible + .fold-label { outline: 2px solid #0969da; }
  .fold-toggle:not(:checked) ~ .fold-body { display: none; }
}
@media print { svg.chart { display: none; } svg.chart.wide { display: block; } }
`;

function cell(c: Cell): string {
  return typeof c === 'string' ? escapeHtml(c) : c.map(escapeHtml).join('<br>');
}

/** The blocks every faultline page draws alike, whatever else it draws. */
export type TextBlock = Extract<Block, { type: 'heading' | 'paragraph' | 'list' | 'table' }>;

/**
 * A heading, paragraph, list or table as HTML. A table wider than `cardColumns` becomes a card per
 * row on a phone, each cell naming its column (the card layout hides the header row); a narrow
 * one fits as it is.
 */
export function textBlockHtml(b: TextBlock, cardColumns = CARD_COLUMNS): string {
  switch (b.type) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${escapeHtml(b.text)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      const item = (i: string | { text: string; prompt: boolean }) =>
        typeof i === 'string'
          ? `<li>${escapeHtml(i)}</li>`
          : `<li${i.prompt ? ' class="prompt"' : ''}>${escapeHtml(i.text)}</li>`;
      return `<${tag}>${b.items.map(item).join('')}</${tag}>`;
    }
    case 'table': {
      const cls = (align: string | undefined) => (align === 'right' ? ' class="num"' : '');
      const head = b.columns.map((c) => `<th${cls(c.align)}>${escapeHtml(c.title)}</th>`).join('');
      const cards = b.columns.length > cardColumns;
      const label = (i: number) => {
        const title = b.columns[i]?.title;
        return cards && title ? ` data-label="${escapeHtml(title)}"` : '';
      };
      const rows = b.rows.map(
        (r) =>
          `<tr>${r.map((c, i) => `<td${cls(b.columns[i]?.align)}${label(i)}>${cell(c)}</td>`).join('')}</tr>`,
      );
      return `<table${cards ? ' class="cards"' : ''}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}><thead><tr>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
    }
  }
}

/** One self-contained HTML page: no script, no web font, nothing fetched. */
export function htmlPage(title: string, style: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body><main>',
    body,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}

class Renderer {
  private folds = 0;
  private readonly charts: { legend: string; charts: readonly RenderedChart[] };

  constructor(charts: { legend: string; charts: readonly RenderedChart[] }) {
    this.charts = charts;
  }

  block(b: Block): string {
    switch (b.type) {
      case 'heading':
      case 'paragraph':
      case 'list':
      case 'table':
        return textBlockHtml(b);
      case 'charts':
        return [
          this.charts.legend,
          ...this.charts.charts.map(
            (c) =>
              `<figure class="chart" id="chart-${escapeHtml(c.spec.id)}">${c.svgs.map((s) => s.svg).join('')}</figure>`,
          ),
        ].join('\n');
      case 'fold': {
        const inner = b.blocks.map((x) => this.block(x)).join('\n');
        if (b.when === 'always')
          return `<details><summary>${escapeHtml(b.summary)}</summary>${inner}</details>`;
        // Open on a wide screen; on a phone, folded behind its label (a checkbox: no script needed).
        const id = `fold-${++this.folds}`;
        return (
          `<div class="fold"><input type="checkbox" class="fold-toggle" id="${id}">` +
          `<label class="fold-label" for="${id}">${escapeHtml(b.summary)}</label>` +
          `<div class="fold-body">${inner}</div></div>`
        );
      }
    }
  }
}

/** The report as one self-contained HTML page: the same blocks as the markdown, plus the charts. */
export function renderHtml(
  title: string,
  blocks: readonly Block[],
  charts: { legend: string; charts: readonly RenderedChart[] },
): string {
  const r = new Renderer(charts);
  return htmlPage(title, STYLE, blocks.map((b) => r.block(b)).join('\n'));
}
