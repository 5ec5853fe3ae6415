/**
 * Benchmark M3 (BENCHMARKS.md), `media-listeners`: N simulated listeners of one track
 * heartbeating through the gateway, N = 1,000, 10,000 and 100,000 where it holds
 * (BENCH_M3_SIZES, `1000,10000,100000`; see the budget below): how far the live count
 * shown by the `listenerCount` subscription is from the true number of players, and how
 * long a change takes to show.
 *
 * Every Veza process runs on its own as in production (listeners-stack.ts), with the
 * production defaults that matter here: heartbeats every PLAYBACK_HEARTBEAT_SECONDS = 10
 * (the interval `startPlayback` asks for), a silent listener gone after
 * LISTENER_PRESENCE_SECONDS = 30, counts polled once a second. The load is two processes:
 * the players (listeners-players.ts: one playback session each, started, heartbeating
 * and stopped as a player does) and the track's owner (listeners-watcher.ts: uploads the
 * track, then watches its count over graphql-ws).
 *
 * Per N, on top of the players already playing: the missing players start; the count
 * must then show N (reach). A hold of BENCH_M3_HOLD seconds (10: one heartbeat interval)
 * measures the heartbeat rate answered against the N / 10 per second needed, and the
 * count shown against the truth (time-weighted). Then BENCH_ROUNDS rounds of a change:
 * 30 % of the players stop (`stopPlayback`), the count must show 70 %; as many new
 * players start, the count must show N again. Change-to-show is the time from the last
 * of those requests answered until the count the change ends at arrives: the true count,
 * or else the last count before SETTLE_MS without a new one (then reported as ended off
 * the truth, by how much). CPU and peak RSS (VmHWM, reset per N) of the media subgraph
 * and the gateway cover the whole N. BENCH_M3_STOP (0.3) is the share that stops;
 * BENCH_M3_BEAT_CONCURRENCY (512) and BENCH_M3_CHANGE_CONCURRENCY (64) bound the
 * players' heartbeats and their starts or stops in flight.
 *
 * M3 keeps to about BENCH_M3_SECONDS (100) of wall time, setting up included. The first
 * N always starts, holds and runs one round (each step bounded in time), and its other
 * rounds while they fit; a larger N starts only if, at the rates measured so far, it
 * fits with one round in what is left, and otherwise the report says what it would have
 * taken and needed. A larger N that runs out of time while its players start is cut
 * short (reported as such, without ratios). N stops growing after one that did not hold
 * (heartbeats answered below 95 % of those needed, a session silent past the presence
 * window, or failures).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkWorker, type Worker } from '../live/ipc.ts';
import { now } from '../live/marks.ts';
import { cpuMeter, infrastructurePids, machineMeter, peakMiB, resetPeak } from '../live/proc.ts';
import { spread } from '../live/stats.ts';
import { fmt, type BenchOutput } from '../support.ts';
import type { BeatStats, ChangeResult, PlayersApi } from './listeners-players.ts';
import { startListenersStack, type ListenersStack } from './listeners-stack.ts';
import type { Shown, WatcherApi } from './listeners-watcher.ts';
import { makeBenchWav } from './track.ts';

const HEARTBEAT_SECONDS = 10;
const PRESENCE_SECONDS = 30;
/** The generated track: players loop it, so its length does not end their sessions. */
const TRACK_SECONDS = 30;
/** How long the count may take to show a change before the wait gives up. */
const SHOW_TIMEOUT_MS = 15_000;
/** The server's count poll (production default): a change shows at the poll after it. */
const COUNT_POLL_MS = 1000;
/** No new count for this long (three of the server's one-second polls, which lag on a loaded machine): the count a change ended at. */
const SETTLE_MS = 3_000;
/** Heartbeats below this share of those needed: N did not hold. */
const HOLDS_AT = 0.95;
const WARM_UP_PLAYERS = 50;
/** Kept from the budget for ending the players and stopping every process. */
const RESERVE_MS = 5_000;
/** How long the last N's start leaves for the count to show it (it takes about a second). */
const REACH_SHOW_MS = 3_000;
/** The first N may take this long to start (and each of its changes), whatever the budget says. */
const FIRST_START_MS = 60_000;

export interface ListenersOptions {
  rounds: number;
}

interface Settings {
  sizes: number[];
  budgetSeconds: number;
  holdSeconds: number;
  stopShare: number;
  beatConcurrency: number;
  changeConcurrency: number;
}

