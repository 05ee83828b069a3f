/** A column of a plain-text table for a terminal. */
export interface TextColumn {
  title: string;
  align?: 'left' | 'right';
}

/** A cell: one line, or several stacked in the row (the row is as tall as its tallest cell). */
export type TextCell = string | readonly string[];

const GAP = '  ';

/**
 * Lays rows out in aligned columns under a header, for a terminal. Widths come from the widest
 * line of each column; lines carry no trailing spaces, so a last column of any length wraps (or
 * not) as the terminal chooses.
 */
export function textTable(columns: readonly TextColumn[], rows: readonly (readonly TextCell[])[]): string[] {
  const lines = (c: TextCell | undefined): readonly string[] =>
    c === undefined ? [] : typeof c === 'string' ? [c] : c;
  const widths = columns.map((col, i) =>
    rows.reduce((w, row) => Math.max(w, ...lines(row[i]).map(width)), width(col.title)),
  );
  const layout = (cells: readonly string[]) =>
    cells
      .map((text, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - width(text)));
        return columns[i]!.align === 'right' ? pad + text : text + pad;
      })
      .join(GAP)
      .trimEnd();
  const out = [layout(columns.map((c) => c.title))];
  for (const row of rows) {
    const height = Math.max(1, ...columns.map((_, i) => lines(row[i]).length));
    for (let line = 0; line < height; line++) {
      out.push(layout(columns.map((_, i) => lines(row[i])[line] ?? '')));
    }
  }
  return out;
}

/** Columns a string takes on a terminal: code points, not UTF-16 units (`–`, `→`, `▶` are one each). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
