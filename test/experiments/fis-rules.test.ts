import { describe, expect, it } from 'vitest';
import { findCreateInputProblem } from '../../src/fis/check-create-input.ts';
import type { TemplateBody } from '../../src/fis/template.ts';
import { findTemplateProblem } from '../../src/fis/template-rules.ts';

const ROLE = 'arn:aws:iam::123456789012:role/fis';
const ALARM = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate';

function body(overrides: Partial<TemplateBody> = {}): TemplateBody {
  return {
    description: 'd',
    roleArn: ROLE,
    stopConditions: [{ source: 'aws:cloudwatch:alarm', value: ALARM }],
    targets: {
      web: { resourceType: 'aws:ec2:instance', resourceTags: { Service: 'checkout' }, selectionMode: 'ALL' },
    },
    actions: { stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'web' } } },
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
    ...overrides,
  };
}

describe('the shared FIS template rules (src/fis)', () => {
  it('find nothing wrong with a good template, and look alarms up only when told how', () => {
    expect(findTemplateProblem(body())).toBeUndefined();
    expect(findTemplateProblem(body(), { alarmExists: (arn) => arn === ALARM })).toBeUndefined();
    expect(findTemplateProblem(body(), { alarmExists: () => false })).toEqual({
      path: ['stopConditions', 0, 'value'],
      detail: `the CloudWatch alarm ${ALARM} does not exist`,
      fisMessage: `'stopConditions[0].value': the CloudWatch alarm ${ALARM} does not exist`,
      kind: 'rule',
    });
  });

  it('name the member as a path, with the words FIS uses', () => {
    const problem = findTemplateProblem(
      body({ actions: { stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'db' } } } }),
    );
    expect(problem).toEqual({
      path: ['actions', 'stop', 'targets', 'Instances'],
      detail: "names target 'db', which is not defined in 'targets'",
      fisMessage: "'actions.stop.targets.Instances' names target 'db', which is not defined in 'targets'",
      kind: 'rule',
    });
  });

  it('check the wire shape and limits of a CreateExperimentTemplate request before the rules', () => {
    const request = {
      clientToken: 't',
      ...body(),
      targets: {
        web: {
          resourceType: 'aws:ec2:instance',
          resourceTags: { Service: 'checkout' },
          filters: [{ path: 'State.Name', values: [] }],
          selectionMode: 'ALL',
        },
      },
    };
    expect(findCreateInputProblem(request)?.fisMessage).toBe(
      "Invalid value for 'targets.web.filters[0].values': must list at least one value",
    );
    expect(findCreateInputProblem({ ...request, clientToken: undefined })?.fisMessage).toBe(
      "'clientToken' is required",
    );
    expect(findCreateInputProblem({ clientToken: 't', ...body() })).toBeUndefined();
  });
});
