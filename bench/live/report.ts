/**
 * Benchmark R's figures as the Markdown section of docs/benchmarks.md: per scenario and
 * system the median round with its [min–max] spread; Veza's latency ratios against raw
 * from each system's deliveries (or fan-outs) of all rounds pooled, the rounds having
 * interleaved, and its other ratios round by round (Veza's round i over raw's round i).
 */
import { fmt, productionNodeFlags, type BenchOutput } from '../support.ts';
import type { RoomsResult } from './rooms.ts';
import type { Results } from './run.ts';
import { SWEEP_P99_MS, sweepSeconds } from './drive.ts';
import { concat, latencyOf, spread, type Latency } from './stats.ts';
import { FAN_OUT_SETTLE, fanOutsAt, type IdleResult } from './idle.ts';

export interface ReportMeta {
  durationSeconds: number;
  /** R2's rounds, seconds. */
  broadcastSeconds: number;
  /** R1's warm-up at 1,000 messages/s before each measured window, seconds. */
  r1WarmupSeconds: number;
  /** Before the first round, every R1 measurement once unmeasured, this long. */
  r1FirstPassSeconds: number;
  rounds: number;
  withVeza: boolean;
  broadcastClients: number;
  idleSizes: number[];
  holdSeconds: number;
  perServer: number;
  /** Distinct Veza users; R2's and R3's connections take them in turn. */
  users: number;
  /** R1's rate with `sendMessage`. */
  lowRate: number;
  /** R1's higher rates. */
  sweepRates: number[];
  /** R3's N during whose pass R4 ran (in Veza's hold, both systems' connections open), if it did. */
  resumeDuringHold: number | undefined;
  versions: string;
  minutes: number;
}

