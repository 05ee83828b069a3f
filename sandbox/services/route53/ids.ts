import { createHash } from 'node:crypto';

/**
 * Route 53's identifiers, derived from what makes each resource unique (a caller reference is
 * never reused, a change has a sequence number) so that the same calls give the same ids on
 * every run and after a restart.
 */

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function alphanumeric(text: string, length: number): string {
  const bytes = digest(text);
  let out = '';
  for (let i = 0; i < length; i++) out += ID_ALPHABET[bytes[i]! % ID_ALPHABET.length];
  return out;
}

/** `Z0…`, 21 characters, like the ids Route 53 gives hosted zones today. */
export function hostedZoneId(callerReference: string): string {
  return `Z0${alphanumeric(`hostedzone\n${callerReference}`, 19)}`;
}

export function changeId(sequence: number): string {
  return `C0${alphanumeric(`change\n${sequence}`, 19)}`;
}

/** Health checks are identified by UUIDs. */
export function healthCheckId(callerReference: string): string {
  const hex = digest(`healthcheck\n${callerReference}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The four name servers of a delegation set, one per top-level domain as Route 53 assigns them. */
export function nameServers(zoneId: string): string[] {
  const bytes = digest(`nameservers\n${zoneId}`);
  const tlds = ['com', 'net', 'org', 'co.uk'];
  return tlds.map((tld, i) => {
    const server = bytes.readUInt16BE(i * 2) % 2048;
    return `ns-${server}.awsdns-${String(server % 64).padStart(2, '0')}.${tld}`;
  });
}

/** The SDK strips `/hostedzone/` and `/change/` itself; a hand-made request may still carry them. */
export function stripPrefix(id: string, kind: 'hostedzone' | 'change'): string {
  return id.startsWith(`/${kind}/`) ? id.slice(kind.length + 2) : id;
}
