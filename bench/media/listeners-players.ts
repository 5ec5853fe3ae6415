/**
 * The load process of benchmark M3: simulated players of one track, each a playback
 * session as a real player keeps it, through the gateway over HTTP. A player starts with
 * `startPlayback`, then sends `playbackHeartbeat` (its position: the time since it
 * started, the track on repeat) at the interval the answer asks for, on a fixed schedule;
 * a beat sent late (the server slow to answer the previous ones) stands for the beats it
 * missed, as a player that waits for its heartbeat before the next one would. It ends with
 * `stopPlayback`. The bench starts players far faster than listeners arrive, so each
 * player's first beat comes at a random point of its first interval (the API asks for
 * beats at least that often): the beats of N players spread over the interval as those of
 * listeners who joined at random moments, instead of all falling due together. Heartbeats,
 * starts and stops each have their own bounded number of requests in flight. Controlled
 * by the bench over IPC (../live/ipc.ts); every request has a deadline.
 *
 * Besides counting, it records what says whether N players hold: how late each beat left
 * (sent − due), and the longest gap between two answered touches of one session (a gap
 * above LISTENER_PRESENCE_SECONDS drops that listener from the count for a while).
 */
import { serve } from '../live/ipc.ts';
import { now } from '../live/marks.ts';
import { latencyOf, type Latency } from '../live/stats.ts';

const START = 'mutation($t: ID!) { startPlayback(trackId: $t) { id heartbeatIntervalSeconds } }';
const BEAT = 'mutation($s: ID!, $p: Float!) { playbackHeartbeat(sessionId: $s, positionSeconds: $p) }';
const STOP = 'mutation($s: ID!) { stopPlayback(sessionId: $s) }';
const REQUEST_TIMEOUT_MS = 30_000;

export interface SetupRequest {
  url: string;
  trackId: string;
  trackSeconds: number;
  /** Heartbeats in flight at once. */
  beatConcurrency: number;
  /** Starts (or stops) in flight at once. */
  changeConcurrency: number;
}

export interface ChangeResult {
  /** Sessions started (or stopped) and answered. */
  done: number;
  failed: number;
  firstError: string | null;
  /** On the clock of ../live/marks.ts `now` (ms). */
  firstSentAt: number;
  lastAnsweredAt: number;
  /** Players playing after the change, by this process's account: the true count. */
  live: number;
  /** The heartbeat interval the API asked for, in seconds. */
  intervalSeconds: number;
  /** Stops sent while that player's heartbeat was still unanswered. */
  stoppedMidBeat: number;
}

export interface BeatStats {
  /** Since the last `resetStats`, ms on the `now` clock. */
  fromAt: number;
  toAt: number;
  live: number;
  answered: number;
  failed: number;
  firstError: string | null;
  /** Sent − due, ms. */
  lateness: Latency;
  /** Heartbeat round trip, ms. */
  roundTrip: Latency;
  /** The longest time one live session went without an answered touch (start or beat), ms, including those still waiting. */
  maxGapMs: number;
  /** Sessions whose gap passed `presenceMs` (they fell out of the count for a while). */
  lapsed: number;
  intervalSeconds: number;
}

export type PlayersApi = {
  setup: { req: SetupRequest; res: null };
  /** Starts `count` more players; no new start after `deadlineMs` (from now). */
  start: { req: { count: number; deadlineMs: number }; res: ChangeResult };
  /** Stops `count` playing players, spread evenly over those playing. */
  stop: { req: { count: number; deadlineMs: number }; res: ChangeResult };
  resetStats: { req: { presenceMs: number }; res: null };
  stats: { req: null; res: BeatStats };
  /** Stops heartbeating (the sessions are left to expire: the run's database goes next). */
  end: { req: null; res: null };
};

/** A min-heap of session indices keyed by their next due time. */
class DueHeap {
  readonly #items: number[] = [];
  readonly #due: Float64Array;

  constructor(due: Float64Array) {
    this.#due = due;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): number | undefined {
    return this.#items[0];
  }

