/**
 * A game day's id: the experiment's name and the minute it starts (UTC), e.g.
 * `az-outage-20260105T0900Z`. It names the Step Functions execution (which refuses a second
 * execution of that name), the incident and the FIS client token, so starting the same game day
 * twice in the same minute is one game day, not two. A clock that went back (a sandbox whose state
 * was lost) can propose an id an earlier run already has: its first step then takes the next
 * candidate (ownIncidentId), never the earlier run's incident.
 */
export function gameDayId(experimentName: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `${experimentName}-${stamp}Z`;
}

/** Ids are Step Functions execution names: at most 80 characters. */
const MAX_ID = 80;

/**
 * The `n`th candidate for a game day whose id is already another run's incident: `id`, `id-2`,
 * `id-3`, … (cut to fit 80 characters).
 */
export function gameDayIdCandidate(id: string, n: number): string {
  if (n <= 1) return id;
  const suffix = `-${n}`;
  return `${id.slice(0, MAX_ID - suffix.length)}${suffix}`;
}
