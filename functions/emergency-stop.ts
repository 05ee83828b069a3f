import { fisClient } from '../src/aws/fis.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { emergencyStop, emergencyStopInput } from '../src/gameday/emergency-stop.ts';
import { taskHandler } from '../src/runtime/handler.ts';

// A lenient schema: the fault is stopped even when the rest of the state document is malformed.
export const handler = taskHandler(
  'EmergencyStop',
  emergencyStopInput,
  (state) => emergencyStop(state, liveDeps({ fis: fisClient() })),
  (s) => s.gamedayId,
);