  push(i: number): void {
    const items = this.#items;
    items.push(i);
    for (let c = items.length - 1; c > 0; ) {
      const p = (c - 1) >> 1;
      if (this.#due[items[p]!]! <= this.#due[items[c]!]!) break;
      [items[p], items[c]] = [items[c]!, items[p]!];
      c = p;
    }
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let p = 0; ; ) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < items.length && this.#due[items[l]!]! < this.#due[items[m]!]!) m = l;
      if (r < items.length && this.#due[items[r]!]! < this.#due[items[m]!]!) m = r;
      if (m === p) break;
      [items[p], items[m]] = [items[m]!, items[p]!];
      p = m;
    }
    return top;
  }
}

/** At most this many players per process (typed arrays are sized once). */
const CAPACITY = 1_000_000;

const ids: string[] = [];
const startedAt = new Float64Array(CAPACITY);
const due = new Float64Array(CAPACITY);
const lastTouch = new Float64Array(CAPACITY);
const playing = new Uint8Array(CAPACITY);
/** 1 while a session's heartbeat is unanswered. */
const beatPending = new Uint8Array(CAPACITY);
const heap = new DueHeap(due);
let setup: SetupRequest | undefined;
let live = 0;
let intervalMs = 10_000;
let running = true;
let beating: Promise<void> = Promise.resolve();

/** The current window's heartbeat figures. */
let window = freshWindow(30_000);

function freshWindow(presenceMs: number) {
  return { fromAt: now(), presenceMs, answered: 0, failed: 0, firstError: null as string | null, lateness: [] as number[], roundTrip: [] as number[], maxGapMs: 0, lapsed: new Set<number>() };
}


async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(setup!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await res.json()) as { data?: T | null; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL errors (HTTP ${res.status}): ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Notes an answered touch of session `i` at `at`, and the gap since the one before. */
function touched(i: number, at: number): void {
  const gap = at - lastTouch[i]!;
  if (gap > window.maxGapMs) window.maxGapMs = gap;
  if (gap > window.presenceMs) window.lapsed.add(i);
  lastTouch[i] = at;
}

/** Wakes the dispatcher early (a beat answered: a slot is free). */
let wake: (() => void) | undefined;
const nap = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      wake = undefined;
      resolve();
    }, ms);
    wake = () => {
      clearTimeout(timer);
      wake = undefined;
      resolve();
    };
  });

/** Sends session `i`'s beat that was due, and schedules its next one. */
async function beat(i: number, t: number): Promise<void> {
  window.lateness.push(t - due[i]!);
  // The next beat on schedule; beats this one stands for are not sent again.
  due[i] = due[i]! + intervalMs * Math.max(1, Math.ceil((t - due[i]! + 1) / intervalMs));
  const position = ((t - startedAt[i]!) / 1000) % setup!.trackSeconds;
  beatPending[i] = 1;
  try {
    await gql(BEAT, { s: ids[i], p: Math.round(position * 10) / 10 });
    const at = now();
    window.roundTrip.push(at - t);
    window.answered++;
    if (playing[i]) touched(i, at);
  } catch (err) {
    window.failed++;
    window.firstError ??= messageOf(err);
  }
  beatPending[i] = 0;
  if (playing[i]) heap.push(i);
}

/** Sends every beat when it is due, at most `beatConcurrency` in flight, until `end`. */
async function dispatch(): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  while (running) {
    const next = heap.peek();
    const t = now();
    if (next !== undefined && !playing[next]) {
      heap.pop();
      continue;
    }
    if (next === undefined || due[next]! > t || inFlight.size >= setup!.beatConcurrency) {
      // Until the next beat is due, a slot frees up, or 100 ms (a new player may have started).
      await nap(next === undefined || inFlight.size >= setup!.beatConcurrency ? 100 : Math.min(100, due[next]! - t));
      continue;
    }
    heap.pop();
    const sent: Promise<void> = beat(next, t).finally(() => {
      inFlight.delete(sent);
      wake?.();
    });
    inFlight.add(sent);
  }
  await Promise.all(inFlight);
}

