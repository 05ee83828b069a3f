import { Command } from 'commander';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR, RUNBOOKS_DIR } from '../options.ts';

export interface ValidateFlags {
  template: string[];
  spec: string[];
  world?: string;
  endpoint?: string;
  aws: boolean;
  alarmCheck: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function validateCommand(io: Io): Command {
  return new Command('validate')
    .description(
      'Check experiment and runbook files as faultline checks them before it uses them: the schema, what FIS would refuse, the guardrails, and that the alarms exist.',
    )
    .argument(
      '[files...]',
      `experiment or runbook files, or folders of them (default: every .yaml file in ${EXPERIMENTS_DIR}/ and ${RUNBOOKS_DIR}/)`,
    )
    .option(
      '--template <file>',
      'an existing FIS experiment template (JSON) to check; repeatable',
      collect,
      [],
    )
    .option(
      '--spec <file>',
      'the side file (YAML) of each --template, in the same order (none at all: inferred from the templates)',
      collect,
      [],
    )
    .option('--world <file>', 'check alarms against this sandbox world (default: the shipped checkout world)')
    .option(
      '--endpoint <url>',
      'check alarms against the CloudWatch of a running sandbox (faultline sandbox)',
    )
    .option(
      '--aws',
      "check for AWS: FIS's whole catalog, and the alarms in CloudWatch (usual credential chain and region)",
      false,
    )
    .option(
      '--no-alarm-check',
      'do not check that the alarms exist (the rules only, offline; with --aws, for AWS)',
    )
    .addHelpText(
      'after',
      `
Examples:
  faultline validate                                     # every file in ${EXPERIMENTS_DIR}/ and ${RUNBOOKS_DIR}/
  faultline validate experiments/az-outage.yaml
  faultline validate ${RUNBOOKS_DIR}/                           # a folder of runbooks
  faultline validate --template fis-template.json --spec side.yaml
  faultline validate experiments/*.yaml --aws            # alarms as they are in your account
  faultline validate --template t.json --aws --no-alarm-check   # FIS's rules for AWS, offline

Each file is checked as a runbook or an experiment by the fields it has (a runbook's match,
action and verify), wherever it is. Without --aws an experiment is checked for the sandbox, whose
FIS models part of FIS's catalog.
Prints one line per file: "ok  <file>  (…)", then what was inferred of a template, or its problems.
Exit status: 0 every file is valid; 2 a file is not (or bad flags); 1 the alarms could not be read.`,
    )
    .action(async (files: string[], flags: ValidateFlags) =>
      (await import('../actions/validate.ts')).validateAction(files, flags, io),
    );
}
