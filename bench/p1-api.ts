/**
 * The API as `npm start` runs it (same module, Fastify, logging), with the small test program
 * registered beside the real ones, for the P1 benchmark. Started as its own process by p1.
 */
import { loadConfigOrExit } from '@koryu/platform';
import { PROGRAMS } from '@koryu/workflow';
import { createApi } from '../apps/api/bootstrap';
import { PETITION } from '../libs/workflow/testing/petition.definition';

// The benchmark holds our stdin open; when it ends (the benchmark stopped or died), so do we.
process.stdin.on('end', () => process.exit(0)).resume();

void createApi(loadConfigOrExit('api'), {
  programs: [...PROGRAMS, PETITION],
  factLoaders: {
    approvedThisYear: async (row, query) =>
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_case WHERE organisation_id = $1 AND program = $2 AND state = 'approved'`, [row.organisationId, row.program]))[0].n,
  },
}).then(
  () => process.stdout.write('READY\n'),
  (error: unknown) => {
    process.stderr.write(`bench api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
