import { liveDeps } from '../src/gameday/deps.ts';
import { renderReportStep } from '../src/gameday/render-report.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RenderReport',
  gameDayState,
  (state) => renderReportStep(state, liveDeps()),
  (s) => s.gamedayId,
);
