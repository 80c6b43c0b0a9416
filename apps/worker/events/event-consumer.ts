import { Injectable, type Type } from '@nestjs/common';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@koryu/queues';

/**
 * A consumer of domain events. `handle` runs inside the PostgreSQL transaction that also records
 * (consumer name, event id) in `processed_event`: an event delivered twice acts once. Each
 * consumer handles first deliveries in batches of its own, in a transaction of its own (one commit
 * per batch), beside the other consumers; a failure rolls back the batch's effects and each of its
 * events is handled again on its own, so one that keeps failing does not hold back the others and
 * none repeats an effect.
 */
export interface EventConsumer {
  /** Stable and unique name: the idempotency key's first half. Renaming it replays old events to it. */
  readonly name: string;
  /**
   * How long a first delivery may wait for others to join its batch (see Coalescer), for a
   * consumer whose cost is mostly per batch and whose effects nobody waits for to the
   * millisecond; none when absent (a batch starts as soon as the one before it ends).
   */
  readonly lingerMs?: number;
  /** Which events it wants; all when absent. */
  accepts?(event: DomainEvent): boolean;
  handle(event: DomainEvent, tx: EntityManager): Promise<void>;
  /**
   * Several events at once (first deliveries are handled in batches), in the same transaction:
   * for a consumer that can read and write for many in a few statements. Without it, `handle`
   * is called for each.
   */
  handleBatch?(events: DomainEvent[], tx: EntityManager): Promise<void>;
}

const registered = new Set<Type<EventConsumer>>();

/** Marks a class in `consumers/` as an event consumer (injectable like any Nest provider). */
export function EventConsumerClass(): ClassDecorator {
  return (target) => {
    Injectable()(target);
    registered.add(target as unknown as Type<EventConsumer>);
  };
}

/**
 * Every consumer in `apps/worker/events/consumers/`: adding one is adding one `*.consumer.ts`
 * file there, nothing else.
 */
export function discoverConsumers(directory = join(__dirname, 'consumers')): Type<EventConsumer>[] {
  let files: string[] = [];
  try {
    files = readdirSync(directory);
  } catch {
    // no consumers yet
  }
  for (const file of files) {
    if (/\.consumer\.(js|ts)$/.test(file) && !file.endsWith('.d.ts')) require(join(directory, file));
  }
  return [...registered];
}
