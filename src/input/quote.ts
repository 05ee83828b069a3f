/** Longest stretch of a value an error message shows: enough to recognise it, never a file's worth. */
export const QUOTE_MAX = 80;

/**
 * A value received from a person or a file, as an error message shows it: in single quotes, cut to
 * QUOTE_MAX characters with `…`, and on one line (control characters escaped), so a bad 1 MB value
 * is refused in one short line. Every message that quotes what it was given goes through here.
 */
export function quote(value: unknown, max = QUOTE_MAX): string {
  return `'${excerpt(String(value), max)}'`;
}

/** The text cut to `max` characters (whole code points) with `…`, control characters escaped. */
export function excerpt(text: string, max = QUOTE_MAX): string {
  // Only the head is looked at: the cut never walks a megabyte of text.
  const head = Array.from(text.slice(0, 2 * max + 2));
  const cut = head.length > max || text.length > 2 * max + 2;
  const shown = cut ? head.slice(0, max - 1).join('') : text;
  return `${escapeControls(shown)}${cut ? '…' : ''}`;
}

function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
