/**
 * QUALITY.md R5: the process dies after a transition commits but before its event is published;
 * the transactional outbox still delivers the event, and consumers act on it exactly once.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { type DomainEvent, producerConnection, QUEUE_PREFIX, QUEUES, RETRY_EVENTS_JOB } from '@koryu/queues';
import { createTestDatabase, type TestDatabase, testRedisUrl, waitUntil } from '@koryu/testing';
import { EventConsumerClass, type EventConsumer } from '../../apps/worker/events/event-consumer';
import { EventDispatcher } from '../../apps/worker/events/event-dispatcher';
import { OutboxRelay } from '../../apps/worker/outbox/outbox-relay';
import { startWorker as startTestWorker } from '../support/worker';

/** Counts every effect it commits, keyed by event id, in the consumer's own transaction. */
@EventConsumerClass()
class RecordingConsumer implements EventConsumer {
  readonly name = 'test-recorder';
  async handle(event: DomainEvent, tx: EntityManager): Promise<void> {
    await tx.query('INSERT INTO test_effect (event_id) VALUES ($1)', [event.eventId]);
  }
}

/** Fails on every delivery of an event whose payload says `broken` (a consumer with a bug), and does nothing otherwise. */
@EventConsumerClass()
class BrokenConsumer implements EventConsumer {
  readonly name = 'test-broken';
  async handle(event: DomainEvent): Promise<void> {
    if (event.payload.broken) throw new Error('a consumer with a bug');
  }
}

const SLOW_MS = 6_000;

/** Takes its time over an event whose payload says `slow` (a consumer with heavy work), and does nothing otherwise. */
@EventConsumerClass()
class SlowConsumer implements EventConsumer {
  readonly name = 'test-slow';
  async handle(event: DomainEvent): Promise<void> {
    if (event.payload.slow) await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
  }
}

/** Does nothing, in batches that gather a tenth of a second of events each, as the deadlines consumer's do. */
@EventConsumerClass()
class LingeringConsumer implements EventConsumer {
  readonly name = 'test-lingering';
  readonly lingerMs = 100;
  async handle(): Promise<void> {}
}

let database: TestDatabase;
let sql: Client;

/** The worker in this process, with the test consumers beside the real ones. */
const startWorker = () => startTestWorker(database.url, { extraConsumers: [RecordingConsumer, BrokenConsumer, SlowConsumer, LingeringConsumer] });

/** A committed change's outbox row, as the API writes it: nothing published yet. */
async function commitEvent(payload: Record<string, unknown> = {}): Promise<string> {
  const eventId = randomUUID();
  await sql.query(`INSERT INTO outbox (event_id, type, payload) VALUES ($1, 'case.transitioned', $2)`, [eventId, JSON.stringify(payload)]);
  return eventId;
}

/** The `events` queue, as a producer sees it. */
const eventsQueue = () => new Queue(QUEUES.events, { connection: producerConnection(testRedisUrl()), prefix: QUEUE_PREFIX });

async function effects(eventId: string): Promise<number> {
  const { rows } = await sql.query('SELECT count(*)::int AS n FROM test_effect WHERE event_id = $1', [eventId]);
  return rows[0].n;
}

beforeAll(async () => {
  database = await createTestDatabase();
  // The first worker start migrates the database; the effect table is the test consumer's own.
  const app = await startWorker();
  await app.close();
  sql = new Client({ connectionString: database.url });
  await sql.connect();
  await sql.query('CREATE TABLE test_effect (event_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT now())');
});

afterAll(async () => {
  await sql.end();
  await database.drop();
});

it('R5: an event committed while no worker runs is delivered, once, when one starts', async () => {
  const eventId = await commitEvent();
  const app = await startWorker();
  try {
    await waitUntil(async () => (await effects(eventId)) === 1, 15_000, 'the consumer effect');
    const { rows } = await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId]);
    expect(rows[0].sent_at).not.toBeNull();
  } finally {
    await app.close();
  }
  expect(await effects(eventId)).toBe(1);
});

