/**
 * QUALITY.md P2: how long a transition's event takes to reach its consumer, and its notification
 * to be visible in-app, at half the P1 rate.
 *
 * - The API and the worker (outbox relay, events consumers) run as in production, as their own
 *   processes, with P1's small test program registered beside the real ones (p1-api.js,
 *   p2-worker.js): P2 follows the very transitions whose rate P1 measures. 32 autocannon
 *   connections each own a case and alternate `submit` (staff: the manager is told "action
 *   needed") and `return` (manager, with a comment: the author is told of the decision), so every
 *   transition causes exactly one notification. The worker's deadlines consumer keeps the case's
 *   approval SLA deadlines and reminders in step on every one of them.
 * - The rate is open-loop at half the P1 HTTP rate of the same run (when `p1` ran before), or else
 *   half the closed-loop rate of these same transitions measured first for a few seconds.
 * - Event reached its consumer: `processed_event.processed_at` of the notifications consumer (the
 *   start of its transaction) minus `outbox.created_at` (the start of the transition's statement,
 *   so the figure is pessimistic by that statement's own duration).
 * - Notification visible: this process polls the notification table every 5 ms on its own
 *   connection and notes when each row first appears, minus the same `outbox.created_at`.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { delay, findFreePort } from '@koryu/devstack';
import { percentile } from './lib/environment';
import { type BenchOptions, freshDatabase, http, startService, stopService, waitUntilReady } from './lib/services';
import { submitAndReturn, type TransitionContext } from './lib/transitions';

const CLIENTS = 32;
const ADMIN = { email: 'bench-operator@koryu.test', password: 'bench-operator-password' };
const POLL_MS = 5;

export interface P2Options extends BenchOptions {
  /** The P1 HTTP median of the same run, when P1 ran first. */
  p1Rate?: number;
}

