import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadWorldFile, WorldFileError } from '../../sandbox/world/schema.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { importTemplate, importTemplateFile } from '../../src/experiments/import-template.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { readSource, readSourceSync, SOURCE_LIMITS } from '../../src/experiments/source.ts';
import { plainSource } from '../../src/experiments/source-document.ts';
import { QUOTE_MAX } from '../../src/input/quote.ts';
import { loadRunbookFile, loadRunbooks } from '../../src/runbooks/load.ts';
import { parseRunbook } from '../../src/runbooks/parse.ts';
import { aliasBomb, type Draft, scratch, validExperiment } from './files.ts';

// Issue 12, item 7: an alias bomb exited 1 with "Excessive alias count…" and no file named; a 6 MB
// nested list kept runbook loading busy for over 60 s and 3.7 GB; four errors echoed the bad value
// back at 5 KB–1 MB. Each hostile file is now one line naming the file, refused before or while it
// is parsed. (How fast, and in how much memory: `npm run bench -- files`.)

const BIG = 100 * 1024;

/** The message is one line, names the file first, and shows no value longer than a quote's excerpt. */
function expectOneShortLine(message: string, file: string): void {
  expect(message.startsWith(`${file}: `)).toBe(true);
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThan(file.length + 600);
  for (const quoted of message.matchAll(/'([^']*)'/g))
    expect([...quoted[1]!].length).toBeLessThanOrEqual(QUOTE_MAX);
}

