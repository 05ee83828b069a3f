import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AwsError } from '../../protocol/types.ts';
import { compareKeys, readJson } from './store.ts';

const partSchema = z.object({
  number: z.number().int(),
  /** Hex MD5 of the part, without quotes. */
  etag: z.string(),
  size: z.number(),
  lastModified: z.number(),
});
export type PartRecord = z.infer<typeof partSchema>;

const uploadSchema = z.object({
  id: z.string(),
  bucket: z.string(),
  key: z.string(),
  initiated: z.number(),
  contentType: z.string(),
  headers: z.record(z.string(), z.string()),
  metadata: z.record(z.string(), z.string()),
  checksumAlgorithm: z.string().optional(),
});
export type UploadRecord = z.infer<typeof uploadSchema>;

export interface Upload extends UploadRecord {
  parts: Map<number, PartRecord>;
}

export function noSuchUpload(): AwsError {
  return new AwsError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
  );
}

/**
 * Multipart uploads in progress. With a state folder each upload is a folder
 * `<stateDir>/s3-meta/_multipart/<upload id>/` holding `upload.json` and, per part, its bytes
 * (`<n>.part`) and record (`<n>.json`), so an upload survives a restart as objects do; without one,
 * everything stays in memory. A part's bytes are written before its record, each renamed into
 * place, so a part whose record is there is whole.
 */
export class UploadStore {
  private readonly uploads = new Map<string, Upload>();
  private readonly bodies = new Map<string, Buffer>();
  private readonly root: string | undefined;
  private writes = 0;

  constructor(stateDir: string | undefined) {
    this.root = stateDir && join(stateDir, 's3-meta', '_multipart');
    if (this.root) this.load(this.root);
  }

  get(id: string, bucket: string, key: string): Upload {
    const upload = this.uploads.get(id);
    if (!upload || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload();
    return upload;
  }

  /** The bucket's uploads in S3's order: by key, then by initiation (uploads started in one second in the order they were made). */
  list(bucket: string): Upload[] {
    return [...this.uploads.values()]
      .filter((u) => u.bucket === bucket)
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated - b.initiated);
  }

  async create(record: UploadRecord): Promise<Upload> {
    if (this.root) {
      await mkdir(join(this.root, record.id), { recursive: true });
      await this.writeAtomically(join(this.root, record.id, 'upload.json'), JSON.stringify(record));
    }
    const upload: Upload = { ...record, parts: new Map() };
    this.uploads.set(record.id, upload);
    return upload;
  }

  async putPart(upload: Upload, part: PartRecord, data: Buffer): Promise<void> {
    if (this.root) {
      const dir = join(this.root, upload.id);
      try {
        await this.writeAtomically(join(dir, `${part.number}.part`), data);
        await this.writeAtomically(join(dir, `${part.number}.json`), JSON.stringify(part));
      } catch (e) {
        // The upload's folder went with an abort or a completion while this part was written.
        if (this.uploads.get(upload.id) !== upload) throw noSuchUpload();
        throw e;
      }
    } else {
      this.bodies.set(`${upload.id}/${part.number}`, data);
    }
    // Aborted or completed while the part was being written: the part goes with the upload.
    if (this.uploads.get(upload.id) !== upload) {
      await this.remove(upload.id);
      throw noSuchUpload();
    }
    upload.parts.set(part.number, part);
  }

  async readPart(upload: Upload, number: number): Promise<Buffer> {
    if (!this.root) return this.bodies.get(`${upload.id}/${number}`) ?? Buffer.alloc(0);
    return readFile(join(this.root, upload.id, `${number}.part`));
  }

  async remove(id: string): Promise<void> {
    const upload = this.uploads.get(id);
    this.uploads.delete(id);
    if (this.root) await rm(join(this.root, id), { recursive: true, force: true });
    else for (const n of upload?.parts.keys() ?? []) this.bodies.delete(`${id}/${n}`);
  }

  private async writeAtomically(path: string, data: string | Buffer): Promise<void> {
    this.writes += 1;
    const temp = `${path}.${process.pid}-${this.writes}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  }

  private load(root: string): void {
    mkdirSync(root, { recursive: true });
    for (const dirent of readdirSync(root, { withFileTypes: true })) {
      if (!dirent.isDirectory()) continue;
      const dir = join(root, dirent.name);
      const record = readJson(join(dir, 'upload.json'), uploadSchema);
      if (!record || record.id !== dirent.name) continue;
      const upload: Upload = { ...record, parts: new Map() };
      for (const file of readdirSync(dir)) {
        const m = /^(\d+)\.json$/.exec(file);
        if (!m) continue;
        const part = readJson(join(dir, file), partSchema);
        if (part && part.number === Number(m[1]) && existsSync(join(dir, `${m[1]}.part`))) {
          upload.parts.set(part.number, part);
        }
      }
      this.uploads.set(upload.id, upload);
    }
  }
}
