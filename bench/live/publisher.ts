/**
 * The publishing load process of benchmark R: sends `count` messages at `rate` per second
 * in total, spread evenly over time and over the rooms (message k goes to room k mod R,
 * from the room's senders in turn). Open loop with at most `maxInFlight` sends
 * outstanding: when the system cannot keep up, the achieved rate falls below the asked
 * one and is reported as such. How a message enters the system:
 * - raw: PUBLISH of the text on the room's Redis channel;
 * - Veza `publish`: the event chat's outbox relay publishes once a message is committed,
 *   on the same Redis pub/sub, through chat's own trigger names and platform's pub/sub
 *   engine — the same starting point as raw, so the latency is the live delivery's
 *   (positions count up per room without gaps, as chat numbers them);
 * - Veza `send`: the `sendMessage` mutation over HTTP to the gateway, as a user sends
 *   one, so the send path (transaction, outbox, relay) counts in the latency too.
 */
import { Redis } from 'ioredis';
import { createPubSub, type PubSubEngine } from '../../platform/events/pubsub.ts';
import { newId } from '../../platform/ids.ts';
import { ChatEvents, type MessageEventPayload } from '../../subgraphs/chat/services/chat-events.ts';
import { collectNow, serve } from './ipc.ts';
import { markText, now, SEND_MESSAGE } from './marks.ts';
import type { System } from './clients.ts';

export interface Room {
  /** Raw: the channel name; Veza: the channel id. */
  key: string;
  index: number;
  /** Who sends to it, in turn (Veza: with their ids and access tokens). */
  senders: { index: number; token?: string | undefined; userId?: string | undefined }[];
  /** Veza: the channel's community. */
  communityId?: string | undefined;
}

/** How Veza's messages enter it (see the header); raw always PUBLISHes. */
export type Via = 'publish' | 'send';

export interface PublishRequest {
  system: System;
  via: Via;
  /** Raw and Veza `publish`: the Redis URL; Veza `send`: the gateway's GraphQL URL. */
  target: string;
  /** The Redis prefix of the run (raw's channels, Veza's triggers). */
  prefix: string;
  phase: number;
  rooms: Room[];
  /** Messages per second in total; 0 sends as fast as `maxInFlight` allows. */
  rate: number;
  count: number;
  maxInFlight: number;
}

export interface PublishResult {
  /** Sequence numbers of the messages the system accepted, and when each was sent. */
  sent: Int32Array;
  sentAt: Float64Array;
  /** Sends that failed (errors, timeouts). */
  failed: number;
  /** Messages the window ended before they could be sent (the system was not keeping up). */
  unsent: number;
  errors: string[];
  /** From the first send to the last answer. */
  seconds: number;
  /** Each send's round trip (Veza: the mutation), ms. */
  sendMs: Float64Array;
}

export type PublisherApi = { publish: { req: PublishRequest; res: PublishResult } };

const SEND_TIMEOUT_MS = 10_000;
const redises = new Map<string, Redis>();
const buses = new Map<string, PubSubEngine>();
/** The last position published per Veza room (publish mode): one process publishes them all, in order. */
const positions = new Map<string, number>();

/** Publishes message `k` as chat's `messageAdded` event of its room. */
async function publishEvent(req: PublishRequest, room: Room, sender: Room['senders'][number], text: string): Promise<void> {
  let bus = buses.get(req.target);
  if (!bus) buses.set(req.target, (bus = createPubSub(req.target).pubsub));
  const position = (positions.get(room.key) ?? 0) + 1;
  positions.set(room.key, position);
  const event: MessageEventPayload = {
    id: newId(),
    channelId: room.key,
    threadId: null,
    communityId: room.communityId ?? null,
    authorId: sender.userId ?? '',
    body: text,
    position,
    createdAt: new Date().toISOString(),
    editedAt: null,
    replyToId: null,
    mentionedUserIds: [],
    mentionedRoleIds: [],
    mentionsEveryone: false,
    pinnedAt: null,
  };
  await bus.publish(new ChatEvents(req.prefix).trigger('messageAdded', room.key), event);
}

/** Sends message `k`; resolves with its send time once the system accepted it. */
async function sendOne(req: PublishRequest, k: number): Promise<number> {
  const room = req.rooms[k % req.rooms.length]!;
  const sender = room.senders[Math.floor(k / req.rooms.length) % room.senders.length]!;
  const sentAt = now();
  const text = markText({ sentAt, phase: req.phase, seq: k, room: room.index, sender: sender.index });
  if (req.system === 'raw') {
    let redis = redises.get(req.target);
    if (!redis) redises.set(req.target, (redis = new Redis(req.target)));
    await redis.publish(req.prefix + room.key, text);
    return sentAt;
  }
  if (req.via === 'publish') {
    await publishEvent(req, room, sender, text);
    return sentAt;
  }
  const res = await fetch(req.target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token ?? ''}` },
    body: JSON.stringify({ query: SEND_MESSAGE, variables: { i: { channelId: room.key, body: text } } }),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  const body = (await res.json()) as { data?: { sendMessage?: { id: string } | null } | null; errors?: { message: string; extensions?: { code?: string } }[] };
  if (!body.data?.sendMessage) throw new Error(`${body.errors?.[0]?.extensions?.code ?? res.status}: ${body.errors?.[0]?.message ?? 'no message'}`);
  return sentAt;
}

async function publish(req: PublishRequest): Promise<PublishResult> {
  // Garbage collected now, before the first message is stamped (LOAD_PROCESS_NODE_ARGS in ipc.ts).
  collectNow();
  const sent: number[] = [];
  const sentAt: number[] = [];
  const sendMs: number[] = [];
  const errors = new Set<string>();
  let failed = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const launch = (k: number) => {
    inFlight++;
    const t = now();
    sendOne(req, k).then(
      (at) => {
        sent.push(k);
        sentAt.push(at);
        sendMs.push(now() - t);
      },
      (err: unknown) => {
        failed++;
        if (errors.size < 5) errors.add(err instanceof Error ? err.message : String(err));
      },
    ).finally(() => {
      inFlight--;
      wake?.();
    });
  };
  const interval = req.rate > 0 ? 1000 / req.rate : 0;
  const start = now();
  // A paced run ends with its window: what the system could not take by then is not sent
  // (`unsent`), rather than piling up past the window. A burst gets a minute.
  const deadline = interval ? start + req.count * interval + 1_000 : start + 60_000;
  let k = 0;
  while (k < req.count && now() < deadline) {
    const due = interval ? Math.min(req.count, Math.floor((now() - start) / interval) + 1) : req.count;
    while (k < due && inFlight < req.maxInFlight) launch(k++);
    const sleepMs = inFlight >= req.maxInFlight ? 1_000 : Math.max(1, start + k * interval - now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, sleepMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  }
  const unsent = req.count - k;
  const drainUntil = now() + SEND_TIMEOUT_MS + 1_000;
  while (inFlight > 0 && now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
  return { sent: Int32Array.from(sent), sentAt: Float64Array.from(sentAt), failed, unsent, errors: [...errors], seconds: (now() - start) / 1000, sendMs: Float64Array.from(sendMs) };
}

serve<PublisherApi>({ publish });
