import type { DataSource, EntityManager } from 'typeorm';
import { DEMO_ACCOUNTS, DEMO_ORGANISATIONS, DEMO_OTHER_PREFECTURES, DEMO_PASSWORD } from './demo-accounts';
import { hashPassword } from './password-hasher';

/** One key for every process of every service: migrations and seeding run under it one at a time. */
const SETUP_LOCK = 4_711_2026;

export interface SetupOptions {
  adminEmail?: string;
  adminPassword?: string;
  demo: boolean;
  log: (message: string) => void;
}

export interface SetupReport {
  migrations: string[];
  bootstrapAdmin: boolean;
  demoSeeded: boolean;
}

/**
 * Runs the pending migrations, creates the bootstrap admin and seeds demo data, under a
 * PostgreSQL advisory lock so that replicas starting together do it exactly once (TypeORM alone
 * runs a migration twice: typeorm #4588). The lock is session-level on one dedicated connection.
 */
export async function prepareDatabase(dataSource: DataSource, options: SetupOptions): Promise<SetupReport> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const report: SetupReport = { migrations: applied.map((m) => m.name), bootstrapAdmin: false, demoSeeded: false };
    for (const name of report.migrations) options.log(`migration applied: ${name}`);
    await dataSource.transaction(async (manager) => {
      const [{ users }] = await manager.query('SELECT count(*)::int AS users FROM app_user');
      const [{ organisations }] = await manager.query('SELECT count(*)::int AS organisations FROM organisation');
      if (users === 0 && options.adminEmail && options.adminPassword) {
        await createBootstrapAdmin(manager, options.adminEmail, options.adminPassword);
        report.bootstrapAdmin = true;
        options.log(`bootstrap admin created: ${options.adminEmail}`);
      }
      if (organisations === 0 && options.demo) {
        await seedDemo(manager);
        report.demoSeeded = true;
        options.log(`demo data seeded: ${DEMO_ACCOUNTS.length} accounts`);
      }
    });
    return report;
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

async function upsertOperatorOrganisation(manager: EntityManager): Promise<string> {
  const operator = DEMO_ORGANISATIONS.find((o) => o.kind === 'operator')!;
  const [row] = await manager.query(
    `INSERT INTO organisation (name, kind, code) VALUES ($1, 'operator', $2)
     ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id`,
    [operator.name, operator.code],
  );
  return row.id;
}

async function createBootstrapAdmin(manager: EntityManager, email: string, password: string): Promise<void> {
  const organisationId = await upsertOperatorOrganisation(manager);
  await manager.query(
    `INSERT INTO app_user (organisation_id, email, name, password_hash, roles) VALUES ($1, $2, $3, $4, ARRAY['admin'])`,
    [organisationId, email.toLowerCase(), '管理者', await hashPassword(password)],
  );
}

async function seedDemo(manager: EntityManager): Promise<void> {
  const ids = new Map<string, string>();
  for (const organisation of DEMO_ORGANISATIONS) {
    const [row] = await manager.query(
      `INSERT INTO organisation (name, kind, code) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id`,
      [organisation.name, organisation.kind, organisation.code],
    );
    ids.set(organisation.key, row.id);
  }
  for (const [name, code] of DEMO_OTHER_PREFECTURES) {
    await manager.query(`INSERT INTO organisation (name, kind, code) VALUES ($1, 'prefecture', $2) ON CONFLICT (code) DO NOTHING`, [name, code]);
  }
  // One hash for every demo login: argon2 is deliberately slow, and they share the password.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of DEMO_ACCOUNTS) {
    await manager.query(
      `INSERT INTO app_user (organisation_id, email, name, password_hash, roles, locale)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING`,
      [ids.get(account.organisationKey), account.email, account.name, passwordHash, account.roles, account.locale],
    );
  }
}