/** One change (players stopping or starting) and when the count showed it. */
interface Change {
  kind: 'reach' | 'drop' | 'rise';
  result: ChangeResult;
  /** From the first request sent to the last answered, s. */
  changeSeconds: number;
  /** From the last request answered until the count the change ended at arrived, s (0 if before; NaN: it never settled within SHOW_TIMEOUT_MS). */
  toShowSeconds: number;
  /** Of that, from the server taking the count (its poll) until it arrived, ms (NaN: never settled). */
  takenToShownMs: number;
  /** The count the change ended at, less the truth (NaN: never settled). */
  off: number;
  /** What the count showed when the wait ended. */
  lastShown: number;
}

interface CountError {
  /** Time-weighted mean of |shown − true| / true over the hold, %. */
  meanPercent: number;
  /** The worst |shown − true| / true seen in the hold, %. */
  worstPercent: number;
}

interface SizeResult {
  n: number;
  reach: Change;
  hold: BeatStats;
  /** Heartbeat figures over the hold and the rounds together (lateness, silences). */
  phase: BeatStats;
  error: CountError;
  changes: Change[];
  cpu: Record<'media' | 'gateway' | 'players' | 'infrastructure' | 'machine', number>;
  peakMiB: Record<'media' | 'gateway', number>;
  needed: number;
  achieved: number;
  /** Held; failed (the stack fell behind); cut (the budget ran out before all N had started, and those that had were held). */
  verdict: 'held' | 'failed' | 'cut';
  /** What fell short, in words. */
  why: string | null;
  seconds: number;
}

