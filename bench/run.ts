/**
 * `npm run bench [-- <scenario>...]`: runs the benchmarks (all, or those named) and
 * writes their figures to docs/benchmarks.md, with the command, date, machine and
 * package versions, and their ratios to docs/benchmarks.json. Each ratio is compared with
 * the same ratio of the previous run of its scenario (docs/benchmarks.json keeps the
 * last two), so every run also shows how repeatable the figures are.
 *
 * Scenarios: database (D1), gateway (G1–G3), media (M1), media-playable (M2),
 * media-listeners (M3), live (R1–R4). BENCH_DURATION sets the seconds of each timed
 * measurement (default: each scenario's own, short so that the whole run takes ~14.5
 * minutes on 2 cores; BENCHMARKS.md's 20–30 s with BENCH_DURATION=20) and
 * BENCH_ROUNDS the rounds (default 3).
 */
import { cpus, totalmem } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runGatewayBench } from './gateway/run.ts';
import { runDatabaseBench } from './database/run.ts';
import { runMediaBench } from './media/run.ts';
import { runPlayableBench } from './media/playable.ts';
import { runListenersBench } from './media/listeners.ts';
import { runLiveBench } from './live/run.ts';
import { settle } from './live/proc.ts';
import { commitOf, fmt, type BenchOutput } from './support.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const asked = process.argv.slice(2);
const durationEnv = process.env['BENCH_DURATION'];
/** Seconds per timed measurement: BENCH_DURATION, or the scenario's default. */
const duration = (fallback: number): number => (durationEnv ? Number(durationEnv) : fallback);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);

interface Scenario {
  title: string;
  /** Seconds per timed measurement when BENCH_DURATION is not set (none: untimed). */
  seconds?: number;
  run: (seconds: number) => Promise<BenchOutput>;
}

// In the order a whole run takes them; each title is its section's heading.
const scenarios: Record<string, Scenario> = {
  database: { title: 'D1 — SQL statements per operation', run: () => runDatabaseBench() },
  gateway: { title: 'G — gateway queries (HTTP)', seconds: 2.5, run: (s) => runGatewayBench({ durationSeconds: s, rounds, connections: 50 }) },
  media: { title: 'M1 — transcoding', run: () => runMediaBench(rounds) },
  'media-playable': { title: 'M2 — upload → playable', run: () => runPlayableBench(rounds) },
  'media-listeners': { title: 'M3 — listener counts', run: () => runListenersBench({ rounds }) },
  live: { title: 'R — live delivery (graphql-ws)', seconds: 7, run: (s) => runLiveBench({ durationSeconds: s, rounds }) },
};

/** docs/benchmarks.json: per scenario, its last two runs' ratios. */
interface RatioRun {
  started: string;
  commit: string;
  ratios: Record<string, number>;
  /** Absolute figures (no baseline); older runs kept some of them among the ratios. */
  figures?: Record<string, number>;
}
type RatioFile = Record<string, { runs: RatioRun[] }>;

const chosen = asked.length ? asked : Object.keys(scenarios);
for (const name of chosen) if (!scenarios[name]) throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(scenarios).join(', ')}`);

const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const versions = ['@apollo/gateway', '@apollo/server', '@graphql-hive/gateway', '@graphql-hive/router-runtime', 'autocannon']
  .map((n) => `${n} ${pkg.dependencies[n] ?? pkg.devDependencies[n]}`)
  .join(', ');
// Sections of scenarios not run this time are kept from the previous file.
const previous = await readFile(`${root}docs/benchmarks.md`, 'utf8').catch(() => '');
const kept = new Map<string, string>();
for (const part of previous.split(/^(?=## )/m).slice(1)) kept.set(part.split('\n', 1)[0]!.slice(3).trim(), part.trimEnd() + '\n');
const ratioFile = JSON.parse(await readFile(`${root}docs/benchmarks.json`, 'utf8').catch(() => '{}')) as RatioFile;
const commit = commitOf();
const command = `npm run bench${asked.length ? ` -- ${asked.join(' ')}` : ''}`;
const whole = performance.now();
const timings: string[] = [];

/** A scenario starts once the machine's CPU, over one second, is under this (% of one core)... */
const SETTLED_PERCENT = 30;
/** ...or once it has waited this long. */
const SETTLE_MAX_S = 20;

for (const name of chosen) {
  const s = scenarios[name]!;
  const seconds = duration(s.seconds ?? 0);
  const calm = await settle(SETTLED_PERCENT, SETTLE_MAX_S);
  process.stdout.write(`running ${name} (machine at ${fmt(calm.busy, 0)} % of a core after ${fmt(calm.waited, 0)} s settling)...\n`);
  const started = new Date().toISOString();
  const t = performance.now();
  const out = await s.run(seconds);
  const minutes = (performance.now() - t) / 60_000;
  timings.push(`${name} ${fmt(minutes)} min`);
  const before = ratioFile[name]?.runs.at(-1);
  const now: RatioRun = { started, commit, ratios: out.ratios, ...(out.figures ? { figures: out.figures } : {}) };
  ratioFile[name] = { runs: [...(before ? [before] : []), now] };
  const settings = [s.seconds !== undefined ? `${seconds} s per measurement` : '', `BENCH_ROUNDS=${rounds}`].filter(Boolean).join(', ');
  const section = [
    `## ${s.title}`,
    '',
    `Run ${started} with \`${command}\` (${settings}; ${fmt(minutes)} min; ${commit}; started with the machine at ${fmt(calm.busy, 0)} % of one core busy, after ${fmt(calm.waited, 0)} s waiting for it to settle under ${SETTLED_PERCENT} %).`,
    '',
    out.markdown,
    '',
    repeatability(before, now),
  ].join('\n');
  process.stdout.write(`${section}\n`);
  kept.set(s.title, `${section}\n`);
}

