import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE organisation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('prefecture', 'municipality', 'association', 'operator')),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9]{1,12}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisation (id),
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['staff', 'manager', 'admin']),
        locale text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
        disabled_at timestamptz,
        session_generation integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX app_user_organisation_idx ON app_user (organisation_id)`);
    await db.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_user_id uuid,
        organisation_id uuid,
        ip text,
        user_agent text,
        request_id text,
        action text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
        subject text,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    // Login throttling counts recent attempts per e-mail and per client IP (API.md "Login throttling").
    await db.query(`CREATE INDEX audit_log_login_subject_idx ON audit_log (subject, at) WHERE action = 'auth.login'`);
    await db.query(`CREATE INDEX audit_log_login_ip_idx ON audit_log (ip, at) WHERE action = 'auth.login' AND outcome = 'failure'`);
    await db.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    // The audit trail is evidence: the database itself refuses to change or remove it.
    await db.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP FUNCTION refuse_change()`);
    await db.query(`DROP TABLE app_user`);
    await db.query(`DROP TABLE organisation`);
  }
}
