import type { TemplateProblem } from './problem.ts';
import { createTemplateInput, templateBodyOf } from './template-input.ts';
import { findTemplateProblem, type TemplateRuleDeps } from './template-rules.ts';
import { parseFisInput } from './wire-input.ts';

/**
 * Whether FIS would refuse this CreateExperimentTemplate request, and why: its wire shape and
 * limits first, then the template rules. What the sandbox's FIS does on create, minus storing.
 */
export function findCreateInputProblem(
  input: unknown,
  deps: TemplateRuleDeps = {},
): TemplateProblem | undefined {
  const parsed = parseFisInput(createTemplateInput, input);
  if (!parsed.ok) return parsed.problem;
  return findTemplateProblem(templateBodyOf(parsed.value), deps);
}
