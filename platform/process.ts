/**
 * What every Veza process does at the top: read the configuration (exit 2 with the
 * reasons when it is invalid), set how far its heap grows between full collections, make
 * the logger, and stop in order on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, loadConfig, type VezaConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';

export function bootConfig(processName: string): { config: VezaConfig; logger: Logger } {
  try {
    const config = loadConfig(process.env);
    applyHeapGrowth(config.heapGrowthPercent);
    return { config, logger: createLogger(config.logLevel, { process: processName }) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Sets V8's old-generation growth (`--heap-growing-percent`): the next full collection
 * comes once the old generation is (1 + percent/100) × what the last one left alive; 0
 * leaves V8's own factor. Left to itself, V8 chose about 1.2× for Veza's busy processes
 * (the gateway, chat and community at ~75 MB live): under 1,000 messages/s each ran a full
 * collection every 13–20 s, and its 6–17 ms pause delayed every delivery passing through,
 * which decided R1's P99 (one round 9 ms, the next 33 ms). At 2× (the default, 100) they
 * came three to six times less often in an R1 run, at ~8 % more peak memory (docs/operations.md).
 * V8 reads the flag at each full collection, so setting it at start-up takes effect from
 * the first; V8 still collects earlier as the heap nears its limit (--max-old-space-size).
 */
export function applyHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}

/** Prints why start-up failed in one line (plus the structured log) and exits 1. */
export function startupFailed(logger: Logger, err: unknown): never {
  const e = err as NodeJS.ErrnoException & { port?: number };
  const reason = e.code === 'EADDRINUSE' ? `port ${e.port ?? ''} is already in use (is another Veza running?)` : String(e.message ?? err);
  logger.fatal({ err }, 'start-up failed');
  process.stderr.write(`Veza could not start: ${reason}\n`);
  process.exit(1);
}

export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * On SIGHUP, reads `path` again and hands it to `reload` (a gateway loading a newly
 * composed supergraph without dropping its clients). A file that does not load leaves
 * the running supergraph in place.
 */
export function reloadOnHangup(logger: Logger, path: URL, reload: (content: string) => void): void {
  process.on('SIGHUP', () => {
    readFile(path, 'utf8').then(
      (content) => {
        try {
          reload(content);
          logger.info({ path: path.pathname }, 'supergraph reloaded');
        } catch (err) {
          logger.error({ err, path: path.pathname }, 'supergraph reload failed; keeping the running one');
        }
      },
      (err: unknown) => logger.error({ err, path: path.pathname }, 'supergraph reload failed; keeping the running one'),
    );
  });
}

/** How long one part of a process may take to stop before the parts after it go on without it. */
export const STOP_PART_MS = 10_000;

/**
 * Stops one part (`stop`), waiting at most `ms`: a part that does not finish — a connection
 * that never answers, a loop that never ends — is named in a warning and left behind, so
 * that the parts after it still stop and the process can exit. A part that fails still fails
 * the shutdown, as before.
 */
export async function stopPart(logger: Logger, part: string, stop: () => Promise<void> | void, ms = STOP_PART_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([Promise.resolve(stop()).then(() => 'stopped' as const), late]);
    if (outcome === 'late') logger.warn({ part, waitedMs: ms }, 'a part did not stop in time; stopping the others without it');
  } finally {
    clearTimeout(timer);
  }
}
