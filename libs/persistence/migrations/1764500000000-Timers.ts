import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timer transitions (DOMAIN.md `system` actions such as `visit-ended`): one row per case and
 * action while the case waits in the timer's state, with a generation that grows when its time
 * changes. Its BullMQ job only triggers the transition, which the engine re-checks.
 */
export class Timers1764500000000 implements MigrationInterface {
  name = 'Timers1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE case_timer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES workflow_case (id),
        action text NOT NULL,
        fire_at timestamptz NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled', 'blocked')),
        outcome text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, action)
      )`);
    await db.query(`CREATE INDEX case_timer_pending_idx ON case_timer (fire_at, id) WHERE state = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE case_timer');
  }
}
