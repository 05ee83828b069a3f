import type { Block } from '../report/document.ts';
import { htmlPage, textBlockHtml } from '../report/html.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { PageBlock } from './document.ts';

// One self-contained file, as the report: no script, no web font, no external resource, so it
// reads the same offline. Written for a phone first: on a narrow screen each table row becomes a
// card of label: value lines (the labels come from data-label), so nothing is wider than the
// screen; charts scale to the width, two side by side on a wide screen.
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; overflow-wrap: break-word; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 16px 48px; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 12px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.note { color: #59636e; font-size: 13px; }
p.warning { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 8px 12px; }
p.verdict { background: #f6f8fa; border-left: 4px solid #1f6feb; padding: 8px 12px; font-size: 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; margin: 8px 0 16px; }
figure { margin: 0; }
svg.chart { width: 100%; height: auto; font-size: 11px; }
svg .plot { fill: #fff; stroke: #d0d7de; }
svg .grid { stroke: #eaeef2; }
svg .tick, svg .legend text { fill: #59636e; }
svg .lane { fill: #8c959f; font-size: 10px; }
svg .chart-title { fill: #1f2328; font-weight: 600; }
svg .series { fill: none; stroke-width: 1.6; }
svg .reference { stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .empty { fill: #8c959f; font-size: 12px; }
@media (max-width: 640px) {
  table, thead, tbody, tr, th, td { display: block; width: 100%; }
  thead { position: absolute; left: -10000px; }
  tr { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 8px; padding: 4px 8px; }
  td { border: 0; padding: 2px 0; text-align: left; overflow-wrap: anywhere; }
  td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label) ": "; color: #59636e; }
}
`;

function block(b: PageBlock): string {
  switch (b.type) {
    case 'heading':
    case 'paragraph':
    case 'list':
    case 'table':
      // Every table of the page turns into cards on a phone (the style above).
      return textBlockHtml(b, 0);
    case 'figures':
      return b.svgs.length
        ? `<div class="figures">${b.svgs.map((svg) => `<figure>${svg}</figure>`).join('\n')}</div>`
        : '';
  }
}

/** A page of blocks and figures as one self-contained HTML file. */
export function renderPage(title: string, blocks: readonly PageBlock[]): string {
  return htmlPage(title, STYLE, blocks.map(block).join('\n'));
}

/** The same page as markdown, as the report pastes into a wiki: figures say where to find them. */
export function renderPageMarkdown(blocks: readonly PageBlock[]): string {
  return renderMarkdown(
    blocks.map((b): Block => (b.type === 'figures' ? { type: 'paragraph', text: b.alt, tone: 'note' } : b)),
  );
}
