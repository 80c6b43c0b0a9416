import type { CaseRow } from './case.repository';
import { RecentCases } from './recent-cases';

const row = (version: number, extra: Partial<CaseRow> = {}): CaseRow & { ownerKind?: 'municipality' } => ({
  id: 'c1',
  program: 'ambassador-visit',
  programVersion: 1,
  organisationId: 'org-a',
  title: 't',
  state: 'draft',
  data: {},
  version,
  fiscalYear: null,
  invitedOrganisationIds: ['org-b'],
  createdBy: 'u1',
  createdAt: new Date(),
  updatedAt: new Date(),
  stateEnteredAt: new Date(),
  ...extra,
});

describe('RecentCases', () => {
  it('answers only the exact version, with the access of the asking organisation', () => {
    const recent = new RecentCases();
    recent.remember({ ...row(3), ownerKind: 'municipality' });
    expect(recent.at('c1', 3, 'org-a')).toMatchObject({ version: 3, access: 'owner', ownerKind: 'municipality' });
    expect(recent.at('c1', 3, 'org-b')).toMatchObject({ access: 'invitee' });
    expect(recent.at('c1', 3, 'org-c')).toBeUndefined();
    expect(recent.at('c1', 2, 'org-a')).toBeUndefined();
  });

  it('keeps neither the deadlines read with a row nor the access of whoever read it', () => {
    const recent = new RecentCases();
    recent.remember({ ...row(4), ownerKind: 'municipality', deadlines: [], access: 'invitee' } as CaseRow & { ownerKind: 'municipality' });
    const known = recent.at('c1', 4, 'org-a');
    expect(known).not.toHaveProperty('deadlines');
    expect(known?.access).toBe('owner');
    expect(Object.keys(known ?? {}).sort()).toEqual([...Object.keys(row(4)), 'ownerKind', 'access'].sort());
  });

  it('keeps the owner kind across a written row, and forgets rows it never saw read', () => {
    const recent = new RecentCases();
    recent.remember(row(1));
    expect(recent.at('c1', 1, 'org-a')).toBeUndefined();
    recent.remember({ ...row(1), ownerKind: 'municipality' });
    recent.remember(row(2, { state: 'internal-review' }));
    expect(recent.at('c1', 2, 'org-a')).toMatchObject({ state: 'internal-review', ownerKind: 'municipality' });
    expect(recent.at('c1', 1, 'org-a')).toBeUndefined();
  });

  it('forgets the oldest beyond its capacity and anything older than its lifetime', () => {
    const recent = new RecentCases(2, 50);
    for (const id of ['a', 'b', 'c']) recent.remember({ ...row(1, { id }), ownerKind: 'municipality' });
    expect(recent.at('a', 1, 'org-a')).toBeUndefined();
    expect(recent.at('c', 1, 'org-a')).toBeDefined();
    const later = Date.now() + 100;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    expect(recent.at('c', 1, 'org-a')).toBeUndefined();
    jest.restoreAllMocks();
  });
});
