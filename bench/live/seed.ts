/**
 * Benchmark R's Veza data, made through the gateway as users make it: an owner creates a
 * community with the rooms' channels and an invite; every other user signs up (argon2id:
 * the slow part, ~20 ms of CPU each) and joins with the invite. Each client of the
 * benchmark is one of these users; user `i` is named `displayNameOf(i)`.
 */
import { randomBytes } from 'node:crypto';
import { displayNameOf } from './marks.ts';

export interface VezaUser {
  index: number;
  id: string;
  token: string;
}

export interface VezaWorld {
  communityId: string;
  /** R1's rooms: events published on the bus. */
  rooms: string[];
  /** R1's rooms for messages sent with `sendMessage`. */
  sendRooms: string[];
  /** R2's channel, R3's, R4's. */
  broadcast: string;
  idle: string;
  resume: string;
  users: VezaUser[];
}

type Gql = (query: string, variables: Record<string, unknown>, token?: string) => Promise<Record<string, unknown>>;

export function gqlClient(url: string): Gql {
  return async (query, variables, token) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}

const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }';

async function signUp(gql: Gql, handle: string, displayName: string): Promise<{ id: string; token: string }> {
  const d = (await gql(SIGN_UP, { i: { handle, displayName, password: 'live benchmark passphrase' } })) as { signUp: { accessToken: string; user: { id: string } } };
  return { id: d.signUp.user.id, token: d.signUp.accessToken };
}

export async function seedVeza(url: string, opts: { users: number; rooms: number; concurrency: number; log: (line: string) => void }): Promise<VezaWorld> {
  const gql = gqlClient(url);
  const tag = randomBytes(3).toString('hex');
  const owner = await signUp(gql, `live_${tag}_owner`, 'Live owner');
  const c = (await gql('mutation { createCommunity(input: { name: "Live bench" }) { id } }', {}, owner.token)) as { createCommunity: { id: string } };
  const communityId = c.createCommunity.id;
  const channel = async (name: string) =>
    ((await gql('mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }', { i: { communityId, name } }, owner.token)) as { createChannel: { id: string } }).createChannel.id;
  const rooms: string[] = [];
  for (let i = 0; i < opts.rooms; i++) rooms.push(await channel(`room-${i}`));
  const sendRooms: string[] = [];
  for (let i = 0; i < opts.rooms; i++) sendRooms.push(await channel(`send-room-${i}`));
  const [broadcast, idle, resume] = [await channel('broadcast'), await channel('idle'), await channel('resume')];
  const invite = (await gql('mutation($i: CreateInviteInput!) { createInvite(input: $i) { code } }', { i: { communityId } }, owner.token)) as { createInvite: { code: string } };

  const users: VezaUser[] = new Array<VezaUser>(opts.users);
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < opts.users) {
      const index = next++;
      const u = await signUp(gql, `live_${tag}_${index}`, displayNameOf(index));
      await gql('mutation($c: String!) { joinCommunity(code: $c) { id } }', { c: invite.createInvite.code }, u.token);
      users[index] = { index, ...u };
      if ((index + 1) % 1000 === 0) opts.log(`  seeded ${index + 1}/${opts.users} users (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { communityId, rooms, sendRooms, broadcast, idle, resume, users };
}
