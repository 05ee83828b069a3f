import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ExperimentFileError } from './errors.ts';
import type { SourceDocument } from './source-document.ts';

export async function readSource(file: string, format: 'yaml' | 'json'): Promise<SourceDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExperimentFileError(
      file,
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (e as Error).message})`,
    );
  }
  return format === 'json' ? parseJsonSource(file, text) : parseYamlSource(file, text);
}

export function parseYamlSource(file: string, text: string): SourceDocument {
  const { doc, lines } = parseWithLines(text);
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos?.[0];
    // The message's first line is the reason; the rest is a code frame pointing at the column.
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ExperimentFileError(
      file,
      `${where ? `line ${where.line}, column ${where.col}: ` : ''}not valid YAML: ${reason}`,
    );
  }
  return sourceOf(file, doc.toJS({ maxAliasCount: 100 }), doc.contents, lines);
}

export function parseJsonSource(file: string, text: string): SourceDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ExperimentFileError(file, `not valid JSON: ${(e as Error).message}`);
  }
  // JSON is YAML, so the YAML parser can say where each member is written.
  const { doc, lines } = parseWithLines(text);
  return sourceOf(file, data, doc.errors.length === 0 ? doc.contents : null, lines);
}

function parseWithLines(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  return { doc, lines };
}

function sourceOf(file: string, data: unknown, root: unknown, lines: LineCounter): SourceDocument {
  return {
    file,
    data,
    lineOf(path) {
      let node = root as Node | null | undefined;
      let at = node?.range?.[0];
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key));
          if (!pair) break;
          at = (pair.key as Node | null)?.range?.[0] ?? at;
          node = pair.value as Node | null;
        } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
          node = node.items[key] as Node;
          at = node.range?.[0] ?? at;
        } else {
          break;
        }
      }
      return at === undefined ? undefined : lines.linePos(at).line;
    },
  };
}