export async function runP2(options: P2Options): Promise<{ lines: string[]; passed: boolean; rate?: number }> {
  const databaseUrl = await freshDatabase(options.serverUrl, 'koryu_p2');

  const [apiPort, workerPort] = [await findFreePort(), await findFreePort()];
  const base = `http://127.0.0.1:${apiPort}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redisUrl,
    JWT_SECRET: 'p2-benchmark-secret-that-is-long-enough-0123456789',
    KORYU_ADMIN_EMAIL: ADMIN.email,
    KORYU_ADMIN_PASSWORD: ADMIN.password,
    KORYU_DEMO: '0',
    LOG_LEVEL: 'info',
  };
  // BENCH_PROFILE=1 writes V8 CPU profiles of the API and the worker to the work directory (CPU.<date>.<pid>.cpuprofile; the pids are in the logs).
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${options.workDir}`] : [];
  const api = startService('p2-api', join(__dirname, 'p1-api.js'), { ...env, PORT: String(apiPort), KORYU_DATA_DIR: join(options.workDir, 'p2-api') }, options.workDir, profile);
  let worker: ReturnType<typeof startService> | undefined;
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await waitUntilReady('p2-api', base, api, options.workDir);
    worker = startService('p2-worker', join(__dirname, 'p2-worker.js'), { ...env, PORT: String(workerPort), KORYU_DATA_DIR: join(options.workDir, 'p2-worker') }, options.workDir, profile);
    await waitUntilReady('p2-worker', `http://127.0.0.1:${workerPort}`, worker, options.workDir);

    const operator = (await http<{ accessToken: string }>(base, 'POST', '/api/v1/auth/login', ADMIN)).accessToken;
    const organisation = await http<{ id: string }>(base, 'POST', '/api/v1/organisations', { name: '松江市', kind: 'municipality', code: '322016' }, operator);
    const tokens = { staff: '', manager: '' };
    const users: string[] = [];
    for (const role of ['staff', 'manager'] as const) {
      const email = `${role}@p2.bench`;
      users.push((await http<{ id: string }>(base, 'POST', '/api/v1/users', { email, name: `P2 ${role}`, password: 'bench-password-2026', organisationId: organisation.id, roles: [role] }, operator)).id);
      tokens[role] = (await http<{ accessToken: string }>(base, 'POST', '/api/v1/auth/login', { email, password: 'bench-password-2026' })).accessToken;
    }
    const caseIds: string[] = [];
    for (let i = 0; i < CLIENTS; i += 1) caseIds.push((await http<{ id: string }>(base, 'POST', '/api/v1/cases', { program: 'test-petition', data: { title: 'ルワンダ・キガリ市との上下水道技術協力', amountYen: 900_000 } }, tokens.staff)).id);

    sql.on('error', () => undefined);
    await sql.connect();
    const seedFrom = async () => {
      const { rows } = await sql.query<{ id: string; version: number; state: string }>('SELECT id, version, state FROM workflow_case WHERE id = ANY($1)', [caseIds]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return (context: TransitionContext) => {
        const row = byId.get(caseIds[context.index as number]);
        context.version = row?.version ?? 1;
        context.state = row?.state ?? 'draft';
      };
    };
    const settle = async () => {
      for (let i = 0; i < 600; i += 1) {
        const { rows } = await sql.query(`SELECT count(*)::int AS n FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM processed_event p WHERE p.event_id = o.event_id AND p.consumer = 'notifications') AND o.type = 'case.transitioned'`);
        if (rows[0].n === 0) return;
        await delay(100);
      }
      throw new Error('P2: the worker did not catch up within a minute');
    };

    let rateSource: string;
    let closedLoop: number | undefined;
    if (options.p1Rate) {
      rateSource = `half the P1 HTTP median of this run (${options.p1Rate.toFixed(0)} req/s)`;
    } else {
      process.stderr.write('P2: measuring the closed-loop rate …\n');
      closedLoop = (await submitAndReturn({ base, caseIds, tokens, seconds: 5, connections: CLIENTS, seed: await seedFrom() })).rps;
      rateSource = `half the closed-loop rate of these transitions measured first (${closedLoop.toFixed(0)} req/s over 5 s, worker running)`;
      await settle();
    }
    const rate = Math.max(1, Math.round((options.p1Rate ?? (closedLoop as number)) / 2));

    // The poller: when each notification of the benchmark users first becomes visible.
    const visibleAt = new Map<string, number>();
    let polling = true;
    const watcher = new Client({ connectionString: databaseUrl });
    await watcher.connect();
    // Each poll reads the rows created in a recent window only (reading every row of the run 200
    // times a second cost this process and PostgreSQL more CPU than the system under test): 1 s
    // plus twice the worst delay seen so far, so a row that takes longer to commit than its
    // predecessors is still found. Rows the poller never saw are counted and fail the bar.
    let worstMs = 0;
    const poll = (async () => {
      while (polling) {
        const { rows } = await watcher.query<{ key: string; createdAt: Date }>(
          `SELECT idempotency_key AS key, created_at AS "createdAt" FROM notification WHERE user_id = ANY ($1) AND created_at > now() - make_interval(secs => $2)`,
          [users, (1000 + 2 * worstMs) / 1000],
        );
        const now = Date.now();
        for (const row of rows) {
          if (visibleAt.has(row.key)) continue;
          visibleAt.set(row.key, now);
          worstMs = Math.max(worstMs, now - new Date(row.createdAt).getTime());
        }
        await delay(POLL_MS);
      }
    })();
    const startedAt = new Date();
    process.stderr.write(`P2: ${rate} transitions/s for ${options.seconds} s …\n`);
    const run = await submitAndReturn({ base, caseIds, tokens, seconds: options.seconds, connections: CLIENTS, seed: await seedFrom(), rate });
    const load = { rps: run.rps, failures: run.non2xx + run.errors };
    await settle();
    await delay(200);
    polling = false;
    await poll;
    await watcher.end();

    // Notification keys are `<kind>:<event id>:<user id>`.
    const { rows } = await sql.query<{ eventId: string; committed: Date; published: Date | null; handled: Date | null; notifications: number }>(
      `WITH n AS (SELECT split_part(idempotency_key, ':', 2) AS event_id, count(*)::int AS c FROM notification WHERE user_id = ANY ($3) GROUP BY 1)
       SELECT o.event_id AS "eventId", o.created_at AS committed, o.sent_at AS published, p.processed_at AS handled, coalesce(n.c, 0) AS notifications
         FROM outbox o LEFT JOIN processed_event p ON p.event_id = o.event_id AND p.consumer = 'notifications'
              LEFT JOIN n ON n.event_id = o.event_id::text
        WHERE o.type = 'case.transitioned' AND o.created_at >= $1 AND o.case_id = ANY ($2)`,
      [startedAt, caseIds, users],
    );
    const keyOf = new Map<string, string>();
    for (const key of visibleAt.keys()) keyOf.set(key.split(':')[1], key);
    const toPublished = rows.filter((r) => r.published).map((r) => new Date(r.published as Date).getTime() - new Date(r.committed).getTime()).sort((a, b) => a - b);
    const toConsumer = rows.filter((r) => r.handled).map((r) => new Date(r.handled as Date).getTime() - new Date(r.committed).getTime()).sort((a, b) => a - b);
    const toVisible = rows
      .map((r) => {
        const key = keyOf.get(r.eventId);
        return key ? (visibleAt.get(key) as number) - new Date(r.committed).getTime() : undefined;
      })
      .filter((ms): ms is number => ms !== undefined)
      .sort((a, b) => a - b);
    const missing = rows.filter((r) => r.notifications !== 1).length;
    const [c50, c99, v50, v99] = [percentile(toConsumer, 50), percentile(toConsumer, 99), percentile(toVisible, 50), percentile(toVisible, 99)];
    const passed = rows.length > 0 && missing === 0 && toVisible.length === rows.length && c50 <= 25 && c99 <= 100 && v50 <= 50 && v99 <= 200 && load.failures === 0;
    const lines = [
      '## P2: from a transition to its consumer and to the in-app notification',
      '',
      `Bar: to the consumer p50 ≤ 25 ms, p99 ≤ 100 ms; notification visible p50 ≤ 50 ms, p99 ≤ 200 ms, at half the P1 rate. **${passed ? 'Met' : 'Missed'}.**`,
      '',
      `Load: ${rate} transitions/s open-loop (${rateSource}) for ${options.seconds} s over ${CLIENTS} connections; achieved ${load.rps.toFixed(0)} req/s, ${load.failures} failed requests.`,
      '',
      '| measure | transitions | p50 | p99 | max |',
      '|---|---|---|---|---|',
      `| the outbox relay's batch that published the event began (outbox.sent_at) | ${toPublished.length} | ${percentile(toPublished, 50)} ms | ${percentile(toPublished, 99)} ms | ${toPublished.at(-1) ?? NaN} ms |`,
      `| event reaches the notifications consumer | ${toConsumer.length} | ${c50} ms | ${c99} ms | ${toConsumer.at(-1) ?? NaN} ms |`,
      `| notification visible in-app (polled every ${POLL_MS} ms) | ${toVisible.length} | ${v50} ms | ${v99} ms | ${toVisible.at(-1) ?? NaN} ms |`,
      '',
      `- Transitions in the window: ${rows.length}; with exactly one notification each: ${rows.length - missing} (${missing} with none or more than one); notifications the poller never saw: ${rows.length - toVisible.length}.`,
      '- Times run from the start of the transition\'s write statement (`outbox.created_at`), so they include that statement itself; the consumer time is the start of its transaction.',
      '- The API, the worker and this load generator share the machine\'s two cores with PostgreSQL and Redis.',
    ];
    return { lines, passed };
  } finally {
    await sql.end().catch(() => undefined);
    if (worker) await stopService(worker);
    await stopService(api);
  }
}
