/**
 * The embedded profile's object store: `s3rver`, an S3-compatible server over a local
 * folder, on loopback. Veza talks to it with the same `minio` client it uses for MinIO.
 *
 * Known limit: s3rver does not implement listing multipart uploads, which the minio
 * client does before a multipart upload, so objects written through it must fit one PUT
 * (the client's part size, 64 MiB by default; uploads from users go straight from the
 * browser with a presigned PUT and are not affected).
 */
import S3rver from 's3rver';
import { mkdir } from 'node:fs/promises';

export interface EmbeddedS3 {
  endpoint: string;
  stop: () => Promise<void>;
}

export async function startEmbeddedS3(directory: string, port = 0): Promise<EmbeddedS3> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, vhostBuckets: false });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
}
