import type { Block, Cell } from './document.ts';

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '`': '\\`',
  '*': '\\*',
  _: '\\_',
  ']': '\\]',
  '<': '&lt;',
  '>': '&gt;',
  '|': '\\|',
  '\n': ' ',
  '\r\n': ' ',
};
// One pass over the text (reports can hold 100,000 lines). `|` is escaped everywhere: harmless
// outside tables, necessary inside them.
const SPECIAL = /\r\n|[\\`*_<>|\n]|\](?=[([])/g;
const ANY_SPECIAL = /[\\`*_<>|\n\r\]]/;

/**
 * Escapes text so that a wiki renders it as written: no emphasis, code, links or HTML from event
 * text. Brackets are left alone unless they would close a link (`](` or `][`), to keep ids such as
 * `Observe[1]` readable in the raw markdown.
 */
export function escapeMarkdown(text: string): string {
  return ANY_SPECIAL.test(text) ? text.replace(SPECIAL, (c) => ESCAPES[c] ?? c) : text;
}

function cell(c: Cell): string {
  const lines = typeof c === 'string' ? [c] : c;
  return lines.map(escapeMarkdown).join('<br>');
}

function block(b: Block): string {
  switch (b.type) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${escapeMarkdown(b.text)}`;
    case 'paragraph': {
      const text = escapeMarkdown(b.text);
      if (b.tone === 'note') return `_${text}_`;
      if (b.tone === 'warning') return `> **Warning:** ${text}`;
      if (b.tone === 'prompt') return `_${text}_`;
      if (b.tone === 'lead') return `**${text}**`;
      return text;
    }
    case 'list':
      return b.items
        .map((item, i) => {
          const text = typeof item === 'string' ? escapeMarkdown(item) : `_${escapeMarkdown(item.text)}_`;
          return `${b.ordered ? `${i + 1}.` : '-'} ${text}`;
        })
        .join('\n');
    case 'table': {
      const head = `| ${b.columns.map((c) => cell(c.title)).join(' | ')} |`;
      const rule = `| ${b.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
      const rows = b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'charts':
      return `_The HTML report charts ${listed(b.titles)} minute by minute, with the alarm thresholds, the hypothesis's bounds and the SLO drawn across them, the fault shaded and the key moments marked._`;
    case 'fold':
      return [
        ...(b.when === 'always' ? [`**${escapeMarkdown(b.summary)}**`] : []),
        ...b.blocks.map(block),
      ].join('\n\n');
  }
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The post-mortem draft as markdown that pastes into a wiki (GitHub-flavoured tables). */
export function renderMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(block).join('\n\n')}\n`;
}
