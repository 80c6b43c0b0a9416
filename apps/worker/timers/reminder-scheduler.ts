import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { nextDigestAt, TOKYO } from '@koryu/calendar';
import { PeriodicTask } from '@koryu/platform';
import { QUEUE_PREFIX, QUEUES } from '@koryu/queues';

/** Reminders due within this horizon have their delayed job in Redis; later ones are added as they approach. */
export const SCHEDULE_HORIZON_MS = 60 * 60 * 1000;
const INTERVAL_MS = 1_000;
/** Besides after a flush or restart, every pending job is offered again this often, as a safety net. */
const FULL_PASS_EVERY_MS = 10 * 60 * 1000;
const BATCH = 1_000;

export const reminderJobId = (reminderId: string, generation: number) => `reminder:${reminderId}:${generation}`;
// BullMQ refuses a custom id with a single colon (it would read as a repeatable job's): hyphens here.
export const digestJobId = (date: string) => `digest-${date}`;
export const timerJobId = (timerId: string, generation: number) => `timer:${timerId}:${generation}`;

/**
 * Present while Redis still holds what the scheduler put there. Missing means Redis was flushed or
 * restarted without its data (or this is the first start): every pending job is offered again.
 */
export const EPOCH_KEY = `${QUEUE_PREFIX}:timers:epoch`;

/** What the scheduler puts in the `timers` queue: pending rows of these tables, due within the horizon. */
const SOURCES = [
  { name: 'reminder', table: 'deadline_reminder', pending: 'sent_at IS NULL', jobId: reminderJobId, data: (id: string, generation: number) => ({ reminderId: id, generation }) },
  { name: 'timer', table: 'case_timer', pending: `state = 'pending'`, jobId: timerJobId, data: (id: string, generation: number) => ({ timerId: id, generation }) },
] as const;

/**
 * Puts a delayed BullMQ job in the `timers` queue for every pending reminder and timer transition
 * due within the horizon, reading PostgreSQL (the source of truth) in keyset batches with
 * `addBulk`, and marks the generation it queued. Every second it adds the rows not yet queued
 * (new, moved to a new generation, or come within the horizon). A full pass offers every pending
 * row again, at start, whenever Redis lost its data (the epoch key is gone: FLUSHALL, a restart
 * without persistence) and every ten minutes. Job ids are deterministic, so a pass in every
 * replica adds only what is missing (QUALITY.md R2, R7); a reminder whose time passed while Redis
 * was away gets a job with no delay and fires once, late, rather than never.
 */
@Injectable()
export class ReminderScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReminderScheduler.name);
  private readonly periodic = new PeriodicTask(() => this.tick(), { everyMs: INTERVAL_MS, logger: this.logger, failure: 'scheduling reminders failed, retrying' });
  private digestOffered?: string;
  private lastFullPass = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.timers) private readonly timers: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  private async tick(): Promise<void> {
    const redis = await this.timers.getBackend().client;
    const redisLostItsData = (await redis.runCommand('set', [EPOCH_KEY, new Date().toISOString(), 'NX'])) === 'OK';
    const full = redisLostItsData || Date.now() - this.lastFullPass > FULL_PASS_EVERY_MS;
    if (redisLostItsData && this.lastFullPass > 0) this.logger.warn('Redis lost the timers (flushed or restarted without its data): rebuilding them from PostgreSQL');
    const offered = await this.scheduleDue(Date.now(), { full });
    if (full) {
      this.lastFullPass = Date.now();
      if (offered > 0) this.logger.log(`full pass: offered ${offered} delayed jobs`);
    }
  }

  /**
   * Adds the jobs of pending reminders and timer transitions due within the horizon: those not yet
   * queued, or with `full` every one (Redis keeps one job per id). Answers how many it offered.
   */
  async scheduleDue(now = Date.now(), { full = false } = {}): Promise<number> {
    if (full) this.digestOffered = undefined;
    let offered = await this.scheduleDigest(now);
    for (const source of SOURCES) {
      const unqueued = full ? '' : 'AND queued_generation IS DISTINCT FROM generation';
      let after: { fireAt: Date; id: string } | undefined;
      for (;;) {
        const rows: { id: string; generation: number; fireAt: Date }[] = await this.dataSource.query(
          `SELECT id, generation, fire_at AS "fireAt" FROM ${source.table}
            WHERE ${source.pending} ${unqueued} AND fire_at < $1 AND ($2::timestamptz IS NULL OR (fire_at, id) > ($2, $3::uuid))
            ORDER BY fire_at, id LIMIT ${BATCH}`,
          [new Date(now + SCHEDULE_HORIZON_MS), after?.fireAt ?? null, after?.id ?? null],
        );
        if (rows.length === 0) break;
        await this.timers.addBulk(
          rows.map((row) => ({
            name: source.name,
            data: source.data(row.id, row.generation),
            opts: { jobId: source.jobId(row.id, row.generation), delay: Math.max(0, new Date(row.fireAt).getTime() - Date.now()) },
          })),
        );
        // Marked after Redis holds the jobs: a crash in between only offers them again. A row another
        // transaction holds (a replica sending it, a sync moving it) is left unmarked and offered
        // again on the next pass; waiting for it could close a deadlock cycle with that transaction.
        await this.dataSource.query(
          `WITH free AS (SELECT id FROM ${source.table} WHERE id = ANY ($1::uuid[]) FOR UPDATE SKIP LOCKED)
           UPDATE ${source.table} t SET queued_generation = q.generation
             FROM unnest($1::uuid[], $2::int[]) AS q (id, generation)
            WHERE t.id = q.id AND t.generation = q.generation AND t.id IN (SELECT id FROM free)`,
          [rows.map((r) => r.id), rows.map((r) => r.generation)],
        );
        offered += rows.length;
        const last = rows[rows.length - 1];
        after = { fireAt: last.fireAt, id: last.id };
        if (rows.length < BATCH) break;
      }
    }
    return offered;
  }

  /**
   * The next managers' digest (08:30 JST on a business day) as a delayed job whose id is its date:
   * every replica and every tick offers the same job, and BullMQ keeps one.
   */
  private async scheduleDigest(now: number): Promise<number> {
    const at = nextDigestAt(new Date(now));
    const date = DateTime.fromJSDate(at, { zone: TOKYO }).toISODate() as string;
    if (this.digestOffered === date) return 0;
    await this.timers.add('digest', { date }, { jobId: digestJobId(date), delay: Math.max(0, at.getTime() - Date.now()) });
    this.digestOffered = date;
    return 1;
  }
}
