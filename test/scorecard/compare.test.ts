import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import { CompareInputError, comparisonOf } from '../../src/scorecard/compare.ts';
import { comparisonCharts, comparisonLines } from '../../src/scorecard/compare-document.ts';
import { instanceKillIncident, instanceKillTimeline } from '../report/fixtures.ts';
import { killAnalysis } from './fixtures.ts';

const off = () => killAnalysis('gd-off', false);
const on = () => analyse(instanceKillIncident(), instanceKillTimeline({ remediation: true }));

describe('faultline compare: two runs of one experiment side by side', () => {
  it('says what changed with remediation on against off, moment by moment', () => {
    const c = comparisonOf(off(), on());
    expect(c).toMatchObject({ service: 'checkout', experiment: 'instance-kill', verdict: 'better' });
    expect(c.a.moments).toMatchObject({ impactStarted: 0, detected: 182, recovered: null });
    expect(c.b.moments).toMatchObject({ impactStarted: 0, detected: 182, recovered: 422 });
    expect(c.b.automation).toContain('fault stopped: yes');
    expect(c.b.automation.some((l) => l.startsWith('remediation unhealthy-hosts: '))).toBe(true);
    const lines = comparisonLines(c, zoneFormat('UTC'));
    expect(lines[1]).toBe(
      'B against A: better: RTO met (7 min 2 s) (was missed (not recovered)); remediations unhealthy-hosts in-progress (was none)',
    );
    expect(lines.find((l) => l.startsWith('RTO (objective)'))).toMatch(
      /^RTO \(objective\) +MISSED not recovered \(10 min\) +met 7 min 2 s \(10 min\) +better$/,
    );
    expect(lines.find((l) => l.startsWith('Recovered'))).toMatch(/^Recovered +– +\+7 min 2 s +–$/);
    // One chart per metric, both runs drawn on each.
    const charts = comparisonCharts(c);
    expect(charts).toHaveLength(4);
    for (const svg of charts) expect(svg.match(/class="series/g)?.length).toBe(2);
  });

  it("gives FIS's reason beside a failed experiment", () => {
    const failed = instanceKillTimeline({ remediation: true }).map((e) => {
      const d = e.detail as { status?: string };
      return e.kind === 'fis.experiment' && d.status === 'completed'
        ? { ...e, detail: { ...d, status: 'failed', reason: 'Action watch (aws:fis:wait) failed: boom.\n' } }
        : e;
    });
    const c = comparisonOf(off(), analyse(instanceKillIncident(), failed));
    expect(c.b.automation[0]).toMatch(
      /^FIS experiment \S+: failed \(Action watch \(aws:fis:wait\) failed: boom\.\)$/,
    );
  });

  it('refuses the same incident twice, an incident that is not a game day, and different experiments', () => {
    expect(() => comparisonOf(on(), on())).toThrow('gd-instance-kill-1 is named twice');
    const other = killAnalysis('gd-other', true, {
      attributes: { ...instanceKillIncident().attributes, experiment: 'az-outage' },
    });
    expect(() => comparisonOf(off(), other)).toThrow(
      'gd-off ran instance-kill on checkout and gd-other ran az-outage on checkout: compare two runs of the same experiment',
    );
    const remediation = killAnalysis('r-1', true, { kind: 'remediation' });
    expect(() => comparisonOf(off(), remediation)).toThrow(CompareInputError);
  });
});
