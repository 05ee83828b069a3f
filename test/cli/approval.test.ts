import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { approvalIds } from '../../src/timeline/approvals.ts';
import type { TimelineStore } from '../../src/timeline/store.ts';
import { type ApprovalTestbed, approvalTestbed } from '../helpers/approval.ts';
import { type RunningSandbox, runCli, startSandboxProcess } from '../helpers/cli.ts';

/**
 * `faultline approve|reject` against `faultline sandbox` running as its own process: a small state
 * machine waits for a task token, the test records the approval request on an incident's timeline
 * (as the remediation flow does), and the CLI answers it through --endpoint.
 */
describe('faultline approve | reject', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let sfn: SFNClient;
  let store: TimelineStore;
  let waitingApproval: ApprovalTestbed['waitingApproval'];
  const cli = (...args: string[]) => runCli([...args, '--endpoint', sandbox.endpoint, '--author', 'alice']);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-approval-'));
    sandbox = await startSandboxProcess(['--port', '0', '--state-dir', dir], PROJECT_DIR);
    ({ sfn, store, waitingApproval } = await approvalTestbed(sandbox.endpoint));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let i = 0; i < 200; i++) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
    }
    throw new Error(`${executionArn} is still running`);
  }

  it('approve answers the waiting task, the flow goes on, and the timeline says who approved', async () => {
    const { executionArn, taskToken } = await waitingApproval('rem-approve');
    const r = await cli('approve', 'rem-approve', '--note', 'secondary is warm');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Approved Route 53 failover to secondary \(runbook dns-failover\) on rem-approve as alice at \S+Z\.\n$/,
    );
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      approval: { approved: true, by: 'alice', note: 'secondary is warm' },
      outcome: 'acted',
    });
    const given = await store.findEvent('rem-approve', approvalIds.answer(taskToken));
    expect(given).toMatchObject({
      kind: 'approval.given',
      source: 'approval',
      detail: { by: 'alice', note: 'secondary is warm', runbook: 'dns-failover' },
    });
    // Answered on the sandbox's clock (virtual time from 09:00 on its first day), not this machine's.
    expect(given!.occurredAt).toMatch(/^2026-01-05T09:0\d:/);

    // A second answer finds nothing waiting and changes nothing.
    const again = await cli('reject', 'rem-approve');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/nothing to reject: .* was already answered at .*alice approved/);
  });

  it('reject fails the waiting task with ApprovalRejected, which the flow catches, and records the reason', async () => {
    const { executionArn, taskToken } = await waitingApproval('rem-reject');
    const r = await cli('reject', 'rem-reject', '--reason', 'peak traffic');
    expect(r.code).toBe(0);
    const done = await settled(executionArn);
    expect(JSON.parse(done.output!)).toEqual({
      rejection: { Error: 'ApprovalRejected', Cause: 'rejected by alice: peak traffic' },
      outcome: 'held',
    });
    expect(await store.findEvent('rem-reject', approvalIds.answer(taskToken))).toMatchObject({
      kind: 'approval.rejected',
      detail: { by: 'alice', reason: 'peak traffic' },
    });
  });

  it('says clearly when there is nothing to answer', async () => {
    const unknown = await cli('approve', 'no-such-incident');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no incident 'no-such-incident'");

    await store.openIncident({
      incidentId: 'rem-quiet',
      kind: 'remediation',
      title: 'nothing asked',
      service: 'checkout',
      openedAt: '2026-01-05T09:00:00.000Z',
      attributes: {},
    });
    const none = await cli('approve', 'rem-quiet');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("nothing to approve: no approval was requested on incident 'rem-quiet'");

    // The execution is gone (stopped): its token no longer answers, and nothing is recorded.
    const { executionArn, taskToken } = await waitingApproval('rem-gone');
    await sfn.send(new StopExecutionCommand({ executionArn }));
    const gone = await cli('approve', 'rem-gone');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no longer waits: it expired at 2026-01-05T10:12:30.000Z/);
    expect(await store.findEvent('rem-gone', approvalIds.answer(taskToken))).toBeUndefined();
  });

  it('refuses to answer from the state folder, and says where the approval waits', async () => {
    const running = await runCli(['approve', 'rem-approve', '--state-dir', dir]);
    expect(running.code).toBe(2);
    expect(running.stderr).toContain(`a faultline sandbox is running on ${dir}`);
    expect(running.stderr).toContain('--endpoint');
    const stopped = await runCli(['approve', 'rem-approve', '--state-dir', join(dir, 'nothing-here')]);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('no faultline sandbox is running on');
  });
});
