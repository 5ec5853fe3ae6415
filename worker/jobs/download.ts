/** Downloading an original from the object store to a file, hashing it on the way (the uploader declared its SHA-256). */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../../platform/storage/object-store.ts';

export async function download(store: ObjectStore, key: string, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(await store.get(key), meter, createWriteStream(path));
  return { size, sha256: hash.digest('hex') };
}
