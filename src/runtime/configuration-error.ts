/** A required setting is missing from the function's environment (a deployment mistake, not retried). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
