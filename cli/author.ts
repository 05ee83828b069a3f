import { userInfo } from 'node:os';

/** Who is running the command, for the timeline: the login name, or `unknown`. */
export function defaultAuthor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