it('R5: a relay that dies after its consumers acted but before marking the rows sent relays them again, and the consumer acts once', async () => {
  const crashing = await startWorker();
  const relay = crashing.get(OutboxRelay);
  let crashes = 0;
  relay.faults.beforeMarking = () => {
    crashes += 1;
    throw new Error('simulated crash between delivery and marking');
  };
  const eventId = await commitEvent();
  await waitUntil(() => crashes > 0, 15_000, 'the simulated crash');
  await crashing.close();
  const { rows: unsent } = await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId]);
  expect(unsent[0].sent_at).toBeNull();
  // The consumers in the relay's process had committed before the crash.
  expect(await effects(eventId)).toBe(1);

  const app = await startWorker();
  try {
    await waitUntil(async () => (await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId])).rows[0].sent_at !== null, 15_000, 'the event relayed again');
    await waitUntil(async () => (await effects(eventId)) >= 1, 15_000, 'the consumer effect');
    // Give a duplicate delivery time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } finally {
    await app.close();
  }
  expect(await effects(eventId)).toBe(1);
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM processed_event WHERE consumer = 'test-recorder' AND event_id = $1`, [eventId]);
  expect(rows[0].n).toBe(1);
});

it('consumers act once even when the same event is delivered twice', async () => {
  const app = await startWorker();
  try {
    const eventId = await commitEvent();
    await waitUntil(async () => (await effects(eventId)) === 1, 15_000, 'the first delivery');
    // A second delivery of the same event id (as after a republish once BullMQ forgot the job).
    const queue = eventsQueue();
    const event: DomainEvent = { eventId, type: 'case.transitioned', caseId: null, occurredAt: new Date().toISOString(), payload: {} };
    const job = await queue.add('events', { events: [event] }, { jobId: `${eventId}-again` });
    await waitUntil(async () => (await job.getState()) === 'completed', 15_000, 'the second delivery');
    await queue.close();
    expect(await effects(eventId)).toBe(1);
  } finally {
    await app.close();
  }
});

it('a consumer that keeps failing does not hold back the others: each consumer handles the event in its own transaction', async () => {
  const app = await startWorker();
  try {
    const eventId = await commitEvent({ broken: true });
    // Each consumer handles the event in a transaction of its own: the recorder commits, the broken
    // one rolls back and is retried on its own.
    await waitUntil(async () => (await effects(eventId)) === 1, 15_000, "the recorder's effect");
    const recorded = async () => (await sql.query<{ consumer: string }>(`SELECT consumer FROM processed_event WHERE event_id = $1 ORDER BY consumer`, [eventId])).rows.map((row) => row.consumer);
    // The slow and the lingering consumer (idle for this event) commit in their own time: wait for them, then compare the whole list.
    await waitUntil(async () => (await recorded()).length >= 3, 15_000, "the slow and the lingering consumer's records");
    expect(await recorded()).toEqual(['test-lingering', 'test-recorder', 'test-slow']);
    // The relay hands the event on to the events queue, where the broken consumer is retried with backoff.
    const queue = eventsQueue();
    try {
      const retried = async () => (await queue.getJobs(['delayed', 'waiting', 'active', 'failed'])).filter((job) => job.name === RETRY_EVENTS_JOB && job.data.events.some((event: DomainEvent) => event.eventId === eventId));
      await waitUntil(async () => (await retried()).some((job) => job.attemptsMade > 0), 15_000, 'a retry of the broken consumer from the events queue');
      expect(await retried()).toHaveLength(1);
    } finally {
      await queue.close();
    }
    const { rows } = await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId]);
    expect(rows[0].sent_at).not.toBeNull();
    // Further retries of the broken consumer do not repeat the recorder's effect.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await effects(eventId)).toBe(1);
  } finally {
    await app.close();
  }
});

it('events a consumer failed on, which the relay cannot hand to the queue (Redis refusing writes), stay unsent and are delivered again until it can', async () => {
  const app = await startWorker();
  const dispatcher = app.get(EventDispatcher);
  const deliver = dispatcher.deliver.bind(dispatcher);
  const relayed: string[] = [];
  jest.spyOn(dispatcher, 'deliver').mockImplementation((events, options) => {
    if (!options?.apart) relayed.push(...events.map((event) => event.eventId));
    return deliver(events, options);
  });
  const queue = app.get<Queue>(getQueueToken(QUEUES.events));
  const addBulk = jest.spyOn(queue, 'addBulk').mockRejectedValue(new Error('OOM command not allowed when used memory > maxmemory'));
  const sentAt = async (eventId: string) => (await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId])).rows[0].sent_at;
  try {
    const eventId = await commitEvent({ broken: true });
    await waitUntil(async () => relayed.filter((id) => id === eventId).length >= 2, 15_000, 'the event relayed a second time');
    expect(await sentAt(eventId)).toBeNull();
    expect(await effects(eventId)).toBe(1);
    addBulk.mockRestore();
    await waitUntil(async () => (await sentAt(eventId)) !== null, 15_000, 'the row marked sent once the retry is in the queue');
    const retries = (await queue.getJobs(['delayed', 'waiting', 'active', 'failed'])).filter((job) => job.name === RETRY_EVENTS_JOB && job.data.events.some((event: DomainEvent) => event.eventId === eventId));
    expect(retries).toHaveLength(1);
    expect(await effects(eventId)).toBe(1);
  } finally {
    await app.close();
  }
});

it('while its consumers have as many events in hand as they may, the relay publishes the next to the events queue, where any replica consumes them once', async () => {
  const app = await startWorker();
  const queue = eventsQueue();
  try {
    app.get(OutboxRelay).maxInHand = 0;
    const eventId = await commitEvent();
    await waitUntil(async () => (await effects(eventId)) === 1, 15_000, 'the consumer effect');
    const carried = (await queue.getJobs(['completed'])).filter((job) => job.data.events.some((event: DomainEvent) => event.eventId === eventId));
    expect(carried.map((job) => job.name)).toEqual(['events']);
    await waitUntil(async () => (await sql.query('SELECT sent_at FROM outbox WHERE event_id = $1', [eventId])).rows[0].sent_at !== null, 15_000, 'the row marked sent');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await effects(eventId)).toBe(1);
  } finally {
    await queue.close();
    await app.close();
  }
});

it('a slow consumer does not hold back the others: each commits its batch on its own', async () => {
  const app = await startWorker();
  try {
    const eventId = await commitEvent({ slow: true });
    const started = Date.now();
    await waitUntil(async () => (await effects(eventId)) === 1, 15_000, "the recorder's effect");
    const recordedAfter = Date.now() - started;
    const slowRecord = async () => (await sql.query(`SELECT count(*)::int AS n FROM processed_event WHERE consumer = 'test-slow' AND event_id = $1`, [eventId])).rows[0].n;
    // The recorder committed while the slow consumer was still at work on the same event.
    expect(await slowRecord()).toBe(0);
    expect(recordedAfter).toBeLessThan(SLOW_MS);
    await waitUntil(async () => (await slowRecord()) === 1, 15_000, "the slow consumer's record");
  } finally {
    await app.close();
  }
});

it('a burst of events is handled in batches, each event once by each consumer', async () => {
  const eventIds: string[] = [];
  for (let i = 0; i < 40; i += 1) eventIds.push(await commitEvent());
  const app = await startWorker();
  try {
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM test_effect WHERE event_id = ANY ($1)`, [eventIds])).rows[0].n >= 40, 15_000, 'forty effects');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    await app.close();
  }
  const { rows } = await sql.query(
    `SELECT consumer, count(*)::int AS events, count(DISTINCT event_id)::int AS distinct, count(DISTINCT xmin::text)::int AS transactions
       FROM processed_event WHERE event_id = ANY ($1) GROUP BY consumer ORDER BY consumer`,
    [eventIds],
  );
  expect(rows.map(({ consumer, events, distinct }) => ({ consumer, events, distinct }))).toEqual([
    { consumer: 'test-broken', events: 40, distinct: 40 },
    { consumer: 'test-lingering', events: 40, distinct: 40 },
    { consumer: 'test-recorder', events: 40, distinct: 40 },
    { consumer: 'test-slow', events: 40, distinct: 40 },
  ]);
  // Fewer transactions than events: they came in batches (xmin is the transaction that wrote each record).
  expect(rows.find((row) => row.consumer === 'test-recorder').transactions).toBeLessThan(40);
  expect((await sql.query(`SELECT count(*)::int AS n FROM test_effect WHERE event_id = ANY ($1)`, [eventIds])).rows[0].n).toBe(40);
});

