import type { CaseworkOptions } from '@koryu/casework';
import { HttpClient, staffAndManager } from '@koryu/testing';
import { PROGRAMS } from '@koryu/workflow';
import { PETITION } from '../../libs/workflow/testing/petition.definition';
import { http } from './services';

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

/** The bootstrap operator of the API processes P1 and P2 start. */
const ADMIN = { email: 'bench-operator@koryu.test', password: 'bench-operator-password' };

/** The environment of an API or worker process of P1 and P2 (production mode, no demo data). */
export function serviceEnvironment(databaseUrl: string, redisUrl: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET: 'benchmark-secret-that-is-long-enough-0123456789',
    KORYU_ADMIN_EMAIL: ADMIN.email,
    KORYU_ADMIN_PASSWORD: ADMIN.password,
    KORYU_DEMO: '0',
    LOG_LEVEL: 'info',
    ...(process.env.BENCH_POOL ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL } : {}),
  };
}

export interface Petitioners {
  tokens: { staff: string; manager: string };
  userIds: { staff: string; manager: string };
  /** Creates a test-petition case as the staff member; answers its id. */
  newCase(): Promise<string>;
}

/** An organisation with a staff member and a manager, signed in, through the API as the operator creates them. */
export async function petitioners(base: string, organisation: { name: string; kind: 'municipality' | 'prefecture'; code: string }): Promise<Petitioners> {
  const { staff, manager, userIds } = await staffAndManager(new HttpClient(base), { ...organisation, domain: `${organisation.code}.bench` }, ADMIN);
  const tokens = { staff, manager };
  const newCase = async () =>
    (await http<{ id: string }>(base, 'POST', '/api/v1/cases', { program: 'test-petition', data: { title: 'ルワンダ・キガリ市との上下水道技術協力', amountYen: 900_000 } }, tokens.staff)).id;
  return { tokens, userIds, newCase };
}
