import type { TemplateProblem } from '../fis/problem.ts';

/**
 * faultline's words for a reason FIS would refuse the template an experiment compiles to. Most
 * read the same as FIS's; a value FIS takes but faultline has nothing to run it with (an SSM
 * document other than FIS's own kill-process one) is said to be faultline's limit, where the
 * emulated FIS says it cannot find it.
 */
export function faultlineDetail(problem: TemplateProblem): string {
  const u = problem.unavailable;
  if (!u) return problem.detail;
  return `names ${u.name}, which faultline cannot run; supported documents: ${u.available.join(', ')}`;
}
