import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders of deadlines and the notifications they produce (issue 6). A reminder row is computed
 * for one generation of its deadline; its BullMQ job (id `reminder:<id>:<generation>`) only
 * triggers a handler that locks the row and re-checks it. A notification's idempotency key is
 * unique, so a retried or duplicated job never notifies twice.
 */
export class Reminders1764400000000 implements MigrationInterface {
  name = 'Reminders1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deadline_reminder (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        deadline_id uuid NOT NULL REFERENCES case_deadline (id),
        before text NOT NULL,
        fire_at timestamptz NOT NULL,
        generation integer NOT NULL,
        sent_at timestamptz,
        skipped boolean NOT NULL DEFAULT false,
        UNIQUE (deadline_id, before)
      )`);
    await db.query(`CREATE INDEX deadline_reminder_pending_idx ON deadline_reminder (fire_at, id) WHERE sent_at IS NULL`);
    await db.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user (id),
        kind text NOT NULL CHECK (kind IN ('action-needed', 'reminder', 'escalation', 'decision', 'survey-invitation')),
        case_id uuid REFERENCES workflow_case (id),
        title jsonb NOT NULL,
        body jsonb NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        mailed_at timestamptz
      )`);
    await db.query(`CREATE INDEX notification_user_idx ON notification (user_id, created_at DESC)`);
    await db.query(`CREATE INDEX notification_unmailed_idx ON notification (created_at) WHERE mailed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE notification');
    await db.query('DROP TABLE deadline_reminder');
  }
}
