/**
 * The transactional outbox: events are written in the same transaction as the change
 * they describe, and published by a relay after commit. A rolled-back change leaves no
 * event; a crash after commit loses none (the relay finds the rows on restart). Delivery
 * is at least once; consumers are idempotent.
 *
 * Each subgraph that publishes this way has an `outbox` table in its own schema (add
 * `OutboxEntry` to its entities).
 */
import { defineEntity, p } from '@mikro-orm/core';
import type { EntityManager } from '../db/orm.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from './bus.ts';
import type { PubSubEngine } from './pubsub.ts';

export const OutboxEntrySchema = defineEntity({
  name: 'OutboxEntry',
  tableName: 'outbox',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    /** Domain-event topic on the event bus, or null for a live-only event. */
    topic: p.string().length(100).nullable(),
    /** Live trigger (GraphQL subscriptions) to publish to as well, or null. */
    trigger: p.string().length(200).nullable(),
    payload: p.json<unknown>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class OutboxEntry extends OutboxEntrySchema.class {}
OutboxEntrySchema.setClass(OutboxEntry);

export interface OutboxEvent {
  topic?: string;
  trigger?: string;
  payload: unknown;
}

export interface OutboxRelayOptions {
  schema: string;
  fork: () => EntityManager;
  bus: EventBus;
  pubsub: PubSubEngine;
  logger?: Logger;
  /** How often the relay looks for rows when nothing kicked it. Default 1 s. */
  pollMs?: number;
}

/** Adds events to the transaction `tx`; they are published once it commits. */
export function addToOutbox(tx: EntityManager, events: readonly OutboxEvent[]): void {
  for (const e of events) tx.create(OutboxEntry, { topic: e.topic ?? null, trigger: e.trigger ?? null, payload: e.payload });
}

export class OutboxRelay {
  readonly #o: Required<Omit<OutboxRelayOptions, 'logger'>> & { logger: Logger | undefined };
  #running = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #stopped = false;

  constructor(opts: OutboxRelayOptions) {
    this.#o = { pollMs: 1000, ...opts, logger: opts.logger };
  }

  start(): void {
    this.#timer = setInterval(() => this.kick(), this.#o.pollMs);
    this.kick();
  }

  /** Publishes what is waiting, now (call after a commit that added events). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#current = this.#drain()
      .catch((err: unknown) => this.#o.logger?.error({ err, schema: this.#o.schema }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#current;
  }

  async #drain(): Promise<void> {
    const table = `"${this.#o.schema}".outbox`;
    for (;;) {
      const published = await this.#o.fork().transactional(async (tx) => {
        // The relay's commit (deleting what it published) does not wait for the WAL to reach
        // the disk: lost in a crash, it only makes the rows publish again (delivery is at least
        // once), while waiting held every following event behind the disk's slowest flushes.
        await tx.getConnection().execute('set local synchronous_commit = off', [], 'run', tx.getTransactionContext());
        const rows = await tx.getConnection().execute<{ id: string; topic: string | null; trigger: string | null; payload: unknown }[]>(
          `select id, topic, trigger, payload from ${table} order by id limit 100 for update skip locked`,
          [], 'all', tx.getTransactionContext(),
        );
        for (const row of rows) {
          const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
          if (row.topic) await this.#o.bus.publish(row.topic, payload);
          if (row.trigger) await this.#o.pubsub.publish(row.trigger, payload);
        }
        if (rows.length) await tx.getConnection().execute(`delete from ${table} where id in (?)`, [rows.map((r) => r.id)], 'run', tx.getTransactionContext());
        return rows.length;
      });
      if (published < 100) return;
    }
  }
}
