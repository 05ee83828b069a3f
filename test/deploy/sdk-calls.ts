import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The IAM actions a handler's code can call: every `new <Name>Command(` in the modules its file
 * reaches through runtime imports, named as IAM names them. It is what the least-privilege test
 * holds each function's role to, in both directions: a role must allow every call (or the
 * function fails on AWS with AccessDenied) and nothing else (or the role grants more than the
 * code needs). The unit is the module: a handler is granted every command of a module it imports.
 */
export function iamActionsReachedFrom(entryFile: string): Set<string> {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const queue = [resolve(entryFile)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const imports = runtimeImports(source);
    for (const { from } of imports) {
      if (from.startsWith('.')) queue.push(resolve(dirname(file), from));
    }
    // A module loaded on demand (`await import('…')`) is reached all the same when it is needed.
    for (const m of source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g))
      queue.push(resolve(dirname(file), m[1]!));
    for (const action of commandsIn(source, imports)) actions.add(action);
  }
  return actions;
}

interface RuntimeImport {
  from: string;
  /** Local name → imported name. */
  names: Map<string, string>;
}

/** `import … from '…'` and `export … from '…'`, without the type-only ones (erased at runtime). */
export function runtimeImports(source: string): RuntimeImport[] {
  const out: RuntimeImport[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/gms)) {
    if (m[1]) continue;
    const names = new Map<string, string>();
    const braces = /\{([^}]*)\}/.exec(m[2]!);
    for (const part of braces?.[1]?.split(',') ?? []) {
      const spec = part.trim();
      if (!spec || spec.startsWith('type ')) continue;
      const [imported, local] = spec.split(/\s+as\s+/);
      names.set((local ?? imported)!.trim(), imported!.trim());
    }
    out.push({ from: m[3]!, names });
  }
  return out;
}

/** The IAM service prefix of each SDK package whose commands the code sends. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-fis': 'fis',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-ssm': 'ssm',
};

/** lib-dynamodb's document commands carry shorter names than the DynamoDB operations they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Put: 'PutItem',
  Get: 'GetItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

function commandsIn(source: string, imports: RuntimeImport[]): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\bnew\s+([A-Za-z0-9_]+)\s*\(/g)) {
    const local = m[1]!;
    const origin = imports.find((i) => i.names.has(local));
    const service = origin && SERVICE_OF_PACKAGE[origin.from];
    if (!service) continue;
    const imported = origin.names.get(local)!;
    if (!imported.endsWith('Command')) continue;
    const operation = imported.slice(0, -'Command'.length);
    const name =
      origin.from === '@aws-sdk/lib-dynamodb' ? (DOCUMENT_COMMANDS[operation] ?? operation) : operation;
    out.push(`${service}:${name}`);
  }
  return out;
}
