import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail delivery of notifications (issue 6): a notifier claims a notification before sending it
 * (so two replicas never send the same one) and marks it mailed right after; a claim left by a
 * notifier that died expires and is taken again.
 */
export class MailDelivery1764600000000 implements MigrationInterface {
  name = 'MailDelivery1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification ADD COLUMN mail_claimed_at timestamptz, ADD COLUMN mail_attempts integer NOT NULL DEFAULT 0, ADD COLUMN mail_error text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification DROP COLUMN mail_claimed_at, DROP COLUMN mail_attempts, DROP COLUMN mail_error`);
  }
}
