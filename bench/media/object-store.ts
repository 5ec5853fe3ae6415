/**
 * The object store of the M2 stack in a process of its own: s3rver over `argv[2]`, on a
 * free loopback port. Prints one JSON line with its endpoint once it listens.
 */
import { startEmbeddedS3 } from '../../platform/storage/embedded-s3.ts';

const s3 = await startEmbeddedS3(process.argv[2] ?? '/tmp/veza-bench-s3');
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
process.on('SIGTERM', () => {
  void s3.stop().finally(() => process.exit(0));
});
