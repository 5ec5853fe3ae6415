/**
 * `npm run bench [-- <scenario>...]`: runs the benchmarks (all, or those named) and
 * writes their figures to docs/benchmarks.md, with the command, date, machine and
 * package versions. Scenarios: gateway (G1–G3), database (D1), media (M1), media-playable (M2), live (R1–R4).
 * BENCH_DURATION (seconds per measurement, default 20) and BENCH_ROUNDS (default 3) scale it.
 */
import { cpus, totalmem } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runGatewayBench } from './gateway/run.ts';
import { runDatabaseBench } from './database/run.ts';
import { runMediaBench } from './media/run.ts';
import { runPlayableBench } from './media/playable.ts';
import { runLiveBench } from './live/run.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const asked = process.argv.slice(2);
const durationSeconds = Number(process.env['BENCH_DURATION'] ?? 20);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);

const scenarios: Record<string, { title: string; run: () => Promise<string> }> = {
  gateway: { title: 'G — gateway queries (HTTP)', run: () => runGatewayBench({ durationSeconds, rounds, connections: 50 }) },
  database: { title: 'D1 — SQL statements per operation', run: () => runDatabaseBench() },
  media: { title: 'M1 — transcoding', run: () => runMediaBench(rounds) },
  'media-playable': { title: 'M2 — upload → playable', run: () => runPlayableBench(rounds) },
  live: { title: 'R — live delivery (graphql-ws)', run: () => runLiveBench({ durationSeconds, rounds }) },
};

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
for (const name of chosen) {
  const s = scenarios[name]!;
  process.stdout.write(`running ${name}...\n`);
  const started = new Date().toISOString();
  const body = await s.run();
  process.stdout.write(`${body}\n`);
  kept.set(s.title, `## ${s.title}\n\nRun ${started} with \`npm run bench -- ${name}\` (BENCH_DURATION=${durationSeconds}, BENCH_ROUNDS=${rounds}).\n\n${body}\n`);
}
const sections = Object.values(scenarios).map((s) => kept.get(s.title)).filter((x): x is string => x !== undefined);
const header = `# Benchmarks

Written by \`npm run bench\` (each section says when and how it was run), last on ${new Date().toISOString().slice(0, 10)},
on this machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}.
Versions: ${versions}. Servers and load generators are separate processes on loopback.
`;
await writeFile(`${root}docs/benchmarks.md`, `${header}\n${sections.join('\n')}`);
process.stdout.write('wrote docs/benchmarks.md\n');
