import { fisClient } from '../src/aws/fis.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { ensureTemplateStep } from '../src/gameday/ensure-template.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'EnsureTemplate',
  gameDayState,
  (state) => ensureTemplateStep(state, liveDeps({ fis: fisClient() })),
  (s) => s.gamedayId,
);
