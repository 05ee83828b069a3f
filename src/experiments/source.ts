import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import {
  Composer,
  CST,
  type Document,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  Parser,
  type YAMLError,
} from 'yaml';
import { excerpt } from '../input/quote.ts';
import { ExperimentFileError } from './errors.ts';
import type { SourceDocument } from './source-document.ts';

/**
 * What faultline reads of a file it is given (experiments, side files, FIS templates, runbooks,
 * world files). The shipped files are 1–5 KB and 6–8 levels deep; these limits are far above any
 * real one and far below what makes the YAML parser slow: its time grows with size and depth (a
 * 3 MB `[[[…` took 31 s and 2.3 GB), and an alias bomb grows as it is expanded. A file past them is
 * refused before it is parsed (size) or as soon as the parser gets there (depth, aliases).
 */
export const SOURCE_LIMITS = {
  /** The parser reads 0.1–1 MB a second, depending on the machine and the shape of the text. */
  bytes: 128 * 1024,
  /** Collections inside collections. */
  depth: 32,
  /**
   * Aliases (`*name`) written, and values they copy in, all told: yaml looks each alias up among
   * all the anchors, so thousands of them take seconds before any is expanded.
   */
  aliases: 100,
} as const;

type Format = 'yaml' | 'json';

/** Reads, checks and parses a YAML or JSON file; anything wrong is one ExperimentFileError naming it. */
export async function readSource(file: string, format: Format): Promise<SourceDocument> {
  let text: string;
  try {
    checkStats(file, await stat(file));
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(SOURCE_LIMITS.bytes + 1);
      // A file that grew since stat still cannot be read past the limit.
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      text = decode(file, buffer, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw readError(file, e);
  }
  return parseSource(file, text, format);
}

/**
 * readSource for code that runs synchronously (serverless.yml's resolvers, runbooks/bundle.cjs),
 * which name a file by its path in the project (`file`) and read it at `path`.
 */
export function readSourceSync(file: string, format: Format, path = file): SourceDocument {
  let text: string;
  try {
    checkStats(file, statSync(path));
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(SOURCE_LIMITS.bytes + 1);
      text = decode(file, buffer, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw readError(file, e);
  }
  return parseSource(file, text, format);
}

export function parseSource(file: string, text: string, format: Format): SourceDocument {
  return format === 'json' ? parseJsonSource(file, text) : parseYamlSource(file, text);
}

function checkStats(file: string, stats: Stats): void {
  // A FIFO or a device would block the read or never end (/dev/zero).
  if (stats.isDirectory()) throw new ExperimentFileError(file, 'is a folder, not a file');
  if (!stats.isFile()) throw new ExperimentFileError(file, 'is not a regular file');
  if (stats.size > SOURCE_LIMITS.bytes) throw tooLarge(file, stats.size);
}

function decode(file: string, buffer: Buffer, bytesRead: number): string {
  if (bytesRead > SOURCE_LIMITS.bytes) throw tooLarge(file, bytesRead);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
  } catch {
    throw new ExperimentFileError(file, 'is not UTF-8 text');
  }
}

function tooLarge(file: string, size: number): ExperimentFileError {
  return new ExperimentFileError(
    file,
    `is ${kib(size)}, more than the ${kib(SOURCE_LIMITS.bytes)} faultline reads: an experiment, runbook, template or world file is a few KB`,
  );
}

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : `${Math.floor(bytes / 1024)} KiB`);

function readError(file: string, e: unknown): ExperimentFileError {
  if (e instanceof ExperimentFileError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new ExperimentFileError(
    file,
    code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (e as Error).message})`,
  );
}

export function parseYamlSource(file: string, text: string): SourceDocument {
  const { doc, lines } = parseWithLimits(file, text);
  const error = doc.errors[0] ?? duplicateKey(doc.contents);
  if (error) throw new ExperimentFileError(file, `${where(error, lines)}not valid YAML: ${reasonOf(error)}`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: SOURCE_LIMITS.aliases });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    // yaml's words are "Excessive alias count indicates a resource exhaustion attack".
    throw new ExperimentFileError(file, ALIAS_LIMIT);
  }
  return sourceOf(file, data, doc.contents, lines);
}

export function parseJsonSource(file: string, text: string): SourceDocument {
  // JSON is YAML: the YAML parser, with its limits, says where each member is written. Its other
  // complaints are not the JSON's (JSON.parse says whether it is JSON).
  const { doc, lines } = parseWithLimits(file, text);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ExperimentFileError(file, `not valid JSON: ${excerpt((e as Error).message, 160)}`);
  }
  return sourceOf(file, data, doc.errors.length === 0 ? doc.contents : null, lines);
}

/** Thrown from inside the parse when the document goes past a limit, at `offset`. */
class Refused extends Error {
  readonly offset: number;
  readonly limit: 'depth' | 'aliases';
  constructor(offset: number, limit: 'depth' | 'aliases') {
    super(`past the ${limit} limit`);
    this.offset = offset;
    this.limit = limit;
  }
}

const ALIAS_LIMIT = `has more than ${SOURCE_LIMITS.aliases} aliases (*name) or values copied in by them: faultline refuses that (an alias bomb?); write the values out`;

/**
 * yaml's parseDocument, token by token, so that nesting past the limit stops it where it happens:
 * the parser's stack holds the document and each collection open around the current token.
 */
function parseWithLimits(file: string, text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  // Keys are checked for uniqueness once the document is built (duplicateKey): yaml's own check
  // compares each key with every earlier one, and a 300 KB map of distinct keys took minutes.
  const composer = new Composer({ uniqueKeys: false });
  let aliases = 0;
  function* tokens() {
    lines.addNewLine(0);
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length - 1 > SOURCE_LIMITS.depth) throw new Refused(parser.offset, 'depth');
      if (CST.tokenType(lexeme) === 'alias' && ++aliases > SOURCE_LIMITS.aliases) {
        throw new Refused(parser.offset, 'aliases');
      }
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  try {
    for (const d of composer.compose(tokens(), true, text.length)) {
      if (doc) {
        throw new ExperimentFileError(
          file,
          `line ${lines.linePos(d.range[0]).line}: holds a second YAML document (after ---); faultline reads one per file`,
        );
      }
      doc = d;
    }
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    const line = `line ${lines.linePos(e.offset).line}: `;
    throw new ExperimentFileError(
      file,
      e.limit === 'depth'
        ? `${line}nests lists and maps more than ${SOURCE_LIMITS.depth} deep; faultline refuses that`
        : `${line}${ALIAS_LIMIT}`,
    );
  }
  return { doc: doc!, lines };
}

/** The first key written twice in a map (by its value), as yaml's own check words it; linear. */
function duplicateKey(node: unknown): { pos: [number, number]; message: string } | undefined {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key)) {
        const id = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(id))
          return { pos: [key.range?.[0] ?? 0, key.range?.[1] ?? 0], message: 'Map keys must be unique' };
        seen.add(id);
      }
      const inner = duplicateKey(key) ?? duplicateKey(pair.value);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = duplicateKey(item);
      if (inner) return inner;
    }
  }
  return undefined;
}

function where(error: Pick<YAMLError, 'pos'>, lines: LineCounter): string {
  const at = lines.linePos(error.pos[0]);
  return `line ${at.line}, column ${at.col}: `;
}

/** yaml's reason, on one line; some quote the source they stopped at, so it is cut short. */
function reasonOf(error: Pick<YAMLError, 'message'>): string {
  return excerpt(error.message.split('\n')[0]!, 160);
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
