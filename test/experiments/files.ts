import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const EXPERIMENTS = fileURLToPath(new URL('../../experiments/', import.meta.url));
export const SHIPPED = ['az-outage', 'instance-kill'] as const;

export function shippedFile(name: (typeof SHIPPED)[number]): string {
  return join(EXPERIMENTS, `${name}.yaml`);
}

/** A temporary folder for small files, removed by `cleanup`. */
export async function scratch(): Promise<{
  dir: string;
  write: (name: string, text: string) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-experiments-'));
  return {
    dir,
    write: async (name, text) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A file's content as a test reshapes it: freely, wrong types included. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to write what the schema refuses
export type Draft = Record<string, any>;

/** A small valid experiment file's content, as an object to change before writing it out. */
export function validExperiment(): Draft {
  return {
    name: 'kill-one',
    description: 'Terminate one instance.',
    service: 'checkout',
    objectives: { rto: 'PT10M' },
    hypothesis: { alarms: ['checkout-5xx-rate'] },
    fault: {
      targets: {
        web: { type: 'aws:ec2:instance', tags: { Service: 'checkout' }, select: 'COUNT(1)' },
      },
      actions: {
        kill: { action: 'aws:ec2:terminate-instances', targets: { Instances: 'web' } },
      },
    },
    stopConditions: ['checkout-availability-critical'],
  };
}

export async function shippedObject(name: (typeof SHIPPED)[number]): Promise<Record<string, unknown>> {
  return parse(await readFile(shippedFile(name), 'utf8'));
}

/** A billion-laughs YAML file: nine values, each alias nine copies of the one before (9^9 once expanded). */
export function aliasBomb(): string {
  const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [i, c] of [...'bcdefghi'].entries()) {
    lines.push(`${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A FIS template as the library keeps one (stop condition `none`) with an action of FIS's catalog
 * the sandbox does not model, and a side file for it.
 */
export function volumeLatency(): { template: Draft; side: Draft } {
  return {
    template: {
      description: 'Slow down the volumes',
      roleArn: 'arn:aws:iam::<YOUR AWS ACCOUNT>:role/<YOUR ROLE NAME>',
      targets: {
        volumes: {
          resourceType: 'aws:ec2:ebs-volume',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        slow: {
          actionId: 'aws:ebs:volume-io-latency',
          parameters: { duration: 'PT5M' },
          targets: { Volumes: 'volumes' },
        },
      },
      stopConditions: [{ source: 'none' }],
    },
    side: { objectives: { rto: 'PT10M' }, hypothesis: { alarms: ['checkout-5xx-rate'] } },
  };
}
