import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type OrganisationKind, preparedQuery, retryOnConflict, type Role } from '@koryu/persistence';
import { requireActor } from '@koryu/platform';

export interface OrganisationRow {
  id: string;
  name: string;
  kind: OrganisationKind;
  code: string;
  createdAt: Date;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: Role[];
  locale: 'ja' | 'en';
  disabled: boolean;
  createdAt: Date;
}

/** What the auth guard needs on every request, in one indexed read. */
export interface SessionState {
  id: string;
  organisationId: string;
  organisationKind: OrganisationKind;
  roles: Role[];
  disabled: boolean;
  sessionGeneration: number;
}

export interface Credentials extends SessionState {
  email: string;
  passwordHash: string;
}

const USER_COLUMNS = `u.id, u.email, u.name, u.organisation_id AS "organisationId", u.roles, u.locale,
  (u.disabled_at IS NOT NULL) AS disabled, u.created_at AS "createdAt"`;
/** How long a session state read is reused within one API process, and how many users are kept. */
export const SESSION_CACHE_MS = 1_000;
const SESSION_CACHE_SIZE = 10_000;

const ORGANISATION_COLUMNS = `o.id, o.name, o.kind, o.code, o.created_at AS "createdAt"`;

/**
 * Organisations and users. Reads of users are scoped to the caller's organisation unless the
 * caller is an operator admin; the scope comes from the request context, not from arguments.
 */
