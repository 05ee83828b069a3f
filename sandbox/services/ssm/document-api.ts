import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { JsonOperation } from '../../protocol/json.ts';
import { AwsError } from '../../protocol/types.ts';
import { checkDocumentName, readCustomerDocument } from './customer-documents.ts';
import {
  type AutomationDocument,
  type DocumentParameter,
  documentContent,
  documentHash,
} from './documents.ts';
import {
  type JsonInput,
  optionalEnum,
  optionalInteger,
  optionalObjectList,
  optionalString,
  optionalStringList,
  requiredString,
} from './input.ts';
import { pageOf } from './paging.ts';

const PLATFORM_TYPES = ['Windows', 'Linux', 'MacOS'];
const VERSION_ALIASES = ['$LATEST', '$DEFAULT'];

/** Looks a runbook up by name or document ARN; undefined when the sandbox has no such document. */
export function findDocument(
  docs: Map<string, AutomationDocument>,
  nameOrArn: string,
): AutomationDocument | undefined {
  const arn = /^arn:aws[\w-]*:ssm:[^:]*:\d{0,12}:document\/(.+)$/.exec(nameOrArn);
  return docs.get(arn ? arn[1]! : nameOrArn);
}

/** Whether `version` (a number or `$LATEST`/`$DEFAULT`) names a version of `doc`. */
export function hasVersion(doc: AutomationDocument, version: string | undefined): boolean {
  return version === undefined || VERSION_ALIASES.includes(version) || version === doc.version;
}

function defaultValue(p: DocumentParameter): string | undefined {
  if (p.default === undefined) return undefined;
  return p.type === 'StringList' ? JSON.stringify(p.default) : (p.default[0] ?? '');
}

/** The runbook a DescribeDocument or GetDocument names, at a version it has. */
function requestedDocument(docs: Map<string, AutomationDocument>, input: JsonInput): AutomationDocument {
  const name = requiredString(input, 'Name');
  const version = optionalString(input, 'DocumentVersion');
  const versionName = optionalString(input, 'VersionName', { max: 128 });
  if (version !== undefined && !/^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$/.test(version)) {
    throw new AwsError('ValidationException', `The document version ${version} is not valid.`);
  }
  const doc = findDocument(docs, name);
  if (!doc) throw new AwsError('InvalidDocument', `Document with name ${name} does not exist.`);
  if (!hasVersion(doc, version) || versionName !== undefined) {
    throw new AwsError('InvalidDocumentVersion', 'The document version is not valid or does not exist.');
  }
  return doc;
}

const typeOf = (doc: AutomationDocument) => doc.documentType ?? 'Automation';
const schemaOf = (doc: AutomationDocument) => doc.source?.schemaVersion ?? '0.3';
const formatOf = (doc: AutomationDocument) => doc.source?.format ?? 'JSON';

/** A customer's content in the format GetDocument asks for (SSM converts between JSON and YAML). */
function contentAs(doc: AutomationDocument, format: string): string {
  const source = doc.source!;
  if (format === source.format) return source.content;
  const value: unknown = source.format === 'JSON' ? JSON.parse(source.content) : parseYaml(source.content);
  return format === 'YAML' ? toYaml(value) : JSON.stringify(value, null, 2);
}

export interface DocumentOptions {
  accountId: string;
  now(): number;
}

/**
 * DescribeDocument, GetDocument, ListDocuments over the sandbox's runbooks and its customers'
 * documents, and CreateDocument/DeleteDocument for the latter (kept in `docs` beside the built-in
 * runbooks, which cannot be replaced or deleted).
 */
