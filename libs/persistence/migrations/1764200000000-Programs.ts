import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the four programs keep beside their cases (issue 5): JICA calls (公募), the organisation's
 * policies (the ambassador-visit lead time) and the governor-conference participation survey.
 */
export class Programs1764200000000 implements MigrationInterface {
  name = 'Programs1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE jica_call (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scheme text NOT NULL,
        fiscal_year integer NOT NULL,
        round integer NOT NULL CHECK (round BETWEEN 1 AND 12),
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (scheme, fiscal_year, round),
        CHECK (closes_at > opens_at)
      )`);
    await db.query(`CREATE INDEX jica_call_open_idx ON jica_call (scheme, closes_at)`);

    await db.query(`ALTER TABLE organisation ADD COLUMN visit_lead_time_days integer NOT NULL DEFAULT 30 CHECK (visit_lead_time_days BETWEEN 0 AND 365)`);

    await db.query(`
      CREATE TABLE survey_response (
        case_id uuid NOT NULL REFERENCES workflow_case (id),
        organisation_id uuid NOT NULL REFERENCES organisation (id),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'attending', 'declining', 'no-response')),
        attendee_level text CHECK (attendee_level IN ('governor', 'vice-governor', 'staff')),
        delegation_size integer CHECK (delegation_size BETWEEN 0 AND 200),
        joins_promotion boolean,
        answered_by uuid REFERENCES app_user (id),
        answered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, organisation_id)
      )`);
    // An organisation's inbox: its pending responses.
    await db.query(`CREATE INDEX survey_response_pending_idx ON survey_response (organisation_id) WHERE status = 'pending'`);
    // Counting approved conferences per organisation and fiscal year.
    await db.query(`CREATE INDEX workflow_case_fiscal_idx ON workflow_case (organisation_id, program, fiscal_year)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX workflow_case_fiscal_idx');
    await db.query('DROP TABLE survey_response');
    await db.query('ALTER TABLE organisation DROP COLUMN visit_lead_time_days');
    await db.query('DROP TABLE jica_call');
  }
}
