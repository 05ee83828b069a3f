/**
 * A game day's id: the experiment's name and the minute it starts (UTC), e.g.
 * `az-outage-20260105T0900Z`. It names the Step Functions execution (which refuses a second
 * execution of that name), the incident and the FIS client token, so starting the same game day
 * twice in the same minute is one game day, not two.
 */
export function gameDayId(experimentName: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `${experimentName}-${stamp}Z`;
}
