import type { CaseworkOptions } from '@koryu/casework';
import { PROGRAMS } from '@koryu/workflow';
import { PETITION } from '../../libs/workflow/testing/petition.definition';

/**
 * The small test program beside the real ones, as P1 and P2 run it in the API and the worker: the
 * transitions P1 measures are the ones P2 follows to their notifications.
 */
export const PETITION_PROGRAMS: CaseworkOptions = {
  programs: [...PROGRAMS, PETITION],
  factLoaders: {
    approvedThisYear: async (row, query) =>
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_case WHERE organisation_id = $1 AND program = $2 AND state = 'approved'`, [row.organisationId, row.program]))[0].n,
  },
};
