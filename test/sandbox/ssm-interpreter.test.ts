import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../sandbox/services/ssm/actions.ts';
import { readCustomerDocument } from '../../sandbox/services/ssm/customer-documents.ts';
import {
  interpolate,
  resolveParameterReferences,
  type ValueType,
} from '../../sandbox/services/ssm/interpreter.ts';

const ctx: StepContext = {
  params: { Ids: ['i-1', 'i-2'], Count: ['3'], Force: ['true'], Tags: ['{"a":"b"}'] },
  outputs: { 'Find.Zone': ['us-east-1a'] },
  variables: { 'automation:EXECUTION_ID': 'exec-1', 'global:REGION': 'us-east-1' },
};
const types = new Map<string, ValueType>([
  ['Ids', 'StringList'],
  ['Count', 'Integer'],
  ['Force', 'Boolean'],
  ['Tags', 'StringMap'],
  ['Find.Zone', 'String'],
]);

describe("a customer's Automation inputs", () => {
  it('keep the type of a placeholder alone and write one inside text', () => {
    expect(
      interpolate(
        {
          InstanceIds: '{{ Ids }}',
          MaxCount: '{{Count}}',
          Force: '{{ Force }}',
          Tags: '{{ Tags }}',
          Name: 'run-{{ automation:EXECUTION_ID }}-{{ Find.Zone }}-{{ global:REGION }}',
          List: ['{{ Find.Zone }}', 'x'],
          Joined: 'ids={{ Ids }}',
          Kept: 7,
        },
        ctx,
        types,
      ),
    ).toEqual({
      InstanceIds: ['i-1', 'i-2'],
      MaxCount: 3,
      Force: true,
      Tags: { a: 'b' },
      Name: 'run-exec-1-us-east-1a-us-east-1',
      List: ['us-east-1a', 'x'],
      Joined: 'ids=i-1,i-2',
      Kept: 7,
    });
  });

  it('refuse a placeholder that names nothing, saying which', () => {
    expect(() => interpolate('{{ Nope.Out }}', ctx, types)).toThrow(
      '{{ Nope.Out }} names no parameter, no output of a step that has run, and no Automation variable',
    );
  });
});

describe("{{ssm:/name}} in an execution's parameters", () => {
  const store: Record<string, string> = { '/aws/service/ami': 'ami-1', '/app/size': '3' };
  const parameterValue = (name: string) => store[name];

  it("is replaced by the parameter's value, alone, inside text and in every item of a list", () => {
    expect(
      resolveParameterReferences(
        {
          Image: ['{{ssm:/aws/service/ami}}'],
          Sizes: ['{{ ssm:/app/size }}', 'n={{ssm:/app/size}}'],
          Plain: ['x'],
        },
        parameterValue,
      ),
    ).toEqual({ parameters: { Image: ['ami-1'], Sizes: ['3', 'n=3'], Plain: ['x'] } });
  });

  it('fails the execution naming the first parameter that does not exist', () => {
    expect(
      resolveParameterReferences(
        { A: ['{{ssm:/app/size}}'], B: ['{{ssm:/nope}}', '{{ssm:/gone}}'] },
        parameterValue,
      ),
    ).toEqual({ failure: 'Unable to resolve {{ssm:/nope}}: Parameter /nope not found.' });
  });
});

describe("a customer's document as CreateDocument reads it", () => {
  const read = (content: string, documentType: 'Automation' | 'Command' = 'Automation') => {
    try {
      readCustomerDocument(
        { name: 'Doc', content, format: 'YAML', documentType, createdDate: 0 },
        '123456789012',
      );
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    return 'accepted';
  };
  const steps = (s: string) => `schemaVersion: '0.3'\nmainSteps:\n${s}`;

  it('is refused with what is wrong', () => {
    expect(read('schemaVersion: [')).toMatch(/^InvalidDocumentContent: The content is not valid YAML: /);
    expect(read("schemaVersion: '2.2'\nmainSteps: []")).toBe(
      'InvalidDocumentSchemaVersion: schemaVersion 2.2 is not supported for Automation documents; use 0.3.',
    );
    expect(read("schemaVersion: '0.3'")).toBe(
      'InvalidDocumentContent: mainSteps is missing or empty: an Automation document needs at least one step.',
    );
    expect(read(steps('  - { name: A, action: aws:sleep }\n  - { name: A, action: aws:sleep }'))).toBe(
      'InvalidDocumentContent: Step name A is used twice; step names must be unique.',
    );
    expect(read(steps('  - { name: A, action: aws:sleep, onFailure: step:B }'))).toBe(
      'InvalidDocumentContent: Step A has onFailure step:B; it must be Abort, Continue or step:<a step of the document>.',
    );
    expect(
      read(
        steps(
          '  - { name: A, action: aws:branch, inputs: { Choices: [{ NextStep: C, Variable: x, StringEquals: x }] } }',
        ),
      ),
    ).toBe('InvalidDocumentContent: Step A (aws:branch) goes to C, which is not a step of the document.');
    expect(read(`parameters: { P: { type: Float } }\n${steps('  - { name: A, action: aws:sleep }')}`)).toBe(
      'InvalidDocumentContent: Parameter P has type "Float"; the types are String, StringList, Integer, Boolean, StringMap, MapList.',
    );
    expect(
      read("schemaVersion: '2.2'\nmainSteps: [{ name: run, action: aws:runShellScript }]", 'Command'),
    ).toBe('accepted');
    expect(read("schemaVersion: '2.2'\nmainSteps: [{ name: run, action: aws:sleep }]", 'Command')).toBe(
      'InvalidDocumentContent: Step run has action aws:sleep, which is not a plugin of Command documents.',
    );
  });
});
