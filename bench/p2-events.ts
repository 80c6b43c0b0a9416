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
 * - The rate is steady and open-loop (pacedTransitions: one request every 1/rate s) at half the P1
 *   HTTP rate of the same run (when `p1` ran before), or else
 *   half the closed-loop rate of these same transitions measured first for a few seconds.
 *   The bar counts only if the system carried that rate: answered at 95% of it or more, counted
 *   up to the last answer (a system that falls behind answers its backlog after the window).
 * - Times start at the transition's commit, read from PostgreSQL's commit timestamps
 *   (track_commit_timestamp, on in the bench's server). Event reached its consumer:
 *   `processed_event.processed_at` of the notifications consumer (the start of its transaction).
 *   Notification visible: the commit of the notification row, after which `GET /notifications`
 *   returns it. (A poller that read the table every 5 ms used more CPU than the system under test.)
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { delay, findFreePort } from '@koryu/devstack';
import { percentile, pgStatements } from './lib/environment';
import { petitioners, serviceEnvironment } from './lib/petition';
import { type BenchOptions, freshDatabase, serviceNodeArgs, startService, stopService, waitUntilReady } from './lib/services';
import { postgresCpu, postgresCpuByBackend, postgresCpuByClient, processCpu, selfCpu, walFlushes } from './lib/cpu';
import { type CasePosition, pacedTransitions, submitAndReturn } from './lib/transitions';

const CLIENTS = 32;

export interface P2Options extends BenchOptions {
  /** The P1 HTTP median of the same run, when P1 ran first. */
  p1Rate?: number;
}

export async function runP2(options: P2Options): Promise<{ lines: string[]; passed: boolean; rate?: number }> {
  const databaseUrl = await freshDatabase(options.serverUrl, 'koryu_p2');

  const [apiPort, workerPort] = [await findFreePort(), await findFreePort()];
  const base = `http://127.0.0.1:${apiPort}`;
  const env = serviceEnvironment(databaseUrl, options.redisUrl);
  const api = startService('p2-api', join(__dirname, 'p1-api.js'), { ...env, PORT: String(apiPort), KORYU_DATA_DIR: join(options.workDir, 'p2-api') }, options.workDir, serviceNodeArgs('api', options.workDir));
  let worker: ReturnType<typeof startService> | undefined;
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await waitUntilReady('p2-api', base, api, options.workDir);
    worker = startService('p2-worker', join(__dirname, 'p2-worker.js'), { ...env, PORT: String(workerPort), KORYU_DATA_DIR: join(options.workDir, 'p2-worker') }, options.workDir, serviceNodeArgs('worker', options.workDir));
    await waitUntilReady('p2-worker', `http://127.0.0.1:${workerPort}`, worker, options.workDir);

    const { tokens, userIds, newCase } = await petitioners(base, { name: '松江市', kind: 'municipality', code: '322016' });
    const users = [userIds.staff, userIds.manager];
    const caseIds: string[] = [];
    for (let i = 0; i < CLIENTS; i += 1) caseIds.push(await newCase());

    sql.on('error', () => undefined);
    await sql.connect();
    const positions = async () => (await sql.query<CasePosition>('SELECT id, version, state FROM workflow_case WHERE id = ANY($1)', [caseIds])).rows;
    const settle = async () => {
      for (let i = 0; i < 600; i += 1) {
        // Caught up: every transition notified, and every row marked sent (which the relay does once all its consumers have committed the event).
        const { rows } = await sql.query(
          `SELECT count(*)::int AS n FROM outbox o WHERE o.sent_at IS NULL OR NOT EXISTS (SELECT 1 FROM processed_event p WHERE p.event_id = o.event_id AND p.consumer = 'notifications') AND o.type = 'case.transitioned'`,
        );
        if (rows[0].n === 0) return;
        await delay(100);
      }
      throw new Error('P2: the worker did not catch up within a minute');
    };

    let rateSource: string;
    let closedLoop: number | undefined;
    // BENCH_P2_RATE=<n>: a chosen rate, for looking into the system below or above the bar's rate (the verdict then does not count).
    const chosenRate = Number(process.env.BENCH_P2_RATE) || undefined;
    if (chosenRate) {
      rateSource = `chosen with BENCH_P2_RATE, not the bar's rate`;
    } else if (options.p1Rate) {
      rateSource = `half the P1 HTTP median of this run (${options.p1Rate.toFixed(0)} req/s)`;
    } else {
      process.stderr.write('P2: measuring the closed-loop rate …\n');
      closedLoop = (await submitAndReturn({ base, cases: await positions(), tokens, seconds: 5, connections: CLIENTS })).rps;
      rateSource = `half the closed-loop rate of these transitions measured first (${closedLoop.toFixed(0)} req/s over 5 s, worker running)`;
      await settle();
    }
    const rate = chosenRate ?? Math.max(1, Math.round((options.p1Rate ?? (closedLoop as number)) / 2));

    // Warm up at the same rate (JIT, pooled connections, prepared statements), as P1 does, and let the worker catch up.
    process.stderr.write(`P2: warming up at ${rate} transitions/s …\n`);
    await pacedTransitions({ base, cases: await positions(), tokens, seconds: 3, rate });
    await settle();
    const startedAt = new Date();
    process.stderr.write(`P2: ${rate} transitions/s for ${options.seconds} s …\n`);
    const redisPid = Number(/process_id:(\d+)/.exec(execFileSync('redis-cli', ['-u', options.redisUrl, 'INFO', 'server']).toString())?.[1]);
    const cpu = () => ({ postgres: postgresCpu(options.postgresDataDir), api: processCpu(api.pid ?? 0), worker: processCpu(worker?.pid ?? 0), redis: processCpu(redisPid), bench: selfCpu().own });
    await pgStatements.reset(sql);
    const cpuBefore = cpu();
    const backendsBefore = await postgresCpuByBackend(sql);
    const flushesBefore = await walFlushes(sql);
    const run = await pacedTransitions({ base, cases: await positions(), tokens, seconds: options.seconds, rate });
    const load = { rps: run.rps, failures: run.non2xx + run.errors };
    await settle();
    const cpuAfter = cpu();
    const byClient = postgresCpuByClient(backendsBefore, await postgresCpuByBackend(sql));
    const flushesAfter = await walFlushes(sql);
    await pgStatements.report(sql, 'P2');

    // Commit times (track_commit_timestamp): a transition's from its history row (written in the
    // same statement as its outbox row, with the same transaction start, and never updated), a
    // notification's from its own row. Notification keys are `<kind>:<event id>:<user id>`.
    const { rows } = await sql.query<{ committed: Date; relayed: Date | null; handled: Date | null; visible: Date | null; notifications: number }>(
      `WITH n AS (
         SELECT split_part(idempotency_key, ':', 2) AS event_id, count(*)::int AS c, max(pg_xact_commit_timestamp(xmin)) AS visible
           FROM notification WHERE user_id = ANY ($3) GROUP BY 1)
       SELECT pg_xact_commit_timestamp(h.xmin) AS committed, o.sent_at AS relayed, p.processed_at AS handled, n.visible, coalesce(n.c, 0) AS notifications
         FROM outbox o JOIN case_history h ON h.case_id = o.case_id AND h.at = o.created_at
              LEFT JOIN processed_event p ON p.event_id = o.event_id AND p.consumer = 'notifications'
              LEFT JOIN n ON n.event_id = o.event_id::text
        WHERE o.type = 'case.transitioned' AND o.created_at >= $1 AND o.case_id = ANY ($2)`,
      [startedAt, caseIds, users],
    );
    const since = (at: Date | null, committed: Date) => (at ? new Date(at).getTime() - new Date(committed).getTime() : undefined);
    const sorted = (values: (number | undefined)[]) => values.filter((ms): ms is number => ms !== undefined).sort((x, y) => x - y);
    const toRelayed = sorted(rows.map((r) => since(r.relayed, r.committed)));
    const toConsumer = sorted(rows.map((r) => since(r.handled, r.committed)));
    const toVisible = sorted(rows.map((r) => since(r.visible, r.committed)));
    const missing = rows.filter((r) => r.notifications !== 1).length;
    const [c50, c99, v50, v99] = [percentile(toConsumer, 50), percentile(toConsumer, 99), percentile(toVisible, 50), percentile(toVisible, 99)];
    // The bar holds at a rate only if the system carried it: answers at 95% of the rate or more,
    // counted up to the last answer (a backlog answered after the window does not count as kept up).
    const carried = load.rps >= 0.95 * rate;
    const passed = !chosenRate && carried && rows.length > 0 && missing === 0 && toVisible.length === rows.length && c50 <= 25 && c99 <= 100 && v50 <= 50 && v99 <= 200 && load.failures === 0;
    const lines = [
      '## P2: from a transition to its consumer and to the in-app notification',
      '',
      `Bar: to the consumer p50 ≤ 25 ms, p99 ≤ 100 ms; notification visible p50 ≤ 50 ms, p99 ≤ 200 ms, at half the P1 rate (carried: answered at 95% of it or more). **${passed ? 'Met' : `Missed${carried ? '' : ': the system did not carry the rate'}`}.**`,
      '',
      `Load: ${rate} transitions/s, one every ${(1000 / rate).toFixed(2)} ms (open loop; ${rateSource}) for ${options.seconds} s after a 3 s warm-up at the same rate, over up to ${CLIENTS} connections (one per case in flight); achieved ${load.rps.toFixed(0)} req/s (${((100 * load.rps) / rate).toFixed(0)}% of the rate; answers per second up to the last answer, so a backlog answered after the window lowers it), ${load.failures} failed requests, HTTP latency from each request's due time p50 ${run.p50} ms, p99 ${run.p99} ms.`,
      '',
      '| measure | transitions | p50 | p99 | max |',
      '|---|---|---|---|---|',
      `| every consumer done with the event (outbox.sent_at, marked once all have committed, the deadlines consumer's 100 ms batches among them) | ${toRelayed.length} | ${percentile(toRelayed, 50)} ms | ${percentile(toRelayed, 99)} ms | ${toRelayed.at(-1) ?? NaN} ms |`,
      `| event reaches the notifications consumer | ${toConsumer.length} | ${c50} ms | ${c99} ms | ${toConsumer.at(-1) ?? NaN} ms |`,
      `| notification visible in-app (its row committed) | ${toVisible.length} | ${v50} ms | ${v99} ms | ${toVisible.at(-1) ?? NaN} ms |`,
      '',
      `- Transitions in the window: ${rows.length}; with exactly one notification each: ${rows.length - missing} (${missing} with none or more than one); without a committed notification: ${rows.length - toVisible.length}.`,
      '- Times run from the commit of the transition (PostgreSQL\'s commit timestamp of its history row) to the relay marking it sent once every consumer in its process has committed it (`outbox.sent_at`), to the start of the consumer\'s transaction (`processed_event.processed_at`) and to the commit of the notification row, from which on `GET /notifications` returns it.',
      '- The API, the worker and this load generator share the machine\'s two cores with PostgreSQL and Redis.',
      `- CPU per transition from the start of the load until the worker caught up (user + system, from /proc): ${(Object.keys(cpuBefore) as (keyof typeof cpuBefore)[]).map((k) => `${k === 'bench' ? 'this load generator' : k === 'api' ? 'the API' : k === 'worker' ? 'the worker' : k === 'postgres' ? 'PostgreSQL' : 'Redis'} ${(((cpuAfter[k] - cpuBefore[k]) * 1000) / rows.length).toFixed(2)} ms`).join(', ')}.`,
      `- PostgreSQL's share by client (its backends' CPU per transition, over the backends that lived through the run; the rest is background processes and this generator's own queries): ${[...byClient].filter(([, seconds]) => seconds > 0).map(([client, seconds]) => `${client} ${((seconds * 1000) / rows.length).toFixed(2)} ms`).join(', ')}.`,
      ...(flushesBefore && flushesAfter
        ? [`- WAL flushes per transition (pg_stat_io): ${[...flushesAfter].map(([kind, n]) => [kind, (n - (flushesBefore.get(kind) ?? 0)) / rows.length] as const).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n.toFixed(2)}`).join(', ')}.`]
        : []),
    ];
    return { lines, passed };
  } finally {
    await sql.end().catch(() => undefined);
    if (worker) await stopService(worker);
    await stopService(api);
  }
}
