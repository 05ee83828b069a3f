/**
 * How hard a client tries before an error reaches its caller. A Lambda function's clients retry a
 * throttled or failed call a few times with the SDK's back-off (a throttled AWS is a busy AWS, not
 * a failed step), and leave longer outages to the state machine's Retry: five attempts ride out
 * 20 % throttling (a call then fails one time in three thousand) well inside a function's timeout.
 */
export interface ClientConfig {
  maxAttempts: number;
}

export const handlerConfig: ClientConfig = { maxAttempts: 5 };

/**
 * A person's command (the CLI) has no state machine to retry for it: its clients keep trying, so a
 * throttled poll does not end the command while the game day goes on without it (eight attempts at
 * 20 % throttling fail one call in 400,000), yet give up on an endpoint nothing answers at within
 * seconds (the SDK's back-off: at most about 13 s in all).
 */
export const commandConfig: ClientConfig = { maxAttempts: 8 };

/** A service's shared client, and the same service's client for commands (`patient`). */
export interface SharedClient<C> {
  (): C;
  patient: () => C;
}

/** Every client made so far, so that one reset forgets them all whichever service modules made them. */
const made = new Map<unknown, { destroy?: () => void }>();

function once<C extends object>(key: unknown, make: () => C): () => C {
  return () => {
    let existing = made.get(key) as C | undefined;
    if (!existing) {
      existing = make();
      made.set(key, existing);
    }
    return existing;
  };
}

/**
 * The process's one client of a service for handlers, made on first use, and one for commands.
 * They take their endpoint, region and credentials from the standard chain: AWS_ENDPOINT_URL points
 * them at the sandbox, nothing else changes. Each service has its own module (fis.ts, ssm.ts, …)
 * so that a Lambda bundle carries only the SDK clients its handler imports.
 */
export function sharedClient<C extends object>(make: (config: ClientConfig) => C): SharedClient<C> {
  const handlerKey = Symbol('handler');
  const commandKey = Symbol('command');
  const get = once(handlerKey, () => make(handlerConfig)) as SharedClient<C>;
  get.patient = once(commandKey, () => make(commandConfig));
  return get;
}

/** Forgets the clients (after the environment changed, e.g. a sandbox on another port). */
export function resetClients(): void {
  for (const c of made.values()) c.destroy?.();
  made.clear();
}
