/**
 * `npm start` as a user runs it: the embedded profile in its own process. It prints the
 * gateway URL when ready, answers a cross-subgraph query, stops cleanly on Ctrl-C
 * (SIGINT) with nothing left listening, and a second start keeps the first one's data.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, tempDir, uniqueName } from './support/index.ts';
import { ChannelPageDocument, CreateCommunityDocument, MyCommunitiesDocument, SendMessageDocument, SignInDocument, SignUpDocument } from './generated/graphql.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

function startVeza(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VEZA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    GATEWAY_PORT: '0', COMMUNITY_PORT: '0', CHAT_PORT: '0', MEDIA_PORT: '0', SOCIAL_PORT: '0', DISCOVERY_PORT: '0',
  };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT']) delete env[k];
  const child = spawn(process.execPath, ['platform/embedded/main.ts'], { cwd: root, env });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GraphQL endpoint and playground: (\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1], output: () => out });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`veza exited with ${code} before it was ready:\n${out}`)));
  });
}

function interrupt(s: Started): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code));
    s.child.kill('SIGINT');
  });
}

describe('npm start (embedded profile, its own process)', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('serves, stops on Ctrl-C with nothing left, and keeps its data for the next start', async () => {
    const handle = uniqueName('gina');
    const first = await startVeza(dir.path);
    const { signUp } = dataOf(await request(first.url, SignUpDocument, { input: { handle, displayName: 'Gina', password: 'a long passphrase' } }));
    const community = dataOf(await request(first.url, CreateCommunityDocument, { name: 'Persisted' }, signUp.accessToken)).createCommunity;
    // One query, two subgraphs: the message comes from chat, its author's name from community.
    const sent = dataOf(await request(first.url, SendMessageDocument, { input: { channelId: community.channels[0]!.id, body: 'still here after a restart?' } }, signUp.accessToken));
    expect(sent.sendMessage.author).toEqual({ id: signUp.user.id, displayName: 'Gina' });

    expect(await interrupt(first)).toBe(0);
    expect(first.output()).not.toMatch(/shutdown failed|Error/);
    await expect(fetch(first.url)).rejects.toThrow();

    const second = await startVeza(dir.path);
    try {
      const { signIn } = dataOf(await request(second.url, SignInDocument, { input: { handle, password: 'a long passphrase' } }));
      const mine = dataOf(await request(second.url, MyCommunitiesDocument, {}, signIn.accessToken));
      expect(mine.myCommunities).toEqual([{ name: 'Persisted', owner: { handle }, channels: [{ name: 'general' }] }]);
      const page = dataOf(await request(second.url, ChannelPageDocument, { channelId: community.channels[0]!.id, first: 10 }, signIn.accessToken));
      expect(page.channel?.messages.edges.map((e) => [e.node.body, e.node.author.displayName])).toEqual([['still here after a restart?', 'Gina']]);
    } finally {
      expect(await interrupt(second)).toBe(0);
    }
  });
});
