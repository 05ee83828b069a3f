import type { Block, Cell } from './document.ts';
import { escapeHtml } from './html-escape.ts';

// Self-contained on purpose: no script, no web font, no external stylesheet, so the page reads the
// same offline, in a mail attachment or from an S3 download.
const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 12px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.note { color: #59636e; font-size: 13px; }
p.warning { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 8px 12px; }
p.verdict { background: #f6f8fa; border-left: 4px solid #1f6feb; padding: 8px 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
#minute-table td:first-child { white-space: nowrap; font-variant-numeric: tabular-nums; }
figure { margin: 8px 0 16px; }
figcaption { font-size: 13px; color: #59636e; }
svg.chart { max-width: 100%; height: auto; font-size: 11px; }
svg .plot { fill: #fff; stroke: #d0d7de; }
svg .grid { stroke: #eaeef2; }
svg .tick, svg .legend { fill: #59636e; }
svg .chart-title { fill: #1f2328; font-weight: 600; }
svg .series { fill: none; stroke-width: 1.6; }
svg .fault { fill: #d1242f; fill-opacity: 0.09; }
svg .event { stroke: #8c959f; stroke-opacity: 0.5; stroke-width: 1; }
svg .moment line { stroke: #1f2328; stroke-dasharray: 3 3; }
svg .moment text { fill: #1f2328; font-size: 10px; }
svg .empty { fill: #8c959f; font-size: 14px; }
`;

function cell(c: Cell): string {
  return typeof c === 'string' ? escapeHtml(c) : c.map(escapeHtml).join('<br>');
}

function block(b: Block, charts: readonly string[]): string {
  switch (b.type) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${escapeHtml(b.text)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</${tag}>`;
    }
    case 'table': {
      const cls = (align: string | undefined) => (align === 'right' ? ' class="num"' : '');
      const head = b.columns.map((c) => `<th${cls(c.align)}>${escapeHtml(c.title)}</th>`).join('');
      const rows = b.rows.map(
        (r) => `<tr>${r.map((c, i) => `<td${cls(b.columns[i]?.align)}>${cell(c)}</td>`).join('')}</tr>`,
      );
      return `<table${b.id ? ` id="${escapeHtml(b.id)}"` : ''}><thead><tr>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
    }
    case 'charts':
      return charts.map((svg) => `<figure>${svg}</figure>`).join('\n');
  }
}

/** The report as one self-contained HTML page: the same blocks as the markdown, plus the charts. */
export function renderHtml(title: string, blocks: readonly Block[], charts: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body><main>',
    blocks.map((b) => block(b, charts)).join('\n'),
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}
