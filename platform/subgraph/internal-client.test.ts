import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalCallError, InternalClient, MAX_IN_FLIGHT } from './internal-client.ts';

const servers: Server[] = [];

/** A subgraph stand-in on loopback: `handle` decides what becomes of each request. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const answer = (res: ServerResponse, data: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data }));
};

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe('InternalClient', () => {
  it(`keeps at most ${MAX_IN_FLIGHT} requests in flight to one subgraph; the rest wait their turn`, async () => {
    const held: ServerResponse[] = [];
    let holding = true;
    let full: () => void = () => undefined;
    const filled = new Promise<void>((resolve) => (full = resolve));
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        if (!holding) {
          answer(res, { ok: true });
          return;
        }
        held.push(res);
        if (held.length === MAX_IN_FLIGHT) full();
      });
    });
    const client = new InternalClient(() => ({ community: url }), 'secret');
    const calls = Array.from({ length: 3 * MAX_IN_FLIGHT }, () => client.query<{ ok: boolean }>('community', '{ ok }', {}));
    await filled;
    // The subgraph holds the first MAX_IN_FLIGHT; the others have not been sent.
    expect(client.waiting('community')).toBe(2 * MAX_IN_FLIGHT);
    // From now on the subgraph answers at once.
    holding = false;
    for (const r of held.splice(0)) answer(r, { ok: true });
    const answers = await Promise.all(calls);
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(client.waiting('community')).toBe(0);
  });

  it('tries a call that failed on the network once more, and says which subgraph failed when the second try fails too', async () => {
    let seen = 0;
    const url = await serve((req, res) => {
      seen++;
      // The first request's connection is cut; the second is answered.
      if (seen === 1) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => answer(res, { ok: seen }));
    });
    const client = new InternalClient(() => ({ community: url }), 'secret');
    await expect(client.query<{ ok: number }>('community', '{ ok }', {})).resolves.toEqual({ ok: 2 });

    const broken = await serve((req) => req.socket.destroy());
    const failing = new InternalClient(() => ({ media: broken }), 'secret');
    const err = await failing.query('media', '{ ok }', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalCallError);
    expect((err as Error).message).toMatch(/^media: /);
  });
});
