import type { JsonOperation } from '../../protocol/json.ts';
import { AwsError } from '../../protocol/types.ts';
import {
  type JsonInput,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObjectList,
  optionalString,
  optionalTags,
  requiredString,
  requiredStringList,
} from './input.ts';
import { pageOf } from './paging.ts';
import {
  parseLegacyParameterFilters,
  parseParameterStringFilters,
  trimPath,
  underPath,
} from './parameter-filters.ts';
import {
  latest,
  PARAMETER_TIERS,
  PARAMETER_TYPES,
  type ParameterStore,
  type ParameterVersion,
  type StoredParameter,
} from './parameter-store.ts';

export interface ParameterApiDeps {
  store: ParameterStore;
  region: string;
  accountId: string;
  /** Who the sandbox says made a change (ParameterMetadata.LastModifiedUser). */
  user: string;
  /** Publishes Parameter Store's EventBridge events. */
  publish: (detail: Record<string, unknown>, resources: string[]) => void;
}

/** Parameter Store's operations over the JSON protocol. */
export function parameterOperations(deps: ParameterApiDeps): Record<string, JsonOperation> {
  const { store } = deps;
  const arnOf = (name: string) =>
    `arn:aws:ssm:${deps.region}:${deps.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

  const render = (p: StoredParameter, v: ParameterVersion, decrypt: boolean, selector?: string) => ({
    Name: p.name,
    Type: v.type,
    Value: v.type === 'SecureString' && !decrypt ? ciphertext(v) : v.value,
    Version: v.version,
    Selector: selector,
    LastModifiedDate: new Date(v.lastModified),
    ARN: arnOf(p.name),
    DataType: v.dataType,
  });

  const metadata = (p: StoredParameter) => {
    const v = latest(p);
    return {
      Name: p.name,
      ARN: arnOf(p.name),
      Type: v.type,
      KeyId: v.keyId,
      LastModifiedDate: new Date(v.lastModified),
      LastModifiedUser: deps.user,
      Description: v.description,
      AllowedPattern: v.allowedPattern,
      Version: v.version,
      Tier: v.tier,
      Policies: [],
      DataType: v.dataType,
    };
  };

  /** Resolves `name`, `name:version` or a parameter ARN to a stored parameter and one of its versions. */
  const lookup = (reference: string) => {
    const { candidates, selector } = splitReference(reference);
    const p = candidates.map((n) => store.find(n)).find((x) => x !== undefined);
    if (!p) throw new AwsError('ParameterNotFound', `Parameter ${candidates[0]} not found.`);
    if (selector === undefined) return { p, v: latest(p), selector };
    const wanted = Number(selector.slice(1));
    const v = p.versions.find((x) => x.version === wanted);
    if (!Number.isInteger(wanted) || !v) {
      throw new AwsError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${selector.slice(1)} of ${p.name}. Verify the version and try again.`,
      );
    }
    return { p, v, selector };
  };

  return {
    PutParameter: (input: JsonInput) => {
      const out = store.put({
        name: requiredString(input, 'Name', { min: 1, max: 2048 }),
        value: requiredString(input, 'Value', { min: 1 }),
        type: optionalEnum(input, 'Type', PARAMETER_TYPES),
        description: optionalString(input, 'Description', { max: 1024 }),
        overwrite: optionalBoolean(input, 'Overwrite') ?? false,
        allowedPattern: optionalString(input, 'AllowedPattern', { max: 1024 }),
        keyId: optionalString(input, 'KeyId', { min: 1, max: 256 }),
        tier: optionalEnum(input, 'Tier', PARAMETER_TIERS),
        dataType: optionalString(input, 'DataType', { max: 128 }),
        tags: optionalTags(input),
      });
      const v = latest(out.parameter);
      deps.publish(
        {
          operation: out.created ? 'Create' : 'Update',
          name: out.parameter.name,
          type: v.type,
          description: v.description ?? '',
        },
        [arnOf(out.parameter.name)],
      );
      return { Version: v.version, Tier: v.tier };
    },

    GetParameter: (input: JsonInput) => {
      const reference = requiredString(input, 'Name', { min: 1, max: 2048 });
      const decrypt = optionalBoolean(input, 'WithDecryption') ?? false;
      const { p, v, selector } = lookup(reference);
      return { Parameter: render(p, v, decrypt, selector) };
    },

    GetParameters: (input: JsonInput) => {
      const names = requiredStringList(input, 'Names', { min: 1, max: 10 }, { min: 1, max: 2048 });
      const decrypt = optionalBoolean(input, 'WithDecryption') ?? false;
      const found: ReturnType<typeof render>[] = [];
      const invalid: string[] = [];
      for (const reference of new Set(names)) {
        try {
          const { p, v, selector } = lookup(reference);
          found.push(render(p, v, decrypt, selector));
        } catch (e) {
          if (!(e instanceof AwsError)) throw e;
          invalid.push(reference);
        }
      }
      return { Parameters: found, InvalidParameters: invalid };
    },

    GetParametersByPath: (input: JsonInput) => {
      const rawPath = requiredString(input, 'Path', { min: 1, max: 2048 });
      if (!rawPath.startsWith('/')) {
        throw new AwsError(
          'ValidationException',
          `The parameter path ${rawPath} is not valid: it must begin with /.`,
        );
      }
      const path = trimPath(rawPath);
      const recursive = optionalBoolean(input, 'Recursive') ?? false;
      const decrypt = optionalBoolean(input, 'WithDecryption') ?? false;
      const matches = parseParameterStringFilters(optionalObjectList(input, 'ParameterFilters'), [
        'Type',
        'KeyId',
        'Label',
      ]);
      const page = pageOf(
        store.all().filter((p) => underPath(p.name, path, recursive) && matches(p)),
        (p) => p.name,
        {
          listing: `by-path:${path}:${recursive}`,
          nextToken: optionalString(input, 'NextToken'),
          max: optionalInteger(input, 'MaxResults', { min: 1, max: 10 }) ?? 10,
        },
      );
      return { Parameters: page.items.map((p) => render(p, latest(p), decrypt)), NextToken: page.nextToken };
    },

    DescribeParameters: (input: JsonInput) => {
      const legacy = optionalObjectList(input, 'Filters');
      const filters = optionalObjectList(input, 'ParameterFilters');
      if (legacy && filters) {
        throw new AwsError(
          'ValidationException',
          'You can use either Filters or ParameterFilters in a single request.',
        );
      }
      const matches = legacy
        ? parseLegacyParameterFilters(legacy)
        : parseParameterStringFilters(filters, [
            'Name',
            'Path',
            'Type',
            'KeyId',
            'Tier',
            'DataType',
            'Label',
            'tag',
          ]);
      const page = pageOf(store.all().filter(matches), (p) => p.name, {
        listing: 'describe',
        nextToken: optionalString(input, 'NextToken'),
        max: optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50,
      });
      return { Parameters: page.items.map(metadata), NextToken: page.nextToken };
    },

    GetParameterHistory: (input: JsonInput) => {
      const { candidates } = splitReference(requiredString(input, 'Name', { min: 1, max: 2048 }));
      const p =
        candidates.map((n) => store.find(n)).find((x) => x !== undefined) ?? store.require(candidates[0]!);
      const decrypt = optionalBoolean(input, 'WithDecryption') ?? false;
      const page = pageOf(p.versions, (v) => String(v.version).padStart(12, '0'), {
        listing: `history:${p.name}`,
        nextToken: optionalString(input, 'NextToken'),
        max: optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50,
      });
      return {
        Parameters: page.items.map((v) => ({
          Name: p.name,
          Type: v.type,
          KeyId: v.keyId,
          LastModifiedDate: new Date(v.lastModified),
          LastModifiedUser: deps.user,
          Description: v.description,
          Value: v.type === 'SecureString' && !decrypt ? ciphertext(v) : v.value,
          AllowedPattern: v.allowedPattern,
          Version: v.version,
          Labels: [],
          Tier: v.tier,
          Policies: [],
          DataType: v.dataType,
        })),
        NextToken: page.nextToken,
      };
    },

    DeleteParameter: (input: JsonInput) => {
      const p = store.delete(requiredString(input, 'Name', { min: 1, max: 2048 }));
      publishDelete(p);
      return {};
    },

    DeleteParameters: (input: JsonInput) => {
      const names = requiredStringList(input, 'Names', { min: 1, max: 10 }, { min: 1, max: 2048 });
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of new Set(names)) {
        const p = store.find(name);
        if (!p) {
          invalid.push(name);
          continue;
        }
        store.delete(name);
        publishDelete(p);
        deleted.push(name);
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
  };

  function publishDelete(p: StoredParameter): void {
    const v = latest(p);
    deps.publish({ operation: 'Delete', name: p.name, type: v.type, description: v.description ?? '' }, [
      arnOf(p.name),
    ]);
  }
}

/**
 * Splits what GetParameter accepts: a name or a parameter ARN, either with a `:version` selector.
 * Parameter names never contain `:`, so the last one starts the selector. An ARN names `/a/b` as
 * `parameter/a/b` but a flat name `a` as `parameter/a`, so an ARN gives two candidate names.
 */
function splitReference(reference: string): { candidates: string[]; selector: string | undefined } {
  const arn = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter(\/.*)$/.exec(reference);
  const rest = arn ? arn[1]! : reference;
  const i = rest.lastIndexOf(':');
  const name = i < 0 ? rest : rest.slice(0, i);
  const selector = i < 0 ? undefined : rest.slice(i);
  return { candidates: arn ? [name, name.slice(1)] : [name], selector };
}

/** What SSM returns for a SecureString read without decryption: an opaque KMS ciphertext blob. */
function ciphertext(v: ParameterVersion): string {
  return Buffer.from(`sandbox-kms:${v.keyId ?? ''}:v${v.version}:${v.value}`).toString('base64');
}
