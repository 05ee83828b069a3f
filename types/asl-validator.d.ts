declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { message?: string; path?: string; [k: string]: unknown }[];
  }
  export default function aslValidator(
    definition: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): AslValidationResult;
}
