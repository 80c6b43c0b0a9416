import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which generation of a reminder or timer transition already has its delayed job in Redis
 * (issue 6, P3): the scheduler's every-second pass adds only rows whose job is missing, instead of
 * offering every pending row of the horizon again; a full pass that ignores the mark rebuilds
 * Redis after a flush or restart (R2).
 */
export class QueuedJobs1765000000000 implements MigrationInterface {
  name = 'QueuedJobs1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deadline_reminder ADD COLUMN queued_generation integer`);
    await db.query(`ALTER TABLE case_timer ADD COLUMN queued_generation integer`);
    // What the every-second pass reads: the pending rows whose current generation has no job yet.
    await db.query(`CREATE INDEX deadline_reminder_unqueued_idx ON deadline_reminder (fire_at, id) WHERE sent_at IS NULL AND queued_generation IS DISTINCT FROM generation`);
    await db.query(`CREATE INDEX case_timer_unqueued_idx ON case_timer (fire_at, id) WHERE state = 'pending' AND queued_generation IS DISTINCT FROM generation`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deadline_reminder DROP COLUMN queued_generation`);
    await db.query(`ALTER TABLE case_timer DROP COLUMN queued_generation`);
  }
}
