import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  BucketAlreadyOwnedByYou,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

async function failure(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** A deterministic body of `size` bytes that is not all one value. */
function patterned(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

describe('S3 buckets', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let s3: S3Client;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    s3 = new S3Client(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('creates, heads, lists and deletes buckets', async () => {
    const created = await s3.send(new CreateBucketCommand({ Bucket: 'game-day-reports' }));
    expect(created.Location).toBe('/game-day-reports');
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'game-day-reports' }));
    expect(head.BucketRegion).toBe('us-east-1');
    // us-east-1 answers 200 to re-creating a bucket you own, for legacy compatibility.
    await s3.send(new CreateBucketCommand({ Bucket: 'game-day-reports' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'another-bucket' }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets!.map((b) => b.Name)).toEqual(['another-bucket', 'game-day-reports']);
    expect(list.Buckets![0]!.CreationDate).toEqual(sb.clock.date());
    expect(list.Owner!.ID).toMatch(/^[0-9a-f]{64}$/);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'another-bucket' }));
    expect(location.LocationConstraint ?? '').toBe('');

    await s3.send(new PutObjectCommand({ Bucket: 'another-bucket', Key: 'x', Body: 'x' }));
    const notEmpty = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'another-bucket' })));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'another-bucket', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'another-bucket' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'another-bucket' }))).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'another-bucket' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
  });

  it('refuses invalid names and, outside us-east-1, buckets it already owns', async () => {
    for (const Bucket of ['ab', 'Upper-Case', 'bad..dots', '192.168.1.1', '-leading']) {
      const err = await failure(s3.send(new CreateBucketCommand({ Bucket })));
      expect(err.name, Bucket).toBe('InvalidBucketName');
    }
    const west = new S3Client({ ...config, region: 'us-west-2' });
    const elsewhere = await failure(
      west.send(
        new CreateBucketCommand({
          Bucket: 'west-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    expect(elsewhere.name).toBe('IllegalLocationConstraintException');
    const input = {
      Bucket: 'west-bucket',
      CreateBucketConfiguration: { LocationConstraint: 'us-west-2' as const },
    };
    await west.send(new CreateBucketCommand(input));
    await expect(west.send(new CreateBucketCommand(input))).rejects.toBeInstanceOf(BucketAlreadyOwnedByYou);
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'west-bucket' }))).BucketRegion).toBe('us-west-2');
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'west-bucket' }));
    expect(location.LocationConstraint).toBe('us-west-2');
  });
});

