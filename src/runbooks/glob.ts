/**
 * Glob patterns as runbooks write them for alarm names and dimension values: `*` any run of
 * characters, `?` one character, `{a,b}` either text; everything else literal. Anchored: the whole
 * value must match. Undefined when the pattern is malformed (an unclosed or nested brace).
 */
export function globToRegExp(pattern: string): RegExp | undefined {
  let out = '';
  let inBrace = false;
  for (const c of pattern) {
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '{') {
      if (inBrace) return undefined;
      inBrace = true;
      out += '(?:';
    } else if (c === '}') {
      if (!inBrace) return undefined;
      inBrace = false;
      out += ')';
    } else if (c === ',' && inBrace) out += '|';
    else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (inBrace) return undefined;
  return new RegExp(`^${out}$`, 's');
}

export function globMatches(pattern: string, value: string): boolean {
  return globToRegExp(pattern)?.test(value) ?? false;
}
