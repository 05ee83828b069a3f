import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AwsError } from '../../protocol/types.ts';

const storedObjectSchema = z.object({
  key: z.string(),
  size: z.number(),
  /** Hex MD5 of the body, without quotes. */
  etag: z.string(),
  /** Epoch milliseconds, whole seconds as S3 keeps them. */
  lastModified: z.number(),
  contentType: z.string(),
  /** Content-Encoding, Content-Disposition, Cache-Control, Content-Language, Expires as sent. */
  headers: z.record(z.string(), z.string()),
  /** User metadata (`x-amz-meta-*`), names lower-case without the prefix. */
  metadata: z.record(z.string(), z.string()),
  checksum: z.object({ algorithm: z.string(), value: z.string() }).optional(),
});
export type StoredObject = z.infer<typeof storedObjectSchema>;

const bucketSchema = z.object({ name: z.string(), createdAt: z.number(), region: z.string() });
export type BucketRecord = z.infer<typeof bucketSchema>;

interface BucketEntry {
  info: BucketRecord;
  objects: Map<string, StoredObject>;
  /** Keys in S3's order (UTF-8 bytes), rebuilt lazily after a change. */
  sorted: string[] | undefined;
}

/** S3 orders keys by their UTF-8 bytes, which differs from JavaScript's UTF-16 order above U+FFFF. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
};

/** What S3 stores for an object uploaded without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * Buckets and objects. With a state folder, each object is a plain file at
 * `<stateDir>/s3/<bucket>/<key>` (so people can open the reports) and its metadata a sidecar at
 * `<stateDir>/s3-meta/<bucket>/<key>.meta.json`; without one, everything stays in memory. The index
 * of keys is always in memory; with a state folder it is rebuilt from the files at start, and a
 * file dropped into a bucket's folder by hand shows up as an object.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, BucketEntry>();
  private readonly bodies = new Map<string, Buffer>();
  private readonly dataRoot: string | undefined;
  private readonly metaRoot: string | undefined;
  private uploads = 0;

  constructor(stateDir: string | undefined) {
    this.dataRoot = stateDir && join(stateDir, 's3');
    this.metaRoot = stateDir && join(stateDir, 's3-meta');
    if (this.dataRoot && this.metaRoot) this.load(this.dataRoot, this.metaRoot);
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].map((b) => b.info).sort((a, b) => compareKeys(a.name, b.name));
  }

  bucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.info;
  }

  private requireBucket(name: string): BucketEntry {
    const entry = this.buckets.get(name);
    if (!entry) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return entry;
  }

  async createBucket(info: BucketRecord): Promise<void> {
    if (this.dataRoot && this.metaRoot) {
      await mkdir(join(this.dataRoot, info.name), { recursive: true });
      await mkdir(join(this.metaRoot, '_buckets'), { recursive: true });
      await writeFile(join(this.metaRoot, '_buckets', `${info.name}.json`), JSON.stringify(info));
    }
    this.buckets.set(info.name, { info, objects: new Map(), sorted: undefined });
  }

  async deleteBucket(name: string): Promise<void> {
    const entry = this.requireBucket(name);
    if (entry.objects.size > 0) {
      throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
    }
    if (this.dataRoot && this.metaRoot) {
      await rm(join(this.dataRoot, name), { recursive: true, force: true });
      await rm(join(this.metaRoot, name), { recursive: true, force: true });
      await rm(join(this.metaRoot, '_buckets', `${name}.json`), { force: true });
    }
    this.buckets.delete(name);
  }

  /** Every object of the bucket in S3's key order. */
  objects(bucket: string): StoredObject[] {
    const entry = this.requireBucket(bucket);
    entry.sorted ??= [...entry.objects.keys()].sort(compareKeys);
    return entry.sorted.map((k) => entry.objects.get(k)!);
  }

  head(bucket: string, key: string): StoredObject | undefined {
    return this.requireBucket(bucket).objects.get(key);
  }

  async read(bucket: string, key: string): Promise<Buffer> {
    const entry = this.requireBucket(bucket);
    if (!entry.objects.has(key)) throw noSuchKey();
    if (!this.dataRoot) return this.bodies.get(`${bucket}/${key}`) ?? Buffer.alloc(0);
    if (key.endsWith('/')) return Buffer.alloc(0);
    try {
      return await readFile(this.dataPath(bucket, key));
    } catch {
      throw noSuchKey();
    }
  }

  async write(bucket: string, object: StoredObject, data: Buffer): Promise<void> {
    await this.writeChunks(bucket, object, [data]);
  }

  /**
   * Stores an object whose bytes come in pieces (a completed multipart upload's parts), so that a
   * large object goes to its file a part at a time rather than whole through memory.
   */
  async writeChunks(
    bucket: string,
    object: StoredObject,
    chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  ): Promise<void> {
    const entry = this.requireBucket(bucket);
    if (this.dataRoot && this.metaRoot) {
      this.checkFileLayout(entry, object.key, object.size);
      await this.writeFiles(bucket, object, chunks);
    } else {
      const parts: Buffer[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      this.bodies.set(`${bucket}/${object.key}`, Buffer.concat(parts));
    }
    if (!entry.objects.has(object.key)) entry.sorted = undefined;
    entry.objects.set(object.key, object);
  }

  async delete(bucket: string, key: string): Promise<void> {
    const entry = this.requireBucket(bucket);
    if (!entry.objects.has(key)) return;
    entry.objects.delete(key);
    entry.sorted = undefined;
    if (!this.dataRoot || !this.metaRoot) {
      this.bodies.delete(`${bucket}/${key}`);
      return;
    }
    const data = this.dataPath(bucket, key);
    if (key.endsWith('/')) await rmdir(data).catch(() => undefined);
    else await rm(data, { force: true });
    await rm(this.metaPath(bucket, key), { force: true });
    await this.prune(entry, dirname(data), join(this.dataRoot, bucket));
    await this.prune(entry, dirname(this.metaPath(bucket, key)), join(this.metaRoot, bucket));
  }

  private dataPath(bucket: string, key: string): string {
    return join(this.dataRoot!, bucket, ...key.split('/'));
  }

  private metaPath(bucket: string, key: string): string {
    return join(this.metaRoot!, bucket, ...`${key}.meta.json`.split('/'));
  }

  /**
   * On disk, key `a` is a file and `a/b` needs a folder `a`, so the two cannot both exist (S3 has
   * no such limit); a "folder" key such as `a/` is a folder and holds no bytes.
   */
  private checkFileLayout(entry: BucketEntry, key: string, size: number): void {
    const conflict = (other: string) =>
      new AwsError(
        'InvalidArgument',
        `The faultline sandbox stores objects as files: the key '${key}' cannot exist next to the key '${other}'.`,
        400,
      );
    if (key.endsWith('/') && size > 0) {
      throw new AwsError(
        'InvalidArgument',
        `The faultline sandbox stores objects as files: the key '${key}' is a folder and cannot hold data.`,
        400,
      );
    }
    const segments = key.replace(/\/$/, '').split('/');
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      if (entry.objects.has(ancestor)) throw conflict(ancestor);
    }
    if (!key.endsWith('/')) {
      for (const other of entry.objects.keys()) if (other.startsWith(`${key}/`)) throw conflict(other);
    }
  }

  private async writeFiles(
    bucket: string,
    object: StoredObject,
    chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  ): Promise<void> {
    const target = this.dataPath(bucket, object.key);
    if (object.key.endsWith('/')) {
      await mkdir(target, { recursive: true });
    } else {
      // Written aside and renamed into place, so a reader never sees half an object.
      const uploads = join(this.metaRoot!, '_uploads');
      await mkdir(uploads, { recursive: true });
      this.uploads += 1;
      const temp = join(uploads, `${process.pid}-${this.uploads}`);
      await pipeline(Readable.from(chunks), createWriteStream(temp));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    }
    const meta = this.metaPath(bucket, object.key);
    await mkdir(dirname(meta), { recursive: true });
    await writeFile(meta, JSON.stringify(object));
  }

  /** Removes folders a deleted object leaves empty, up to the bucket's folder. */
  private async prune(entry: BucketEntry, from: string, root: string): Promise<void> {
    let dir = from;
    while (dir.startsWith(root + sep)) {
      const asKey = `${relative(root, dir).split(sep).join('/')}/`;
      if (entry.objects.has(asKey)) return;
      const left = await readdir(dir).catch(() => undefined);
      if (left === undefined || left.length > 0) return;
      await rmdir(dir).catch(() => undefined);
      dir = dirname(dir);
    }
  }

  /** Rebuilds the index from the state folder. */
  private load(dataRoot: string, metaRoot: string): void {
    mkdirSync(dataRoot, { recursive: true });
    for (const dirent of readdirSync(dataRoot, { withFileTypes: true })) {
      if (!dirent.isDirectory()) continue;
      const name = dirent.name;
      const info = readJson(join(metaRoot, '_buckets', `${name}.json`), bucketSchema) ?? {
        name,
        createdAt: statSync(join(dataRoot, name)).mtimeMs,
        region: 'us-east-1',
      };
      const entry: BucketEntry = { info, objects: new Map(), sorted: undefined };
      this.buckets.set(name, entry);
      const bucketDir = join(dataRoot, name);
      for (const file of walk(bucketDir)) {
        const key = relative(bucketDir, file.path).split(sep).join('/') + (file.folder ? '/' : '');
        const meta = readJson(this.metaPath(name, key), storedObjectSchema);
        if (file.folder) {
          if (meta) entry.objects.set(key, meta);
          continue;
        }
        const stat = statSync(file.path);
        entry.objects.set(
          key,
          meta && meta.size === stat.size ? meta : describeFile(key, file.path, stat.mtimeMs),
        );
      }
    }
  }
}

function noSuchKey(): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
}

/** Files under `root`, and the folders in it (which may be "folder" keys such as `reports/`). */
function walk(root: string): { path: string; folder: boolean }[] {
  const out: { path: string; folder: boolean }[] = [];
  for (const dirent of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, dirent.name);
    if (dirent.isDirectory()) {
      out.push({ path, folder: true }, ...walk(path));
    } else if (dirent.isFile()) {
      out.push({ path, folder: false });
    }
  }
  return out;
}

/** A JSON file checked against its schema; undefined when it is missing, unreadable or does not fit. */
export function readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** An object for a file that was put into a bucket's folder without going through S3. */
function describeFile(key: string, path: string, mtimeMs: number): StoredObject {
  const data = readFileSync(path);
  return {
    key,
    size: data.length,
    etag: createHash('md5').update(data).digest('hex'),
    lastModified: Math.floor(mtimeMs / 1000) * 1000,
    contentType: CONTENT_TYPES[extname(key).toLowerCase()] ?? DEFAULT_CONTENT_TYPE,
    headers: {},
    metadata: {},
  };
}