@Injectable()
export class AccountRepository {
  private readonly sessions = new Map<string, { state: SessionState; until: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findCredentials(email: string): Promise<Credentials | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT u.id, u.email, u.password_hash AS "passwordHash", u.organisation_id AS "organisationId", o.kind AS "organisationKind",
              u.roles, (u.disabled_at IS NOT NULL) AS disabled, u.session_generation AS "sessionGeneration"
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.email = $1`,
      [email],
    );
    return row;
  }

  /**
   * The user's current session state, read on every authenticated request. Kept for at most
   * SESSION_CACHE_MS per process: a logout, password change, role change or disabling through this
   * process takes effect at once (the entry is dropped), through another API process within that
   * time. It saves a statement on every request (QUALITY.md P1).
   */
  async findSessionState(userId: string): Promise<SessionState | undefined> {
    const now = Date.now();
    const cached = this.sessions.get(userId);
    if (cached && cached.until > now) return cached.state;
    const state = await this.readSessionState(userId);
    if (state) {
      if (this.sessions.size >= SESSION_CACHE_SIZE) this.sessions.delete(this.sessions.keys().next().value as string);
      this.sessions.set(userId, { state, until: now + SESSION_CACHE_MS });
    } else this.sessions.delete(userId);
    return state;
  }

  /** Drops the cached session state of a user whose sessions or roles change. */
  forgetSession(userId: string): void {
    this.sessions.delete(userId);
  }

  private async readSessionState(userId: string): Promise<SessionState | undefined> {
    const [row] = await preparedQuery<SessionState>(
      this.dataSource,
      `SELECT u.id, u.organisation_id AS "organisationId", o.kind AS "organisationKind", u.roles,
              (u.disabled_at IS NOT NULL) AS disabled, u.session_generation AS "sessionGeneration"
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`,
      [userId],
    );
    return row;
  }

  /** Ends every token of the user (logout everywhere, disable, password change). */
  async bumpSessionGeneration(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    this.forgetSession(userId);
    await manager.query('UPDATE app_user SET session_generation = session_generation + 1, updated_at = now() WHERE id = $1', [userId]);
  }

  /** The signed-in user, with the name and kind of their organisation (for the web UI's header). */
  async findMe(): Promise<(UserRow & { organisation: { id: string; name: string; kind: OrganisationKind } }) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS}, json_build_object('id', o.id, 'name', o.name, 'kind', o.kind) AS organisation
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`,
      [requireActor().userId],
    );
    return row;
  }

  /**
   * The caller's active colleagues (their organisation's other users, not disabled), by name: whom
   * a custom deadline may also remind. Names and roles only.
   */
  async listColleagues(): Promise<{ id: string; name: string; roles: string[] }[]> {
    const actor = requireActor();
    return this.dataSource.query(
      `SELECT u.id, u.name, u.roles FROM app_user u
        WHERE u.organisation_id = $1 AND u.disabled_at IS NULL AND u.id <> $2
        ORDER BY u.name, u.id`,
      [actor.organisationId, actor.userId],
    );
  }

  async listOrganisations(): Promise<OrganisationRow[]> {
    return this.dataSource.query(`SELECT ${ORGANISATION_COLUMNS} FROM organisation o ORDER BY o.code`);
  }

  async findOrganisation(id: string): Promise<OrganisationRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${ORGANISATION_COLUMNS} FROM organisation o WHERE o.id = $1`, [id]);
    return row;
  }

  async insertOrganisation(manager: EntityManager, input: { name: string; kind: OrganisationKind; code: string }): Promise<OrganisationRow> {
    const [row] = await manager.query(
      `INSERT INTO organisation AS o (name, kind, code) VALUES ($1, $2, $3) RETURNING ${ORGANISATION_COLUMNS}`,
      [input.name, input.kind, input.code],
    );
    return row;
  }

  /** Users visible to the calling admin: their own organisation's, or any for an operator. */
  async listUsers(organisationId?: string): Promise<UserRow[]> {
    const actor = requireActor();
    const scope = actor.operator ? (organisationId ?? null) : actor.organisationId;
    if (!actor.operator && organisationId && organisationId !== actor.organisationId) return [];
    return this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM app_user u WHERE ($1::uuid IS NULL OR u.organisation_id = $1) ORDER BY u.email`,
      [scope],
    );
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    const actor = requireActor();
    const [row] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM app_user u WHERE u.id = $1 AND ($2::uuid IS NULL OR u.organisation_id = $2)`,
      [id, actor.operator ? null : actor.organisationId],
    );
    return row;
  }

  async insertUser(
    manager: EntityManager,
    input: { email: string; name: string; passwordHash: string; organisationId: string; roles: Role[]; locale: 'ja' | 'en' },
  ): Promise<UserRow> {
    const [row] = await manager.query(
      `INSERT INTO app_user AS u (email, name, password_hash, organisation_id, roles, locale)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
      [input.email, input.name, input.passwordHash, input.organisationId, input.roles, input.locale],
    );
    return row;
  }

  async updateUser(
    manager: EntityManager,
    id: string,
    changes: { name?: string; roles?: Role[]; locale?: 'ja' | 'en'; disabled?: boolean; passwordHash?: string },
  ): Promise<UserRow> {
    this.forgetSession(id);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [[row]] = (await manager.query(
      `UPDATE app_user AS u SET
         name = COALESCE($2, u.name),
         roles = COALESCE($3, u.roles),
         locale = COALESCE($4, u.locale),
         disabled_at = CASE WHEN $5::boolean IS NULL THEN u.disabled_at WHEN $5 THEN COALESCE(u.disabled_at, now()) ELSE NULL END,
         password_hash = COALESCE($6, u.password_hash),
         session_generation = u.session_generation + CASE WHEN $5::boolean IS TRUE OR $6::text IS NOT NULL OR $3::text[] IS NOT NULL THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE u.id = $1 RETURNING ${USER_COLUMNS}`,
      [id, changes.name ?? null, changes.roles ?? null, changes.locale ?? null, changes.disabled ?? null, changes.passwordHash ?? null],
    )) as [UserRow[], number];
    return row;
  }

  /** One transaction, run again if PostgreSQL aborts it as a deadlock victim (`work` does nothing outside it). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return retryOnConflict(() => this.dataSource.transaction(work));
  }
}