const total = (performance.now() - whole) / 60_000;
process.stdout.write(`whole run: ${fmt(total)} min (${timings.join(', ')})\n`);
const sections = Object.values(scenarios).map((s) => kept.get(s.title)).filter((x): x is string => x !== undefined);
const header = `# Benchmarks

Written by \`npm run bench\` (each section says when and how it was run), last on ${new Date().toISOString().slice(0, 10)}
with \`${command}\` in ${fmt(total)} min (${timings.join(', ')}),
on this machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}.
Versions: ${versions}. Servers and load generators are separate processes on loopback.
Each section ends with its ratios against the previous run of the same scenario (docs/benchmarks.json keeps them): the spread
between two runs, which BENCHMARKS.md asks to be within 15 %. Figures with no baseline to divide by (a time, a count) are
compared the same way and shown apart.
`;
await writeFile(`${root}docs/benchmarks.md`, `${header}\n${sections.join('\n')}`);
await writeFile(`${root}docs/benchmarks.json`, `${JSON.stringify(ratioFile, null, 2)}\n`);
process.stdout.write('wrote docs/benchmarks.md and docs/benchmarks.json\n');

/** This run's ratios and figures against the previous run's, each with its change in %, and how many ratios stayed within 15 %. */
function repeatability(before: RatioRun | undefined, now: RatioRun): string {
  const names = Object.keys(now.ratios);
  const figureNames = Object.keys(now.figures ?? {});
  if (!names.length && !figureNames.length) return '';
  if (!before) return `Repeatability: no earlier run of this scenario to compare with (its ratios are in docs/benchmarks.json for the next run).\n`;
  const compare = (n: string, a: number | undefined, b: number) => {
    const change = a === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a === 0 ? Number.NaN : ((b - a) / Math.abs(a)) * 100;
    return { n, a, b, change };
  };
  const rows = names.map((n) => compare(n, before.ratios[n], now.ratios[n]!));
  const figureRows = figureNames.map((n) => compare(n, before.figures?.[n] ?? before.ratios[n], now.figures![n]!));
  const summary = (list: typeof rows, what: string) => {
    const comparable = list.filter((r) => Number.isFinite(r.change));
    const within = comparable.filter((r) => Math.abs(r.change) <= 15).length;
    const worst = comparable.reduce((m, r) => Math.max(m, Math.abs(r.change)), 0);
    return `${within} of ${comparable.length} ${what} within 15 %${comparable.length ? `, largest change ${fmt(worst)} %` : ''}`;
  };
  const row = (r: (typeof rows)[number]) => `| ${r.n} | ${r.a === undefined ? '—' : fmt(r.a, 2)} | ${fmt(r.b, 2)} | ${Number.isFinite(r.change) ? `${r.change >= 0 ? '+' : ''}${fmt(r.change)} %` : '—'} |`;
  return [
    `Repeatability against the previous run (${before.started}, ${before.commit}): ${summary(rows, 'ratios')}${figureRows.length ? `; figures without a baseline: ${summary(figureRows, 'figures')}` : ''}.`,
    '',
    '| ratio | previous run | this run | change |',
    '|---|---|---|---|',
    ...rows.map(row),
    ...(figureRows.length ? ['', '| figure (no baseline) | previous run | this run | change |', '|---|---|---|---|', ...figureRows.map(row)] : []),
    '',
  ].join('\n');
}
