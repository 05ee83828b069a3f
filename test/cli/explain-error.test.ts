import { describe, expect, it } from 'vitest';
import { explainError } from '../../cli/explain-error.ts';
import { TransientAwsError } from '../../src/aws/errors.ts';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

describe('explainError', () => {
  const endpoint = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };

  it('says that no sandbox answers at the endpoint, however deep the refusal is wrapped', () => {
    const wrapped = new TransientAwsError('list incidents: Error: connect ECONNREFUSED 127.0.0.1:4566', {
      cause: refused(),
    });
    // Node tries each address of `localhost` and reports them together.
    const aggregate = Object.assign(new AggregateError([refused(), refused()], ''), { code: 'ECONNREFUSED' });
    for (const e of [refused(), wrapped, aggregate]) {
      expect(explainError(e, endpoint)).toEqual({
        message:
          'no sandbox answers at http://127.0.0.1:4566: start one (faultline sandbox) and pass the --endpoint it prints, or check the port',
        usage: false,
      });
    }
  });

  it('says how to set a region when the SDK finds none, as a setting to change (exit 2)', () => {
    expect(explainError(new Error('Region is missing'), {})).toEqual({
      message:
        'no AWS region is set: export AWS_REGION=<region> (e.g. eu-west-1), or set region in your AWS profile (aws configure)',
      usage: true,
    });
  });

  it('leaves other errors, and a refusal with no endpoint to name, as they are', () => {
    expect(explainError(new Error('AccessDeniedException'), endpoint)).toBeUndefined();
    expect(explainError(refused(), {})).toBeUndefined();
    expect(explainError('not an error', endpoint)).toBeUndefined();
  });
});
