import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cases, their append-only history, the transactional outbox and the consumers' record of
 * processed events (issue 4). "case" is an SQL keyword, hence `workflow_case`.
 */
export class Workflow1764100000000 implements MigrationInterface {
  name = 'Workflow1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE workflow_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program text NOT NULL,
        program_version integer NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisation (id),
        title text NOT NULL DEFAULT '',
        state text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        version integer NOT NULL DEFAULT 1,
        fiscal_year integer,
        invited_organisation_ids uuid[] NOT NULL DEFAULT '{}',
        created_by uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        state_entered_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Lists are per organisation, newest first, optionally by program/state/fiscal year (keyset on updated_at, id).
    await db.query(`CREATE INDEX workflow_case_list_idx ON workflow_case (organisation_id, updated_at DESC, id DESC)`);
    await db.query(`CREATE INDEX workflow_case_program_state_idx ON workflow_case (organisation_id, program, state)`);
    await db.query(`CREATE INDEX workflow_case_invited_idx ON workflow_case USING gin (invited_organisation_ids)`);

    await db.query(`
      CREATE TABLE case_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES workflow_case (id),
        at timestamptz NOT NULL DEFAULT now(),
        actor_user_id uuid REFERENCES app_user (id),
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'system')),
        action text NOT NULL,
        from_state text,
        to_state text NOT NULL,
        comment text,
        changes jsonb NOT NULL DEFAULT '[]'::jsonb,
        override jsonb
      )`);
    await db.query(`CREATE INDEX case_history_case_idx ON case_history (case_id, id)`);
    await db.query(`
      CREATE TRIGGER case_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON case_history
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    // Written in the transaction of the change it announces; relayed to the events queue by the worker.
    await db.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        case_id uuid,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await db.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`);

    // A consumer records each event it handled in the same transaction as its effect: at-least-once
    // delivery then acts exactly once.
    await db.query(`
      CREATE TABLE processed_event (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE processed_event`);
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP TABLE case_history`);
    await db.query(`DROP TABLE workflow_case`);
  }
}
