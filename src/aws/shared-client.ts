/**
 * One client of each service per process (Lambda reuses them across invocations). They take
 * their endpoint, region and credentials from the standard chain: AWS_ENDPOINT_URL points them at
 * the sandbox, nothing else changes. `maxAttempts` leaves retrying of throttling and 5xx to the
 * state machine's Retry (with back-off), apart from the SDK's own quick first retry.
 */
export const clientConfig = { maxAttempts: 2 } as const;

/** Every client made so far, so that one reset forgets them all whichever service modules made them. */
const made = new Map<() => unknown, { destroy?: () => void }>();

/**
 * The process's one client of a service, made on first use. Each service has its own module
 * (fis.ts, ssm.ts, …) so that a Lambda bundle carries only the SDK clients its handler imports.
 */
export function sharedClient<C extends object>(make: () => C): () => C {
  const get = (): C => {
    let existing = made.get(get) as C | undefined;
    if (!existing) {
      existing = make();
      made.set(get, existing);
    }
    return existing;
  };
  return get;
}

/** Forgets the clients (after the environment changed, e.g. a sandbox on another port). */
export function resetClients(): void {
  for (const c of made.values()) c.destroy?.();
  made.clear();
}
