/**
 * QUALITY.md R8 (research T18): ten minutes of mixed load on the production process set (API,
 * worker and notifier, each its own process, the notifier mailing to an SMTP sink in this
 * process). The load is runMixedLoad's (@koryu/testing), the one the shortened R8 test runs in
 * `npm test`: about five transitions and ten reads a second, new cases and edits, CSV exports,
 * notifications read, and a sparse timer every twenty seconds.
 *
 * Must hold: no answer other than 2xx; each process's resident memory (VmRSS, sampled every
 * 10 s) grows less than 10% after the warm-up (the median of the minute after it against the
 * median of the last minute); the outbox, the event and timer queues, the due reminders and the
 * mails to send come back to zero; every sparse timer fires once, on time.
 * BENCH_R8_SECONDS sets the length (600), BENCH_R8_WARMUP the warm-up (120).
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { delay, findFreePort } from '@koryu/devstack';
import { answered, type Backlog, backlogReader, isQuiet, runMixedLoad, sparseTimersSent, startMailSink, transitionDelivery } from '@koryu/testing';
import { MAX_MAIL_ATTEMPTS } from '../apps/notifier/mail-dispatcher';
import { median, percentile } from './lib/environment';
import { procKb } from './lib/memory';
import { petitioners, serviceEnvironment } from './lib/petition';
import { type BenchOptions, freshDatabase, serviceNodeArgs, startService, stopService, waitUntilReady } from './lib/services';

const SAMPLE_EVERY_MS = 10_000;
const GROWTH_BAR = 0.1;

interface Sample {
  atMs: number;
  rssKiB: Record<string, number>;
}

/** A process's resident memory in KiB; NaN once it is gone, so a process that died fails the bar. */
const rssKiB = (pid: number | undefined) => (pid === undefined ? NaN : (procKb(`/proc/${pid}/status`, 'VmRSS') ?? NaN));

