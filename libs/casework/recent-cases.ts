import type { CaseRow, VisibleCase } from './case.repository';

type Known = Omit<VisibleCase, 'access' | 'deadlines'>;

/**
 * The committed rows of cases this process read or wrote lately, by id. A case's version names
 * one committed content for good (every change bumps it, and only committed rows are kept here),
 * so a request that names the version it saw can be decided on the remembered row without reading
 * it again: the write's `WHERE version = $v` then proves the row was still current. Entries live
 * a minute, so an organisation's kind (read with the case) is never older than that.
 */
export class RecentCases {
  private readonly rows = new Map<string, { row: Known; at: number }>();

  constructor(
    private readonly capacity = 5_000,
    private readonly ttlMs = 60_000,
  ) {}

  /** A committed row, as read (with its owner's kind) or as written (keeping the kind known). */
  remember(row: CaseRow & { ownerKind?: VisibleCase['ownerKind'] }): void {
    const ownerKind = row.ownerKind ?? this.rows.get(row.id)?.row.ownerKind;
    if (!ownerKind) return;
    const { deadlines: _deadlines, access: _access, ...rest } = row as VisibleCase;
    this.rows.delete(row.id);
    this.rows.set(row.id, { row: { ...rest, ownerKind }, at: Date.now() });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value as string);
  }

  /** The case at exactly `version` as `organisationId` sees it, when remembered; else undefined. */
  at(id: string, version: number, organisationId: string): VisibleCase | undefined {
    const entry = this.rows.get(id);
    if (!entry || entry.row.version !== version) return undefined;
    if (Date.now() - entry.at > this.ttlMs) {
      this.rows.delete(id);
      return undefined;
    }
    const { row } = entry;
    if (row.organisationId === organisationId) return { ...row, access: 'owner' };
    if (row.invitedOrganisationIds.includes(organisationId)) return { ...row, access: 'invitee' };
    return undefined;
  }
}
