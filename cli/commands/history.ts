import { compareCommand } from './compare.ts';
import { scorecardCommand } from './scorecard.ts';

/** The commands that read across game days, in the order `faultline --help` lists them. */
export const historyCommands = [scorecardCommand, compareCommand];