interface Skipped {
  n: number;
  reason: string;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  const sizes = (env['BENCH_M3_SIZES'] ?? '1000,10000,100000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 10)) throw new Error('BENCH_M3_SIZES: whole numbers of players, at least 10 each');
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    budgetSeconds: num('BENCH_M3_SECONDS', 100),
    holdSeconds: num('BENCH_M3_HOLD', 10),
    stopShare: Math.min(0.9, num('BENCH_M3_STOP', 0.3)),
    beatConcurrency: num('BENCH_M3_BEAT_CONCURRENCY', 512),
    changeConcurrency: num('BENCH_M3_CHANGE_CONCURRENCY', 64),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const seconds = (ms: number) => ms / 1000;

/** The count shown against a constant true count over [from, to]. */
function countError(initial: Shown, events: Shown[], truth: number, from: number, to: number): CountError {
  let weighted = 0;
  let worst = Math.abs(initial.count - truth);
  let value = initial.count;
  let at = from;
  for (const e of events) {
    weighted += Math.abs(value - truth) * (e.at - at);
    worst = Math.max(worst, Math.abs(e.count - truth));
    value = e.count;
    at = e.at;
  }
  weighted += Math.abs(value - truth) * (to - at);
  const pct = (x: number) => (truth > 0 ? (x / truth) * 100 : Number.NaN);
  return { meanPercent: pct(weighted / Math.max(1, to - from)), worstPercent: pct(worst) };
}

class Listeners {
  readonly #stack: ListenersStack;
  readonly #players: Worker<PlayersApi>;
  readonly #watcher: Worker<WatcherApi>;
  readonly #s: Settings;
  readonly #deadline: number;
  readonly #log: (line: string) => void;
  /** Starts (or stops) per second, as last measured (the budget's estimates). */
  changeRate = Number.NaN;
  live = 0;

  constructor(stack: ListenersStack, players: Worker<PlayersApi>, watcher: Worker<WatcherApi>, s: Settings, deadline: number, log: (line: string) => void) {
    this.#stack = stack;
    this.#players = players;
    this.#watcher = watcher;
    this.#s = s;
    this.#deadline = deadline;
    this.#log = log;
  }

  /** What is left of the budget, less what stopping everything takes. */
  get leftMs(): number {
    return this.#deadline - RESERVE_MS - now();
  }

  /**
   * Starts or stops `count` players (none sent after `deadlineMs`), then waits for the
   * count to show the new truth, at most SHOW_TIMEOUT_MS and no later than `keepMs` before
   * the end of the budget (at least 2 s).
   */
  async change(kind: Change['kind'], count: number, deadlineMs: number, keepMs = 0): Promise<Change> {
    // A round begins just after a count arrived, that is just after a poll; without a random
    // pause its end would fall at the same point of the poll every time (a listener's change
    // falls anywhere), and the time to show would be that point, not what a viewer sees.
    // (Six pauses at N = 1,000, ~3 s, which BENCH_M3_SECONDS's 100 leaves room for.)
    if (kind !== 'reach') await sleep(Math.random() * COUNT_POLL_MS);
    const result = await this.#players.request(kind === 'drop' ? 'stop' : 'start', { count, deadlineMs: Math.max(1000, deadlineMs) }, Math.max(1000, deadlineMs) + 60_000);
    this.live = result.live;
    const changeMs = result.lastAnsweredAt - result.firstSentAt;
    if (result.done >= 50) this.changeRate = result.done / Math.max(0.001, seconds(changeMs));
    const timeoutMs = Math.min(SHOW_TIMEOUT_MS, Math.max(2000, this.leftMs - keepMs));
    const wait = await this.#watcher.request('waitFor', { count: result.live, since: result.firstSentAt, after: result.lastAnsweredAt, settleMs: SETTLE_MS, timeoutMs }, timeoutMs + 10_000);
    const change: Change = {
      kind,
      result,
      changeSeconds: seconds(changeMs),
      toShowSeconds: wait.settled ? Math.max(0, seconds(wait.settled.at - result.lastAnsweredAt)) : Number.NaN,
      takenToShownMs: wait.settled ? wait.settled.takenAgoMs : Number.NaN,
      off: wait.settled ? wait.settled.count - result.live : Number.NaN,
      lastShown: wait.last.count,
    };
    this.#log(`${kind} ${result.done}/${count} in ${fmt(change.changeSeconds)} s${kind === 'drop' ? ` (${result.stoppedMidBeat} mid-heartbeat)` : ''}, ${wait.settled ? `showed ${wait.settled.count} (truth ${result.live}) after ${fmt(change.toShowSeconds)} s` : `never settled (showing ${wait.last.count})`}`);
    return change;
  }

  /** Seconds one round of N is expected to take, from the change rate measured last. */
  roundSeconds(n: number): number {
    return (2 * this.#s.stopShare * n) / this.changeRate + 2 + (2 * COUNT_POLL_MS) / 1000;
  }

  /** Seconds N is expected to take with one round, from the change rate measured last. */
  estimateSeconds(n: number): number {
    return (n - this.live) / this.changeRate + 1 + this.#s.holdSeconds + this.roundSeconds(n);
  }

  /** Measures N; the first N runs whole (each step still bounded), later ones within the budget. */
  async measure(n: number, rounds: number, first: boolean): Promise<SizeResult> {
    const started = now();
    const holdMs = this.#s.holdSeconds * 1000;
    const pids = { media: [this.#stack.media.pid], gateway: [this.#stack.gateway.pid], players: [this.#players.pid], infrastructure: await infrastructurePids() };
    await resetPeak([this.#stack.media.pid, this.#stack.gateway.pid]);
    const meters = {
      media: await cpuMeter(pids.media),
      gateway: await cpuMeter(pids.gateway),
      players: await cpuMeter(pids.players),
      infrastructure: await cpuMeter(pids.infrastructure),
      machine: await machineMeter(),
    };
    await this.#players.request('resetStats', { presenceMs: PRESENCE_SECONDS * 1000 });
    // Starting may use what the budget leaves after the hold and a short wait for the count.
    const reach = await this.change('reach', n - this.live, Math.max(first ? FIRST_START_MS : 0, this.leftMs - holdMs - REACH_SHOW_MS), first ? 0 : holdMs);

    await this.#players.request('resetStats', { presenceMs: PRESENCE_SECONDS * 1000 });
    const holdFrom = now();
    await sleep(first ? holdMs : Math.max(1000, Math.min(holdMs, this.leftMs)));
    const hold = await this.#players.request('stats', null);
    const seen = await this.#watcher.request('history', { from: holdFrom, to: hold.toAt });
    const error = countError(seen.initial, seen.events, hold.live, holdFrom, hold.toAt);

    const changes: Change[] = [];
    const stopCount = Math.round(this.#s.stopShare * this.live);
    // Rounds only once all N play; the first N's first round always runs, the others while they fit.
    const fits = (r: number) => (first && r === 0) || this.roundSeconds(n) * 1000 < this.leftMs;
    const deadline = () => Math.max(first ? FIRST_START_MS : 0, this.leftMs);
    for (let r = 0; r < rounds && reach.result.live === n && fits(r); r++) {
      changes.push(await this.change('drop', stopCount, deadline()));
      changes.push(await this.change('rise', n - this.live, deadline()));
    }
    const phase = await this.#players.request('stats', null);
    const cpu = {
      media: await meters.media.stop(),
      gateway: await meters.gateway.stop(),
      players: await meters.players.stop(),
      infrastructure: await meters.infrastructure.stop(),
      machine: await meters.machine.stop(),
    };
    const peak = { media: await peakMiB(pids.media), gateway: await peakMiB(pids.gateway) };
    const needed = hold.live / hold.intervalSeconds;
    const achieved = hold.answered / Math.max(0.001, seconds(hold.toAt - hold.fromAt));
    const { verdict, why } = judge({ n, reach, hold, phase, needed, achieved }, this.#s.budgetSeconds);
    return { n, reach, hold, phase, error, changes, cpu, peakMiB: peak, needed, achieved, verdict, why, seconds: seconds(now() - started) };
  }
}

/** Whether N held, and if not, what fell short. */
function judge(r: { n: number; reach: Change; hold: BeatStats; phase: BeatStats; needed: number; achieved: number }, budgetSeconds: number): Pick<SizeResult, 'verdict' | 'why'> {
  const n = (x: number) => x.toLocaleString('en');
  const start = r.reach.result;
  const failures: string[] = [];
  if (start.failed > 0) failures.push(`${n(start.failed)} starts failed (${start.firstError})`);
  if (r.achieved < HOLDS_AT * r.needed) failures.push(`heartbeats answered ${fmt(r.achieved, 0)}/s of the ${fmt(r.needed, 0)}/s needed (${fmt(r.achieved / r.needed, 2)}×), so each beat leaves later than the one before (P99 ${fmt(seconds(r.phase.lateness.p99))} s late, max ${fmt(seconds(r.phase.lateness.max))} s)`);
  if (r.phase.lapsed > 0) failures.push(`${n(r.phase.lapsed)} sessions went silent for more than the ${PRESENCE_SECONDS} s presence window (longest ${fmt(seconds(r.phase.maxGapMs))} s) and dropped out of the count`);
  if (r.hold.failed > 0) failures.push(`${n(r.hold.failed)} heartbeats failed (${r.hold.firstError})`);
  const cut = start.live < r.n && start.failed === 0;
  const rate = start.done / Math.max(0.001, r.reach.changeSeconds);
  const reasons = [
    ...(cut ? [`the budget (BENCH_M3_SECONDS=${budgetSeconds}) ran out after ${n(start.live)} of the ${n(r.n)} players had started, at ${fmt(rate, 0)} starts/s (all ${n(r.n)} would take ~${fmt(r.n / rate, 0)} s to start)`] : []),
    ...failures,
  ];
  return { verdict: failures.length ? 'failed' : cut ? 'cut' : 'held', why: reasons.length ? reasons.join('; ') : null };
}

const VERDICTS: Record<SizeResult['verdict'], string> = { held: 'yes', failed: '**no**', cut: 'cut short (budget)' };

/** Median [min–max], or the one value. */
const span = (values: number[], digits = 1): string => {
  const s = spread(values);
  if (!Number.isFinite(s.median)) return 'not shown';
  return values.length === 1 ? fmt(s.median, digits) : `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
};

/** A change-to-show cell: median [min–max] of the rounds, and how many never settled. */
function toShowCell(changes: Change[]): string {
  if (changes.length === 0) return 'no round (time budget)';
  const missed = changes.filter((c) => !Number.isFinite(c.toShowSeconds));
  const taken = changes.map((c) => c.takenToShownMs).filter(Number.isFinite);
  const cell = `${span(changes.map((c) => c.toShowSeconds))}${taken.length ? ` (poll → shown ${span(taken, 0)} ms)` : ''}`;
  return missed.length ? `${cell}; ${missed.length} of ${changes.length} never settled within ${SHOW_TIMEOUT_MS / 1000} s (showing ${missed.map((c) => c.lastShown.toLocaleString('en')).join(', ')})` : cell;
}

/** Where each change's count ended, against the truth: `0` when every one ended on it. */
function offCell(changes: Change[]): string {
  if (changes.length === 0) return '–';
  const signed = (x: number) => (!Number.isFinite(x) ? '?' : x > 0 ? `+${x.toLocaleString('en')}` : x.toLocaleString('en'));
  return changes.every((c) => c.off === 0) ? '0' : changes.map((c) => signed(c.off)).join(', ');
}

function report(results: SizeResult[], skipped: Skipped[], s: Settings, rounds: number, meta: { prepared: string; load: number[]; totalSeconds: number }): BenchOutput {
  const n = (x: number) => x.toLocaleString('en');
  const stopPct = `${Math.round(s.stopShare * 100)} %`;
  const lines = [
    `One public track (generated, ${TRACK_SECONDS} s, played on repeat); platform as production runs it (5 subgraphs and the gateway, each its own process, PostgreSQL and Redis of the machine; ${meta.prepared}). Players (one playback session each: \`startPlayback\`, then \`playbackHeartbeat\` at the ${HEARTBEAT_SECONDS} s the API asks for, on schedule, the first at a random point of the first interval; \`stopPlayback\` to stop) run in one load process over HTTP through the gateway, at most ${s.beatConcurrency} heartbeats and ${s.changeConcurrency} starts or stops in flight; the track's owner watches \`listenerCount\` over graphql-ws from another process. Production defaults: heartbeat ${HEARTBEAT_SECONDS} s, presence ${PRESENCE_SECONDS} s, counts polled once a second. Per N, on top of the players already playing: the missing ones start, a ${s.holdSeconds} s hold (heartbeat rate; count against the truth, time-weighted), then ${rounds} round${rounds === 1 ? '' : 's'} of ${stopPct} of the players stopping and as many new ones starting. Load average (1 min) at start ${fmt(meta.load[0]!, 2)}, at end ${fmt(meta.load[1]!, 2)} (the machine is shared); M3 took ${fmt(meta.totalSeconds, 0)} s (BENCH_M3_SECONDS=${s.budgetSeconds}).`,
    '',
    '| N | heartbeats needed/s | answered/s (× needed) | beat sent late P99 / max s | longest silence of a player s | count vs truth in the hold: mean % (worst) | holds |',
    '|---|---|---|---|---|---|---|',
  ];
  const ratios: Record<string, number> = {};
  const figures: Record<string, number> = {};
  for (const r of results) {
    lines.push(
      `| ${r.reach.result.live < r.n ? `${n(r.n)} (${n(r.reach.result.live)} started)` : n(r.n)} | ${fmt(r.needed, 0)} | ${fmt(r.achieved, 0)} (${fmt(r.achieved / r.needed, 2)}×) | ${fmt(seconds(r.phase.lateness.p99), 2)} / ${fmt(seconds(r.phase.lateness.max), 2)} | ${fmt(seconds(r.phase.maxGapMs))} | ${fmt(r.error.meanPercent, 2)} (${fmt(r.error.worstPercent, 2)}) | ${VERDICTS[r.verdict]} |`,
    );
  }
  lines.push(
    '',
    `Changes: shown after = from the last request of the change answered until the count it ends at arrives (the true count at once, or else the last count before ${SETTLE_MS / 1000} s without a new one), median [min–max] over the rounds; mostly the wait for the server's next count poll (once a second), which a change meets at any point: each round begins after a random pause of up to ${COUNT_POLL_MS / 1000} s, as a listener's change comes at any moment (so the median of ${rounds} rounds is a draw between about 0 and 1 s); "poll → shown" is the rest, from the count taken (its \`at\`) until it arrived. Ended off = that count less the truth, per round (a session counted after its stop stays counted until its presence runs out).`,
    '',
    `| N | rounds | all N started: shown after s | ${stopPct} stop: stops took s | shown after s | ended off | stops sent with a heartbeat unanswered | restart: starts took s | shown after s | ended off |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const drops = r.changes.filter((c) => c.kind === 'drop');
    const rises = r.changes.filter((c) => c.kind === 'rise');
    lines.push(
      `| ${n(r.n)} | ${drops.length} | ${toShowCell([r.reach])} | ${drops.length ? span(drops.map((c) => c.changeSeconds)) : '–'} | ${toShowCell(drops)} | ${offCell(drops)} | ${drops.length ? drops.map((c) => c.result.stoppedMidBeat).join(', ') : '–'} | ${rises.length ? span(rises.map((c) => c.changeSeconds)) : '–'} | ${toShowCell(rises)} | ${offCell(rises)} |`,
    );
    // Stable names for the same work every run: an N cut short by the budget gives none.
    if (r.verdict === 'cut' || r.reach.result.live < r.n) continue;
    ratios[`M3 N=${r.n} count error %`] = r.error.meanPercent;
    ratios[`M3 N=${r.n} heartbeat achieved/needed`] = r.achieved / r.needed;
    const drop = spread(drops.map((c) => c.toShowSeconds)).median;
    if (Number.isFinite(drop)) figures[`M3 N=${r.n} change-to-show s`] = drop;
    const rise = spread(rises.map((c) => c.toShowSeconds)).median;
    if (Number.isFinite(rise)) figures[`M3 N=${r.n} restart-to-show s`] = rise;
    const taken = spread([...drops, ...rises].map((c) => c.takenToShownMs).filter(Number.isFinite)).median;
    if (Number.isFinite(taken)) figures[`M3 N=${r.n} poll → shown ms`] = taken;
    const off = spread(drops.map((c) => c.off)).median;
    if (Number.isFinite(off)) figures[`M3 N=${r.n} count off after stop`] = off;
  }
  lines.push(
    '',
    'What it costs, over each N (start, hold and rounds); CPU in % of one core (2 cores: 200 % in all), peak RSS (VmHWM, reset at the start of each N):',
    '',
    '| N | took s | media CPU % | media peak MiB | gateway CPU % | gateway peak MiB | heartbeat round trip P50 / P99 ms | players process CPU % | PostgreSQL + Redis CPU % | whole machine CPU % |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    lines.push(
      `| ${n(r.n)} | ${fmt(r.seconds, 0)} | ${fmt(r.cpu.media, 0)} | ${fmt(r.peakMiB.media, 0)} | ${fmt(r.cpu.gateway, 0)} | ${fmt(r.peakMiB.gateway, 0)} | ${fmt(r.hold.roundTrip.p50, 1)} / ${fmt(r.hold.roundTrip.p99, 1)} | ${fmt(r.cpu.players, 0)} | ${fmt(r.cpu.infrastructure, 0)} | ${fmt(r.cpu.machine, 0)} |`,
    );
  }
  lines.push('', ...whereItStopped(results, skipped));
  return { markdown: lines.join('\n'), ratios, figures };
}

function whereItStopped(results: SizeResult[], skipped: Skipped[]): string[] {
  const n = (x: number) => x.toLocaleString('en');
  const out: string[] = [];
  const held = results.filter((r) => r.verdict === 'held');
  if (held.length) out.push(`Held (every player counted, heartbeats at the rate needed): N = ${held.map((r) => n(r.n)).join(', ')}.`);
  const cpu = (r: SizeResult) =>
    `CPU meanwhile: media subgraph ${fmt(r.cpu.media, 0)} %, gateway ${fmt(r.cpu.gateway, 0)} % of one core, PostgreSQL + Redis ${fmt(r.cpu.infrastructure, 0)} %, the whole machine ${fmt(r.cpu.machine, 0)} % of 200 %`;
  for (const r of results.filter((x) => x.verdict === 'failed')) out.push(`**N = ${n(r.n)} did not hold**: ${r.why}. ${cpu(r)}.`);
  for (const r of results.filter((x) => x.verdict === 'cut')) out.push(`**N = ${n(r.n)} cut short**: ${r.why}; the ${n(r.hold.live)} started were held (heartbeats ${fmt(r.achieved, 0)}/s of ${fmt(r.needed, 0)}/s needed), so this says nothing yet about all ${n(r.n)}.`);
  for (const s of skipped) out.push(`**N = ${n(s.n)} not run**: ${s.reason}.`);
  if (held.length === results.length && skipped.length === 0) out.push('Every N asked for held.');
  return out;
}

async function prepareTrack(stack: ListenersStack, watcher: Worker<WatcherApi>): Promise<{ trackId: string; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'veza-bench-m3-track-'));
  try {
    await makeBenchWav(join(dir, 'track.wav'), TRACK_SECONDS);
    const t = await watcher.request('prepare', { url: stack.url, wav: join(dir, 'track.wav'), timeoutMs: 90_000 }, 100_000);
    // Transcoding is done: the worker would only sit idle beside what is measured.
    await stack.stopWorker();
    return { trackId: t.trackId, text: `the track uploaded and fully transcoded by the worker in ${fmt(t.processingSeconds)} s beforehand, the worker then stopped` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runListenersBench(opts: ListenersOptions): Promise<BenchOutput> {
  const s = settings(process.env);
  const started = now();
  const load = [loadavg()[0]!];
  const log = (line: string) => process.stdout.write(`  M3 ${line} (${fmt(seconds(now() - started), 0)} s in)\n`);
  const stack = await startListenersStack({ PLAYBACK_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS), LISTENER_PRESENCE_SECONDS: String(PRESENCE_SECONDS) });
  const watcher = forkWorker<WatcherApi>(fileURLToPath(new URL('./listeners-watcher.ts', import.meta.url)));
  const players = forkWorker<PlayersApi>(fileURLToPath(new URL('./listeners-players.ts', import.meta.url)));
  try {
    log('stack up');
    const prepared = await prepareTrack(stack, watcher);
    await watcher.request('watch', { timeoutMs: 10_000 }, 15_000);
    log('track ready, count watched');
    await players.request('setup', { url: stack.url, trackId: prepared.trackId, trackSeconds: TRACK_SECONDS, beatConcurrency: s.beatConcurrency, changeConcurrency: s.changeConcurrency });
    const bench = new Listeners(stack, players, watcher, s, started + s.budgetSeconds * 1000, log);
    // Warm-up: a few players start and stop.
    await bench.change('reach', WARM_UP_PLAYERS, 30_000);
    await bench.change('drop', WARM_UP_PLAYERS, 30_000);
    const results: SizeResult[] = [];
    const skipped: Skipped[] = [];
    for (const n of s.sizes) {
      const last = results.at(-1);
      const needs = `N = ${n.toLocaleString('en')} needs ${(n / HEARTBEAT_SECONDS).toLocaleString('en')} heartbeats/s`;
      if (last?.verdict === 'failed') {
        skipped.push({ n, reason: `N = ${last.n.toLocaleString('en')} did not hold already; ${needs}, ${fmt(n / HEARTBEAT_SECONDS / last.achieved, 1)}× the ${fmt(last.achieved, 0)}/s answered at N = ${last.n.toLocaleString('en')}` });
        continue;
      }
      if (last?.verdict === 'cut') {
        skipped.push({ n, reason: `the budget ran out during N = ${last.n.toLocaleString('en')}; ${needs} (answered here: ${fmt(last.achieved, 0)}/s, all that its ${last.hold.live.toLocaleString('en')} players needed)` });
        continue;
      }
      // Not started unless it fits (with one round) in what is left: say what it would take instead.
      const left = seconds(bench.leftMs);
      const estimate = bench.estimateSeconds(n);
      if (last && !(estimate < left)) {
        const why = skipped.length ? '' : ' (a start or stop is about the work of a heartbeat: a read, a write, a Redis call)';
        skipped.push({
          n,
          reason: `at the rates measured it would take ~${Math.round(estimate).toLocaleString('en')} s (${(n - bench.live).toLocaleString('en')} more players starting at ${fmt(bench.changeRate, 0)}/s, the hold, one round), and ${fmt(Math.max(0, left), 0)} s of the BENCH_M3_SECONDS=${s.budgetSeconds} budget were left; ${needs}, ${fmt(n / HEARTBEAT_SECONDS / bench.changeRate, 1)}× the ${fmt(bench.changeRate, 0)} starts or stops per second the stack answered with ${s.changeConcurrency} in flight beside the heartbeats of those playing${why}`,
        });
        continue;
      }
      log(`N=${n}`);
      const r = await bench.measure(n, opts.rounds, !last);
      results.push(r);
      log(`N=${n}: ${fmt(r.achieved, 0)}/${fmt(r.needed, 0)} heartbeats/s, error ${fmt(r.error.meanPercent, 2)} %, ${r.verdict}${r.why ? `: ${r.why}` : ''}`);
    }
    await players.request('end', null);
    load.push(loadavg()[0]!);
    return report(results, skipped, s, opts.rounds, { prepared: prepared.text, load, totalSeconds: seconds(now() - started) });
  } finally {
    await players.stop();
    await watcher.request('end', null, 5000).catch(() => undefined);
    await watcher.stop();
    await stack.stop();
  }
}
