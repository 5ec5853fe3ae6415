/**
 * Benchmark D1 (BENCHMARKS.md): SQL statements per operation, counted, not timed — send a
 * message, a channel page, a member page — at two page sizes, to show they do not grow.
 * Runs the platform in this process on the production adapters.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../platform/config.ts';
import { isOperationStatement } from '../../platform/db/orm.ts';
import { createLogger } from '../../platform/logger.ts';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import { startVeza } from '../../platform/embedded/run.ts';
import type { BenchOutput } from '../support.ts';

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function runDatabaseBench(): Promise<BenchOutput> {
  const dbName = `veza_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const counts = new Map<string, number>();
  let counting = false;
  const config = loadConfig({
    DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${dbName}`, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `${dbName}:`,
    GATEWAY_SECRET: randomBytes(32).toString('base64url'), AUTH_PRIVATE_KEY: generateSigningKey(), SEND_BURST_LIMIT: '100000',
    SIGN_UP_LIMIT_PER_ADDRESS: '1000', VEZA_DATA_DIR: `/tmp/${dbName}`, LOG_LEVEL: 'warn', PLAYGROUND: 'false',
  });
  const veza = await startVeza(config, createLogger('warn'), {
    ephemeralPorts: true,
    onQuery: (subgraph, sql) => {
      if (counting && isOperationStatement(sql)) counts.set(subgraph, (counts.get(subgraph) ?? 0) + 1);
    },
  });
  const url = veza.gateway.url;
  try {
    const signUp = async (handle: string) =>
      ((await gql(url, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }`, { i: { handle, displayName: handle, password: 'benchmark passphrase' } })) as { signUp: { accessToken: string } }).signUp.accessToken;
    const token = await signUp(`owner_${randomBytes(3).toString('hex')}`);
    const c = (await gql(url, `mutation { createCommunity(input: { name: "D1" }) { id channels { id } } }`, {}, token)) as { createCommunity: { id: string; channels: { id: string }[] } };
    const communityId = c.createCommunity.id;
    const channelId = c.createCommunity.channels[0]!.id;
    const code = ((await gql(url, `mutation($c: ID!) { createInvite(input: { communityId: $c }) { code } }`, { c: communityId }, token)) as { createInvite: { code: string } }).createInvite.code;
    for (let i = 0; i < 60; i++) {
      const t = await signUp(`m${i}_${randomBytes(3).toString('hex')}`);
      await gql(url, `mutation($code: String!) { joinCommunity(code: $code) { id } }`, { code }, t);
      await gql(url, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { channelId, body: `hello ${i}` } }, t);
    }
    const measure = async (name: string, query: string, variables: Record<string, unknown>) => {
      counts.clear();
      counting = true;
      await gql(url, query, variables, token);
      counting = false;
      const row = Object.fromEntries([...counts.entries()].sort());
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return { total, line: `| ${name} | ${Object.entries(row).map(([k, v]) => `${k} ${v}`).join(', ')} | ${total} |` };
    };
    const page = `query($id: ID!, $n: Int) { channel(id: $id) { messages(first: $n) { edges { node { body author { displayName } reactions { emoji count } replyTo { body } } } } } }`;
    const members = `query($id: ID!, $n: Int) { community(id: $id) { members(first: $n) { edges { node { user { displayName } roles { name } } } } } }`;
    const [send, page10, page50, members10, members50] = [
      await measure('send a message', `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id author { displayName } } }`, { i: { channelId, body: 'counted' } }),
      await measure('channel page of 10 (authors, reactions, replies)', page, { id: channelId, n: 10 }),
      await measure('channel page of 50 (authors, reactions, replies)', page, { id: channelId, n: 50 }),
      await measure('member page of 10 (users, roles)', members, { id: communityId, n: 10 }),
      await measure('member page of 50 (users, roles)', members, { id: communityId, n: 50 }),
    ];
    const rows = [send, page10, page50, members10, members50].map((r) => r.line);
    return {
      markdown: ['SQL statements per operation, by subgraph (transaction control — begin, commit, rollback, set local — and the outbox relay left out). Counted, not timed; a page of 50 must cost what a page of 10 costs.', '', '| operation | statements by subgraph | total |', '|---|---|---|', ...rows].join('\n'),
      ratios: {
        'D1 channel page 50 / page 10: statements': page50.total / page10.total,
        'D1 member page 50 / page 10: statements': members50.total / members10.total,
      },
      figures: { 'D1 send a message: statements': send.total },
    };
  } finally {
    await veza.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}