it('while events keep committing, the relay hands them to its consumers in batches about 20 ms apart, and a lingering consumer gathers several of them, each event once', async () => {
  const app = await startWorker();
  // When the relay hands each batch to the consumers in its process, and how many events it holds.
  const handed: { at: number; events: number }[] = [];
  const dispatcher = app.get(EventDispatcher);
  const deliver = dispatcher.deliver.bind(dispatcher);
  jest.spyOn(dispatcher, 'deliver').mockImplementation((events, options) => {
    if (!options?.apart) handed.push({ at: performance.now(), events: events.length });
    return deliver(events, options);
  });
  const eventIds: string[] = [];
  try {
    // A fixed number of events, one every few milliseconds (however busy the machine, the count holds).
    for (let i = 0; i < 150; i += 1) {
      eventIds.push(await commitEvent());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM test_effect WHERE event_id = ANY ($1)`, [eventIds])).rows[0].n >= eventIds.length, 15_000, 'every effect');
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE event_id = ANY ($1) AND sent_at IS NULL`, [eventIds])).rows[0].n === 0, 15_000, 'every row marked sent');
  } finally {
    await app.close();
  }
  // Every event handed over once, none through the events queue.
  expect(handed.reduce((sum, batch) => sum + batch.events, 0)).toBe(eventIds.length);
  // Batches begin at least 20 ms apart, so their span holds at most one per 20 ms (15: each is
  // handed over after a read whose time varies). Without the linger each batch follows the last at
  // once, with the one or two rows committed meanwhile.
  const gaps = handed.slice(1).map((batch, i) => batch.at - handed[i].at).sort((x, y) => x - y);
  expect(handed.length).toBeGreaterThan(1);
  expect(handed.length).toBeLessThanOrEqual((handed[handed.length - 1].at - handed[0].at) / 15 + 2);
  expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(15);
  // A consumer with a linger of 100 ms gathers several of those batches into each of its own: its
  // batches start at least 100 ms apart, so at most one transaction per 90 ms of its records' span
  // (with the linger's wiring taken out it followed the relay's batches: 16 transactions against at most 5).
  const { rows: lingering } = await sql.query(
    `SELECT count(DISTINCT xmin::text)::int AS transactions, extract(epoch FROM max(processed_at) - min(processed_at)) * 1000 AS "spanMs"
       FROM processed_event WHERE consumer = 'test-lingering' AND event_id = ANY ($1)`,
    [eventIds],
  );
  expect(lingering[0].transactions).toBeLessThanOrEqual(Number(lingering[0].spanMs) / 90 + 2);
  expect((await sql.query(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM test_effect WHERE event_id = ANY ($1)`, [eventIds])).rows[0]).toEqual({ n: eventIds.length, d: eventIds.length });
});

it('an event whose transaction commits after a later one is still published (research T15: the relay reads every unsent row, not from a last id seen)', async () => {
  const app = await startWorker();
  const slow = new Client({ connectionString: database.url });
  await slow.connect();
  try {
    // The slow transaction takes the lower outbox id and holds it uncommitted.
    const early = randomUUID();
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO outbox (event_id, type, payload) VALUES ($1, 'case.transitioned', '{}')`, [early]);
    const late = await commitEvent();
    await waitUntil(async () => (await effects(late)) === 1, 15_000, 'the later event');
    await slow.query('COMMIT');
    // The late-committing row has the lower id: a "last id seen" relay would have passed it by.
    const { rows } = await sql.query(`SELECT event_id FROM outbox WHERE event_id = ANY ($1) ORDER BY id`, [[early, late]]);
    expect(rows.map((r) => r.event_id)).toEqual([early, late]);
    await waitUntil(async () => (await effects(early)) === 1, 15_000, 'the event committed late');
  } finally {
    await slow.end();
    await app.close();
  }
});
