import { type Command, InvalidArgumentError } from 'commander';
import { ReportInputError } from '../src/report/errors.ts';
import { zoneFormat } from '../src/report/time-zone.ts';

/**
 * Where the incident commands (report, timeline, incidents, note, approve, reject) read and write
 * timelines: the sandbox state folder by default (opened in-process, then closed), a running
 * sandbox (`--endpoint`), or the table deployed in AWS (`--aws`). The flags only: opening the
 * source is timeline-source.ts, which the commands' actions load.
 */
export interface TimelineSourceFlags {
  stateDir: string;
  endpoint?: string;
  aws: boolean;
  stage: string;
}

export function timelineSourceOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'sandbox state folder to read (the default source)', '.faultline')
    .option('--endpoint <url>', 'use a running sandbox (faultline sandbox) instead of the state folder')
    .option(
      '--aws',
      'use the timeline table in AWS (the stack deployed from serverless.yml), with the usual credential chain',
      false,
    )
    .option('--stage <name>', 'serverless.yml stage, which names the table', 'dev');
}

/** The `--tz` flag: an IANA time zone, checked when the flag is parsed. */
export function timeZoneArgument(value: string): string {
  try {
    return zoneFormat(value).timeZone;
  } catch (e) {
    if (e instanceof ReportInputError) throw new InvalidArgumentError(e.message.replace(/^timeZone /, ''));
    throw e;
  }
}