async function refusal(load: Promise<unknown>): Promise<Error> {
  const err = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('hostile files', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  it('an alias bomb: one line naming the file, whatever reads it', async () => {
    const file = await files.write('bomb.yaml', aliasBomb());
    // Each started only when awaited: a refusal started early and awaited later is an unhandled rejection.
    const loads = [
      () => loadExperimentFile(file),
      () => loadRunbookFile(file),
      () => readSource(file, 'yaml'),
    ];
    for (const load of loads) {
      const err = await refusal(load());
      expect(err).toBeInstanceOf(ExperimentFileError);
      expect(err.message).toBe(
        `${file}: has more than ${SOURCE_LIMITS.aliases} aliases (*name) or values copied in by them: faultline refuses that (an alias bomb?); write the values out`,
      );
    }
    const world = await refusal(loadWorldFile(file));
    expect(world).toBeInstanceOf(WorldFileError);
    expect(world.message).toMatch(new RegExp(`^${file}: has more than 100 aliases`));
  });

  it('thousands of aliases: refused at the first one past the limit, with its line', async () => {
    const anchors = Array.from({ length: 200 }, (_, i) => `k${i}: &a${i} v`);
    const aliases = Array.from({ length: 200 }, (_, i) => `z${i}: *a${i}`);
    const file = await files.write('aliases.yaml', [...anchors, ...aliases, ''].join('\n'));
    const err = await refusal(readSource(file, 'yaml'));
    expect(err.message).toBe(
      `${file}: line ${200 + SOURCE_LIMITS.aliases + 1}: has more than 100 aliases (*name) or values copied in by them: faultline refuses that (an alias bomb?); write the values out`,
    );
    // A few aliases are YAML as people write it.
    const fine = await files.write('few.yaml', 'a: &x [1, 2]\nb: *x\nc: *x\n');
    expect((await readSource(fine, 'yaml')).data).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });

  it('a 6 MB nested list is refused by its size, before it is read', async () => {
    const folder = join(files.dir, 'runbooks');
    await mkdir(folder);
    const file = join(folder, 'nested.yaml');
    // Sparse: 6 MB that are never there to read (a read of it would find only zero bytes).
    await writeFile(file, '[[[[');
    await truncate(file, 6 * 1024 * 1024);
    for (const load of [
      () => loadRunbookFile(file),
      () => loadExperimentFile(file),
      () => loadRunbooks(folder),
    ]) {
      const err = await refusal(load());
      expect(err.message).toBe(
        `${file}: is 6144 KiB, more than the 128 KiB faultline reads: an experiment, runbook, template or world file is a few KB`,
      );
    }
  });

  it('a file of 6 GB is refused by its size alone, by the synchronous reader too', async () => {
    const file = await files.write('huge.json', '{');
    await truncate(file, 6 * 1024 ** 3);
    const err = await refusal(readSource(file, 'json'));
    expect(err.message).toMatch(/: is 6291456 KiB, more than the 128 KiB faultline reads/);
    expect(() => readSourceSync(file, 'json')).toThrow(err.message);
  });

  it('deep nesting within the size limit is refused where it passes the depth limit', async () => {
    const deep = `name: x\nlist: ${'['.repeat(60_000)}${']'.repeat(60_000)}\n`;
    const file = await files.write('deep.yaml', deep);
    const err = await refusal(loadRunbookFile(file));
    expect(err.message).toBe(
      `${file}: line 2: nests lists and maps more than 32 deep; faultline refuses that`,
    );

    const json = await files.write('deep.json', `{\n"a":\n${'['.repeat(60_000)}${']'.repeat(60_000)}}`);
    const t = await refusal(importTemplateFile(json, file));
    expect(t.message).toBe(`${json}: line 3: nests lists and maps more than 32 deep; faultline refuses that`);

    const block = await files.write('block.yaml', `${'- '.repeat(40_000)}x\n`);
    expect((await refusal(readSource(block, 'yaml'))).message).toMatch(
      /: line 1: nests lists and maps more than 32 deep/,
    );

    // As deep as the limit is still read.
    const ok = await files.write('ok.yaml', `a: ${'['.repeat(31)}1${']'.repeat(31)}\n`);
    expect((await readSource(ok, 'yaml')).data).toBeDefined();
  });

  it('a map of thousands of keys is read, and a key written twice is still named by its line', async () => {
    const keys = Array.from({ length: 8_000 }, (_, i) => `k${i}: v`);
    const file = await files.write('keys.yaml', [...keys, 'k17: again', ''].join('\n'));
    const err = await refusal(readSource(file, 'yaml'));
    expect(err.message).toBe(`${file}: line 8001, column 1: not valid YAML: Map keys must be unique`);
  });

  it('a second YAML document, a folder, and bytes that are not UTF-8 are one line each', async () => {
    const two = await files.write('two.yaml', 'a: 1\n---\nb: 2\n');
    expect((await refusal(readSource(two, 'yaml'))).message).toBe(
      `${two}: line 2: holds a second YAML document (after ---); faultline reads one per file`,
    );
    const folder = join(files.dir, 'folder.yaml');
    await mkdir(folder);
    expect((await refusal(readSource(folder, 'yaml'))).message).toBe(`${folder}: is a folder, not a file`);
    const latin1 = join(files.dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.from('a: caf\xe9\n', 'latin1'));
    expect((await refusal(readSource(latin1, 'yaml'))).message).toBe(`${latin1}: is not UTF-8 text`);
  });

  describe('a huge value is quoted by its first characters only', () => {
    const huge = 'x'.repeat(BIG);

    it.each<[string, (e: Draft) => void]>([
      ['a duration', (e) => (e.objectives.rto = `PT${huge}`)],
      ['a schedule', (e) => (e.schedule = `cron(${huge})`)],
      ['a kind of value', (e) => (e.fault.emptyTargets = huge)],
      ['an alarm name', (e) => (e.stopConditions = [huge])],
      ['a misspelt field', (e) => (e[huge] = 1)],
      ['a FIS action', (e) => (e.fault.actions.kill.action = `aws:ec2:${huge}`)],
      ['a target name', (e) => (e.fault.targets[huge] = e.fault.targets.web)],
    ])('in an experiment file: %s', async (_, change) => {
      const e = validExperiment();
      change(e);
      const file = await files.write('huge.yaml', stringify(e, { lineWidth: 0 }));
      const err = await refusal(loadExperimentFile(file));
      expect(err).toBeInstanceOf(ExperimentFileError);
      expectOneShortLine(err.message, file);
    });

    it("in a runbook's reference to the event", () => {
      const runbook = {
        name: 'r',
        description: 'd',
        match: { alarm: { name: 'a' } },
        action: {
          automation: { document: 'AWS-RestartEC2Instance', parameters: { Id: `{{alarm.${huge}}}` } },
        },
        verify: { within: 'PT5M', alarms: ['a'] },
      };
      const err = (() => {
        try {
          parseRunbook(plainSource('r.yaml', runbook));
        } catch (e) {
          return e as Error;
        }
      })();
      expectOneShortLine(err!.message, 'r.yaml');
    });

    it("in a FIS template's stop condition", () => {
      const template = {
        description: 'stop the web hosts',
        actions: { stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'web' } } },
        targets: {
          web: { resourceType: 'aws:ec2:instance', resourceTags: { A: 'b' }, selectionMode: 'ALL' },
        },
        // FIS takes 2,048 characters here; the message shows 80 of them.
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: huge.slice(0, 2048) }],
      };
      const side = {
        name: 's',
        service: 'checkout',
        objectives: { rto: 'PT10M' },
        hypothesis: { alarms: ['a'] },
      };
      expect(() => importTemplate(template, side, { template: 't.json' })).toThrow(ExperimentFileError);
      try {
        importTemplate(template, side, { template: 't.json' });
      } catch (e) {
        expectOneShortLine((e as Error).message, 't.json');
        expect((e as Error).message).toContain(`(got '${'x'.repeat(QUOTE_MAX - 1)}…')`);
      }
    });
  });
});
