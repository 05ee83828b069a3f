import { describe, expect, it } from 'vitest';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { alarmsFromList } from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { parseExperiment } from '../../src/experiments/load.ts';
import { findUnknownAlarm } from '../../src/experiments/rules.ts';
import { parseSource } from '../../src/experiments/source.ts';
import { fileKind } from '../../src/input/file-kind.ts';
import { starterText } from '../../src/input/starters.ts';
import { parseRunbook } from '../../src/runbooks/parse.ts';

describe('faultline init starting files', () => {
  it('writes an experiment that is valid as it is, alarms included, and reads as an experiment', async () => {
    const source = parseSource('reboot-one.yaml', starterText('experiment', 'reboot-one'), 'yaml');
    expect(fileKind(source.data)).toBe('experiment');
    const spec = parseExperiment(source, { runtime: SANDBOX_RUNTIME });
    expect(spec.name).toBe('reboot-one');
    const world = await loadWorldFile(undefined);
    const alarms = alarmsFromList(
      world.alarms.map((a) => a.AlarmName),
      'in the sandbox world',
    );
    expect(await findUnknownAlarm(spec, alarms)).toBeUndefined();
  });

  it('shows how to chart extra metrics, in an example that is valid once uncommented', () => {
    const text = starterText('experiment', 'reboot-one');
    const at = text.indexOf('# metrics:\n');
    expect(at).toBeGreaterThan(-1);
    const spec = parseExperiment(
      parseSource('x.yaml', text.slice(0, at) + text.slice(at).replace(/^# /gm, ''), 'yaml'),
      { runtime: SANDBOX_RUNTIME },
    );
    expect(spec.metrics?.extra?.map((m) => [m.name, m.metric])).toEqual([
      ['payments-tasks', 'RunningTaskCount'],
    ]);
  });

  it('writes a runbook that is valid as it is, dry run until trusted, and reads as a runbook', () => {
    const source = parseSource('restart-web.yaml', starterText('runbook', 'restart-web'), 'yaml');
    expect(fileKind(source.data)).toBe('runbook');
    expect(parseRunbook(source)).toMatchObject({ name: 'restart-web', dryRun: true });
  });

  it('leaves the name to the schema to judge', () => {
    const source = parseSource('x.yaml', starterText('runbook', 'Bad_Name'), 'yaml');
    expect(() => parseRunbook(source)).toThrow(ExperimentFileError);
    expect(() => parseRunbook(source)).toThrow(/name: must be lower-case letters/);
  });
});
