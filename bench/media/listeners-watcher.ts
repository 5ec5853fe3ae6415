/**
 * The viewer process of benchmark M3: the track's owner, as their app does it. Untimed
 * set-up: sign up, upload the generated track (`requestTrackUpload`, PUT to the signed
 * URL, `completeTrackUpload`) and follow `trackProcessing` until every rendition is made,
 * so that the worker is idle before anything is measured. Then one graphql-ws connection
 * through the gateway subscribed to `listenerCount` of the track, recording each count
 * with the time it arrived (../live/marks.ts `now`, the clock every bench process shares).
 * Controlled by the bench over IPC (../live/ipc.ts); every wait has a deadline.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serve } from '../live/ipc.ts';
import { now } from '../live/marks.ts';

export interface Shown {
  /** When the count arrived, on the `now` clock (ms). */
  at: number;
  count: number;
  /** How long before it arrived the server took it (its `at`; both wall clocks of this machine), ms. */
  takenAgoMs: number;
}

export interface SettleRequest {
  /** The true count after the change. */
  count: number;
  /** When the change began and when its last request was answered (`now` clock). */
  since: number;
  after: number;
  /** No count for this long after `after` and after the last one that arrived: settled. */
  settleMs: number;
  timeoutMs: number;
}

export interface Settled {
  /** The count the change ended at, and when it arrived; null if none arrived after `since` or it never settled. */
  settled: Shown | null;
  last: Shown;
}

export interface PrepareResult {
  trackId: string;
  durationSeconds: number;
  /** From `completeTrackUpload` to every rendition made. */
  processingSeconds: number;
}

export type WatcherApi = {
  /** Signs up, uploads `wav` and waits (at most `timeoutMs`) until it is fully processed. */
  prepare: { req: { url: string; wav: string; timeoutMs: number }; res: PrepareResult };
  /** Subscribes to the track's listener count; answers with the first count. */
  watch: { req: { timeoutMs: number }; res: Shown };
  /** How the count took a change made from `since` to `after` (see `settle`). */
  waitFor: { req: SettleRequest; res: Settled };
  /** The count shown at `from`, and every count that arrived after it until `to`. */
  history: { req: { from: number; to: number }; res: { initial: Shown; events: Shown[] } };
  end: { req: null; res: null };
};

let url = '';
let token = '';
let trackId = '';
let live: Client | undefined;
const shown: Shown[] = [];
let subscriptionError: string | null = null;
/** Called with the first count that arrives. */
let onFirst: ((s: Shown) => void) | undefined;

async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: T | null; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function connect(): Promise<Client> {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
  return new Promise((resolve, reject) => {
    client.on('connected', () => resolve(client));
    client.on('error', reject);
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function prepare(req: { url: string; wav: string; timeoutMs: number }): Promise<PrepareResult> {
  url = req.url;
  const handle = `m3_${randomBytes(5).toString('hex')}`;
  const { signUp } = await gql<{ signUp: { accessToken: string } }>('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
    i: { handle, displayName: 'Live performer', password: 'benchmark passphrase' },
  });
  token = signUp.accessToken;
  live = await connect();
  const body = await readFile(req.wav);
  const up = await gql<{ requestTrackUpload: { uploadUrl: string; track: { id: string } } }>(
    'mutation($i: RequestTrackUploadInput!) { requestTrackUpload(input: $i) { uploadUrl track { id } } }',
    { i: { title: 'Live set', contentType: 'audio/wav', byteSize: body.length } },
  );
  trackId = up.requestTrackUpload.track.id;
  const put = await fetch(up.requestTrackUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'audio/wav' } });
  if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
  const steps = live.iterate<{ trackProcessing: { status: string; failureReason: string | null; renditionsComplete: boolean; track: { durationSeconds: number | null } | null } }>({
    query: 'subscription($id: ID!) { trackProcessing(trackId: $id) { status failureReason renditionsComplete track { durationSeconds } } }',
    variables: { id: trackId },
  });
  const started = now();
  await gql('mutation($id: ID!, $sha: String!) { completeTrackUpload(trackId: $id, sha256: $sha) { id } }', { id: trackId, sha: createHash('sha256').update(body).digest('hex') });
  const follow = async () => {
    let duration = Number.NaN;
    for await (const result of steps) {
      const step = result.data?.trackProcessing;
      if (!step) throw new Error(`trackProcessing failed: ${JSON.stringify(result.errors)}`);
      if (step.status === 'FAILED') throw new Error(`the track failed: ${step.failureReason}`);
      if (step.track?.durationSeconds) duration = step.track.durationSeconds;
      if (step.status === 'READY' && step.renditionsComplete) return duration;
    }
    throw new Error('trackProcessing ended before every rendition was made');
  };
  const durationSeconds = await withTimeout(follow(), req.timeoutMs, 'processing the track');
  return { trackId, durationSeconds, processingSeconds: (now() - started) / 1000 };
}

async function watch({ timeoutMs }: { timeoutMs: number }): Promise<Shown> {
  const client = live!;
  const first = new Promise<Shown>((resolve) => (onFirst = resolve));
  client.subscribe<{ listenerCount: { count: number; at: string } }>(
    { query: 'subscription($t: ID!) { listenerCount(trackId: $t) { count at } }', variables: { t: trackId } },
    {
      next: (result) => {
        const arrived = Date.now();
        const count = result.data?.listenerCount.count;
        if (count === undefined) {
          subscriptionError ??= JSON.stringify(result.errors);
          return;
        }
        const s = { at: now(), count, takenAgoMs: arrived - Date.parse(result.data!.listenerCount.at) };
        shown.push(s);
        onFirst?.(s);
        onFirst = undefined;
      },
      error: (err) => (subscriptionError ??= err instanceof Error ? err.message : JSON.stringify(err)),
      complete: () => (subscriptionError ??= 'the subscription completed'),
    },
  );
  return withTimeout(first, timeoutMs, 'the first listener count');
}

function lastShown(): Shown {
  const last = shown.at(-1);
  if (!last) throw new Error(`no count shown yet${subscriptionError ? `: ${subscriptionError}` : ''}`);
  return last;
}

/**
 * Waits until the count a change ends at has arrived: at once if the last count, arrived
 * after `after`, is the truth; otherwise once counts have arrived after `since` and none
 * for `settleMs` after both the last of them and `after` (the server polls once a second,
 * so that count is what it shows until something else changes, such as a stale session's
 * presence running out). At most `timeoutMs`, checked every 50 ms.
 */
async function waitFor(req: SettleRequest): Promise<Settled> {
  const started = now();
  for (;;) {
    const latest = shown.at(-1);
    const moved = latest !== undefined && latest.at >= req.since;
    const exact = moved && latest.count === req.count && latest.at >= req.after;
    const quiet = moved && now() - Math.max(req.after, latest.at) >= req.settleMs;
    if (exact || quiet) return { settled: latest, last: latest };
    if (subscriptionError) throw new Error(`listenerCount ended: ${subscriptionError}`);
    if (now() - started > req.timeoutMs) return { settled: null, last: lastShown() };
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function history({ from, to }: { from: number; to: number }): Promise<{ initial: Shown; events: Shown[] }> {
  const before = shown.filter((s) => s.at <= from);
  const initial = before.at(-1) ?? shown[0] ?? lastShown();
  return { initial, events: shown.filter((s) => s.at > from && s.at <= to) };
}

serve<WatcherApi>({
  prepare,
  watch,
  waitFor,
  history,
  end: async () => {
    await live?.dispose();
    return null;
  },
});
