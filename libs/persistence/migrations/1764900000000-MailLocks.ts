import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail delivery under a row lock (issue 6, R1): a notifier holds the notification's row lock
 * while it sends, in its own transaction, so a notifier that dies releases it at once (its
 * connection closes) and another sends right away; the expiring claim goes. A failed send waits
 * until `mail_retry_at` (exponential backoff).
 */
export class MailLocks1764900000000 implements MigrationInterface {
  name = 'MailLocks1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification DROP COLUMN mail_claimed_at, ADD COLUMN mail_retry_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification DROP COLUMN mail_retry_at, ADD COLUMN mail_claimed_at timestamptz`);
  }
}