/** Runs `jobs` with `concurrency` in flight, none started after `deadline`. */
async function runBounded(count: number, deadline: number, job: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, setup!.changeConcurrency) }, async () => {
      while (next < count && now() < deadline) await job(next++);
    }),
  );
}

async function start({ count, deadlineMs }: { count: number; deadlineMs: number }): Promise<ChangeResult> {
  const track = setup!.trackId;
  const firstSentAt = now();
  let lastAnsweredAt = firstSentAt;
  let done = 0;
  let failed = 0;
  let firstError: string | null = null;
  await runBounded(count, firstSentAt + deadlineMs, async () => {
    try {
      const { startPlayback: s } = await gql<{ startPlayback: { id: string; heartbeatIntervalSeconds: number } }>(START, { t: track });
      const at = now();
      if (ids.length >= CAPACITY) throw new Error(`more than ${CAPACITY} players in one process`);
      const i = ids.push(s.id) - 1;
      intervalMs = s.heartbeatIntervalSeconds * 1000;
      startedAt[i] = at;
      lastTouch[i] = at;
      due[i] = at + Math.random() * intervalMs;
      playing[i] = 1;
      heap.push(i);
      live++;
      done++;
      lastAnsweredAt = at;
    } catch (err) {
      failed++;
      firstError ??= messageOf(err);
    }
  });
  return { done, failed, firstError, firstSentAt, lastAnsweredAt, live, intervalSeconds: intervalMs / 1000, stoppedMidBeat: 0 };
}

async function stop({ count, deadlineMs }: { count: number; deadlineMs: number }): Promise<ChangeResult> {
  const playingNow: number[] = [];
  for (let i = 0; i < ids.length; i++) if (playing[i]) playingNow.push(i);
  const chosen = Array.from({ length: Math.min(count, playingNow.length) }, (_, k) => playingNow[Math.floor((k * playingNow.length) / count)]!);
  const firstSentAt = now();
  let lastAnsweredAt = firstSentAt;
  let done = 0;
  let failed = 0;
  let firstError: string | null = null;
  let stoppedMidBeat = 0;
  // The listener stops when they press stop: from then on they are not playing, whatever
  // the server knows. A heartbeat still on its way is not waited for, as a player's is not.
  await runBounded(chosen.length, firstSentAt + deadlineMs, async (k) => {
    const i = chosen[k]!;
    playing[i] = 0;
    live--;
    stoppedMidBeat += beatPending[i]!;
    try {
      await gql(STOP, { s: ids[i] });
      done++;
      lastAnsweredAt = now();
    } catch (err) {
      failed++;
      firstError ??= messageOf(err);
    }
  });
  return { done, failed, firstError, firstSentAt, lastAnsweredAt, live, intervalSeconds: intervalMs / 1000, stoppedMidBeat };
}

function stats(): BeatStats {
  const t = now();
  let maxGapMs = window.maxGapMs;
  // Sessions still waiting for their next answered touch count too.
  for (let i = 0; i < ids.length; i++) {
    if (!playing[i]) continue;
    const gap = t - lastTouch[i]!;
    if (gap > maxGapMs) maxGapMs = gap;
    if (gap > window.presenceMs) window.lapsed.add(i);
  }
  return {
    fromAt: window.fromAt,
    toAt: t,
    live,
    answered: window.answered,
    failed: window.failed,
    firstError: window.firstError,
    lateness: latencyOf(window.lateness),
    roundTrip: latencyOf(window.roundTrip),
    maxGapMs,
    lapsed: window.lapsed.size,
    intervalSeconds: intervalMs / 1000,
  };
}

serve<PlayersApi>({
  setup: async (req) => {
    setup = req;
    beating = dispatch();
    return null;
  },
  start,
  stop,
  resetStats: async ({ presenceMs }) => {
    window = freshWindow(presenceMs);
    return null;
  },
  stats: async () => stats(),
  end: async () => {
    running = false;
    wake?.();
    await beating;
    return null;
  },
});
