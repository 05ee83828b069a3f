// esbuild plugins for the Lambda bundles (`custom.esbuild.plugins` in serverless.yml). CommonJS
// because serverless-esbuild loads the file with require().
const { readFile, writeFile } = require('node:fs/promises');
const { isBuiltin } = require('node:module');
const { resolve } = require('node:path');
const { decode, encode } = require('@jridgewell/sourcemap-codec');

/** An AWS SDK client's schema module: every shape of the service, of which a handler uses a few. */
const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/** The folder of the AWS SDK client package a module belongs to (undefined outside one). */
const CLIENT_PACKAGE = /^(.*[\\/]@aws-sdk[\\/]client-[^\\/]+)[\\/]/;
const clientPackageOf = (path) => CLIENT_PACKAGE.exec(path)?.[1];

/**
 * A modelled error's registration, the last lines of schemas_0.js: `n0_registry.registerError(X$, X);`.
 * The service's base exception is registered on `_s_registry`, the service's others on `nN_registry`.
 */
const REGISTRATION = /^(\w+)_registry\.registerError\((\w+)\$, \2\);\n?/gm;
const BASE_REGISTRY = '_s';

/** A package imported whole (a namespace, a default import, an unparsed statement): every name may be used. */
const ALL = 'all';

// The statements that name what they take from a module. Their clauses hold identifiers, `as`,
// `type`, braces and commas only: a clause with anything else (a comment) does not match, and its
// import counts as unparsed.
const IMPORT_FROM = /\bimport\s*(type\s+)?([\w$\s,{}*]*?)\s*from\s*(["'])([^"']+)\3/g;
const EXPORT_FROM = /\bexport\s*(type\s+)?(\*(?:\s*as\s+[\w$]+)?|\{[\w$\s,]*\})\s*from\s*(["'])([^"']+)\3/g;
const BARE_IMPORT = /\bimport\s*(["'])([^"']+)\1/g;
const REQUIRE_DESTRUCTURED =
  /\b(?:const|let|var)\s*\{([\w$\s,:]*)\}\s*=\s*require\(\s*(["'])([^"']+)\2\s*\)/g;

/**
 * The names a clause takes (`A, { B as C, type D }` → [default, B, D]), or ALL when it takes the
 * module whole: `* as ns`, or a default import (the CommonJS module object under interop).
 */
function clauseNames(clause) {
  const trimmed = clause.trim();
  if (trimmed.includes('*')) return ALL;
  const braces = /\{([^}]*)\}/.exec(trimmed);
  if (
    trimmed
      .replace(/\{[^}]*\}/, '')
      .replace(/,/g, '')
      .trim() !== ''
  )
    return ALL;
  const names = (braces?.[1] ?? '')
    .split(',')
    .map(
      (item) =>
        item
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+|\s*:\s*/)[0],
    )
    .filter((name) => name);
  return names.includes('default') ? ALL : names;
}

/**
 * The import and re-export statements of a module's text: [{ specifier, names, reexportsAll }],
 * names being ALL when the statement takes the module whole. Type-only statements take nothing.
 */
function statementsOf(text) {
  const statements = [];
  for (const [, type, clause, , specifier] of text.matchAll(IMPORT_FROM))
    statements.push({ specifier, names: type ? [] : clauseNames(clause) });
  for (const [, type, clause, , specifier] of text.matchAll(EXPORT_FROM))
    statements.push({ specifier, names: type ? [] : clauseNames(clause), reexportsAll: clause === '*' });
  for (const [, , specifier] of text.matchAll(BARE_IMPORT)) statements.push({ specifier, names: [] });
  for (const [, clause, , specifier] of text.matchAll(REQUIRE_DESTRUCTURED))
    statements.push({ specifier, names: clauseNames(`{${clause}}`) });
  return statements;
}

const occurrences = (text, specifier) =>
  text.match(new RegExp(`["'\`]${RegExp.escape(specifier)}["'\`]`, 'g'))?.length ?? 0;

/**
 * What one module takes from each client package it imports: package folder → names (or ALL).
 * esbuild's metafile says which of the module's imports land in a client package; the module's
 * text says which names each takes. Every quoted occurrence of such an import's specifier must
 * belong to a statement understood here (a dynamic import(), a plain require(), a commented-out
 * import do not): otherwise the package counts as taken whole, and a warning says so.
 */
function clientImportsOf(file, text, imports, base, warnings) {
  const taken = new Map();
  const take = (pkg, names) => {
    const had = taken.get(pkg) ?? [];
    taken.set(pkg, had === ALL || names === ALL ? ALL : [...had, ...names]);
  };
  const statements = statementsOf(text);
  for (const { original, path } of imports) {
    const pkg = clientPackageOf(resolve(base, path));
    const matching = statements.filter((s) => s.specifier === original);
    if (matching.length < occurrences(text, original)) {
      warnings.push({ text: `${file}: cannot tell what it takes from '${original}'; keeping its errors` });
      take(pkg, ALL);
      continue;
    }
    for (const { names, reexportsAll } of matching) {
      // The package's own barrel (`export * from "./models/errors"`) passes names through: the
      // modules that import them from the package are scanned themselves. Anyone else's is whole.
      if (reexportsAll && clientPackageOf(resolve(base, file)) === pkg) continue;
      take(pkg, names);
    }
  }
  return taken;
}

/**
 * Which error classes a build can need: for each client package, the names any module of the
 * bundle imports from it. esbuild loads modules in parallel, so a schema module may load before
 * the module that imports its error: the answer comes from a build of its own, run first, with the
 * same entry points and resolution options (alias, mainFields, conditions …) and none of our
 * plugins, whose metafile lists every module the bundle reaches.
 * Answers { used: package folder → Set of names or ALL, schemas: Set of the schema modules, warnings }.
 */
async function scanClientImports(esbuild, options) {
  const base = options.absWorkingDir ?? process.cwd();
  const { metafile } = await esbuild.build({
    ...options,
    plugins: [],
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  const used = new Map();
  const schemas = new Set();
  const warnings = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (SCHEMA_MODULE.test(file)) {
      // Its imports are the registrations' own.
      schemas.add(resolve(base, file));
      continue;
    }
    // A client's package.json (its runtimeConfig's `import packageInfo`) holds no error class.
    const imports = input.imports.filter(
      (i) => !i.external && !i.path.endsWith('.json') && clientPackageOf(resolve(base, i.path)),
    );
    if (imports.length === 0) continue;
    const stdin = options.stdin && file === (options.stdin.sourcefile ?? '<stdin>');
    const text = stdin ? options.stdin.contents : await readFile(resolve(base, file), 'utf8');
    for (const [pkg, names] of clientImportsOf(file, text, imports, base, warnings)) {
      const had = used.get(pkg) ?? new Set();
      used.set(pkg, had === ALL || names === ALL ? ALL : new Set([...had, ...names]));
    }
  }
  return { used, schemas, warnings };
}

/**
 * The schema module without the registrations of the errors nothing in the bundle imports: a
 * registration is a top-level call, which keeps the error's class (models/errors.js) and schema in
 * every bundle. An error left out still arrives, as the service's base exception (whose
 * registration stays) named after the error's code, with the response's fields on it; only
 * `instanceof` its own class, which no module of the bundle can write, tells it apart.
 */
function dropUnusedRegistrations(text, path, scan) {
  if (!scan.schemas.has(path))
    throw new Error(`${path}: the import scan did not reach this module, so cannot say which errors to keep`);
  const registrations = text.match(/\.registerError\(/g)?.length ?? 0;
  const understood = text.match(REGISTRATION)?.length ?? 0;
  if (understood !== registrations)
    throw new Error(
      `${path}: ${registrations - understood} registerError() calls of an unknown form; ` +
        'update REGISTRATION in bundling/esbuild-plugins.cjs',
    );
  const used = scan.used.get(clientPackageOf(path)) ?? new Set();
  if (used === ALL) return text;
  return text.replace(REGISTRATION, (line, registry, name) =>
    registry === BASE_REGISTRY || used.has(name) ? line : '',
  );
}

/**
 * The schema modules write trait keys as computed keys over string constants (`{ [_xN]: _TSa }`).
 * esbuild cannot prove a computed key free of side effects, so it keeps every shape that has one:
 * all of EC2's shapes (~550 KB) for the two calls preflight makes. Writing the constant's literal
 * in place of the key lets esbuild drop the shapes no command of the bundle reaches. The error
 * registrations nothing can need go too (dropUnusedRegistrations), ~100 KB of preflight's bundle.
 */
const inlineSchemaKeys = {
  name: 'aws-sdk-schema-keys',
  setup(build) {
    let scanning;
    // On every build (serverless-esbuild rebuilds a context): the bundle's modules may have changed.
    build.onStart(async () => {
      scanning = scanClientImports(build.esbuild, build.initialOptions);
      const { warnings } = await scanning;
      return { warnings };
    });
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const [, name, literal] of text.matchAll(STRING_CONSTANT)) constants.set(name, literal);
      const inlined = text.replace(COMPUTED_KEY, (key, name) =>
        constants.has(name) ? `${constants.get(name)}:` : key,
      );
      return { contents: dropUnusedRegistrations(inlined, args.path, await scanning), loader: 'js' };
    });
  },
};

const isLibrary = (source) => /(^|[\\/])node_modules[\\/]/.test(source);

/**
 * Keeps the source map for faultline's own code and drops it for libraries, which are most of a
 * bundle's mappings (and the map was most of the zip). Where a stretch of library code starts, an
 * unmapped segment ends the mapping before it: a stack frame inside the SDK then shows its place in
 * the bundle instead of borrowing the faultline line that precedes it.
 */
function trimLibraryMappings(map) {
  const sources = [];
  const sourceIndex = new Map();
  const names = [];
  const nameIndex = new Map();
  const keep = (index, from, into, list) => {
    if (!index.has(from)) {
      index.set(from, into.length);
      into.push(list[from]);
    }
    return index.get(from);
  };
  let inLibrary = false;
  const lines = decode(map.mappings).map((segments) =>
    segments.flatMap(([column, source, line, sourceColumn, name]) => {
      const library = source === undefined || isLibrary(map.sources[source]);
      const startsLibrary = library && !inLibrary;
      inLibrary = library;
      if (library) return startsLibrary ? [[column]] : [];
      const kept = [column, keep(sourceIndex, source, sources, map.sources), line, sourceColumn];
      return [name === undefined ? kept : [...kept, keep(nameIndex, name, names, map.names)]];
    }),
  );
  return { ...map, sources, names, mappings: encode(lines) };
}

const librarySourceMaps = {
  name: 'library-source-maps',
  setup(build) {
    // The map files' paths come from the metafile (serverless-esbuild writes the outputs itself).
    build.initialOptions.metafile = true;
    const base = build.initialOptions.absWorkingDir ?? process.cwd();
    build.onEnd(async (result) => {
      const maps = Object.keys(result.metafile?.outputs ?? {}).filter((file) => file.endsWith('.map'));
      for (const file of maps) {
        const path = resolve(base, file);
        const map = JSON.parse(await readFile(path, 'utf8'));
        await writeFile(path, JSON.stringify(trimLibraryMappings(map)));
      }
    });
  },
};

/**
 * Exports of Node's modules that are getters and that the bundled libraries import. A getter is
 * read only if listed here: reading one loads what it stands for (fs.promises loads fs/promises).
 * A library importing another one fails the build with "No matching export"; add it here then.
 */
const IMPORTED_GETTERS = {
  'node:crypto': ['getRandomValues'],
  'node:fs': ['promises', 'ReadStream'],
};

/**
 * Node modules that bundled libraries import at load but faultline's calls never use: the SDK's
 * HTTP/2 handler (no client here speaks HTTP/2), ~3 ms of a cold start. In their stand-in, the
 * module and each export are proxies that load the module when first touched.
 */
const LOADED_ON_USE = new Set(['node:http2']);

/** A stand-in's exports: the default and one per name, each the JS expression `expressionOf` writes. */
const standInExports = (defaultValue, names, expressionOf) => [
  `export default ${defaultValue};`,
  ...names.map((name, i) => `const e${i} = ${expressionOf(JSON.stringify(name))};`),
  `export { ${names.map((name, i) => `e${i} as ${JSON.stringify(name)}`).join(', ')} };`,
];

/**
 * Node's modules reach the bundle through require() (the banner's createRequire), not import. An
 * import makes Node build the module's ES facade, which reads every export, getters included:
 * node:http's lazy undici exports alone cost a cold start ~8 ms of loading undici, which no handler
 * uses. The module standing in for a builtin exports its plain values and only the getters listed
 * above. (A CommonJS stand-in would read nothing, but esbuild then copies every export of the
 * module into each module importing it: ~2,000 getters defined, ~5 ms.)
 */
const builtinsByRequire = {
  name: 'node-builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^[\w:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      const path = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      // A require() (the stand-in's own, or CommonJS code's) stays a require() of the real module.
      if (args.kind === 'require-call') return { path: args.path, external: true };
      return { path, namespace: 'node-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => {
      if (LOADED_ON_USE.has(args.path)) {
        const names = Object.keys(require(args.path)).filter((name) => name !== 'default');
        const contents = [
          'let m;',
          `const load = () => (m ??= require(${JSON.stringify(args.path)}));`,
          'const onUse = (value) => new Proxy(function () {}, {',
          '  get: (_, key) => value()[key],',
          '  has: (_, key) => key in value(),',
          '  apply: (_, self, args) => Reflect.apply(value(), self, args),',
          '  construct: (_, args) => Reflect.construct(value(), args),',
          '});',
          ...standInExports('onUse(load)', names, (name) => `onUse(() => load()[${name}])`),
        ].join('\n');
        return { contents, loader: 'js' };
      }
      const descriptors = Object.getOwnPropertyDescriptors(require(args.path));
      const getters = new Set(IMPORTED_GETTERS[args.path] ?? []);
      const names = Object.keys(descriptors).filter(
        (name) => name !== 'default' && ('value' in descriptors[name] || getters.has(name)),
      );
      const contents = [
        `const m = require(${JSON.stringify(args.path)});`,
        ...standInExports('m', names, (name) => `m[${name}]`),
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Modules the SDK imports with import() for features faultline never reaches; esbuild would bundle
 * them all the same (~20 KB of every bundle). In their place, a module that says what was left out.
 */
const LEFT_OUT = {
  // HttpProtocol loads it for event-stream operations; no call faultline makes streams events.
  '@smithy/core/event-streams': 'event-stream operations',
  // The 'auto' defaults mode looks up the region in EC2's metadata outside Lambda (inside, it reads
  // AWS_REGION); faultline's clients use the default mode.
  '@smithy/credential-provider-imds': 'the EC2 instance metadata lookup',
};

const leftOutImports = {
  name: 'left-out-imports',
  setup(build) {
    const names = Object.keys(LEFT_OUT).map((name) => name.replace(/[/\\-]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'left-out' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(
        `${args.path} is not in faultline's Lambda bundles (${LEFT_OUT[args.path]}: see bundling/esbuild-plugins.cjs)`,
      )});`,
      loader: 'js',
    }));
  },
};

module.exports = [inlineSchemaKeys, librarySourceMaps, builtinsByRequire, leftOutImports];
