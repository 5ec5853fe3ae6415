/**
 * Object storage over the S3 API, through the `minio` client: MinIO in production,
 * s3rver in the embedded profile and in tests. Clients upload and download directly with
 * presigned, expiring URLs; the services only sign, verify and copy.
 */
import { Client } from 'minio';
import type { Readable } from 'node:stream';

export interface ObjectStoreOptions {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

export interface StoredObject {
  key: string;
  size: number;
  contentType: string | undefined;
  etag: string;
}

export class ObjectStore {
  readonly client: Client;
  readonly bucket: string;
  readonly #region: string;

  constructor(opts: ObjectStoreOptions) {
    const url = new URL(opts.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: opts.accessKey,
      secretKey: opts.secretKey,
      region: opts.region,
      pathStyle: true,
    });
    this.bucket = opts.bucket;
    this.#region = opts.region;
  }

  /** Creates the bucket when it does not exist yet. */
  async ensureBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      try {
        await this.client.makeBucket(this.bucket, this.#region);
      } catch (err) {
        // Another process may have created it in between.
        if (!(await this.client.bucketExists(this.bucket))) throw err;
      }
    }
  }

  /** A URL the holder can PUT one object to until it expires. */
  presignPut(key: string, expiresSeconds: number): Promise<string> {
    return this.client.presignedPutObject(this.bucket, key, expiresSeconds);
  }

  /** A URL the holder can GET (with range requests) until it expires. */
  presignGet(key: string, expiresSeconds: number): Promise<string> {
    return this.client.presignedGetObject(this.bucket, key, expiresSeconds);
  }

  /** Metadata of an object, or `undefined` when there is none at `key`. */
  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const s = await this.client.statObject(this.bucket, key);
      const ct: unknown = s.metaData['content-type'];
      return { key, size: s.size, etag: s.etag, contentType: typeof ct === 'string' ? ct : undefined };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async put(key: string, body: Buffer | Readable | string, size: number | undefined, contentType: string): Promise<void> {
    await this.client.putObject(this.bucket, key, body, size, { 'Content-Type': contentType });
  }

  get(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }

  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  /** Keys under `prefix`. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) if (item.name) keys.push(item.name);
    return keys;
  }

  /** Removes every object under `prefix`. */
  async removePrefix(prefix: string): Promise<void> {
    const keys = await this.list(prefix);
    if (keys.length) await this.client.removeObjects(this.bucket, keys);
  }

  /** True when the store answers (used by readiness checks). */
  async ping(): Promise<boolean> {
    try {
      await this.client.bucketExists(this.bucket);
      return true;
    } catch {
      return false;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket';
}
