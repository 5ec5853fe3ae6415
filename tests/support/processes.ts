/**
 * Veza processes started on their own, as production runs them (`node gateway/main.ts`,
 * `node subgraphs/main.ts <name>`), on free ports; each is found by the URL it logs when
 * it listens, and stopped with SIGTERM like an orchestrator does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface VezaProcess {
  /** Its GraphQL endpoint. */
  url: string;
  child: ChildProcessWithoutNullStreams;
  stop: () => Promise<void>;
}

/** Starts `node <script> ...args` with `env` and resolves once it logs "<what> listening". */
export function startProcess(script: string, args: string[], env: Record<string, string>, what: 'gateway' | 'subgraph'): Promise<VezaProcess> {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes(`"${what} listening"`)) continue;
        const url = (JSON.parse(line) as { url?: string }).url;
        if (!url) continue;
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({
          url,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
        return;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before listening:\n${out}`)));
  });
}
