import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

describe('sandbox server', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
  });
  afterAll(async () => {
    await sb.close();
  });

  it('answers an unsigned request it cannot route with a JSON error and keeps serving', async () => {
    const res = await fetch(`${config.endpoint}/nowhere`, { method: 'POST', body: '{' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownService');
    const again = await fetch(`${config.endpoint}/nowhere`);
    expect(again.status).toBe(400);
  });

  it('routes SDK requests by their SigV4 signing name', async () => {
    const ssm = new SSMClient(config);
    await expect(ssm.send(new GetParameterCommand({ Name: '/x' }))).rejects.toThrow();
  });
});
