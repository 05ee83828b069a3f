import type { SFNClient } from '@aws-sdk/client-sfn';

/** The time in the Date header of the client's latest response: the sandbox's virtual time, or AWS's. */
export function watchServiceTime(sfn: SFNClient): () => Date | undefined {
  let seen: Date | undefined;
  sfn.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const date = (out.response as { headers?: Record<string, string> }).headers?.date;
      if (date && !Number.isNaN(Date.parse(date))) seen = new Date(date);
      return out;
    },
    { step: 'deserialize', name: 'faultlineServiceTime', override: true },
  );
  return () => seen;
}
