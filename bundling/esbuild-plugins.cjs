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

/**
 * The schema modules write trait keys as computed keys over string constants (`{ [_xN]: _TSa }`).
 * esbuild cannot prove a computed key free of side effects, so it keeps every shape that has one:
 * all of EC2's shapes (~550 KB) for the two calls preflight makes. Writing the constant's literal
 * in place of the key lets esbuild drop the shapes no command of the bundle reaches.
 */
const inlineSchemaKeys = {
  name: 'aws-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const [, name, literal] of text.matchAll(STRING_CONSTANT)) constants.set(name, literal);
      const contents = text.replace(COMPUTED_KEY, (key, name) =>
        constants.has(name) ? `${constants.get(name)}:` : key,
      );
      return { contents, loader: 'js' };
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
          'export default onUse(load);',
          ...names.map((name, i) => `const e${i} = onUse(() => load()[${JSON.stringify(name)}]);`),
          `export { ${names.map((name, i) => `e${i} as ${JSON.stringify(name)}`).join(', ')} };`,
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
        'export default m;',
        ...names.map((name, i) => `const e${i} = m[${JSON.stringify(name)}];`),
        `export { ${names.map((name, i) => `e${i} as ${JSON.stringify(name)}`).join(', ')} };`,
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

module.exports = [inlineSchemaKeys, librarySourceMaps, builtinsByRequire];
