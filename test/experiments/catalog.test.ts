import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SANDBOX_ACTION_IDS, SANDBOX_RESOURCE_TYPES } from '../../sandbox/services/fis/support.ts';
import { CATALOG, type ValueFormat } from '../../src/fis/catalog.ts';
import { catalogFile, catalogText } from '../../src/fis/catalog-file.ts';
import { valueProblem } from '../../src/fis/parameter-format.ts';
import { parseIsoDuration } from '../../src/time/duration.ts';
import * as z from '../../src/zod.ts';

const CATALOG_FILE = new URL('../../src/fis/catalog.json', import.meta.url);

describe("FIS's catalog (src/fis/catalog.json)", () => {
  it('is a well-formed snapshot with its date and source, written as the refresh writes it', async () => {
    const text = await readFile(CATALOG_FILE, 'utf8');
    const parsed = z.safeParse(catalogFile, JSON.parse(text));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(CATALOG.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(CATALOG.source).toMatch(/FIS/);
    expect(catalogText(CATALOG)).toBe(text);
  });

  it('holds the whole catalog: every service FIS injects faults into', () => {
    const services = new Set(Object.keys(CATALOG.actions).map((id) => id.split(':')[1]));
    expect([...services].sort()).toEqual([
      'arc',
      'cloudwatch',
      'directconnect',
      'dsql',
      'dynamodb',
      'ebs',
      'ec2',
      'ecs',
      'eks',
      'elasticache',
      'fis',
      'kinesis',
      'lambda',
      'memorydb',
      'network',
      'rds',
      's3',
      'ssm',
    ]);
    expect(Object.keys(CATALOG.actions).length).toBeGreaterThanOrEqual(50);
  });

  it("is consistent: every action's target keys name a resource type it has, every dependency a parameter", () => {
    for (const [id, action] of Object.entries(CATALOG.actions)) {
      for (const type of Object.values(action.targets)) {
        expect(CATALOG.resourceTypes[type], `${id} targets ${type}`).toBeDefined();
      }
      for (const [name, p] of Object.entries(action.parameters)) {
        if (p.requiredWith)
          expect(action.parameters[p.requiredWith.parameter], `${id}.${name}`).toBeDefined();
        if (p.format?.kind === 'duration') {
          for (const bound of [p.format.min, p.format.max]) {
            if (bound !== undefined) expect(parseIsoDuration(bound), `${id}.${name}`).toBeDefined();
          }
        }
      }
      if (action.replacedBy) expect(CATALOG.actions[action.replacedBy]).toBeDefined();
    }
  });

  it('has every action and resource type the sandbox runs, and the sandbox resolves every target of each action it runs', () => {
    for (const id of SANDBOX_ACTION_IDS) expect(CATALOG.actions[id], id).toBeDefined();
    for (const type of SANDBOX_RESOURCE_TYPES) expect(CATALOG.resourceTypes[type], type).toBeDefined();
    for (const id of SANDBOX_ACTION_IDS) {
      for (const type of Object.values(CATALOG.actions[id]!.targets))
        expect(SANDBOX_RESOURCE_TYPES, `${id} targets ${type}`).toContain(type);
    }
  });
});

describe('parameter value formats', () => {
  const cases: [string, ValueFormat, string, string | undefined][] = [
    ['a duration in bounds', { kind: 'duration', min: 'PT1M', max: 'PT12H' }, 'PT180M', undefined],
    [
      'a duration over the bound',
      { kind: 'duration', min: 'PT1M', max: 'PT12H' },
      'PT13H',
      "must be between PT1M and PT12H (got 'PT13H')",
    ],
    [
      'a duration under a lone minimum',
      { kind: 'duration', min: 'PT10M' },
      'PT5M',
      "must be at least PT10M (got 'PT5M')",
    ],
    ['seconds where seconds are allowed', { kind: 'duration', min: 'PT1S', max: 'PT12H' }, 'PT5S', undefined],
    [
      'text that is no duration',
      { kind: 'duration', max: 'PT12H' },
      '5 minutes',
      "must be an ISO 8601 duration such as PT5M (got '5 minutes')",
    ],
    ['a percentage', { kind: 'integer', min: 1, max: 100 }, '100', undefined],
    [
      'a percentage of 0',
      { kind: 'integer', min: 1, max: 100 },
      '0',
      "must be a whole number from 1 to 100 (got '0')",
    ],
    [
      'a fraction where a whole number is needed',
      { kind: 'integer', min: 1, max: 100 },
      '2.5',
      "must be a whole number from 1 to 100 (got '2.5')",
    ],
    ['a fractional percentage', { kind: 'number', min: 0.1, max: 100 }, '0.5', undefined],
    ['True for a boolean', { kind: 'boolean' }, 'True', undefined],
    ['yes for a boolean', { kind: 'boolean' }, 'yes', "must be true or false (got 'yes')"],
    [
      'a value outside an enumeration',
      { kind: 'enum', values: ['tcp', 'udp'] },
      'icmp',
      "must be one of tcp, udp (got 'icmp')",
    ],
    [
      'a list item outside its enumeration',
      { kind: 'list', item: { kind: 'enum', values: ['OK', 'ALARM'] } },
      'OK,BROKEN',
      "has an item that is not valid: 'BROKEN' must be one of OK, ALARM",
    ],
    [
      'a list that is too long',
      { kind: 'list', max: 2 },
      'a,b,c',
      'takes at most 2 comma-separated items (got 3)',
    ],
    ['JSON', { kind: 'json' }, '{"mode":"one"}', undefined],
    ['broken JSON', { kind: 'json' }, '{mode', "must be JSON (got '{mode')"],
    [
      'document parameters with a number',
      { kind: 'document-parameters' },
      '{"Duration":600}',
      "must map each name to a string or an array of strings ('Duration' is not)",
    ],
    [
      'an AWS-owned SSM document',
      { kind: 'arn', service: 'ssm', resource: 'document/', noun: 'an SSM document' },
      'arn:aws:ssm:us-east-1::document/AWS-RunShellScript',
      undefined,
    ],
    [
      'a document name where its ARN is needed',
      { kind: 'arn', service: 'ssm', resource: 'document/', noun: 'an SSM document' },
      'AWS-RunShellScript',
      "must be the ARN of an SSM document (got 'AWS-RunShellScript')",
    ],
  ];

  it.each(cases)('%s', (_case, format, value, problem) => {
    expect(valueProblem(format, value)).toBe(problem);
  });
});
