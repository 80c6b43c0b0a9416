import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditOutcome } from '@koryu/persistence';
import { auditEvents } from './metrics';
import { currentContext } from './request-context';

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  subject?: string | null;
  detail?: Record<string, unknown>;
  /** Overrides the signed-in actor (e.g. a login attempt, where no one is signed in yet). */
  actorUserId?: string | null;
  organisationId?: string | null;
}

/**
 * Writes the audit log (QUALITY.md S6): who, from where, when, what, and how it ended. Actor, IP,
 * user agent and request id come from the request context. Passwords and tokens never go in.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const context = currentContext();
    await manager.query(
      `INSERT INTO audit_log (actor_user_id, organisation_id, ip, user_agent, request_id, action, outcome, subject, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.actorUserId !== undefined ? entry.actorUserId : (context?.actor?.userId ?? null),
        entry.organisationId !== undefined ? entry.organisationId : (context?.actor?.organisationId ?? null),
        context?.ip ?? null,
        context?.userAgent?.slice(0, 512) ?? null,
        context?.requestId ?? null,
        entry.action,
        entry.outcome,
        entry.subject ?? null,
        entry.detail ?? {},
      ],
    );
    auditEvents.inc({ action: entry.action, outcome: entry.outcome });
  }

  /** For denials seen while answering an error: never let auditing turn a 403 into a 500. */
  recordQuietly(entry: AuditEntry): void {
    this.record(entry).catch((error: unknown) => this.logger.warn({ err: error }, 'audit entry not written'));
  }
}
