/** The object store over the real `minio` client, against s3rver on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../platform/storage/object-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../../platform/storage/embedded-s3.ts';
import { tempDir, uniqueName } from '../support/index.ts';

describe('object store', () => {
  let s3: EmbeddedS3;
  let dir: { path: string; remove(): Promise<void> };
  let store: ObjectStore;
  beforeAll(async () => {
    dir = await tempDir();
    s3 = await startEmbeddedS3(dir.path);
    store = new ObjectStore({ endpoint: s3.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: uniqueName('bucket').replace(/_/g, '-'), region: 'us-east-1' });
    await store.ensureBucket();
    await store.ensureBucket(); // idempotent
  });
  afterAll(async () => {
    await s3?.stop();
    await dir?.remove();
  });

  it('accepts an upload on a presigned URL and serves it back with range requests', async () => {
    const key = `originals/${uniqueName('obj')}`;
    const body = Buffer.from('0123456789abcdef');
    const put = await fetch(await store.presignPut(key, 60), { method: 'PUT', body, headers: { 'content-type': 'audio/mpeg' } });
    expect(put.status).toBe(200);
    expect(await store.stat(key)).toMatchObject({ key, size: 16, contentType: 'audio/mpeg' });
    const ranged = await fetch(await store.presignGet(key, 60), { headers: { range: 'bytes=4-7' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('4567');
  });

  it('reports a missing object as undefined and removes objects', async () => {
    expect(await store.stat('nothing/here')).toBeUndefined();
    const key = uniqueName('gone');
    await store.put(key, 'bye', 3, 'text/plain');
    expect((await store.stat(key))?.size).toBe(3);
    await store.remove(key);
    expect(await store.stat(key)).toBeUndefined();
  });
});
