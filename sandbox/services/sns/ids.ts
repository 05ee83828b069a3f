import { createHash } from 'node:crypto';

/** A UUID derived from a purpose and a sequence number, so runs with the same calls get the same ids. */
export function sequencedUuid(purpose: string, sequence: number): string {
  const hex = createHash('sha256').update(`${purpose}\n${sequence}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
