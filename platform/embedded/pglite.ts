/**
 * The embedded profile's PostgreSQL: PGlite (Postgres compiled to WebAssembly) with its
 * data in a local folder, served on a loopback port by pglite-socket so that the normal
 * `pg` driver and MikroORM talk to it exactly as they talk to a real server. The socket
 * server multiplexes connections and keeps a transaction's statements together.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir } from 'node:fs/promises';

export interface EmbeddedPostgres {
  url: string;
  stop: () => Promise<void>;
}

export async function startEmbeddedPostgres(directory: string, opts: { port?: number; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  await mkdir(directory, { recursive: true });
  const db = await PGlite.create(directory);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: opts.port ?? 0,
    maxConnections: opts.maxConnections ?? 32,
  });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres@${address}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
