import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deadlines of cases (issue 6): the programs' own, derived from case data by the worker, and custom
 * milestones. PostgreSQL is their source of truth; `generation` grows whenever a deadline's date or
 * state changes, so a reminder job built for an older generation does nothing.
 */
export class Deadlines1764300000000 implements MigrationInterface {
  name = 'Deadlines1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE case_deadline (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES workflow_case (id),
        key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('program', 'custom')),
        title jsonb NOT NULL,
        due_at timestamptz NOT NULL,
        all_day boolean NOT NULL,
        remind_before text[] NOT NULL DEFAULT '{}',
        notify uuid[] NOT NULL DEFAULT '{}',
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
        generation integer NOT NULL DEFAULT 1,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        UNIQUE (case_id, key)
      )`);
    // What is due soon across all cases (digest, calendar feeds, the reconciler).
    await db.query(`CREATE INDEX case_deadline_open_idx ON case_deadline (due_at) WHERE state = 'open'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE case_deadline');
  }
}
