import type { z } from 'zod';
import { parseFisInput } from '../../../src/fis/wire-input.ts';
import { AwsError } from '../../protocol/types.ts';

export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

export function notFoundError(message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, 404);
}

export function conflictError(message: string): AwsError {
  return new AwsError('ConflictException', message, 409);
}

/** Parses wire input with a zod schema; the first problem becomes one ValidationException naming the field. */
export function parseWire<T extends z.core.$ZodType>(schema: T, input: unknown): z.output<T> {
  const result = parseFisInput(schema, input);
  if (!result.ok) throw validationError(result.problem.fisMessage);
  return result.value;
}
