import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The approval SLA (DOMAIN.md): a case waiting in review for 3 business days reminds the
 * organisation's managers, after 5 it escalates to its admins. Both are deadlines of kind `sla`
 * whose `audience` says who hears of them.
 */
export class ApprovalSla1764700000000 implements MigrationInterface {
  name = 'ApprovalSla1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE case_deadline DROP CONSTRAINT case_deadline_kind_check`);
    await db.query(`ALTER TABLE case_deadline ADD CONSTRAINT case_deadline_kind_check CHECK (kind IN ('program', 'custom', 'sla'))`);
    // Who hears of a deadline besides the default (the owning organisation's staff): managers and
    // admins for the SLA, the invited organisations that have not answered for a survey deadline.
    await db.query(`ALTER TABLE case_deadline ADD COLUMN audience text CHECK (audience IN ('manager', 'admin', 'pending-invitees'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM case_deadline WHERE kind = 'sla'`);
    await db.query(`ALTER TABLE case_deadline DROP COLUMN audience`);
    await db.query(`ALTER TABLE case_deadline DROP CONSTRAINT case_deadline_kind_check`);
    await db.query(`ALTER TABLE case_deadline ADD CONSTRAINT case_deadline_kind_check CHECK (kind IN ('program', 'custom'))`);
  }
}