export async function runR8(options: BenchOptions): Promise<{ lines: string[]; passed: boolean }> {
  const seconds = Number(process.env.BENCH_R8_SECONDS ?? 600);
  const warmupSeconds = Number(process.env.BENCH_R8_WARMUP ?? Math.min(120, seconds / 5));
  const databaseUrl = await freshDatabase(options.serverUrl, 'koryu_r8');

  const mail = await startMailSink();

  const [apiPort, workerPort, notifierPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const base = `http://127.0.0.1:${apiPort}`;
  const env = { ...serviceEnvironment(databaseUrl, options.redisUrl), APP_BASE_URL: base };
  const dataDir = (name: string) => ({ KORYU_DATA_DIR: join(options.workDir, name) });
  const services: Record<string, ReturnType<typeof startService> | undefined> = {};
  services.api = startService('r8-api', join(__dirname, '..', 'apps', 'api', 'main.js'), { ...env, ...dataDir('r8-api'), PORT: String(apiPort) }, options.workDir, serviceNodeArgs('api', options.workDir));
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await waitUntilReady('r8-api', base, services.api, options.workDir);
    services.worker = startService('r8-worker', join(__dirname, '..', 'apps', 'worker', 'main.js'), { ...env, ...dataDir('r8-worker'), PORT: String(workerPort) }, options.workDir, serviceNodeArgs('worker', options.workDir));
    services.notifier = startService('r8-notifier', join(__dirname, '..', 'apps', 'notifier', 'main.js'), { ...env, ...dataDir('r8-notifier'), PORT: String(notifierPort), SMTP_URL: mail.url }, options.workDir, serviceNodeArgs('notifier', options.workDir));
    await waitUntilReady('r8-worker', `http://127.0.0.1:${workerPort}`, services.worker, options.workDir);
    await waitUntilReady('r8-notifier', `http://127.0.0.1:${notifierPort}`, services.notifier, options.workDir);
    await sql.connect();
    const { tokens } = await petitioners(base, { name: '出雲市', kind: 'municipality', code: '322032' });

    const names = ['api', 'worker', 'notifier'];
    const samples: Sample[] = [];
    let nextSample = 0;
    process.stderr.write(`R8: ${seconds} s of mixed load …\n`);
    const load = await runMixedLoad({
      base,
      tokens,
      seconds,
      onTick: (elapsedMs) => {
        if (elapsedMs < nextSample) return;
        nextSample += SAMPLE_EVERY_MS;
        samples.push({ atMs: elapsedMs, rssKiB: Object.fromEntries(names.map((name) => [name, rssKiB(services[name]?.pid)])) });
      },
    });

    // The backlog after the load, until it is back to zero (two minutes at most).
    const loadEnded = Date.now();
    const backlog = backlogReader(sql, options.redisUrl);
    let after: Backlog;
    let mails: Mails;
    try {
      for (;;) {
        [after, mails] = await Promise.all([backlog.read(), mailsOf(sql)]);
        if ((isQuiet(after) && mails.due === 0) || Date.now() - loadEnded >= 120_000) break;
        await delay(500);
      }
    } finally {
      await backlog.close();
    }
    const drainMs = Date.now() - loadEnded;

    const timers = await sparseTimersSent(sql);
    const events = await transitionDelivery(sql);

    // Memory: the median of the minute after the warm-up against the median of the last minute.
    const window = (from: number, to: number) => samples.filter((s) => s.atMs >= from && s.atMs < to);
    const early = window(warmupSeconds * 1000, warmupSeconds * 1000 + 60_000);
    const late = window(seconds * 1000 - 60_000, seconds * 1000 + 1);
    const memory = names.map((name) => {
      const before = median(early.map((s) => s.rssKiB[name]));
      const end = median(late.map((s) => s.rssKiB[name]));
      return { name, before, end, growth: end / before - 1, peak: Math.max(...samples.map((s) => s.rssKiB[name])) };
    });

    const transitions = answered(load, 'submit', 'return', 'approve');
    const reads = answered(load, 'list', 'list-by-state', 'detail', 'history', 'inbox', 'notifications');
    const timersOnTime = timers.length === load.timers.length && timers.every((t) => t.sent === 1 && t.lateMs < 5_000);
    const lateness = timers.map((t) => t.lateMs).sort((a, b) => a - b);
    const memoryMet = memory.every((m) => m.growth < GROWTH_BAR);
    const drained = isQuiet(after) && after.failed === 0 && mails.due === 0;
    const passed = load.unexpectedCount === 0 && memoryMet && drained && timersOnTime && events.handled === events.transitions;
    const mib = (kib: number) => (kib / 1024).toFixed(1);

    const lines = [
      '## R8: ten minutes of mixed load (soak)',
      '',
      `Bar: no answer other than 2xx; each process's resident memory grows < 10% after the warm-up; the backlog returns to zero; every sparse timer fires once, on time. **${passed ? 'Met' : 'MISSED'}.**`,
      '',
      `Load: ${seconds} s (warm-up ${warmupSeconds} s) against the API, worker and notifier processes (production mode), the notifier mailing to an SMTP sink: ${transitions} transitions (${(transitions / seconds).toFixed(1)}/s), ${reads} reads (${(reads / seconds).toFixed(1)}/s), ${answered(load, 'create')} new cases, ${answered(load, 'edit')} edits, ${answered(load, 'csv')} CSV exports, ${answered(load, 'mark-read')} notifications marked read, ${load.timers.length} sparse timers; ${load.skipped} operations skipped with 16 requests in flight.`,
      '',
      '| answers | count |',
      '|---|---|',
      ...Object.entries(load.answers).map(([kind, byStatus]) => `| ${kind} | ${Object.entries(byStatus).map(([status, n]) => `${n} × ${status}`).join(', ')} |`),
      '',
      `- Answers other than 2xx: ${load.unexpectedCount}${load.unexpected.length > 0 ? ` (first: ${load.unexpected.slice(0, 3).map((u) => `${u.kind} ${u.status} ${u.text.slice(0, 100)}`).join('; ')})` : ''}.`,
      '',
      '| process | RSS after warm-up (median of the next minute) | RSS in the last minute (median) | growth | peak |',
      '|---|---|---|---|---|',
      ...memory.map((m) => `| ${m.name} | ${mib(m.before)} MiB | ${mib(m.end)} MiB | ${(m.growth * 100).toFixed(1)}% | ${mib(m.peak)} MiB |`),
      '',
      `- Backlog ${drained ? 'back to zero' : 'NOT back to zero'} ${(drainMs / 1000).toFixed(1)} s after the load: ${JSON.stringify(after)}, mails to send ${mails.due}.`,
      `- Events: ${events.transitions} transitions, ${events.handled} handled by the notifications consumer; ${mails.notifications} notifications, ${mails.mailed} mailed (${mail.messageIds.length} mails reached the SMTP sink).`,
      `- Sparse timers: ${load.timers.length} added, ${timers.filter((t) => t.sent === 1).length} sent once; lateness from the reminder's time to its notification p50 ${percentile(lateness, 50)} ms, max ${lateness.at(-1) ?? NaN} ms.`,
      `- RSS samples (MiB, every ${SAMPLE_EVERY_MS / 1000} s): ${names.map((name) => `${name} ${samples.map((s) => mib(s.rssKiB[name])).join(' ')}`).join('; ')}.`,
      '',
      'Command: `BENCH_R8_SECONDS=600 npm run bench -- r8` (the load: `runMixedLoad` in libs/testing/mixed-load.ts; the shortened run in `npm test` is test/reliability/mixed-load.r8.test.ts).',
      '',
    ];
    return { lines, passed };
  } finally {
    await sql.end().catch(() => undefined);
    for (const name of ['notifier', 'worker', 'api']) if (services[name]) await stopService(services[name]);
    await mail.close();
  }
}

interface Mails {
  notifications: number;
  mailed: number;
  /** Still to be sent (not given up after the notifier's attempts). */
  due: number;
}

async function mailsOf(sql: Client): Promise<Mails> {
  const { rows } = await sql.query<Mails>(
    `SELECT count(*)::int AS notifications, count(mailed_at)::int AS mailed, count(*) FILTER (WHERE mailed_at IS NULL AND mail_attempts < $1)::int AS due FROM notification`,
    [MAX_MAIL_ATTEMPTS],
  );
  return rows[0];
}
