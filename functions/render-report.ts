import { s3Client } from '../src/aws/s3.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { renderReportStep } from '../src/gameday/render-report.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RenderReport',
  gameDayState,
  (state) => renderReportStep(state, liveDeps({ s3: s3Client() })),
  (s) => s.gamedayId,
);