describe('S3 objects', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let s3: S3Client;
  const Bucket = 'objects';
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    s3 = new S3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await sb.close();
  });

  it('round-trips an object with its content type, metadata, ETag and LastModified', async () => {
    await sb.clock.advance(1234);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'reports/run 1.json',
        Body: '{"ok":true}',
        ContentType: 'application/json',
        CacheControl: 'no-cache',
        Metadata: { experiment: 'az-outage', run: '1' },
      }),
    );
    const md5 = createHash('md5').update('{"ok":true}').digest('hex');
    expect(put.ETag).toBe(`"${md5}"`);
    expect(put.ChecksumCRC32).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'reports/run 1.json' }));
    expect(await got.Body!.transformToString()).toBe('{"ok":true}');
    expect(got).toMatchObject({
      ContentType: 'application/json',
      ContentLength: 11,
      ETag: `"${md5}"`,
      CacheControl: 'no-cache',
      Metadata: { experiment: 'az-outage', run: '1' },
    });
    expect(got.LastModified).toEqual(new Date(Math.floor(sb.clock.now() / 1000) * 1000));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'reports/run 1.json' }));
    expect(head).toMatchObject({ ContentLength: 11, ContentType: 'application/json', ETag: `"${md5}"` });
    expect(head.Metadata).toEqual({ experiment: 'az-outage', run: '1' });

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket, Key: 'reports/run 1.json', Range: 'bytes=1-4' }),
    );
    expect(await ranged.Body!.transformToString()).toBe('"ok"');
    expect(ranged.ContentRange).toBe('bytes 1-4/11');

    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'reports/run 1.json' }));
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'reports/run 1.json' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
    await expect(
      s3.send(new HeadObjectCommand({ Bucket, Key: 'reports/run 1.json' })),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'nope-bucket', Key: 'x' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'never-existed' }));
  });

  it('stores a larger body sent as a stream in aws-chunked encoding, and the SDK validates its checksum', async () => {
    const body = patterned(3 * 1024 * 1024 + 17);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'big.bin',
        Body: Readable.from([body.subarray(0, 1_000_000), body.subarray(1_000_000)]),
        ContentLength: body.length,
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big.bin' }));
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.equals(body)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'big.bin' }));
    expect(head.ContentLength).toBe(body.length);
  });

  it('rejects a body whose checksum or Content-MD5 does not match, and honours If-None-Match', async () => {
    const crc = await failure(
      s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })),
    );
    expect(crc.name).toBe('BadDigest');
    const md5 = await failure(
      s3.send(
        new PutObjectCommand({
          Bucket,
          Key: 'bad',
          Body: 'hello',
          ContentMD5: createHash('md5').update('other').digest('base64'),
        }),
      ),
    );
    expect(md5.name).toBe('BadDigest');
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad' }))).rejects.toBeInstanceOf(NotFound);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'lock', Body: 'mine', IfNoneMatch: '*' }));
    const taken = await failure(
      s3.send(new PutObjectCommand({ Bucket, Key: 'lock', Body: 'yours', IfNoneMatch: '*' })),
    );
    expect(taken.name).toBe('PreconditionFailed');
    expect(taken.$metadata?.httpStatusCode).toBe(412);
    expect(
      await (await s3.send(new GetObjectCommand({ Bucket, Key: 'lock' }))).Body!.transformToString(),
    ).toBe('mine');
  });

  it('lists with prefix, delimiter and pagination', async () => {
    const bucket = 'listing';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = [
      'a.txt',
      'logs/2026/01.log',
      'logs/2026/02.log',
      'logs/readme',
      'reports/x.json',
      'reports/y.json',
      'z.txt',
    ];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));

    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.Contents!.map((o) => o.Key)).toEqual(keys);
    expect(all).toMatchObject({ KeyCount: 7, IsTruncated: false, MaxKeys: 1000, Name: bucket });
    expect(all.Contents![0]).toMatchObject({ Size: 5, StorageClass: 'STANDARD' });

    const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(top.Contents!.map((o) => o.Key)).toEqual(['a.txt', 'z.txt']);
    expect(top.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['logs/', 'reports/']);
    const logs = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/', Delimiter: '/' }));
    expect(logs.Contents!.map((o) => o.Key)).toEqual(['logs/readme']);
    expect(logs.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['logs/2026/']);

    // Pages of two, keys and common prefixes counted together.
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages++;
      seen.push(
        ...(page.Contents ?? []).map((o) => o.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(['a.txt', 'logs/', 'reports/', 'z.txt']);

    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'reports/x.json' }));
    expect(after.Contents!.map((o) => o.Key)).toEqual(['reports/y.json', 'z.txt']);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'reports/', MaxKeys: 1 }));
    expect(v1.Contents!.map((o) => o.Key)).toEqual(['reports/x.json']);
    expect(v1.IsTruncated).toBe(true);
    const empty = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'nothing/' }));
    expect(empty.Contents).toBeUndefined();
    expect(empty.KeyCount).toBe(0);
    const badToken = await failure(
      s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'garbage' })),
    );
    expect(badToken.name).toBe('InvalidArgument');
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'nope-bucket' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
  });
});

/** What the first run does: objects written, refused and deleted through the SDK. */
async function writeThroughS3(s3: S3Client, dir: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: 'reports' }));
  await s3.send(
    new PutObjectCommand({
      Bucket: 'reports',
      Key: 'game-days/2026-01-05/report.md',
      Body: '# Game day',
      ContentType: 'text/markdown',
      Metadata: { run: '7' },
    }),
  );
  expect(await readFile(join(dir, 's3', 'reports', 'game-days', '2026-01-05', 'report.md'), 'utf8')).toBe(
    '# Game day',
  );
  expect(existsSync(join(dir, 's3-meta', 'reports', 'game-days', '2026-01-05', 'report.md.meta.json'))).toBe(
    true,
  );
  expect(await readdir(join(dir, 's3', 'reports', 'game-days', '2026-01-05'))).toEqual(['report.md']);

  for (const Key of ['../escape.txt', 'a/../../b', '..', 'a//b']) {
    const err = await failure(s3.send(new PutObjectCommand({ Bucket: 'reports', Key, Body: 'x' })));
    expect(err.name, Key).toBe('InvalidArgument');
  }
  expect(existsSync(join(dir, 's3', 'escape.txt'))).toBe(false);
  const clash = await failure(
    s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'game-days', Body: 'x' })),
  );
  expect(clash.name).toBe('InvalidArgument');

  // A "folder" key is a folder on disk; it holds no bytes.
  await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'empty-folder/', Body: '' }));
  expect(statSync(join(dir, 's3', 'reports', 'empty-folder')).isDirectory()).toBe(true);
  const folderData = await failure(
    s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'full-folder/', Body: 'x' })),
  );
  expect(folderData.name).toBe('InvalidArgument');

  await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'old/gone.txt', Body: 'bye' }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'reports', Key: 'old/gone.txt' }));
  expect(existsSync(join(dir, 's3', 'reports', 'old'))).toBe(false);
}

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();