export function documentOperations(
  docs: Map<string, AutomationDocument>,
  opts: DocumentOptions,
): Record<string, JsonOperation> {
  const describe = (doc: AutomationDocument) => ({
    Hash: documentHash(doc),
    HashType: 'Sha256',
    Name: doc.name,
    Owner: doc.owner,
    CreatedDate: new Date(doc.createdDate),
    Status: 'Active',
    DocumentVersion: doc.version,
    Description: doc.description,
    Parameters: doc.parameters.map((p) => ({
      Name: p.name,
      Type: p.type,
      Description: p.description,
      DefaultValue: defaultValue(p),
    })),
    PlatformTypes: PLATFORM_TYPES,
    DocumentType: typeOf(doc),
    SchemaVersion: schemaOf(doc),
    LatestVersion: doc.version,
    DefaultVersion: doc.version,
    DocumentFormat: formatOf(doc),
    Tags: [],
  });

  const identify = (doc: AutomationDocument) => ({
    Name: doc.name,
    CreatedDate: new Date(doc.createdDate),
    Owner: doc.owner,
    PlatformTypes: PLATFORM_TYPES,
    DocumentVersion: doc.version,
    DocumentType: typeOf(doc),
    SchemaVersion: schemaOf(doc),
    DocumentFormat: formatOf(doc),
    Tags: [],
  });

  return {
    CreateDocument: (input: JsonInput) => {
      const name = requiredString(input, 'Name');
      const content = requiredString(input, 'Content', { min: 1, max: 64 * 1024 });
      const format = optionalEnum(input, 'DocumentFormat', ['JSON', 'YAML', 'TEXT'] as const) ?? 'JSON';
      const documentType = optionalString(input, 'DocumentType') ?? 'Command';
      checkDocumentName(name);
      if (format === 'TEXT') {
        throw new AwsError(
          'InvalidDocumentContent',
          'DocumentFormat TEXT is for documents that are not Automation or Command; use JSON or YAML.',
        );
      }
      if (documentType !== 'Automation' && documentType !== 'Command') {
        throw new AwsError(
          'InvalidDocumentType',
          `DocumentType ${documentType} runs on AWS; the sandbox keeps Automation and Command documents only.`,
        );
      }
      if (docs.has(name))
        throw new AwsError('DocumentAlreadyExists', 'Document with same name already exists.');
      const doc = readCustomerDocument(
        { name, content, format, documentType, createdDate: opts.now() },
        opts.accountId,
      );
      docs.set(name, doc);
      return { DocumentDescription: describe(doc) };
    },

    DeleteDocument: (input: JsonInput) => {
      const name = requiredString(input, 'Name');
      const doc = findDocument(docs, name);
      if (!doc) throw new AwsError('InvalidDocument', `Document with name ${name} does not exist.`);
      if (!doc.source) {
        throw new AwsError(
          'InvalidDocumentOperation',
          `Document ${doc.name} is one of the sandbox's own runbooks; it cannot be deleted.`,
        );
      }
      docs.delete(doc.name);
      return {};
    },

    DescribeDocument: (input: JsonInput) => ({ Document: describe(requestedDocument(docs, input)) }),

    GetDocument: (input: JsonInput) => {
      const doc = requestedDocument(docs, input);
      const format = optionalString(input, 'DocumentFormat');
      if (doc.source && (format === undefined || format === 'JSON' || format === 'YAML')) {
        const as = format ?? doc.source.format;
        return {
          Name: doc.name,
          CreatedDate: new Date(doc.createdDate),
          DocumentVersion: doc.version,
          Status: 'Active',
          Content: contentAs(doc, as),
          DocumentType: typeOf(doc),
          DocumentFormat: as,
        };
      }
      if (format !== undefined && format !== 'JSON') {
        if (format !== 'YAML' && format !== 'TEXT') {
          throw new AwsError(
            'ValidationException',
            `1 validation error detected: Value '${format}' at 'documentFormat' failed to satisfy constraint: Member must satisfy enum value set: [YAML, JSON, TEXT]`,
          );
        }
        throw new AwsError(
          'ValidationException',
          `The sandbox keeps its runbooks in JSON only: ask for DocumentFormat JSON (or leave it out).`,
        );
      }
      return {
        Name: doc.name,
        CreatedDate: new Date(doc.createdDate),
        DocumentVersion: doc.version,
        Status: 'Active',
        Content: documentContent(doc),
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
      };
    },

    ListDocuments: (input: JsonInput) => {
      const legacy = optionalObjectList(input, 'DocumentFilterList');
      const filters = optionalObjectList(input, 'Filters', { max: 6 });
      if (legacy && filters) {
        throw new AwsError(
          'ValidationException',
          'You can use either DocumentFilterList or Filters, not both.',
        );
      }
      const predicates = [
        ...(legacy ?? []).map((f) =>
          documentPredicate(requiredString(f, 'key'), [requiredString(f, 'value')]),
        ),
        ...(filters ?? []).map((f) =>
          documentPredicate(
            requiredString(f, 'Key', { min: 1, max: 128 }),
            optionalStringList(f, 'Values', {}, { min: 1, max: 256 }) ?? [],
          ),
        ),
      ];
      const page = pageOf(
        [...docs.values()].filter((d) => predicates.every((p) => p(d))),
        (d) => d.name,
        {
          listing: 'documents',
          nextToken: optionalString(input, 'NextToken'),
          max: optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50,
        },
      );
      return { DocumentIdentifiers: page.items.map(identify), NextToken: page.nextToken };
    },
  };
}

type DocumentPredicate = (doc: AutomationDocument) => boolean;

function documentPredicate(key: string, values: string[]): DocumentPredicate {
  const lower = key.toLowerCase();
  if (lower === 'name') return (d) => values.some((v) => d.name.startsWith(v));
  if (lower === 'documenttype') return (d) => values.includes(typeOf(d));
  if (lower === 'platformtypes') return () => values.some((v) => PLATFORM_TYPES.includes(v));
  if (lower === 'searchkeyword') {
    return (d) => values.some((v) => d.name.toLowerCase().includes(v.toLowerCase()));
  }
  if (lower === 'owner') {
    return (d) =>
      values.some((v) => {
        if (v === 'All' || v === 'Public') return true;
        if (v === 'Amazon') return d.owner === 'Amazon';
        if (v === 'Self' || v === 'Private') return d.owner !== 'Amazon';
        return d.owner === v;
      });
  }
  // Tag filters: the sandbox's runbooks carry no tags.
  if (key.startsWith('tag:')) return () => false;
  throw new AwsError('InvalidFilterKey', `The filter key ${key} is not valid for ListDocuments.`);
}
