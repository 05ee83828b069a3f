/** A refusal by the simulated world, with the code the owning AWS service would answer. */
export class WorldError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}