describe('S3 multipart uploads', () => {
  let sb: Sandbox;
  let s3: S3Client;
  const Bucket = 'uploads';
  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    s3 = new S3Client(started.config);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await sb.close();
  });

  async function upload(Key: string, parts: Buffer[]) {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'text/csv', Metadata: { run: '3' } }),
    );
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }),
      );
      etags.push(ETag!);
    }
    return { UploadId: UploadId!, etags };
  }

  it('joins the parts into one object with the multipart ETag, its content type and metadata', async () => {
    const parts = [patterned(5 * MiB), patterned(5 * MiB + 3).subarray(3), Buffer.from('tail')];
    const { UploadId, etags } = await upload('data/big.csv', parts);
    expect(etags).toEqual(parts.map((p) => `"${md5(p).toString('hex')}"`));

    const listed = await s3.send(
      new ListPartsCommand({ Bucket, Key: 'data/big.csv', UploadId, MaxParts: 2 }),
    );
    expect(listed).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', StorageClass: 'STANDARD' });
    expect(listed.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 5 * MiB, etags[0]],
      [2, 5 * MiB, etags[1]],
    ]);
    const rest = await s3.send(
      new ListPartsCommand({ Bucket, Key: 'data/big.csv', UploadId, PartNumberMarker: '2' }),
    );
    expect(rest.Parts!.map((p) => p.PartNumber)).toEqual([3]);
    expect(rest.IsTruncated).toBe(false);

    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'data/big.csv',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expected = `"${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3"`;
    expect(done).toMatchObject({ Bucket, Key: 'data/big.csv', ETag: expected });

    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'data/big.csv' }));
    expect(got).toMatchObject({ ETag: expected, ContentType: 'text/csv', Metadata: { run: '3' } });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
    // Completed: the upload is gone.
    const after = await failure(s3.send(new ListPartsCommand({ Bucket, Key: 'data/big.csv', UploadId })));
    expect(after).toBeInstanceOf(NoSuchUpload);
    expect(after.$metadata?.httpStatusCode).toBe(404);
  });

  it('refuses parts out of order, a part or ETag it does not have, and a part under 5 MiB that is not the last, and keeps the upload', async () => {
    const parts = [patterned(1 * MiB), patterned(5 * MiB)];
    const { UploadId, etags } = await upload('data/refused.csv', parts);
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      failure(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key: 'data/refused.csv',
            UploadId,
            MultipartUpload: { Parts },
          }),
        ),
      );
    const cases: [Awaited<ReturnType<typeof complete>>, string][] = [
      [
        await complete([
          { ETag: etags[1]!, PartNumber: 2 },
          { ETag: etags[0]!, PartNumber: 1 },
        ]),
        'InvalidPartOrder',
      ],
      [await complete([{ ETag: etags[1]!, PartNumber: 1 }]), 'InvalidPart'],
      [
        await complete([
          { ETag: etags[0]!, PartNumber: 1 },
          { ETag: etags[0]!, PartNumber: 3 },
        ]),
        'InvalidPart',
      ],
      [
        await complete([
          { ETag: etags[0]!, PartNumber: 1 },
          { ETag: etags[1]!, PartNumber: 2 },
        ]),
        'EntityTooSmall',
      ],
    ];
    for (const [err, code] of cases) {
      expect(err.name).toBe(code);
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    const bad = await failure(
      s3.send(
        new UploadPartCommand({ Bucket, Key: 'data/refused.csv', UploadId, PartNumber: 10001, Body: 'x' }),
      ),
    );
    expect(bad.name).toBe('InvalidArgument');
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'data/refused.csv' })))).toBeInstanceOf(
      NotFound,
    );

    // Only the first part under 5 MiB is refused: a small last part is fine.
    const { Parts } = await s3.send(new ListPartsCommand({ Bucket, Key: 'data/refused.csv', UploadId }));
    expect(Parts!.map((p) => p.PartNumber)).toEqual([1, 2]);
    const one = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'data/refused.csv',
        UploadId,
        MultipartUpload: { Parts: [{ ETag: etags[0]!, PartNumber: 1 }] },
      }),
    );
    expect(one.ETag).toMatch(/-1"$/);
  });

  it('lists uploads in progress by key, with prefix, delimiter and paging, and aborts them', async () => {
    const ids: Record<string, string> = {};
    for (const Key of ['logs/a', 'logs/b', 'runs/x', 'runs/x', 'top']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      ids[`${Key}#${Object.keys(ids).filter((k) => k.startsWith(`${Key}#`)).length}`] = UploadId!;
    }
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(all.Uploads!.map((u) => u.Key)).toEqual(['logs/a', 'logs/b', 'runs/x', 'runs/x', 'top']);
    expect(all.Uploads![2]!.UploadId).toBe(ids['runs/x#0']);

    const rolled = await s3.send(new ListMultipartUploadsCommand({ Bucket, Delimiter: '/' }));
    expect(rolled.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['logs/', 'runs/']);
    expect(rolled.Uploads!.map((u) => u.Key)).toEqual(['top']);

    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'runs/', MaxUploads: 1 }));
    expect(page).toMatchObject({
      IsTruncated: true,
      NextKeyMarker: 'runs/x',
      NextUploadIdMarker: ids['runs/x#0'],
    });
    const next = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket,
        Prefix: 'runs/',
        KeyMarker: page.NextKeyMarker,
        UploadIdMarker: page.NextUploadIdMarker,
      }),
    );
    expect(next.Uploads!.map((u) => u.UploadId)).toEqual([ids['runs/x#1']]);

    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'top', UploadId: ids['top#0'] }));
    const again = await failure(
      s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'top', UploadId: ids['top#0'] })),
    );
    expect(again).toBeInstanceOf(NoSuchUpload);
    // An upload id belongs to its key.
    const elsewhere = await failure(
      s3.send(new ListPartsCommand({ Bucket, Key: 'logs/b', UploadId: ids['logs/a#0'] })),
    );
    expect(elsewhere).toBeInstanceOf(NoSuchUpload);
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(left.Uploads!.map((u) => u.Key)).not.toContain('top');
  });
});

