import { InvalidInputError } from '../runtime/input-error.ts';

/**
 * The incident or its timeline cannot be reported on as given (an unknown id referenced, a detail
 * that does not match its kind, a time zone that does not exist). Extends InvalidInputError so the
 * state machines do not retry it: the same timeline fails the same way.
 */
export class ReportInputError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}
