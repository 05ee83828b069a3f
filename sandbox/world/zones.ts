/** `use1-az1` for `us-east-1a`: AZ ids abbreviate the region and number the zones. */
export function zoneId(region: string, az: string): string {
  const parts = region.split('-');
  const short = `${parts[0]}${parts
    .slice(1, -1)
    .map((p) => p[0])
    .join('')}${parts[parts.length - 1]}`;
  const letter = az.slice(region.length);
  return `${short}-az${letter.charCodeAt(0) - 'a'.charCodeAt(0) + 1}`;
}

/** Whether `identifier` names `az`, by its name (`us-east-1a`) or its id (`use1-az1`), as FIS takes either. */
export function namesZone(region: string, az: string, identifier: string): boolean {
  return identifier === az || identifier === zoneId(region, az);
}
