import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SANDBOX_RUNTIME } from '../../sandbox/services/fis/support.ts';
import { compileTemplate } from '../../src/experiments/compile.ts';
import { ExperimentFileError, ExperimentProblems } from '../../src/experiments/errors.ts';
import { importTemplate } from '../../src/experiments/import-template.ts';
import { findCreateInputProblem } from '../../src/fis/check-create-input.ts';

/**
 * aws-samples/fis-template-library (MIT-0; LICENSE and SOURCE.md beside the copy): its 23
 * experiment templates, copied from the workplace's ../shared/fis-template-library into
 * test/fixtures so that the test needs nothing outside the repository. Their placeholders
 * (`<YOUR AWS ACCOUNT>`, `{{ aws:region }}`, …) are filled in here the way a user would.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIBRARY = join(ROOT, 'test/fixtures/fis-template-library');
const SHARED = join(ROOT, '../shared/fis-template-library');

const PLACEHOLDER = /<[^<>"]+>|\{\{[^{}"]+\}\}|\$\{[^{}"]+\}/g;

/** A value for a placeholder, by what its name says it is. */
function fill(placeholder: string): string {
  const name = placeholder.replace(/^[<{$]+|[>}]+$/g, '').trim();
  if (/account/i.test(name)) return '123456789012';
  if (/availability zone|\baz\b/i.test(name)) return 'us-east-1a';
  if (/region/i.test(name)) return 'us-east-1';
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function templatesIn(dir: string): Promise<{ name: string; text: string }[]> {
  const found: { name: string; text: string }[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(join(dir, entry.name))).sort()) {
      if (!file.endsWith('.json')) continue;
      const text = await readFile(join(dir, entry.name, file), 'utf8');
      if (text.includes('"stopConditions"')) found.push({ name: `${entry.name}/${file}`, text });
    }
  }
  return found;
}

/** What every template gets as its side file: a service, one alarm, an RTO. */
const SIDE = {
  service: 'library',
  objectives: { rto: 'PT15M' },
  hypothesis: { alarms: ['library-availability'] },
};

const templates = await templatesIn(LIBRARY);

describe('the FIS template library (aws-samples/fis-template-library)', () => {
  it('is all here: 23 templates, with the LICENSE they come under', async () => {
    expect(templates).toHaveLength(23);
    expect(await readFile(join(LIBRARY, 'LICENSE'), 'utf8')).toMatch(/^MIT No Attribution/);
  });

  it.skipIf(!existsSync(SHARED))('is the same as the workplace copy it was taken from', async () => {
    expect(await templatesIn(SHARED)).toEqual(templates);
  });

  it.each(templates.map((t) => [t.name, t.text]))(
    'validates %s for AWS, placeholders filled',
    (name, text) => {
      const filled = text.replace(PLACEHOLDER, fill);
      expect(filled.match(PLACEHOLDER)).toBeNull();
      const spec = importTemplate(JSON.parse(filled), SIDE, { template: name });
      // Every template of the library says `none`: the hypothesis's alarm stops the fault.
      expect(spec.stopConditions).toEqual(['library-availability']);
      expect(spec.imported?.stopConditionsFrom).toBe('hypothesis');
      const input = compileTemplate(spec, {
        region: 'us-east-1',
        accountId: '123456789012',
        roleArn: 'arn:aws:iam::123456789012:role/faultline-fis',
      });
      expect(findCreateInputProblem(input)).toBeUndefined();
      expect(Object.keys(input.actions ?? {}).sort()).toEqual(Object.keys(JSON.parse(filled).actions).sort());
    },
  );

  it('runs in the sandbox what the sandbox models, and refuses the rest in lines that say it runs on AWS', () => {
    const verdicts = templates.map(({ name, text }) => {
      try {
        importTemplate(
          JSON.parse(text.replace(PLACEHOLDER, fill)),
          SIDE,
          { template: name },
          { runtime: SANDBOX_RUNTIME },
        );
        return { name, accepted: true, problems: [] as string[] };
      } catch (e) {
        if (!(e instanceof ExperimentFileError)) throw e;
        const problems = e instanceof ExperimentProblems ? e.problems : [e];
        return { name, accepted: false, problems: problems.map((p) => p.detail) };
      }
    });
    const refused = verdicts.filter((v) => !v.accepted);
    for (const v of refused) {
      for (const problem of v.problems)
        expect(problem, v.name).toMatch(/it runs on AWS|the sandbox cannot run|runs on AWS/);
    }
    expect(verdicts.filter((v) => v.accepted).map((v) => v.name)).toEqual([
      'aurora-cluster-failover/aurora-cluster-failover-template.json',
      'ec2-instances-terminate/ec2-instances-terminate-template.json',
      'ec2-spot-interruption/ec2-spot-interruption-template.json',
      'sap-ebs-pause-database-data/sap-ebs-pause-database-data-template.json',
      'sap-ec2-instance-stop-ascs/sap-ec2-instance-stop-sap-ascs-template.json',
      'sap-ec2-instance-stop-database/sap-ec2-instance-stop-sap-database-template.json',
    ]);
  });
});
