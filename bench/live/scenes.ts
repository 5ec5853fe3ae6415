/**
 * The layout of each scenario — how many rooms, which user each connection is, who sends
 * to a room — made into a `Scene` for either system: raw rooms are channel names, Veza's
 * are the seeded channels, and Veza's connections and senders carry their users' tokens.
 */
import type { Scene } from './drive.ts';
import type { System } from './clients.ts';
import type { VezaWorld } from './seed.ts';

export interface Layout {
  name: string;
  rooms: number;
  conns: number;
  roomOf: (conn: number) => number;
  userOf: (conn: number) => number;
  senders: (room: number) => number[];
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/**
 * R1: `perRoom` clients per room, client c being user c (mod `users`); each sends to their
 * own room in turn. `send-rooms` are other channels of the same shape, for messages sent
 * through `sendMessage` (their positions are chat's, not the publisher's).
 */
export const rooms = (count: number, perRoom: number, users: number, name: 'rooms' | 'send-rooms' = 'rooms'): Layout => ({
  name,
  rooms: count,
  conns: count * perRoom,
  roomOf: (c) => Math.floor(c / perRoom),
  userOf: (c) => c % users,
  senders: (r) => range(r * perRoom, perRoom).map((c) => c % users),
});

/** R2/R3: one room; connection c is user c mod `users`; `senders` users take turns. */
export const oneRoom = (name: string, conns: number, users: number, senders: number): Layout => ({
  name,
  rooms: 1,
  conns,
  roomOf: () => 0,
  userOf: (c) => c % users,
  senders: () => range(0, senders),
});

/** The Veza channels of a layout, by its name. */
function channelsOf(world: VezaWorld, layout: Layout): string[] {
  if (layout.name === 'rooms') return world.rooms.slice(0, layout.rooms);
  if (layout.name === 'send-rooms') return world.sendRooms.slice(0, layout.rooms);
  if (layout.name === 'broadcast') return [world.broadcast];
  if (layout.name === 'idle') return [world.idle];
  if (layout.name === 'resume') return [world.resume];
  throw new Error(`no Veza channels for ${layout.name}`);
}

export function sceneFor(system: System, layout: Layout, world: VezaWorld | undefined): Scene {
  const keys = system === 'raw' ? range(0, layout.rooms).map((r) => `${layout.name}-${r}`) : channelsOf(world!, layout);
  const token = (user: number) => (system === 'veza' ? world!.users[user]!.token : undefined);
  const userId = (user: number) => (system === 'veza' ? world!.users[user]!.id : undefined);
  return {
    rooms: keys.map((key, r) => ({ key, index: r, communityId: world?.communityId, senders: layout.senders(r).map((u) => ({ index: u, token: token(u), userId: userId(u) })) })),
    conns: range(0, layout.conns).map((c) => ({ room: keys[layout.roomOf(c)]!, roomIndex: layout.roomOf(c), token: token(layout.userOf(c)) })),
  };
}
