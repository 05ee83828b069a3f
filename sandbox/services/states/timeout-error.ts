import { StateMachine } from 'aws-local-stepfunctions';

// aws-local-stepfunctions tells States.Timeout apart by its own error class (States.TaskFailed in a
// Retry or Catch must match every error but that one), and it does not export the class. Make the
// interpreter throw one once, on the real timers of module load (1 ms), and keep its prototype, so
// that a timeout measured on the sandbox's virtual clock is the same kind of error to it.
let timeoutPrototype: object | undefined;
new StateMachine(
  {
    StartAt: 'Probe',
    States: {
      Probe: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
        TimeoutSeconds: 0.001,
        End: true,
      },
    },
  },
  { validationOptions: { noValidate: true } },
)
  .run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<never>(() => {}) } } })
  .result.catch((e: { cause?: unknown }) => {
    if (e.cause instanceof Error && e.cause.name === 'States.Timeout') {
      timeoutPrototype = Object.getPrototypeOf(e.cause) as object;
    }
  });

/** The error a Task state fails with when its TimeoutSeconds have passed: `States.Timeout`. */
export function statesTimeout(message: string): Error {
  const e = Object.assign(new Error(message), { name: 'States.Timeout', retryable: true, catchable: true });
  if (timeoutPrototype) Object.setPrototypeOf(e, timeoutPrototype);
  return e;
}
