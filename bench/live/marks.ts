/**
 * What every benchmark message carries in its text, for both systems, so that a receiver
 * can time it and check it: the send time (monotonic ms with fractions, one clock for
 * every process on the machine), the phase it belongs to, its sequence number, its room and the
 * index of the user who sent it. Raw publishes the text as is; Veza sends it as a
 * message's body through `sendMessage`.
 */

export interface Mark {
  /** When the publisher sent it (see `now`): PUBLISH for raw, the start of the HTTP mutation for Veza. */
  sentAt: number;
  phase: number;
  seq: number;
  room: number;
  sender: number;
}

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, since boot), with
 * sub-millisecond resolution: one clock for every process. Not `performance.timeOrigin +
 * performance.now()`: each process fixes its time origin from the wall clock when it
 * starts, so processes started at different times disagreed by up to ~5 ms here (raw
 * latencies came out negative), and a wall-clock step would move them further apart.
 */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export function markText(m: Mark): string {
  return `t=${m.sentAt.toFixed(3)};p=${m.phase};s=${m.seq};r=${m.room};u=${m.sender}`;
}

const MARK = /^t=([\d.]+);p=(\d+);s=(\d+);r=(\d+);u=(\d+)$/;

export function parseMark(text: string): Mark | undefined {
  const m = MARK.exec(text);
  if (!m) return undefined;
  return { sentAt: Number(m[1]), phase: Number(m[2]), seq: Number(m[3]), room: Number(m[4]), sender: Number(m[5]) };
}

/** The display name the seed gives user `index`, which Veza's events must carry as `author.displayName`. */
export const displayNameOf = (index: number): string => `Live ${index}`;

/** The subscription every Veza client holds; `author` is resolved by the community subgraph, an entity fetch per event. */
export const MESSAGE_ADDED = 'subscription Live($c: ID!, $after: Int) { messageAdded(channelId: $c, afterPosition: $after) { id body position author { displayName } } }';

export const SEND_MESSAGE = 'mutation Send($i: SendMessageInput!) { sendMessage(input: $i) { id position } }';
