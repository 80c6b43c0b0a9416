/**
 * The worker prunes the records of events delivered long ago (EventRecordPruner): sent outbox rows
 * and consumers' idempotency records older than the retention, never an unsent row or a recent one.
 */
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@koryu/testing';
import { EVENT_RECORD_RETENTION_DAYS, EventRecordPruner } from '../../apps/worker/outbox/event-record-pruner';
import { startWorker } from '../support/worker';

const DAY_MS = 86_400_000;
let database: TestDatabase;
let worker: INestApplicationContext;
let sql: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  worker = await startWorker(database.url);
  sql = new Client({ connectionString: database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql.end();
  await worker.close();
  await database.drop();
});

/** An outbox row written `daysAgo` days ago, sent or not, with one idempotency record per consumer given. */
async function event(daysAgo: number, { sent = true, consumers = ['deadlines', 'notifications'] } = {}): Promise<string> {
  const eventId = randomUUID();
  const at = new Date(Date.now() - daysAgo * DAY_MS);
  await sql.query(`INSERT INTO outbox (event_id, type, payload, created_at, sent_at) VALUES ($1, 'case.transitioned', '{}', $2, $3)`, [eventId, at, sent ? at : null]);
  for (const consumer of consumers) await sql.query(`INSERT INTO processed_event (consumer, event_id, processed_at) VALUES ($1, $2, $3)`, [consumer, eventId, at]);
  return eventId;
}

const left = async (eventIds: string[]) => {
  const { rows } = await sql.query(
    `SELECT (SELECT count(*)::int FROM outbox WHERE event_id = ANY ($1)) AS outbox, (SELECT count(*)::int FROM processed_event WHERE event_id = ANY ($1)) AS records`,
    [eventIds],
  );
  return rows[0];
};

it(`deletes sent outbox rows and idempotency records older than ${EVENT_RECORD_RETENTION_DAYS} days, in batches, and keeps the rest`, async () => {
  const old = [];
  for (let i = 0; i < 7; i += 1) old.push(await event(EVENT_RECORD_RETENTION_DAYS + 1 + i));
  const oldUnsent = await event(EVENT_RECORD_RETENTION_DAYS + 10, { sent: false, consumers: [] });
  const recent = [await event(1), await event(EVENT_RECORD_RETENTION_DAYS - 1)];

  // Batches of three: the seven old events' rows take three statements per table.
  const deleted = await worker.get(EventRecordPruner).prune(new Date(), 3);

  expect(deleted).toEqual({ outbox: 7, processed_event: 14 });
  expect(await left(old)).toEqual({ outbox: 0, records: 0 });
  // An unsent row still waits for the relay, however old; recent events keep everything.
  expect(await left([oldUnsent])).toEqual({ outbox: 1, records: 0 });
  expect(await left(recent)).toEqual({ outbox: 2, records: 4 });
  // Nothing is left to prune.
  expect(await worker.get(EventRecordPruner).prune(new Date(), 3)).toEqual({ outbox: 0, processed_event: 0 });
});
