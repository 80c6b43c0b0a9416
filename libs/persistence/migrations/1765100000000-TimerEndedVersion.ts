import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case version at which a timer transition ended (done, blocked or cancelled). The deadlines
 * consumer reads the case without locking it (so a person's next action never waits for the
 * worker) and revives an ended timer only when it saw a later version of the case: a consumer
 * that read the case just before a timer moved it cannot bring that timer back. Rows ended before
 * this column existed may be revived as before.
 */
export class TimerEndedVersion1765100000000 implements MigrationInterface {
  name = 'TimerEndedVersion1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE case_timer ADD COLUMN ended_version integer`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE case_timer DROP COLUMN ended_version`);
  }
}
