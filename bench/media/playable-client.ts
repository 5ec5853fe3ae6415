/**
 * One M2 measurement, as a client app does it, in a process of its own:
 *   `node playable-client.ts '{"url":…,"file":…,"contentType":…}'`
 * Untimed: sign up, open the graphql-ws connection (an app has one open already). Timed,
 * from `requestTrackUpload`: subscribe to `trackProcessing`, PUT the file to the signed
 * URL, `completeTrackUpload`, wait for READY, then fetch the master playlist, the first
 * variant it lists, its init section and first media segment. The subscription is then
 * followed to its end (every rendition made). Prints one JSON line of seconds since the
 * start; the segment is checked with ffprobe afterwards, outside the timing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const exec = promisify(execFile);
const { url, file, contentType } = JSON.parse(process.argv[2] ?? '{}') as { url: string; file: string; contentType: string };

async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function fetchOk(target: string): Promise<Buffer> {
  const res = await fetch(target);
  if (res.status !== 200) throw new Error(`GET ${target} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

interface Step {
  status: string;
  progress: number | null;
  failureReason: string | null;
  track: { stream: { hlsUrl: string } | null } | null;
}

const body = await readFile(file);
const handle = `m2_${randomBytes(5).toString('hex')}`;
const { signUp } = await gql<{ signUp: { accessToken: string } }>(
  'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
  { i: { handle, displayName: 'Bench Uploader', password: 'benchmark passphrase' } },
);
const token = signUp.accessToken;
const live = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false });
await new Promise<void>((resolve, reject) => {
  live.on('connected', () => resolve());
  live.on('error', reject);
});

const started = performance.now();
const at = () => (performance.now() - started) / 1000;
const up = await gql<{ requestTrackUpload: { uploadUrl: string; track: { id: string } } }>(
  'mutation($i: RequestTrackUploadInput!) { requestTrackUpload(input: $i) { uploadUrl track { id } } }',
  { i: { title: 'Bench take', contentType, byteSize: body.length } },
  token,
);
const trackId = up.requestTrackUpload.track.id;
const steps = live.iterate<{ trackProcessing: Step }>({
  query: 'subscription($id: ID!) { trackProcessing(trackId: $id) { status progress failureReason track { stream { hlsUrl } } } }',
  variables: { id: trackId },
});
const sha256 = createHash('sha256').update(body).digest('hex');
const put = await fetch(up.requestTrackUpload.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': contentType } });
if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
const uploadedAt = at();
await gql('mutation($id: ID!, $sha: String!) { completeTrackUpload(trackId: $id, sha256: $sha) { id } }', { id: trackId, sha: sha256 }, token);
const completedAt = at();

let readyAt = Number.NaN;
let segmentAt = Number.NaN;
let segment: Buffer | null = null;
for await (const result of steps) {
  const step = result.data?.trackProcessing;
  if (!step) throw new Error(`trackProcessing failed: ${JSON.stringify(result.errors)}`);
  if (step.status === 'FAILED') throw new Error(`the track failed: ${step.failureReason}`);
  if (step.status !== 'READY' || segment) continue;
  readyAt = at();
  const hlsUrl = step.track?.stream?.hlsUrl;
  if (!hlsUrl) throw new Error('READY without a stream');
  const master = (await fetchOk(hlsUrl)).toString('utf8');
  const first = master.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!first) throw new Error(`no variant in the master playlist:\n${master}`);
  const variantUrl = new URL(first.trim(), hlsUrl).toString();
  const variant = (await fetchOk(variantUrl)).toString('utf8');
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(variant)?.[1];
  const media = variant.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!init || !media) throw new Error(`no init section or segment in the variant playlist:\n${variant}`);
  const [initBytes, mediaBytes] = await Promise.all([fetchOk(new URL(init, variantUrl).toString()), fetchOk(new URL(media.trim(), variantUrl).toString())]);
  segmentAt = at();
  segment = Buffer.concat([initBytes, mediaBytes]);
}
const doneAt = at();
await live.dispose();

// Correctness, untimed: the first segment is audio that ffprobe can read.
if (!segment) throw new Error('the subscription ended before READY');
const probePath = `/tmp/veza-m2-${trackId}.mp4`;
await writeFile(probePath, segment);
const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', probePath]);
await rm(probePath, { force: true });
if (!/audio/.test(stdout)) throw new Error(`the first segment is not audio: ${stdout}`);
process.stdout.write(`${JSON.stringify({ uploadedAt, completedAt, readyAt, segmentAt, doneAt, codec: stdout.trim() })}\n`);
