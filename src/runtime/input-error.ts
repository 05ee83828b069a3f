/**
 * The event did not match what the handler expects. Not retried by the state machines (only
 * TransientAwsError is): a malformed input stays malformed. A module of its own so that code that
 * only checks input (the CLI's flag parsers) does not load the handler wrapper.
 */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