/** "median [min–max]" over rounds; the value alone for one round. */
function agg(values: number[], digits = 1): string {
  const s = spread(values);
  if (values.length <= 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

/** Veza's value over raw's, round by round, as "median× [min–max]". */
function ratio<T>(raw: T[], veza: T[], f: (r: T) => number): string {
  const r = veza.map((v, i) => f(v) / f(raw[i]!)).filter(Number.isFinite);
  if (!r.length) return 'n/a';
  const s = spread(r);
  return r.length > 1 ? `${fmt(s.median, 2)}× [${fmt(s.min, 2)}–${fmt(s.max, 2)}]` : `${fmt(s.median, 2)}×`;
}

const total = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The median of Veza's values over raw's, round by round. */
function ratioValue<T>(raw: T[], veza: T[], f: (r: T) => number): number {
  return spread(veza.map((v, i) => f(v) / f(raw[i]!)).filter(Number.isFinite)).median;
}

/**
 * Each system's deliveries of every round pooled, whose percentiles give the latency ratios
 * compared between runs (Veza's over raw's). A round's P99 is the few slowest moments of
 * its window: one garbage collection pause of either system, or one slow scheduling of the
 * shared machine, moved it by half between runs (the send path's P99 is its window's
 * fourth-slowest message); pooled, the rounds' deliveries make one sample three times as
 * long, the rounds having interleaved.
 */
function pooled(raw: { latencies: Float64Array }[], veza: { latencies: Float64Array }[]): Pooled {
  const pool = (rs: { latencies: Float64Array }[]) => latencyOf(concat(rs.map((r) => r.latencies)));
  return { raw: pool(raw), veza: pool(veza) };
}

interface Pooled {
  raw: Latency;
  veza: Latency;
}

/** The median of every value of Veza's rounds over that of raw's (fan-outs, messages' time to the last client). */
function pooledMedian<T>(raw: T[], veza: T[], values: (r: T) => number[]): number {
  return spread(veza.flatMap(values)).median / spread(raw.flatMap(values)).median;
}

const ROOMS_HEADER = [
  '| msg/s asked | system | achieved | not sent in window | deliveries expected | lost | dup | P50 ms | P99 ms | max ms | send P50/P99 ms | CPU % edge / all | PostgreSQL + Redis CPU % | peak RSS MiB edge / all |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];

function roomsRow(rate: number, system: string, rs: RoomsResult[]): string {
  return `| ${rate} | ${system} | ${agg(rs.map((r) => r.achievedRate), 0)} | ${total(rs.map((r) => r.unsent))} | ${total(rs.map((r) => r.expected))} | ${total(rs.map((r) => r.lost))} | ${total(rs.map((r) => r.duplicates))} | ${agg(rs.map((r) => r.latency.p50), 2)} | ${agg(rs.map((r) => r.latency.p99), 2)} | ${agg(rs.map((r) => r.latency.max), 1)} | ${agg(rs.map((r) => r.sendLatency.p50), 2)} / ${agg(rs.map((r) => r.sendLatency.p99), 2)} | ${agg(rs.map((r) => r.cpu.edge), 0)} / ${agg(rs.map((r) => r.cpu.all), 0)} | ${agg(rs.map((r) => r.infraCpu), 0)} | ${agg(rs.map((r) => r.peak.edge), 0)} / ${agg(rs.map((r) => r.peak.all), 0)} |`;
}

function roomsNotes(label: string, rs: RoomsResult[]): string[] {
  return rs.flatMap((r, i) => [...r.problems, ...r.sendErrors, ...clock(r.latency.min)].map((p) => `${label}, round ${i + 1}: ${p}`));
}

export function formatReport(res: Results, meta: ReportMeta): BenchOutput {
  const ratios: Record<string, number> = {};
  const figures: Record<string, number> = {};
  const flagsOf = (script: 'start:gateway' | 'start:subgraph') => productionNodeFlags(script).map((f) => `${f} `).join('');
  const [gatewayFlags, subgraphFlags] = [flagsOf('start:gateway'), flagsOf('start:subgraph')];
  const out: string[] = [
    `Raw baseline: a plain \`ws\` server forwarding Redis pub/sub messages to the sockets of their channel (bench/live/raw-server.ts), messages PUBLISHed on Redis; R1's raw server with a young generation of a fixed 16 MB (V8 kept it at ~1 MB and collected it 15 times a second at 1,000 messages/s; bench/live/run.ts). ` +
      `Veza: \`node ${gatewayFlags}gateway/main.ts\` in front of the five subgraphs, each \`node ${subgraphFlags}subgraphs/main.ts <name>\` (package.json's start scripts, as the k8s manifests run them; production profile: PostgreSQL database made for the run, Redis with its own prefix, embedded s3rver), ` +
      `clients on graphql-transport-ws subscribed to \`messageAdded(channelId:) { id body position author { displayName } }\` (author from the community subgraph: an entity fetch per event). ` +
      `Veza's messages enter it two ways: **published** — chat's \`messageAdded\` event PUBLISHed on the same Redis, as chat's outbox relay publishes a committed message (chat's trigger names and platform's pub/sub engine; positions without gaps), the same starting point as raw's, so the latency is the live delivery's; ` +
      `and **sent** — the \`sendMessage\` mutation over HTTP through the gateway, so chat's transaction, outbox and relay count too. ` +
      `Latency = client receive time − publish (or send) time, both on the machine's monotonic clock; a delivery still missing 10 s after the last send counts as lost. ` +
      `Clients, publisher and servers are separate processes; clients bind 127.0.0.2, 127.0.0.3, …; every system's clients connect once per scenario and the rounds interleave on them. While one system is measured (R1's windows with their warm-ups, R2's rounds, R3's fan-outs), the other's server processes are stopped (SIGSTOP, then SIGCONT; bench/live/turns.ts), so that neither's background work — Veza's keep-alive pings, timers and collections; raw has none — runs in the other's window. Every Veza user signed up through the gateway and joined with an invite (R1: one user per client; R2/R3: see below); chat's flood limit is left at its default (senders stay under it), sign-up limit and token lifetime raised for the run. ` +
      `CPU % is of one core over the measured window; peak RSS is VmHWM reset before each measurement. "edge" = the raw server or Veza's gateway(s); "all" adds Veza's subgraphs (PostgreSQL and Redis are not counted for either). ` +
      `Versions: ${meta.versions}. Settings: BENCH_LIVE_USERS=${meta.users}, BENCH_LIVE_BROADCAST=${meta.broadcastClients}, BENCH_LIVE_IDLE=${meta.idleSizes.join(',')}, BENCH_LIVE_HOLD=${meta.holdSeconds}, BENCH_LIVE_R1_LOW=${meta.lowRate}, BENCH_LIVE_R1_SWEEP=${meta.sweepRates.join(',')}. Whole run ${fmt(meta.minutes, 1)} min.`,
    '',
  ];
  if (!meta.withVeza) out.push('**Veza not measured** (`messageAdded` not in schema/supergraph.graphql, or BENCH_LIVE_SYSTEMS=raw): raw baseline only.', '');
  const systems = meta.withVeza ? (['raw', 'veza'] as const) : (['raw'] as const);

  const r1 = res.rooms;
  if (r1.raw.length) {
    out.push(
      `### R1 chat rooms — 1,000 clients, 100 rooms (10 each), ${meta.rounds} rounds`,
      '',
      `1,000 messages/s for ${meta.durationSeconds} s after a ${meta.r1WarmupSeconds} s warm-up, Veza's published on the bus; before the first round, every server process of both systems collected its start-up garbage (a full collection through its inspector, bench/live/run.ts), then each of R1's measurements (these and the send path's below) ran once unmeasured for ${meta.r1FirstPassSeconds} s.`,
      '',
      ...ROOMS_HEADER,
      ...systems.map((s) => roomsRow(1000, s, r1[s])),
    );
    if (meta.withVeza) {
      const p = pooled(r1.raw, r1.veza);
      ratios['R1 1000 msg/s P50 veza/raw'] = p.veza.p50 / p.raw.p50;
      ratios['R1 1000 msg/s P99 veza/raw'] = p.veza.p99 / p.raw.p99;
      out.push(
        '',
        `Veza / raw, every round's deliveries pooled: P50 ${fmt(ratios['R1 1000 msg/s P50 veza/raw'], 2)}×, P99 ${fmt(ratios['R1 1000 msg/s P99 veza/raw'], 2)}× (${pooledText(p)}). Same round: P50 ${ratio(r1.raw, r1.veza, (r) => r.latency.p50)}, P99 ${ratio(r1.raw, r1.veza, (r) => r.latency.p99)}, max ${ratio(r1.raw, r1.veza, (r) => r.latency.max)}, CPU (edge) ${ratio(r1.raw, r1.veza, (r) => r.cpu.edge)}, CPU (all) ${ratio(r1.raw, r1.veza, (r) => r.cpu.all)}.`,
      );
      ratios['R1 1000 msg/s CPU all veza/raw'] = ratioValue(r1.raw, r1.veza, (r) => r.cpu.all);
      out.push('', perRound('P99 ms', r1.raw, r1.veza, (r) => r.latency.p99));
    }
    notes(out, systems.flatMap((s) => roomsNotes(`${s} at 1000 msg/s`, r1[s])));
  }

  const sent = res.send;
  if (sent.raw.length) {
    const rate = sent.raw[0]!.askedRate;
    out.push(
      '',
      `### R1 with the send path — the same 1,000 clients in 100 other rooms, Veza's messages sent with \`sendMessage\`, ${meta.rounds} rounds`,
      '',
      `${rate} messages/s (a rate Veza's send path takes on this machine) for ${fmt(sent.raw[0]!.sent / rate, 0)} s after a 1 s warm-up; raw PUBLISHes at the same rate. "send P50/P99" is the mutation's round trip.`,
      '',
      ...ROOMS_HEADER,
      ...systems.map((s) => roomsRow(rate, s === 'veza' ? 'veza (sendMessage)' : s, sent[s])),
    );
    if (meta.withVeza) {
      const [p50, p99] = [`R1 sendMessage ${rate} msg/s P50 veza/raw`, `R1 sendMessage ${rate} msg/s P99 veza/raw`];
      const p = pooled(sent.raw, sent.veza);
      ratios[p50] = p.veza.p50 / p.raw.p50;
      ratios[p99] = p.veza.p99 / p.raw.p99;
      out.push(
        '',
        `Veza / raw, every round's deliveries pooled: P50 ${fmt(ratios[p50], 2)}×, P99 ${fmt(ratios[p99], 2)}× (${pooledText(p)}). Same round: P50 ${ratio(sent.raw, sent.veza, (r) => r.latency.p50)}, P99 ${ratio(sent.raw, sent.veza, (r) => r.latency.p99)}, CPU (all) ${ratio(sent.raw, sent.veza, (r) => r.cpu.all)}.`,
      );
    }
    notes(out, systems.flatMap((s) => roomsNotes(`${s} at ${rate} msg/s`, sent[s])));
  }

  const sweep = res.sweep;
  if (r1.raw.length) {
    const rates = [...new Set(systems.flatMap((s) => sweep[s].map((r) => r.askedRate)))].sort((x, y) => x - y);
    const past = (r: RoomsResult) => r.latency.p99 > SWEEP_P99_MS || r.lost > 0 || r.unsent > 0 || r.failedSends > 0;
    out.push(
      '',
      `### R1 at higher rates — where P99 passes ${SWEEP_P99_MS} ms or deliveries are lost`,
      '',
      `The rates ${meta.sweepRates.join(', ')} messages/s in turn, once each for ${sweepSeconds(meta.durationSeconds)} s after a 1 s warm-up, Veza's published on the bus; a system is not pushed further once past the mark (at 1,000 messages/s already, or at a lower rate of these).`,
      '',
      ...(rates.length ? [...ROOMS_HEADER, ...rates.flatMap((rate) => systems.flatMap((s) => sweep[s].filter((r) => r.askedRate === rate).map((r) => roomsRow(rate, s, [r]))))] : []),
      ...(rates.length ? [''] : []),
      ...systems.map((s) => {
        const over = [...r1[s], ...sweep[s]].filter(past).map((r) => r.askedRate);
        const highest = Math.max(1000, ...sweep[s].map((r) => r.askedRate));
        return `${s}: ${over.length ? `P99 above ${SWEEP_P99_MS} ms, or deliveries lost or not sent, from ${Math.min(...over)} messages/s asked` : `P99 under ${SWEEP_P99_MS} ms and nothing lost up to ${highest} messages/s asked`}.`;
      }),
    );
    notes(out, systems.flatMap((s) => sweep[s].flatMap((r) => roomsNotes(`${s} at ${r.askedRate} msg/s`, [r]))));
  }

  const r2 = res.broadcast;
  if (r2.raw.length) {
    out.push(
      '',
      `### R2 broadcast — ${meta.broadcastClients.toLocaleString('en-US')} clients on one channel, 1 message/s for ${meta.broadcastSeconds} s, ${meta.rounds} rounds`,
      '',
      `On R3's ${meta.broadcastClients.toLocaleString('en-US')} connections (below), while they are held; messages published on the bus. For Veza the connections belong to ${meta.users.toLocaleString('en-US')} users (connection i is user i mod ${meta.users.toLocaleString('en-US')}): signing up costs ~40 ms of argon2id each on this machine, so 10,000 distinct users would add minutes of set-up (BENCH_LIVE_USERS=10000 runs it so).`,
      '',
      '| system | messages | deliveries expected | lost | dup | to last client: median ms | to last: max ms | P50 ms per delivery | P99 ms per delivery | CPU % edge / all | PostgreSQL + Redis CPU % | peak RSS MiB edge / all |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const s of systems) {
      const rs = r2[s];
      out.push(
        `| ${s} | ${total(rs.map((r) => r.messages))} | ${total(rs.map((r) => r.expected))} | ${total(rs.map((r) => r.lost))} | ${total(rs.map((r) => r.duplicates))} | ${agg(rs.map((r) => r.toLast.median))} | ${agg(rs.map((r) => r.toLast.max))} | ${agg(rs.map((r) => r.latency.p50))} | ${agg(rs.map((r) => r.latency.p99))} | ${agg(rs.map((r) => r.cpu.edge), 0)} / ${agg(rs.map((r) => r.cpu.all), 0)} | ${agg(rs.map((r) => r.infraCpu), 0)} | ${agg(rs.map((r) => r.peak.edge), 0)} / ${agg(rs.map((r) => r.peak.all), 0)} |`,
      );
    }
    if (meta.withVeza) {
      ratios['R2 to last client veza/raw'] = pooledMedian(r2.raw, r2.veza, (r) => r.lastPerMessage);
      const p = pooled(r2.raw, r2.veza);
      ratios['R2 P99 per delivery veza/raw'] = p.veza.p99 / p.raw.p99;
      out.push(
        '',
        `Veza / raw, every round's messages pooled: time to last client (median message) ${fmt(ratios['R2 to last client veza/raw'], 2)}×, P99 per delivery ${fmt(ratios['R2 P99 per delivery veza/raw'], 2)}× (${pooledText(p)}). Same round: time to last client (median) ${ratio(r2.raw, r2.veza, (r) => r.toLast.median)}, P99 per delivery ${ratio(r2.raw, r2.veza, (r) => r.latency.p99)}.`,
      );
    }
    out.push('', load(systems.flatMap((s) => r2[s].map((r) => r.otherLoad))));
    if (meta.withVeza) out.push('', perRound('time to last client (median), ms', r2.raw, r2.veza, (r) => r.toLast.median));
    notes(out, systems.flatMap((s) => r2[s].flatMap((r, i) => [...r.problems, ...clock(r.latency.min)].map((p) => `${s} round ${i + 1}: ${p}`))));
  }

  const r3 = res.idle;
  if (r3.raw.length) {
    out.push(
      '',
      `### R3 idle connections — held at least ${meta.holdSeconds} s, then messages to all (${meta.idleSizes.map((n) => `${fanOutsAt(n)} per system at N = ${n.toLocaleString('en-US')}`).join(', ')}), the systems taking turns; one pass per N (a capacity test)`,
      '',
      `Serving processes: one per ${meta.perServer.toLocaleString('en-US')} connections (a process may hold 20,000 files), started for R3 (Veza's subgraphs are not), so their growth is the connections'; client processes of at most 15,000 connections, one source address per 5,000. Raw connects first, then Veza, both systems' connections open at once (Veza's connect is raw's hold, during which raw's idle server does nothing; their holds overlap); once both holds have passed and the machine has settled under ${FAN_OUT_SETTLE.percent} % of one core (${FAN_OUT_SETTLE.maxSeconds} s at most), the systems take turns (raw, Veza, raw, Veza, …), each fan-out one message to all N sent once the previous one reached everyone; "fan-out to last" is the median [min–max] of a system's times until the last connection has it, and the ratio compared between runs Veza's median over raw's (each turn's Veza / raw is shown beside it); memory is read once all are connected and probed, before anything else is sent, then every 2 s, and last at the hold's end right after a full garbage collection in each serving process (through its inspector, as before connecting: an idle process collects nothing by itself), and the lowest reading counts (any reading but the last also holds garbage not yet collected; "readings" says how many there were). For Veza, connection i is user i mod ${meta.users.toLocaleString('en-US')}, connections spread round-robin over the gateways. At N = ${meta.broadcastClients.toLocaleString('en-US')} the hold is R2's rounds (1 message/s). "held s" counts only the time a system's serving processes ran: not the time they were stopped while the other system was measured (its connections stay open meanwhile).`,
      '',
      '| N | system | serving processes | connected | connect s | got a probe | open after | held s | RSS KiB per connection (serving processes; readings) | subgraphs Δ RSS MiB | fan-out to last ms (median [min–max]) | delivered | lost |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const n of meta.idleSizes) {
      for (const s of systems) {
        const r = r3[s].find((x) => x.n === n);
        if (!r) continue;
        out.push(`| ${n.toLocaleString('en-US')} | ${s} | ${r.servers} | ${r.connected.connected} | ${fmt(r.connected.seconds + r.readySeconds, 0)} | ${r.ready} | ${r.openAfterHold} | ${fmt(r.heldSeconds, 0)} | ${fmt(r.perConnectionKiB)} (${r.rssReadings}) | ${s === 'veza' ? fmt(r.othersDeltaMiB, 0) : '–'} | ${fmt(r.toLast.median, 0)} [${fmt(r.toLast.min, 0)}–${fmt(r.toLast.max, 0)}] | ${r.delivered} | ${r.lost} |`);
      }
    }
    if (meta.withVeza) {
      out.push('');
      for (const n of meta.idleSizes) {
        const [raw, veza] = [r3.raw.filter((x) => x.n === n), r3.veza.filter((x) => x.n === n)];
        // The fan-outs pair up turn by turn (Veza's i-th against raw's i-th, sent one after the other).
        const turns = (r: IdleResult[]) => r.flatMap((x) => x.fanOutsMs);
        ratios[`R3 N=${n} RSS per connection veza/raw`] = ratioValue(raw, veza, (r) => r.perConnectionKiB);
        const fanOut = pooledMedian(raw, veza, (r) => r.fanOutsMs);
        ratios[`R3 N=${n} fan-out to last veza/raw`] = fanOut;
        out.push(`Veza / raw at N=${n.toLocaleString('en-US')}: RSS per connection ${ratio(raw, veza, (r) => r.perConnectionKiB)}, fan-out to last ${fmt(fanOut, 2)}× (median fan-out over median fan-out; turn by turn ${ratio(turns(raw), turns(veza), (ms) => ms)}).`);
      }
    }
    notes(
      out,
      systems.flatMap((s) =>
        r3[s].flatMap((r) => [
          ...(r.connected.failed ? [`${s} N=${r.n}: ${r.connected.failed} connections failed (${r.connected.reasons.join('; ')})`] : []),
          ...(r.endings.length ? [`${s} N=${r.n}: open subscriptions ended before the fan-out: ${r.endings.slice(0, 3).map(([why, n]) => `${n}× ${why}`).join('; ')}`] : []),
        ]),
      ),
    );
  }

  const r4 = res.resume;
  if (r4.length) {
    out.push(
      '',
      `### R4 resume — Veza alone (the raw baseline has no positions to resume from); ${r4.length} rounds`,
      '',
      'One client cut off (socket terminated) after the 300th message of a burst of 1,000 sent by 200 users, offline 500 ms, then reconnected with `afterPosition` = the last position it saw.' +
        (meta.resumeDuringHold !== undefined
          ? ` R4 runs on gateway 0 during R3's pass at N = ${meta.resumeDuringHold.toLocaleString('en-US')}, in Veza's hold, with both systems' connections open and idle (R3's own gateways ping theirs every 25 s): Veza's hold would otherwise be waiting only.`
          : ''),
      '',
      '| sent | missed while away | caught up after reconnect ms | first message after reconnect ms | lost | duplicated | out of order |',
      '|---|---|---|---|---|---|---|',
      `| ${total(r4.map((r) => r.sent))} | ${agg(r4.map((r) => r.missed), 0)} | ${agg(r4.map((r) => r.catchUpMs), 0)} | ${agg(r4.map((r) => r.firstMs), 0)} | ${total(r4.map((r) => r.lost))} | ${total(r4.map((r) => r.duplicates))} | ${total(r4.map((r) => r.outOfOrder))} |`,
    );
    notes(out, r4.flatMap((r, i) => r.errors.map((e) => `round ${i + 1}: ${e}`)));
    // No baseline to divide by: the figure itself.
    figures['R4 caught up after reconnect ms'] = spread(r4.map((r) => r.catchUpMs)).median;
  }
  return { markdown: out.join('\n'), ratios, figures };
}

/** Raw's and Veza's pooled P50 and P99, for the reader to check the pooled ratios by. */
function pooledText(p: Pooled): string {
  return `raw ${fmt(p.raw.p50, 2)} / ${fmt(p.raw.p99, 2)} ms, Veza ${fmt(p.veza.p50, 2)} / ${fmt(p.veza.p99, 2)} ms`;
}

/** The machine is shared: how busy the rest of it was while these windows were measured. */
function load(values: number[]): string {
  const s = spread(values);
  return `Other load on the machine during the measured windows (neither this bench nor PostgreSQL/Redis): median ${fmt(s.median, 0)} % of one core, up to ${fmt(s.max, 0)} %.`;
}

/** Each round's raw and Veza value beside the other load of its two windows: how much the shared machine explains. */
function perRound<T extends { otherLoad: number }>(what: string, raw: T[], veza: T[], f: (r: T) => number): string {
  const rounds = veza.map((v, i) => `${i + 1}: ${fmt(f(raw[i]!), 1)} / ${fmt(f(v), 1)} (other load ${fmt(raw[i]!.otherLoad, 0)} / ${fmt(v.otherLoad, 0)} %)`);
  return `Per round, raw / Veza ${what}: ${rounds.join('; ')}.`;
}

/** A delivery before its send means the clocks disagree: the figures around it are not to be trusted. */
function clock(minLatency: number): string[] {
  return minLatency < 0 ? [`a delivery measured ${fmt(minLatency, 2)} ms, before its send: clocks disagree`] : [];
}

function notes(out: string[], lines: string[]): void {
  if (lines.length) out.push('', ...[...new Set(lines)].slice(0, 10).map((l) => `- ${l}`));
}