describe('S3 objects as files in the state folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-s3-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes plain files with sidecar metadata, refuses keys that escape, and finds them again after a restart', async () => {
    const first = await startSandbox({ stateDir: dir });
    try {
      await writeThroughS3(new S3Client(first.config), dir);
    } finally {
      await first.sb.close();
    }

    // A file put into the bucket's folder by hand is an object too.
    await mkdir(join(dir, 's3', 'reports', 'manual'), { recursive: true });
    await writeFile(join(dir, 's3', 'reports', 'manual', 'notes.txt'), 'by hand');

    const second = await startSandbox({ stateDir: dir });
    try {
      const again = new S3Client(second.config);
      const listed = await again.send(new ListObjectsV2Command({ Bucket: 'reports' }));
      expect(listed.Contents!.map((o) => o.Key)).toEqual([
        'empty-folder/',
        'game-days/2026-01-05/report.md',
        'manual/notes.txt',
      ]);
      const got = await again.send(
        new GetObjectCommand({ Bucket: 'reports', Key: 'game-days/2026-01-05/report.md' }),
      );
      expect(got).toMatchObject({ ContentType: 'text/markdown', Metadata: { run: '7' } });
      expect(await got.Body!.transformToString()).toBe('# Game day');
      const manual = await again.send(new GetObjectCommand({ Bucket: 'reports', Key: 'manual/notes.txt' }));
      expect(manual.ContentType).toBe('text/plain');
      expect(await manual.Body!.transformToString()).toBe('by hand');
    } finally {
      await second.sb.close();
    }
  });

  it('keeps a multipart upload in progress across a restart, its parts as files, and completes it after', async () => {
    const Key = 'exports/big.bin';
    const parts = [patterned(5 * MiB), Buffer.from('the end')];
    const first = await startSandbox({ stateDir: dir });
    let UploadId: string;
    const etags: string[] = [];
    try {
      const s3 = new S3Client(first.config);
      await s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
      ({ UploadId } = (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'exports', Key }))) as {
        UploadId: string;
      });
      for (const [i, Body] of parts.entries()) {
        etags.push(
          (
            await s3.send(
              new UploadPartCommand({ Bucket: 'exports', Key, UploadId, PartNumber: i + 1, Body }),
            )
          ).ETag!,
        );
      }
    } finally {
      await first.sb.close();
    }
    const folder = join(dir, 's3-meta', '_multipart', UploadId);
    expect((await readdir(folder)).sort()).toEqual(['1.json', '1.part', '2.json', '2.part', 'upload.json']);
    expect(statSync(join(folder, '1.part')).size).toBe(5 * MiB);

    const second = await startSandbox({ stateDir: dir });
    try {
      const s3 = new S3Client(second.config);
      const { Uploads } = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'exports' }));
      expect(Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'exports',
          Key,
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      expect(
        (await readFile(join(dir, 's3', 'exports', 'exports', 'big.bin'))).equals(Buffer.concat(parts)),
      ).toBe(true);
      expect(existsSync(folder)).toBe(false);
    } finally {
      await second.sb.close();
    }
  });
});
